import type { ProjectStore } from '../../src/db/ports.js';
import { fixFeatureOf } from '../../src/domain/findings.js';
import type { Finding, ToolFact } from '../../src/shared/checkpoints.js';

export interface SeededCheckpoints {
  /** Security, critical, seen at both checkpoints, with a fix feature. */
  readonly sqlInjection: Finding;
  /** Code, minor at checkpoint 1 and major at 2 (seen twice, its severity changed). */
  readonly untyped: Finding;
  /** Performance, minor, seen at 1 only: resolved by 2. */
  readonly bundle: Finding;
  /** Code, info, from the linter (source tool), first seen at 2. */
  readonly deadExport: Finding;
  readonly fixFeatureId: number;
}

const COMMIT_1 = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';
const COMMIT_2 = '9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c';

const fact = (f: Partial<ToolFact> & Pick<ToolFact, 'kind' | 'status' | 'summary'>): ToolFact => ({
  command: f.status === 'skipped' ? '' : `npm run ${f.kind}`,
  exitCode: f.status === 'skipped' ? null : f.status === 'passed' ? 0 : 1,
  durationMs: 1200,
  output: '',
  figures: {},
  findings: [],
  ...f,
});

/**
 * Two finished checkpoints through the real store (what the orchestrator records): tool facts, three reviews, four
 * findings that between them are seen twice, resolved, fixed by a fix feature, critical, and found by a tool.
 * `runId`: the run checkpoint 1 belongs to (an interval checkpoint of that run); checkpoint 2 belongs to none.
 */
export function seedCheckpoints(
  store: ProjectStore,
  options: { readonly runId?: string | null } = {},
): SeededCheckpoints {
  const cp = store.checkpoints;
  const agents = ['code', 'security', 'performance'] as const;

  const one = cp.start({
    runId: options.runId ?? null,
    trigger: 'interval',
    commit: COMMIT_1,
    previousCommit: null,
    agents,
    passing: 2,
  });
  cp.recordFacts(one.n, [
    fact({ kind: 'typecheck', status: 'passed', summary: 'no type errors' }),
    fact({ kind: 'lint', status: 'passed', summary: 'no problems' }),
    fact({ kind: 'coverage', status: 'skipped', summary: 'no coverage script in package.json' }),
    fact({ kind: 'audit', status: 'passed', summary: '0 vulnerabilities' }),
    fact({ kind: 'build', status: 'passed', summary: 'dist: 612 kB (3 files)', figures: { 'dist/app.js': 598_000 } }),
  ]);
  const sql = {
    agent: 'security' as const,
    source: 'agent' as const,
    severity: 'critical' as const,
    category: 'sql-injection',
    title: 'Search builds SQL from the query string',
    detail: 'GET /api/search concatenates ?q into the SQL text; a quote ends the string.',
    file: 'src/server/search.ts',
    line: 42,
    evidence: "curl '/api/search?q=x%27%20OR%201=1--' returns every row",
    suggestedFix: 'Use a prepared statement with a bound parameter',
  };
  const sqlInjection = cp.see(one.n, sql).finding;
  const untyped = cp.see(one.n, {
    agent: 'code',
    source: 'agent',
    severity: 'minor',
    category: 'type-safety',
    title: 'API responses are cast, not parsed',
    detail: 'client.ts casts fetch results with `as`; a changed server breaks the UI silently.',
    file: 'src/web/client.ts',
    line: 10,
  }).finding;
  const bundle = cp.see(one.n, {
    agent: 'performance',
    source: 'agent',
    severity: 'minor',
    category: 'bundle-size',
    title: 'The main bundle is 598 kB',
    detail: 'dist/app.js holds every page; the first paint waits for all of it.',
  }).finding;
  const fix = cp.createFixFeature(
    one.n,
    sqlInjection.id,
    fixFeatureOf(
      { ...sql, id: sqlInjection.id, file: sql.file, line: sql.line, suggestedFix: sql.suggestedFix },
      one.n,
    ),
  );
  if (!fix) throw new Error('the fix feature was not created');
  for (const agent of agents)
    cp.recordReview(one.n, {
      agent,
      sessionId: null,
      status: 'finished',
      summary: `The ${agent} review of checkpoint 1: ${agent === 'security' ? 'one injection' : 'small things'}.`,
      findings: 1,
    });
  cp.finish(one.n, { status: 'finished', costUsd: 0.42, error: null, reviewed: agents });

  const two = cp.start({
    runId: null,
    trigger: 'manual',
    commit: COMMIT_2,
    previousCommit: COMMIT_1,
    agents,
    passing: 4,
  });
  cp.recordFacts(two.n, [
    fact({ kind: 'typecheck', status: 'passed', summary: 'no type errors' }),
    fact({ kind: 'lint', status: 'failed', summary: '1 warning in 1 file' }),
    fact({ kind: 'coverage', status: 'skipped', summary: 'no coverage script in package.json' }),
    fact({ kind: 'audit', status: 'error', summary: 'npm audit could not reach the registry' }),
    fact({ kind: 'build', status: 'passed', summary: 'dist: 201 kB (5 files)' }),
  ]);
  cp.see(two.n, sql);
  cp.see(two.n, {
    agent: 'code',
    source: 'agent',
    severity: 'major',
    category: 'type-safety',
    title: 'API responses are cast, not parsed',
    detail: 'client.ts still casts fetch results; two more calls do it now.',
    file: 'src/web/client.ts',
    line: 14,
  });
  const deadExport = cp.see(two.n, {
    agent: 'code',
    source: 'tool',
    severity: 'info',
    category: 'eslint/no-unused-vars',
    title: 'formatDate is exported and never used',
    detail: "'formatDate' is defined but never used.",
    file: 'src/web/dates.ts',
    line: 3,
  }).finding;
  for (const agent of agents)
    cp.recordReview(two.n, {
      agent,
      sessionId: null,
      status: agent === 'performance' ? 'incomplete' : 'finished',
      summary: agent === 'performance' ? null : `The ${agent} review of checkpoint 2.`,
      findings: agent === 'performance' ? 0 : agent === 'code' ? 2 : 1,
    });
  cp.finish(two.n, { status: 'finished', costUsd: 0.61, error: null, reviewed: agents });

  return {
    sqlInjection: cp.finding(sqlInjection.id),
    untyped: cp.finding(untyped.id),
    bundle: cp.finding(bundle.id),
    deadExport: cp.finding(deadExport.id),
    fixFeatureId: fix.id,
  };
}
