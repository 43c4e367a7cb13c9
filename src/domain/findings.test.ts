import { describe, expect, it } from 'vitest';
import {
  FIXABLE,
  findingFingerprint,
  fixFeatureOf,
  normalisedTitle,
  SEVERITY_ORDER,
  severityCounts,
  toolFixFeatureOf,
  type FixFeatureSource,
} from './findings.js';

const xss = { agent: 'security', category: 'xss', title: 'Unescaped note title', file: 'src/list.ts' };

describe('finding fingerprints', () => {
  it('a title loses case, quotes, numbers and punctuation, keeps letters of any script', () => {
    expect(normalisedTitle('  Unescaped `note.title` in "List" (line 12)!  ')).toBe(
      'unescaped note title in list line #',
    );
    expect(normalisedTitle('Bundle is 412.5 kB, was 380 kB')).toBe('bundle is # kb was # kb');
    expect(normalisedTitle('Überlange Funktion – 3 Ebenen')).toBe('überlange funktion # ebenen');
    expect(normalisedTitle('“Quoted” ‘words’')).toBe('quoted words');
  });

  it('the same problem described again (reworded case, numbers, quotes; another line) has the same fingerprint', () => {
    const a = findingFingerprint(xss);
    expect(findingFingerprint({ ...xss, title: "UNESCAPED 'note' title" })).toBe(a);
    expect(findingFingerprint({ ...xss, category: ' XSS ' })).toBe(a);
    expect(findingFingerprint({ ...xss, file: './src/list.ts' })).toBe(a);
    expect(a).toBe('security|xss|src/list.ts|unescaped note title');
  });

  it('another file, kind, category or title is another finding; no file is its own', () => {
    const a = findingFingerprint(xss);
    expect(findingFingerprint({ ...xss, file: 'src/edit.ts' })).not.toBe(a);
    expect(findingFingerprint({ ...xss, agent: 'code' })).not.toBe(a);
    expect(findingFingerprint({ ...xss, category: 'csrf' })).not.toBe(a);
    expect(findingFingerprint({ ...xss, title: 'Unescaped note body' })).not.toBe(a);
    expect(findingFingerprint({ ...xss, file: undefined })).toBe('security|xss||unescaped note title');
  });
});

describe('severities', () => {
  it('worst first; critical and major are fixable', () => {
    expect(SEVERITY_ORDER).toEqual(['critical', 'major', 'minor', 'info']);
    expect([...FIXABLE].sort()).toEqual(['critical', 'major']);
  });

  it('counts by severity, zero for those absent', () => {
    expect(severityCounts([])).toEqual({ critical: 0, major: 0, minor: 0, info: 0 });
    expect(
      severityCounts([{ severity: 'major' }, { severity: 'info' }, { severity: 'major' }, { severity: 'critical' }]),
    ).toEqual({ critical: 1, major: 2, minor: 0, info: 1 });
  });
});

describe('fixFeatureOf', () => {
  const finding: FixFeatureSource = {
    id: 'fnd_1',
    agent: 'security',
    severity: 'critical',
    category: 'sql-injection',
    title: 'Search query concatenated into SQL',
    detail: 'GET /api/search builds its SQL from the q parameter.',
    file: 'src/search.ts',
    line: 31,
    suggestedFix: 'Use a prepared statement with a ? placeholder',
  };

  it('a `fix` feature named by severity and title, its steps from where and the suggested fix', () => {
    expect(fixFeatureOf(finding, 3)).toEqual({
      category: 'fix',
      name: 'Fix critical: Search query concatenated into SQL',
      description:
        'Checkpoint 3 (security review, sql-injection) found: GET /api/search builds its SQL from the q parameter.\nWhere: src/search.ts:31\nFinding fnd_1.',
      steps: [
        'Open src/search.ts:31',
        'Fix: Use a prepared statement with a ? placeholder',
        'Confirm the security problem "Search query concatenated into SQL" is gone (checkpoint 3 found it)',
      ],
    });
  });

  it('without a file, a line or a suggested fix: the steps say what there is', () => {
    const bare = fixFeatureOf({ ...finding, file: null, line: null, suggestedFix: null }, 1);
    expect(bare.steps).toEqual([
      'Fix: Search query concatenated into SQL',
      'Confirm the security problem "Search query concatenated into SQL" is gone (checkpoint 1 found it)',
    ]);
    expect(bare.description).not.toContain('Where:');
    expect(fixFeatureOf({ ...finding, line: null }, 1).steps[0]).toBe('Open src/search.ts');
  });

  it('keeps the name within 200 and the description within 4000 characters', () => {
    const long = fixFeatureOf({ ...finding, title: 't'.repeat(400), detail: 'd'.repeat(5000) }, 1);
    expect(long.name).toHaveLength(200);
    expect(long.description).toHaveLength(4000);
  });
});

describe('toolFixFeatureOf', () => {
  const problems = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      severity: 'major' as const,
      title: `TS2322: Type 'string' is not assignable to type 'number' (${i + 1})`,
      file: `src/f${i + 1}.ts`,
      line: i + 1,
    }));

  it("one feature for all of a tool's problems, its command the acceptance check (exit 0)", () => {
    const f = toolFixFeatureOf({ kind: 'typecheck', command: 'npx tsc --noEmit', findings: problems(2) }, 3);
    expect(f).toEqual({
      category: 'fix',
      name: 'Fix the typecheck problems found at checkpoint 3',
      description:
        "Checkpoint 3: typecheck reported 2 critical or major problems:\n- major: TS2322: Type 'string' is not assignable to type 'number' (1) (src/f1.ts:1)\n- major: TS2322: Type 'string' is not assignable to type 'number' (2) (src/f2.ts:2)",
      steps: ['Run `npx tsc --noEmit`', 'Fix every problem it reports (listed above)', 'Run it again: it reports none'],
      acceptance: [
        { kind: 'command', name: 'typecheck reports no problem', run: 'npx tsc --noEmit', expect: { exitCode: 0 } },
      ],
    });
  });

  it('lists 20 and counts the rest; no check for the audit (it needs the registry) or without a command', () => {
    const many = toolFixFeatureOf({ kind: 'lint', command: 'npm run lint', findings: problems(25) }, 1);
    expect(many.description.split('\n')).toHaveLength(22);
    expect(many.description.endsWith('- … and 5 more')).toBe(true);
    expect(
      toolFixFeatureOf({ kind: 'audit', command: 'npm audit --json', findings: problems(1) }, 1).acceptance,
    ).toEqual([]);
    expect(toolFixFeatureOf({ kind: 'build', command: '', findings: problems(1) }, 1)).toMatchObject({
      acceptance: [],
      steps: [
        "Run the project's build",
        'Fix every problem it reports (listed above)',
        'Run it again: it reports none',
      ],
    });
  });
});
