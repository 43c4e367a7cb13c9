import { describe, it, expect } from 'vitest';
import {
  combineRedactors,
  createRedactor,
  MASK,
  MIN_FRAGMENT_LENGTH,
  redactJson,
  redactThenTruncate,
} from './redactor.js';
import { MIN_ENCODED_LENGTH } from './secret-forms.js';

describe('createRedactor', () => {
  it('masks every raw occurrence of a secret', () => {
    const redact = createRedactor(['sk-ant-abc123XYZ']);
    expect(redact('key=sk-ant-abc123XYZ and again sk-ant-abc123XYZ.')).toBe(`key=${MASK} and again ${MASK}.`);
  });

  it('masks the JSON-escaped form of a secret with quotes and backslashes', () => {
    const secret = 'pa"ss\\word!';
    const redact = createRedactor([secret]);
    const json = JSON.stringify({ password: secret });
    expect(json).not.toContain(secret);
    const out = redact(json);
    expect(out).toBe(`{"password":"${MASK}"}`);
    expect(redact(`raw: ${secret}`)).toBe(`raw: ${MASK}`);
  });

  it('masks the URL-encoded form', () => {
    const secret = 'p@ss word/+=&secret';
    const redact = createRedactor([secret]);
    const url = `https://example.com/login?token=${encodeURIComponent(secret)}&x=1`;
    expect(redact(url)).toBe(`https://example.com/login?token=${MASK}&x=1`);
  });

  it('masks the base64 form, with or without padding', () => {
    const secret = 'user:hunter22x';
    const b64 = Buffer.from(secret).toString('base64');
    expect(b64.endsWith('=')).toBe(true);
    const redact = createRedactor([secret]);
    expect(redact(`Authorization: Basic ${b64}`)).toMatch(new RegExp(`^Authorization: Basic ${MASK}=*$`));
    expect(redact(`Authorization: Basic ${b64}`)).not.toContain(b64.replace(/=+$/, ''));
  });

  it('ignores values shorter than 6 characters', () => {
    const redact = createRedactor(['abc12', '1', '']);
    expect(redact('abc12 1 x')).toBe('abc12 1 x');
  });

  it('masks a value of exactly 6 characters', () => {
    expect(createRedactor(['abc123'])('id abc123')).toBe(`id ${MASK}`);
  });

  it('masks the longer secret whole when one secret is a prefix of another', () => {
    const redact = createRedactor(['token1', 'token1-extended-part']);
    expect(redact('a token1-extended-part b token1 c')).toBe(`a ${MASK} b ${MASK} c`);
    const reversed = createRedactor(['token1-extended-part', 'token1']);
    expect(reversed('a token1-extended-part b')).toBe(`a ${MASK} b`);
  });

  it('treats regex metacharacters in secrets literally', () => {
    const redact = createRedactor(['a.b*c+d?(e)']);
    expect(redact('a.b*c+d?(e)')).toBe(MASK);
    expect(redact('aXbbbcd(e)')).toBe('aXbbbcd(e)');
  });

  it('is the identity when there are no (usable) secrets', () => {
    const text = 'nothing {"secret":"x"} here';
    expect(createRedactor([])(text)).toBe(text);
    expect(createRedactor(['short'])(text)).toBe(text);
  });

  it('accepts any iterable of secrets', () => {
    const redact = createRedactor(new Set(['secret-one', 'secret-two']));
    expect(redact('secret-one secret-two')).toBe(`${MASK} ${MASK}`);
  });
});

describe('createRedactor minLength', () => {
  it('masks shorter secrets when asked (human-given secrets: 4 characters), never shorter ones', () => {
    expect(createRedactor(['abcd'])('x abcd y')).toBe('x abcd y');
    expect(createRedactor(['abcd'], { minLength: 4 })('x abcd y')).toBe(`x ${MASK} y`);
    expect(createRedactor(['abc'], { minLength: 4 })('x abc y')).toBe('x abc y');
  });
});

