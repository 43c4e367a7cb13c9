import { describe, expect, it } from 'vitest';
import {
  agentOfToolFinding,
  MAX_FINDINGS_PER_TOOL,
  parseBuild,
  parseCoverage,
  parseEslintJson,
  parseExitCode,
  parseNpmAudit,
  parsePipAudit,
  parseTscOutput,
  toolFinding,
} from './tool-output.js';

// Captured from `npx tsc --noEmit` (TypeScript 5) on a small project.
const TSC = [
  "src/deep.ts(3,14): error TS2322: Type '{ a: { b: string; }; }' is not assignable to type 'A'.",
  "  The types of 'a.b' are incompatible between these types.",
  "    Type 'string' is not assignable to type 'number'.",
  "src/index.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.",
  '',
].join('\n');

// Captured from `npx eslint -f json .` (ESLint 10; fixes and suggestions left out), paths under /project.
const ESLINT = JSON.stringify([
  { filePath: '/project/eslint.config.js', messages: [], errorCount: 0, warningCount: 0 },
  {
    filePath: '/project/src/util.js',
    messages: [
      {
        ruleId: 'prefer-const',
        severity: 1,
        message: "'x' is never reassigned. Use 'const' instead.",
        line: 1,
        column: 5,
      },
      { ruleId: 'no-unused-vars', severity: 2, message: "'helper' is defined but never used.", line: 2, column: 10 },
      { ruleId: 'no-unused-vars', severity: 2, message: "'a' is defined but never used.", line: 2, column: 17 },
    ],
    errorCount: 2,
    warningCount: 1,
  },
  {
    filePath: '/project/src/broken.js',
    messages: [
      { ruleId: null, fatal: true, severity: 2, message: 'Parsing error: Unexpected token )', line: 4, column: 1 },
    ],
  },
]);

// Captured from `npm audit --json` (npm 11) against a registry answering minimist 1.2.0 with a critical advisory.
const AUDIT = {
  auditReportVersion: 2,
  vulnerabilities: {
    minimist: {
      name: 'minimist',
      severity: 'critical',
      isDirect: true,
      via: [
        {
          source: 1179,
          name: 'minimist',
          dependency: 'minimist',
          title: 'Prototype Pollution in minimist',
          url: 'https://github.com/advisories/GHSA-vh95-rmgr-6w4m',
          severity: 'critical',
          cwe: ['CWE-1321'],
          cvss: { score: 9.8 },
          range: '<0.2.1 || >=1.0.0 <1.2.3',
        },
      ],
      effects: [],
      range: '1.2.0',
      nodes: ['node_modules/minimist'],
      fixAvailable: { name: 'minimist', version: '1.2.8', isSemVerMajor: false },
    },
  },
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 1, total: 1 } },
};

describe('parseTscOutput', () => {
  it('turns each error into a major finding at file:line, continuation lines in its detail', () => {
    const fact = parseTscOutput(2, TSC);
    expect(fact).toMatchObject({
      status: 'failed',
      summary: '2 type errors in 2 files',
      figures: { errors: 2, files: 2 },
    });
    expect(fact.findings[0]).toEqual({
      severity: 'major',
      category: 'typescript/TS2322',
      title: "TS2322: Type '{ a: { b: string; }; }' is not assignable to type 'A'.",
      detail: [
        "src/deep.ts:3:14 TS2322: Type '{ a: { b: string; }; }' is not assignable to type 'A'.",
        "The types of 'a.b' are incompatible between these types.",
        "Type 'string' is not assignable to type 'number'.",
      ].join('\n'),
      file: 'src/deep.ts',
      line: 3,
    });
    expect(fact.findings[1]).toMatchObject({ file: 'src/index.ts', line: 1 });
  });

  it('reads tsc through `npm run typecheck` (npm prints its header first) and global errors without a file', () => {
    const out = "\n> app@1.0.0 typecheck\n> tsc --noEmit\n\nerror TS5023: Unknown compiler option 'bogus'.\n";
    const fact = parseTscOutput(1, out);
    expect(fact.findings).toEqual([
      expect.objectContaining({ category: 'typescript/TS5023', title: "TS5023: Unknown compiler option 'bogus'." }),
    ]);
    expect(fact.findings[0]?.file).toBeUndefined();
  });

  it('passes on exit 0; a failure without error lines says so', () => {
    expect(parseTscOutput(0, '')).toMatchObject({ status: 'passed', summary: 'no type errors', findings: [] });
    expect(parseTscOutput(1, 'Killed\n')).toMatchObject({
      status: 'failed',
      summary: 'exit code 1, no type error lines found in the output',
    });
  });
});

