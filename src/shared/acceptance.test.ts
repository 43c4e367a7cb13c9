import { describe, expect, it } from 'vitest';
import { AcceptanceSchema, canonicalJson, jsonIncludes, needsApp, type AcceptanceCheck } from './acceptance.js';

const issues = (input: unknown) => {
  const r = AcceptanceSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('acceptance checks', () => {
  it('takes the three kinds as the issue writes them, with expect optional', () => {
    const checks = [
      { kind: 'command', run: 'npm test', expect: { exitCode: 0, stdoutIncludes: 'pass' } },
      { kind: 'command', run: 'node --test' },
      {
        kind: 'http',
        method: 'GET',
        path: '/api/todos',
        expect: { status: 200, bodyIncludes: 'milk', json: { items: [{ text: 'milk' }] } },
      },
      { kind: 'http', path: '/health' },
      {
        kind: 'browser',
        steps: [
          { goto: '/' },
          { fill: { label: 'New todo' }, value: 'milk' },
          { press: 'Enter' },
          { click: { role: 'button', name: 'Save' } },
          { expectText: 'milk' },
          { reload: true },
          { expectText: 'milk' },
          { screenshot: 'after-reload' },
        ],
      },
    ];
    const parsed = AcceptanceSchema.parse(checks);
    expect(parsed).toHaveLength(5);
    expect(parsed[3]).toEqual({ kind: 'http', method: 'GET', path: '/health' });
  });

  it('names the check and the field of every problem', () => {
    expect(issues([{ kind: 'http', path: 'http://evil.example/x' }])).toEqual([
      '0.path: must be a path on the app starting with "/" (no host, no spaces), e.g. "/api/todos"',
    ]);
    expect(
      issues([
        { kind: 'command', run: 'true' },
        { kind: 'browser', steps: [{ click: { css: '#save' } }] },
      ])[0],
    ).toMatch(/^1\.steps\.0/);
    expect(issues([{ kind: 'shell', run: 'x' }])[0]).toMatch(/^0\.kind: /);
    expect(issues([])).toEqual([': give at least one acceptance check']);
    expect(issues(Array.from({ length: 21 }, () => ({ kind: 'command', run: 'true' }))).length).toBe(1);
    expect(issues([{ kind: 'browser', steps: [{ screenshot: 'Bad Name' }] }])[0]).toMatch(/^0\.steps\.0/);
    expect(issues([{ kind: 'http', path: '//evil.example/x' }])[0]).toMatch(/^0\.path/);
  });

  it('knows when the app must run', () => {
    expect(needsApp([{ kind: 'command', run: 'npm test' }])).toBe(false);
    expect(
      needsApp([
        { kind: 'command', run: 'npm test' },
        { kind: 'http', method: 'GET', path: '/' },
      ] as AcceptanceCheck[]),
    ).toBe(true);
  });
});

describe('jsonIncludes (expect.json)', () => {
  it('matches objects by their expected keys, arrays by ordered elements, the rest by equality', () => {
    expect(jsonIncludes({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 2 } })).toBe(true);
    expect(jsonIncludes({ a: 1 }, { a: 2 })).toBe(false);
    expect(jsonIncludes({ a: 1 }, { b: undefined })).toBe(false);
    expect(jsonIncludes([{ t: 'x' }, { t: 'milk' }, { t: 'eggs' }], [{ t: 'milk' }, { t: 'eggs' }])).toBe(true);
    expect(jsonIncludes([{ t: 'eggs' }, { t: 'milk' }], [{ t: 'milk' }, { t: 'eggs' }])).toBe(false);
    expect(jsonIncludes([1, 2], [])).toBe(true);
    expect(jsonIncludes({ items: [] }, { items: [1] })).toBe(false);
    expect(jsonIncludes(null, null)).toBe(true);
    expect(jsonIncludes([1], { 0: 1 })).toBe(false);
    expect(jsonIncludes('1', 1)).toBe(false);
  });
});

describe('canonicalJson', () => {
  it('is the same for the same content whatever the key order, and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }], c: undefined })).toBe('{"a":[{"x":1,"y":2}],"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});