/** A provider-style key: long, random, with the shared prefix every Anthropic key has. */
const KEY =
  'sk-ant-api03-Qw7Zr2Lp9Xv4Nc8Bt1Mk6Hs3Jd5Fg0Ay-e_Ui7Op2Rt9Ye4Wq1As8Df3Gh6Jk0Lz5Xc2Vb7Nm4Qp9Wo1Ei3Ru6Ty8Ui0Op2As4Df6Gh8JkAA';

/** Any `n` consecutive characters of `secret` found in `text` (what a leak looks like), or null. */
function leakedPiece(text: string, secret: string, n = 8): string | null {
  for (let i = 0; i + n <= secret.length; i++) if (text.includes(secret.slice(i, i + n))) return secret.slice(i, i + n);
  return null;
}

describe('issue #14: mask first, then truncate', () => {
  it('session.log cut at 2,048 characters before masking leaked the first characters of a key straddling the cut', () => {
    const redact = createRedactor([KEY]);
    const line = `${'x'.repeat(2000)}${KEY}${'y'.repeat(3000 - 2000 - KEY.length)}`;
    const out = redactThenTruncate(redact, line, 2048);
    expect(leakedPiece(out, KEY.slice(13))).toBeNull();
    expect(out).toBe(`${'x'.repeat(2000)}${MASK}${'y'.repeat(2048 - 2000 - MASK.length)}…`);
    // Cut first, a piece too short to be recognised as the key is left (here 15 characters).
    const late = `${'x'.repeat(2033)}${KEY}`;
    expect(redact(late.slice(0, 2048))).toContain(KEY.slice(0, 15));
    expect(redactThenTruncate(redact, `${late}${'y'.repeat(100)}`, 2048)).toBe(
      `${'x'.repeat(2033)}${MASK}${'y'.repeat(5)}…`,
    );
  });

  it('never cuts a mask in half, and leaves short text alone', () => {
    const redact = createRedactor([KEY]);
    expect(redactThenTruncate(redact, `${'x'.repeat(95)}${KEY}`, 100)).toBe(`${'x'.repeat(95)}…`);
    expect(redactThenTruncate(redact, `a ${KEY} b`, 100)).toBe(`a ${MASK} b`);
  });
});