describe('parseEslintJson', () => {
  it('errors are major, warnings minor, the rule in the category, the file relative to the root', () => {
    const fact = parseEslintJson(1, ESLINT, '/project');
    expect(fact).toMatchObject({
      status: 'failed',
      summary: '3 errors, 1 warning in 2 files',
      figures: { errors: 3, warnings: 1, files: 2 },
    });
    // Worst first.
    expect(fact.findings.map((f) => [f.severity, f.category, f.file, f.line])).toEqual([
      ['major', 'eslint/no-unused-vars', 'src/util.js', 2],
      ['major', 'eslint/no-unused-vars', 'src/util.js', 2],
      ['major', 'eslint/parse-error', 'src/broken.js', 4],
      ['minor', 'eslint/prefer-const', 'src/util.js', 1],
    ]);
    expect(fact.findings[0]?.title).toBe("'helper' is defined but never used.");
  });

  it('finds the report after lines npm printed before it', () => {
    const fact = parseEslintJson(1, `\n> app lint\n> eslint . -f json\n\n${ESLINT}\n`, '/project');
    expect(fact.figures).toMatchObject({ errors: 3 });
  });

  it('no JSON: an error when eslint failed (a broken config), a pass otherwise', () => {
    expect(parseEslintJson(2, 'Oops! Something went wrong!', '/p')).toMatchObject({
      status: 'error',
      summary: expect.stringMatching(/no JSON report \(exit code 2\)/) as unknown,
    });
    expect(parseEslintJson(0, '[]', '/p')).toMatchObject({ status: 'passed', summary: 'no lint problems' });
  });

  it('keeps at most MAX_FINDINGS_PER_TOOL findings; the figures count all', () => {
    const many = Array.from({ length: MAX_FINDINGS_PER_TOOL + 5 }, (_, i) => ({
      ruleId: 'semi',
      severity: 1,
      message: 'Missing semicolon.',
      line: i + 1,
    }));
    const fact = parseEslintJson(0, JSON.stringify([{ filePath: '/p/a.js', messages: many }]), '/p');
    expect(fact.findings).toHaveLength(MAX_FINDINGS_PER_TOOL);
    expect(fact.figures.warnings).toBe(MAX_FINDINGS_PER_TOOL + 5);
    expect(fact.summary).toContain('(5 not kept as findings)');
  });
});

