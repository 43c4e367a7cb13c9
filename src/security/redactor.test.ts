import { describe, it, expect } from 'vitest';
import { createRedactor, MASK } from './redactor.js';

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