describe('issue #14: encoded forms of each secret', () => {
  const secret = 'p@ss word/+=&~s3cr3t!(x)';

  it('masks URL-encoded forms: encodeURIComponent, encodeURI, form encoding (+ for space), upper- and lower-case hex', () => {
    const redact = createRedactor([secret]);
    const component = encodeURIComponent(secret);
    const form = new URLSearchParams({ t: secret }).toString().slice(2);
    expect(form).toContain('+'); // the space
    for (const encoded of [
      component,
      component.toLowerCase().replace(/%([0-9a-f]{2})/g, '%$1'),
      lowerHex(component),
      encodeURI(secret),
      form,
      lowerHex(form),
    ]) {
      expect(redact(`https://example.com/cb?token=${encoded}&x=1`)).toBe(`https://example.com/cb?token=${MASK}&x=1`);
    }
  });

  it('masks hex, lower and upper case', () => {
    const redact = createRedactor([secret]);
    const hex = Buffer.from(secret).toString('hex');
    expect(redact(`dump: ${hex} end`)).toBe(`dump: ${MASK} end`);
    expect(redact(`dump: ${hex.toUpperCase()} end`)).toBe(`dump: ${MASK} end`);
  });

  it('masks base64 and base64url inside a larger blob at each of the three byte alignments, all but the characters shared with the neighbours', () => {
    const key = 'k?>~?>~Secret+/Value-0123456789'; // bytes that give + and / in base64
    const redact = createRedactor([key]);
    for (const before of [1, 2, 3, 4, 5, 6]) {
      for (const after of [0, 1, 2, 3]) {
        const bytes = Buffer.concat([
          Buffer.from('\u00ff'.repeat(before), 'latin1'),
          Buffer.from(key),
          Buffer.from('\u00fe'.repeat(after), 'latin1'),
        ]);
        for (const blob of [bytes.toString('base64'), bytes.toString('base64url')]) {
          const start = Math.ceil((before * 8) / 6);
          const end = Math.floor(((before + key.length) * 8) / 6);
          // Masked from the first character made of the secret's bits alone; at the end the mask may
          // also take the last partial character when nothing follows (the secret's own base64).
          const out = redact(blob);
          expect(
            out.startsWith(`${blob.slice(0, start)}${MASK}`),
            `${before} byte(s) before, ${after} after: ${blob} → ${out}`,
          ).toBe(true);
          expect(blob.slice(end).endsWith(out.slice(start + MASK.length)), `${blob} → ${out}`).toBe(true);
        }
      }
    }
  });

  it('masks Basic credentials (base64 of user:secret) and a JWT whose payload holds the secret', () => {
    const redact = createRedactor([KEY]);
    const basic = `Authorization: Basic ${Buffer.from(`apikey:${KEY}`).toString('base64')}`;
    expect(redact(basic)).toMatch(new RegExp(`^Authorization: Basic [A-Za-z0-9+/]{9,11}${MASK}[A-Za-z0-9+/]{0,2}=*$`));
    const jwt = ['{"alg":"HS256"}', JSON.stringify({ sub: 'u1', key: KEY, iat: 1 }), 'sig']
      .map((p) => Buffer.from(p).toString('base64url'))
      .join('.');
    const masked = redact(`Bearer ${jwt}`);
    expect(masked).toContain(MASK);
    const payload = Buffer.from(masked.split('.')[1]?.split(MASK)[0] ?? '', 'base64url').toString();
    expect(leakedPiece(masked, Buffer.from(KEY).toString('base64url').slice(4), 12)).toBeNull();
    expect(payload).toContain('"key":"'); // only the neighbouring characters are left
  });

  it('masks the \\u-escaped JSON of a non-ASCII secret (serializers that escape all non-ASCII)', () => {
    const nonAscii = 'mot-de-passe-été-42';
    const redact = createRedactor([nonAscii]);
    expect(redact('{"pw":"mot-de-passe-\\u00e9t\\u00e9-42"}')).toBe(`{"pw":"${MASK}"}`);
  });

  it('does not use hex or base64 forms shorter than MIN_ENCODED_LENGTH (a 4-character secret would match inside any blob)', () => {
    const redact = createRedactor(['abcd'], { minLength: 4 });
    const hex = Buffer.from('abcd').toString('hex');
    expect(hex.length).toBeLessThan(MIN_ENCODED_LENGTH);
    expect(redact(`x ${hex} YWJjZA abcd`)).toBe(`x ${hex} YWJjZA ${MASK}`);
  });

  it('leaves other hex and base64 text alone', () => {
    const redact = createRedactor([KEY, secret]);
    const other = Buffer.from('an unrelated payload of some length, nothing secret in it').toString('base64');
    const sha = 'e630120a9c3d1f0e5b6a7c8d9e0f1a2b3c4d5e6f';
    expect(redact(`${other} ${sha}`)).toBe(`${other} ${sha}`);
  });
});

describe('issue #14: line-wrapped forms', () => {
  it.each([
    ['\n', 64],
    ['\r\n', 76],
    ['\\n', 20],
    ['\n', 1],
  ])('masks a secret broken by %j every %i characters, and nothing around it', (brk, every) => {
    const redact = createRedactor([KEY]);
    const wrapped = KEY.match(new RegExp(`.{1,${every}}`, 'gs'))?.join(brk) ?? '';
    expect(redact(`before${brk}${wrapped}${brk}after`)).toBe(`before${brk}${MASK}${brk}after`);
  });

  it('masks a wrapped base64 block (PEM-style, 64 columns) holding the secret', () => {
    const redact = createRedactor([KEY]);
    const blob = Buffer.from(`{"user":"ci","token":"${KEY}","scope":"all"}`).toString('base64');
    const pem = blob.match(/.{1,64}/g)?.join('\n') ?? '';
    const out = redact(`-----BEGIN DATA-----\n${pem}\n-----END DATA-----`);
    expect(out).toContain(MASK);
    expect(leakedPiece(out.replace(/\n/g, ''), Buffer.from(KEY).toString('base64').slice(4), 12)).toBeNull();
  });
});