describe('parseNpmAudit', () => {
  it('one finding per vulnerable package, severity mapped, the fix from fixAvailable', () => {
    const fact = parseNpmAudit(1, JSON.stringify(AUDIT));
    expect(fact).toMatchObject({ status: 'failed', summary: '1 vulnerable package (1 critical)' });
    expect(fact.figures).toEqual({ critical: 1, high: 0, moderate: 0, low: 0, info: 0, total: 1 });
    expect(fact.findings).toEqual([
      {
        severity: 'critical',
        category: 'dependency/minimist',
        title: 'minimist: Prototype Pollution in minimist',
        detail: expect.stringContaining('https://github.com/advisories/GHSA-vh95-rmgr-6w4m') as unknown,
        evidence: 'installed at node_modules/minimist',
        suggestedFix: 'Update minimist to 1.2.8: `npm audit fix`.',
      },
    ]);
  });

  it('maps high→major, moderate→minor, low and info→info; a package vulnerable through another names it', () => {
    const v = (severity: string, via: unknown[], fixAvailable: unknown) => ({ severity, via, fixAvailable, nodes: [] });
    const report = {
      vulnerabilities: {
        a: v('high', [{ title: 'A bug' }], true),
        b: v('moderate', ['a'], { name: 'c', version: '3.0.0', isSemVerMajor: true }),
        c: v('low', [{ title: 'C bug' }], false),
        d: v('info', [{ title: 'D note' }], false),
      },
    };
    const fact = parseNpmAudit(1, JSON.stringify(report));
    expect(fact.findings.map((f) => [f.category, f.severity])).toEqual([
      ['dependency/a', 'major'],
      ['dependency/b', 'minor'],
      ['dependency/c', 'info'],
      ['dependency/d', 'info'],
    ]);
    expect(fact.findings[0]?.suggestedFix).toBe('Run `npm audit fix`.');
    expect(fact.findings[1]).toMatchObject({
      title: 'b is vulnerable through a',
      suggestedFix: expect.stringContaining('semver-major') as unknown,
    });
    expect(fact.findings[2]?.suggestedFix).toBe('No fixed version is available: replace or remove c.');
    expect(fact.summary).toBe('4 vulnerable packages (1 high, 1 moderate, 1 low, 1 info)');
  });

  it('an npm error report (no registry) and output that is not JSON are errors, not passes', () => {
    const offline = {
      error: {
        code: 'ENOAUDIT',
        summary: 'Your configured registry (http://127.0.0.1:9/) does not support audit requests.',
        detail: '',
      },
    };
    expect(parseNpmAudit(1, JSON.stringify(offline))).toMatchObject({
      status: 'error',
      summary: expect.stringMatching(/^npm audit failed: Your configured registry/) as unknown,
    });
    expect(parseNpmAudit(1, 'npm error code ENOLOCK')).toMatchObject({ status: 'error' });
    expect(parseNpmAudit(0, JSON.stringify({ vulnerabilities: {} }))).toMatchObject({
      status: 'passed',
      summary: 'no known vulnerabilities',
    });
  });
});

describe('parsePipAudit', () => {
  it('each known vulnerability is a major finding with its fix versions', () => {
    const report = {
      dependencies: [
        {
          name: 'flask',
          version: '0.5',
          vulns: [{ id: 'PYSEC-2019-179', fix_versions: ['1.0'], aliases: [], description: 'DoS.' }],
        },
        { name: 'ok', version: '1', vulns: [] },
      ],
    };
    const fact = parsePipAudit(1, JSON.stringify(report));
    expect(fact).toMatchObject({ status: 'failed', summary: '1 vulnerability', figures: { total: 1 } });
    expect(fact.findings).toEqual([
      expect.objectContaining({
        severity: 'major',
        category: 'dependency/flask',
        title: 'flask 0.5: PYSEC-2019-179',
        suggestedFix: 'Update flask to 1.0.',
      }),
    ]);
  });
});

describe('parseCoverage', () => {
  const summary = JSON.stringify({
    total: {
      lines: { total: 10, covered: 8, skipped: 0, pct: 80 },
      statements: { pct: 78.5 },
      functions: { pct: 50 },
      branches: { pct: 66.66 },
    },
  });
  it('reads the percentages of the json-summary report', () => {
    expect(parseCoverage(0, summary, '')).toEqual({
      status: 'passed',
      summary: 'lines 80%, statements 78.5%, functions 50%, branches 66.66%',
      figures: { lines: 80, statements: 78.5, functions: 50, branches: 66.66 },
      findings: [],
    });
  });
  it('failing tests are one major finding; a missing report is said', () => {
    const fact = parseCoverage(1, null, 'FAIL src/a.test.ts');
    expect(fact).toMatchObject({
      status: 'failed',
      summary: 'the tests fail (exit code 1); no coverage summary was written',
    });
    expect(fact.findings).toEqual([
      expect.objectContaining({ severity: 'major', category: 'tests/failing', evidence: 'FAIL src/a.test.ts' }),
    ]);
    expect(parseCoverage(0, 'not json', '').summary).toBe('no coverage summary was written');
  });
});

