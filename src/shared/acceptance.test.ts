import { describe, expect, it } from 'vitest';
import {
  AcceptanceSchema,
  checkFailure,
  canonicalJson,
  jsonIncludes,
  MAX_FAILURE_LINE,
  needsApp,
  outdatedVerifications,
  summarizeVerification,
  type AcceptanceCheck,
  type CheckResult,
  type Verification,
} from './acceptance.js';

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

describe('summarizeVerification (what a card shows)', () => {
  const check = (over: Partial<CheckResult>): CheckResult => ({
    featureId: 2,
    index: 0,
    kind: 'command',
    name: null,
    passed: true,
    durationMs: 10,
    output: '',
    failure: null,
    evidence: [],
    ...over,
  });
  const verification = (over: Partial<Verification>): Verification => ({
    id: 'v1',
    featureId: 2,
    commit: 'abc',
    trigger: 'landing',
    status: 'passed',
    sessionId: null,
    startedAt: 1,
    endedAt: 2,
    evidenceDir: '.autocoder/evidence/feature-2/v1',
    checks: [],
    error: null,
    ...over,
  });

  it('counts checks, finds the first screenshot and has no failure when it passed', () => {
    const v = verification({
      checks: [
        check({ kind: 'browser', evidence: ['trace-1.zip', '1-added.png'] }),
        check({ index: 1, evidence: ['2-b.png'] }),
      ],
    });
    expect(summarizeVerification(v)).toMatchObject({ checks: 2, passed: 2, screenshot: '1-added.png', failure: null });
  });

  it('names the first failing check (whose, when a dependency) or the error, in one line', () => {
    const failing = verification({
      status: 'failed',
      checks: [
        check({}),
        check({ featureId: 1, index: 3, kind: 'http', passed: false, failure: 'status 500,\n expected 2xx' }),
        check({ index: 1, name: 'later', passed: false, failure: 'x' }),
      ],
    });
    expect(summarizeVerification(failing)).toMatchObject({
      checks: 3,
      passed: 1,
      failure: "#1's http check 4: status 500, expected 2xx",
    });
    const own = verification({
      status: 'failed',
      checks: [check({ name: 'tests pass', passed: false, failure: 'exit 1' })],
    });
    expect(summarizeVerification(own).failure).toBe('tests pass: exit 1');
    const error = verification({ status: 'error', error: 'the app did not start: '.repeat(40) });
    expect(summarizeVerification(error).failure).toMatch(/^the app did not start: the app/);
    expect(summarizeVerification(error).failure).toHaveLength(MAX_FAILURE_LINE);
    expect(summarizeVerification(verification({ status: 'running' })).failure).toBeNull();
  });
  it("a failing command check's line says what its output says failed (the assertion), not only its exit code", () => {
    const output = `not ok 1 - adds a todo\n  error: |-\n    Expected values to be strictly equal:\n\n    3 !== 4\n\n# fail 1\n`;
    const failed = check({ name: 'tests pass', passed: false, failure: 'exit code 1, expected 0', output });
    expect(summarizeVerification(verification({ status: 'failed', checks: [failed] })).failure).toBe(
      'tests pass: adds a todo — Expected values to be strictly equal: 3 !== 4 (exit code 1, expected 0)',
    );
    expect(checkFailure({ failure: 'exit code 1, expected 0', output: 'just text' })).toBe('exit code 1, expected 0');
    // A failure that already names the line is not repeated.
    expect(checkFailure({ failure: 'TypeError: x is not a function', output: 'TypeError: x is not a function' })).toBe(
      'TypeError: x is not a function',
    );
  });
});

describe('outdatedVerifications', () => {
  const v = (id: string, startedAt: number, endedAt: number | null) => ({ id, startedAt, endedAt });
  it('marks what ended before the newest attempt began; a running one and those since are current', () => {
    const list = [v('v3', 50, null), v('v2', 30, 40), v('v1', 10, 20)];
    expect(outdatedVerifications(list, [5, 25])).toEqual(['v1']);
    expect(outdatedVerifications(list, [5, 25, 45])).toEqual(['v2', 'v1']);
    expect(outdatedVerifications(list, [5])).toEqual([]);
    expect(outdatedVerifications(list, [])).toEqual([]);
  });
});