describe('issue #14: pieces of a secret cut off by someone else', () => {
  it(`masks the first characters of a key cut at its end (${MIN_FRAGMENT_LENGTH} or more)`, () => {
    const redact = createRedactor([KEY]);
    expect(redact(`tool output: ${KEY.slice(0, 100)}… [truncated]`)).toBe(`tool output: ${MASK}… [truncated]`);
    expect(redact(`x ${KEY.slice(0, MIN_FRAGMENT_LENGTH)}`)).toBe(`x ${MASK}`);
  });

  it('masks the last characters of a key cut at its start (the SDK keeps only the last 2,048 characters of stderr)', () => {
    const redact = createRedactor([KEY]);
    expect(redact(`exited with code 1. stderr: ${KEY.slice(-40)} failed`)).toBe(
      `exited with code 1. stderr: ${MASK} failed`,
    );
    expect(redact(`wrapped: ${KEY.slice(30, 70)}\n${KEY.slice(70)} end`)).toBe(`wrapped: ${MASK} end`);
  });

  it(`does not treat pieces shorter than ${MIN_FRAGMENT_LENGTH} characters as the key (every Anthropic key starts with sk-ant-api03-)`, () => {
    const redact = createRedactor([KEY]);
    const example = `ANTHROPIC_API_KEY=${KEY.slice(0, MIN_FRAGMENT_LENGTH - 1)}...`;
    expect(redact(example)).toBe(example);
  });
});

describe('overlaps and multi-line secrets', () => {
  it('masks both of two secrets that overlap in the text (one redactor, one pass)', () => {
    const redact = createRedactor(['abcdefgh', 'efghijkl']);
    expect(redact('x abcdefghijkl y')).toBe(`x ${MASK} y`);
  });

  it('masks a secret that holds a line break itself (a multi-line header value), raw and JSON-escaped, among other lines', () => {
    const headers = 'X-Api-Key: k3y-Value-123\nX-Org: org-77';
    const redact = createRedactor([headers]);
    expect(redact(`first line\n${headers}\nlast line`)).toBe(`first line\n${MASK}\nlast line`);
    expect(redact(JSON.stringify({ env: `A=1\n${headers}` }))).toBe(`{"env":"A=1\\n${MASK}"}`);
  });

  it('masks a multi-line secret (a PEM key a human gave) however the text wraps it', () => {
    const pem = `-----BEGIN KEY-----\n${'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'.repeat(3)}\n${'BKcwggSjAgEAAoIBAQC7'.repeat(2)}\n-----END KEY-----`;
    const redact = createRedactor([pem], { minLength: 4 });
    const rewrapped = (pem.replace(/\n/g, '').match(/.{1,50}/g) ?? []).join('\r\n');
    expect(redact(`key:\r\n${rewrapped}\r\ndone`)).toBe(`key:\r\n${MASK}\r\ndone`);
  });
});

describe('redactJson', () => {
  it('keeps the JSON valid for a secret with quotes and backslashes, masking nested strings and keys', () => {
    const secret = 'pa"ss\\wo}rd!';
    const redact = createRedactor([secret]);
    const value = {
      a: [`x ${secret}`, 1, null, { [secret]: true }],
      b: `{"nested":"${JSON.stringify(secret).slice(1, -1)}"}`,
    };
    const out = redactJson(redact, value);
    expect(out).toEqual({ a: [`x ${MASK}`, 1, null, { [MASK]: true }], b: `{"nested":"${MASK}"}` });
    expect(JSON.stringify(out)).not.toContain('ss\\');
  });
});

describe('combineRedactors', () => {
  it('masks what any of them masks, as one mask where their secrets overlap', () => {
    const provider = createRedactor(['provider-secret-key']);
    const human = createRedactor(['hupw'], { minLength: 4 });
    const both = combineRedactors(provider, human);
    expect(both('a provider-secret-key b hupw c')).toBe(`a ${MASK} b ${MASK} c`);
    const overlapping = combineRedactors(createRedactor(['abcdefgh']), createRedactor(['efghijkl']));
    expect(overlapping('x abcdefghijkl y')).toBe(`x ${MASK} y`);
  });
});

function lowerHex(s: string): string {
  return s.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
}