describe('parseBuild', () => {
  it('sums the built files, names the largest JS/CSS ones and flags JS over 500 kB', () => {
    const files = [
      { path: 'dist/index.html', bytes: 400 },
      { path: 'dist/assets/vendor.js', bytes: 812_345 },
      { path: 'dist/assets/app.js', bytes: 120_000 },
      { path: 'dist/assets/app.css', bytes: 9_000 },
      { path: 'dist/assets/big.css', bytes: 700_000 },
    ];
    const fact = parseBuild(0, '', files, ['dist/']);
    expect(fact.status).toBe('passed');
    expect(fact.summary).toBe('dist/: 1642 kB (5 files)');
    expect(fact.figures).toEqual({
      totalBytes: 1_641_745,
      files: 5,
      'bytes:dist/assets/vendor.js': 812_345,
      'bytes:dist/assets/big.css': 700_000,
      'bytes:dist/assets/app.js': 120_000,
      'bytes:dist/assets/app.css': 9_000,
    });
    // CSS is measured but only JavaScript blocks the first load this way.
    expect(fact.findings).toEqual([
      expect.objectContaining({
        severity: 'minor',
        category: 'bundle-size',
        file: 'dist/assets/vendor.js',
        title: 'Large JavaScript bundle dist/assets/vendor.js',
      }),
    ]);
  });
  it('keeps only the 10 largest bundle files as figures', () => {
    const files = Array.from({ length: 12 }, (_, i) => ({ path: `dist/c${i}.js`, bytes: 1_000 + i }));
    const fact = parseBuild(0, '', files, ['dist/']);
    expect(Object.keys(fact.figures).filter((k) => k.startsWith('bytes:'))).toHaveLength(10);
    expect(fact.figures['bytes:dist/c0.js']).toBeUndefined();
  });
  it('a failing build is one major finding with the output end as evidence', () => {
    const fact = parseBuild(2, 'error during build: x', [], []);
    expect(fact).toMatchObject({ status: 'failed', summary: 'the build fails (exit code 2)' });
    expect(fact.findings).toEqual([
      expect.objectContaining({ severity: 'major', category: 'build/failed', evidence: 'error during build: x' }),
    ]);
  });
  it('says when the build left no build folder', () => {
    expect(parseBuild(0, '', [], []).summary).toBe('built; no dist/, build/ or out/ folder');
  });
});

describe('findings within the schema, and their reviewer', () => {
  it('clips long texts and fills empty ones', () => {
    const f = toolFinding({ severity: 'minor', category: 'x'.repeat(100), title: ' ', detail: '', line: 0 });
    expect(f.category).toHaveLength(80);
    expect(f.title).toBe('(no message)');
    expect(f.detail).toBe('(no message)');
    expect(f.line).toBeUndefined();
  });
  it('audit findings go to security, bundle sizes to performance, the rest to code', () => {
    expect(agentOfToolFinding('audit', { category: 'dependency/minimist' })).toBe('security');
    expect(agentOfToolFinding('build', { category: 'bundle-size' })).toBe('performance');
    expect(agentOfToolFinding('build', { category: 'build/failed' })).toBe('code');
    expect(agentOfToolFinding('typecheck', { category: 'typescript/TS2322' })).toBe('code');
  });
  it('a lint script that is not plain eslint is judged by its exit code', () => {
    expect(parseExitCode(0, 'npm run lint')).toMatchObject({ status: 'passed', summary: 'npm run lint passed' });
    expect(parseExitCode(1, 'npm run lint')).toMatchObject({ status: 'failed' });
  });
});
