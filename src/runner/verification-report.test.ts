import { describe, expect, it } from 'vitest';
import type { CheckResult, Verification } from '../shared/acceptance.js';
import { checkLabel, failureNote, failureReport } from './verification-report.js';

const check = (over: Partial<CheckResult>): CheckResult => ({
  featureId: 3,
  index: 0,
  kind: 'command',
  name: null,
  passed: true,
  durationMs: 5,
  output: '',
  failure: null,
  evidence: [],
  ...over,
});

const verification = (checks: CheckResult[], over: Partial<Verification> = {}): Verification => ({
  id: 'ver_abc',
  featureId: 3,
  commit: '0123456789abcdef0123456789abcdef01234567',
  trigger: 'landing',
  status: 'failed',
  sessionId: 'ses_1',
  startedAt: 1,
  endedAt: 2,
  evidenceDir: '.autocoder/evidence/feature-3/ver_abc',
  checks,
  error: null,
  ...over,
});

describe('checkLabel', () => {
  it('counts from 1 and names the kind and the name', () => {
    expect(checkLabel({ index: 1, kind: 'http', name: 'add a todo' })).toBe('check 2 (http "add a todo")');
    expect(checkLabel({ index: 0, kind: 'command', name: null })).toBe('check 1 (command)');
  });
});

describe('failureReport', () => {
  it('lists only the failing checks, with their reason, the end of their output and their evidence paths', () => {
    const v = verification([
      check({ index: 0, passed: true, output: 'fine' }),
      check({
        index: 1,
        kind: 'browser',
        name: 'shows the todo',
        passed: false,
        failure: 'step 3 (expectText "milk"): not visible',
        output: `${'x'.repeat(50)}END`,
        evidence: ['check-2-failure.png'],
      }),
      check({ featureId: 1, index: 0, passed: false, failure: 'exit code 1, expected 0', output: 'boom' }),
    ]);
    const text = failureReport(v, '/p', 20);
    expect(text).toContain(
      'The frozen acceptance checks failed on commit 01234567 (verification ver_abc): 2 of 3 failed.',
    );
    expect(text).toContain('1. check 2 (browser "shows the todo"): step 3 (expectText "milk"): not visible');
    expect(text).toContain('… (33 characters cut)');
    expect(text).toContain('xxxxxxxxxxxxxxxxxEND');
    expect(text).toContain('evidence: /p/.autocoder/evidence/feature-3/ver_abc/check-2-failure.png');
    expect(text).toContain(
      '2. check 1 (command) of feature #1 (a dependency: your change broke it): exit code 1, expected 0',
    );
    expect(text).toContain('/p/.autocoder/evidence/feature-3/ver_abc/result.json');
    expect(text).not.toContain('fine');
  });

  it('says why a verification could not run', () => {
    const v = verification([], { status: 'error', error: 'the app did not start: ./init.sh exited 1' });
    expect(failureReport(v, '/p')).toMatch(
      /^The runner could not verify commit 01234567 \(verification ver_abc\): the app did not start: \.\/init\.sh exited 1/,
    );
  });
});

describe('failureNote', () => {
  it('one line: which checks failed, whose, and where the evidence is', () => {
    const v = verification([
      check({ passed: false, failure: 'exit code 1, expected 0' }),
      check({ featureId: 1, index: 2, kind: 'http', passed: false, failure: 'status 500' }),
    ]);
    const note = failureNote(v);
    expect(note).toBe(
      'verification ver_abc on 01234567 failed 2/2: check 1 (command): exit code 1, expected 0; #1 check 3 (http): status 500 (evidence: .autocoder/evidence/feature-3/ver_abc)',
    );
    expect(note).not.toContain('\n');
  });
});

describe('failureNote (what the next session and the card read)', () => {
  it("names the failing assertion from the check's output, not only its exit code", () => {
    const output = `${'ok 1 - lists\n'.repeat(50)}not ok 51 - adds a todo\n  error: |-\n    Expected values to be strictly equal:\n\n    3 !== 4\n`;
    const note = failureNote(
      verification([check({ name: 'tests', passed: false, failure: 'exit code 1, expected 0', output })]),
    );
    expect(note).toBe(
      'verification ver_abc on 01234567 failed 1/1: check 1 (command "tests"): adds a todo — Expected values to be strictly equal: 3 !== 4 (exit code 1, expected 0) (evidence: .autocoder/evidence/feature-3/ver_abc)',
    );
  });
});
