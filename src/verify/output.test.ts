import { describe, expect, it } from 'vitest';
import { createRedactor, MASK } from '../security/redactor.js';
import { createMaskedTail, keepEnd, redactThenKeepEnd } from './output.js';

const SECRET = 'sk-output-SECRET-0123456789';
const redact = createRedactor([SECRET]);

describe('keepEnd', () => {
  it('keeps a short text as it is', () => {
    expect(keepEnd('all of it', 100)).toBe('all of it');
  });

  it('keeps the end and says how many characters were cut', () => {
    expect(keepEnd(`${'a'.repeat(1_500)}THE END`, 7)).toBe('[… 1,500 earlier characters cut]\nTHE END');
    expect(keepEnd('abcdef', 3, 10)).toBe('[… 13 earlier characters cut]\ndef');
    expect(keepEnd('abc', 3, 10)).toBe('[… 10 earlier characters cut]\nabc');
  });

  it('never halves a mask: one the cut would split is kept whole', () => {
    const text = `${'a'.repeat(50)}${MASK}tail`;
    const kept = keepEnd(text, 8);
    expect(kept).toBe(`[… 50 earlier characters cut]\n${MASK}tail`);
  });
});

describe('redactThenKeepEnd', () => {
  it('masks first, so a secret cut in half by the window still never shows', () => {
    const text = `${SECRET}${'b'.repeat(10)}`;
    const kept = redactThenKeepEnd(redact, text, 20);
    expect(kept).not.toContain(SECRET.slice(-10));
    expect(kept.endsWith(`${MASK}${'b'.repeat(10)}`)).toBe(true);
  });
});

describe('createMaskedTail', () => {
  it('masks a secret split between pieces and keeps only the end, counting all that was cut', () => {
    const tail = createMaskedTail(redact, 40);
    for (let i = 0; i < 100; i += 1) tail.push('x'.repeat(10));
    tail.push(`start ${SECRET.slice(0, 8)}`);
    tail.push(`${SECRET.slice(8)} end`);
    const out = tail.end();
    expect(out).not.toContain(SECRET.slice(8));
    expect(out.endsWith(`start ${MASK} end`)).toBe(true);
    const cut = Number(/^\[… ([\d,]+) earlier characters cut\]\n/.exec(out)?.[1]?.replace(/,/g, ''));
    // Everything pushed, masked, is the part cut plus the part kept.
    const body = out.slice(out.indexOf('\n') + 1);
    expect(cut + body.length).toBe(1_000 + `start ${MASK} end`.length);
  });

  it('shows the masked window so far while the stream goes on', () => {
    const tail = createMaskedTail(redact, 100);
    tail.push('line one\n');
    expect(tail.peek(100)).toBe('line one\n');
    tail.push(`and ${SECRET}\n`);
    expect(tail.peek(100)).toBe(`line one\nand ${MASK}\n`);
  });
});
