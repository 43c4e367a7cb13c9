import { describe, expect, it } from 'vitest';
import { createRedactingStream } from './redacting-stream.js';
import { createRedactor, MASK } from './redactor.js';

const KEY = 'sk-ant-api03-Qw7Zr2Lp9Xv4Nc8Bt1Mk6Hs3Jd5Fg0Ay-e_Ui7Op2Rt9Ye4Wq1As8Df3Gh6Jk0Lz5Xc2Vb7Nm4';
const PASSWORD = 'hunter22pw';

/** Pushes `pieces` one by one; returns what came out of each push, then of the flush. */
function stream(pieces: readonly string[], secrets: readonly string[] = [KEY, PASSWORD]): string[] {
  const s = createRedactingStream(createRedactor(secrets));
  return [...pieces.map((p) => s.push(p)), s.flush()];
}

describe('issue #14: a secret split between two stream pieces', () => {
  it('never reaches the output, whatever the split point', () => {
    const text = `Here it is: ${KEY} (keep it safe)`;
    const at = text.indexOf(KEY);
    for (let cut = at + 1; cut < at + KEY.length; cut++) {
      const out = stream([text.slice(0, cut), text.slice(cut)]);
      expect(out.join(''), `cut at ${cut}`).toBe(`Here it is: ${MASK} (keep it safe)`);
    }
  });

  it('never reaches the output when streamed a few characters at a time (model deltas)', () => {
    const text = `first ${PASSWORD} then ${KEY} and ${Buffer.from(`u:${KEY}`).toString('base64')} end`;
    for (const size of [1, 3, 7, 16]) {
      const pieces = text.match(new RegExp(`.{1,${size}}`, 'gs')) ?? [];
      const out = stream(pieces);
      expect(out.join(''), `pieces of ${size}`).toBe(createRedactor([KEY, PASSWORD])(text));
      expect(out.join('')).not.toContain(PASSWORD.slice(0, 4));
    }
  });

  it('never reaches the output when the secret is also wrapped over lines', () => {
    const wrapped = `${KEY.slice(0, 30)}\r\n${KEY.slice(30, 60)}\\n${KEY.slice(60)}`;
    const text = `token:\n${wrapped}\nok`;
    for (let cut = 8; cut < text.length - 3; cut++) {
      expect(stream([text.slice(0, cut), text.slice(cut)]).join(''), `cut at ${cut}`).toBe(`token:\n${MASK}\nok`);
    }
  });

  it('passes on at once what cannot be the start of a secret, and holds back only what can', () => {
    const s = createRedactingStream(createRedactor([KEY]));
    expect(s.push('Hello, world. ')).toBe('Hello, world. ');
    expect(s.push('The key is sk-ant')).toBe('The key is ');
    expect(s.push('-api03-Q')).toBe('');
    // Not the key after all (and too short to be a cut-off piece of it): released as it was.
    expect(s.push('x nothing')).toBe('sk-ant-api03-Qx nothing');
    expect(s.push(`, but ${KEY.slice(0, 50)}`)).toBe(', but ');
    expect(s.flush()).toBe(MASK);
    expect(s.flush()).toBe('');
  });

  it('lets a complete secret through (masked) before a text that goes on', () => {
    const s = createRedactingStream(createRedactor([KEY]));
    expect(s.push(`a ${KEY} b`)).toBe(`a ${MASK} b`);
    expect(s.flush()).toBe('');
  });
});
