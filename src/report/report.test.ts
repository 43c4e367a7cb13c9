import { describe, expect, it } from 'vitest';
import type { HumanInputRequest } from '../db/ports.js';
import { computeMetrics } from '../metrics/compute-metrics.js';
import type { Dispute, Verification } from '../shared/acceptance.js';
import type { Checkpoint, Finding } from '../shared/checkpoints.js';
import type { Metrics } from '../shared/metrics.js';
import { ReportSchema, type Report } from '../shared/report.js';
import { buildReport, notVerifiedReason, type ReportInput } from './build-report.js';
import { burnUpPaths, costAreas, durationBins, durationChart, type ChartSize } from './charts.js';
import { reportHtml } from './html-page.js';
import { escapeHtml, html } from './html-text.js';
import { mdText, reportMarkdown } from './markdown.js';
import { renderReport } from './render.js';

const T0 = Date.UTC(2026, 0, 10, 9, 0);
const M = 60_000;
const HOSTILE = '<img src=x onerror=alert(1)>';

/** Metrics of an empty project (computed, not typed out), with the parts a test sets laid over them. */
function metrics(over: Partial<Metrics> = {}): Metrics {
  const base = computeMetrics({
    project: 'demo',
    now: T0 + 100 * M,
    runId: null,
    features: [],
    sessions: [],
    runs: [],
    events: [],
    assumptions: {
      hoursPerFeature: 3,
      hourlyRateUsd: 80,
      source: { hoursPerFeature: 'project', hourlyRateUsd: 'default' },
    },
    regressionEvery: 5,
  });
  return { ...base, ...over };
}

function request(over: Partial<HumanInputRequest>): HumanInputRequest {
  return {
    id: 'hir_1',
    featureId: 1,
    featureName: 'Login',
    sessionId: 'ses_1',
    kind: 'questions',
    prompt: 'Which currency?',
    fields: [{ id: 'currency', label: 'Currency', type: 'text', required: true }],
    status: 'answered',
    answeredBy: 'human',
    answer: { currency: 'EUR' },
    secretKeys: {},
    reason: null,
    createdAt: T0 + 5 * M,
    answeredAt: T0 + 9 * M,
    reasons: {},
    placeholderKeys: [],
    overrides: null,
    overriddenBy: null,
    disputeId: null,
    ...over,
  };
}

function dispute(over: Partial<Dispute> = {}): Dispute {
  return {
    id: 'dsp_1',
    featureId: 2,
    featureName: HOSTILE,
    sessionId: 'ses_2',
    requestId: 'hir_9',
    reason: 'the check | is *wrong*',
    proposed: [],
    previous: null,
    status: 'rejected',
    decidedBy: 'supervisor',
    decisionReason: 'the spec says so',
    hashBefore: null,
    hashAfter: null,
    createdAt: T0 + 20 * M,
    decidedAt: T0 + 22 * M,
    ...over,
  };
}

function verification(over: Partial<Verification>): Verification {
  return {
    id: 'ver_1',
    featureId: 1,
    commit: '0123456789abcdef',
    trigger: 'landing',
    status: 'passed',
    sessionId: null,
    startedAt: T0,
    endedAt: T0 + 2 * M,
    evidenceDir: '.autocoder/evidence/feature-1/ver_1',
    checks: [
      {
        featureId: 1,
        index: 0,
        kind: 'command',
        name: 'unit',
        passed: true,
        durationMs: 5,
        output: '',
        failure: null,
        evidence: [],
      },
    ],
    error: null,
    ...over,
  };
}

const check = { kind: 'command' as const, run: 'npm test', expect: { exitCode: 0 }, timeoutMs: 60_000 };

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    metrics: metrics(),
    features: [
      { id: 1, category: 'auth', name: 'Login', status: 'passing', attempts: 1, costUsd: 0.5, acceptance: [check] },
      { id: 2, category: 'ui', name: HOSTILE, status: 'pending', attempts: 2, costUsd: 1.25, acceptance: [check] },
      { id: 3, category: 'data', name: 'Export | CSV', status: 'passing', attempts: 1, costUsd: 0, acceptance: null },
    ],
    verifications: new Map([
      [1, verification({})],
      [
        2,
        verification({
          id: 'ver_2',
          featureId: 2,
          commit: 'fedcba9876543210',
          status: 'failed',
          endedAt: T0 + 30 * M,
          checks: [{ ...verification({}).checks[0]!, featureId: 2, passed: false, failure: 'exit code 1' }],
        }),
      ],
    ]),
    running: new Set(),
    requests: [
      request({}),
      request({
        id: 'hir_2',
        answeredBy: 'supervisor',
        answer: { currency: 'USD' },
        overriddenBy: 'hir_3',
        createdAt: T0 + 10 * M,
        answeredAt: T0 + 11 * M,
      }),
      request({
        id: 'hir_3',
        answer: { currency: 'GBP' },
        overrides: 'hir_2',
        createdAt: T0 + 12 * M,
        answeredAt: T0 + 12 * M,
      }),
      request({ id: 'hir_9', disputeId: 'dsp_1', createdAt: T0 + 20 * M }),
    ],
    disputes: [dispute()],
    checkpoints: [],
    findings: [],
    window: null,
    ...over,
  };
}

function checkpoint(over: Partial<Checkpoint>): Checkpoint {
  return {
    n: 1,
    runId: 'run_1',
    trigger: 'interval',
    commit: '1a2b3c4d5e6f708192a3',
    previousCommit: null,
    agents: ['code', 'security', 'performance'],
    status: 'finished',
    startedAt: T0 + 40 * M,
    endedAt: T0 + 43 * M,
    passing: 2,
    costUsd: 0.42,
    facts: [],
    reviews: [],
    counts: { critical: 1, major: 0, minor: 2, info: 0 },
    newFindings: 3,
    resolvedFindings: 0,
    fixFeatureIds: [4],
    reportPath: '.autocoder/checkpoints/checkpoint-1.md',
    error: null,
    ...over,
  };
}

function finding(over: Partial<Finding>): Finding {
  return {
    id: 'fnd_1',
    fingerprint: 'fp',
    agent: 'code',
    source: 'agent',
    severity: 'minor',
    category: 'type-safety',
    title: 'Responses are cast',
    detail: 'd',
    status: 'open',
    firstCheckpoint: 1,
    lastCheckpoint: 1,
    seenCount: 1,
    fixFeatureId: null,
    resolvedIn: null,
    dismissedReason: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

/** Two checkpoints; six findings: four unsettled (one with a hostile title, one fix pending), resolved, dismissed. */
const withCheckpoints = (): ReportInput =>
  input({
    checkpoints: [
      checkpoint({
        n: 2,
        trigger: 'manual',
        commit: '9f8e7d6c5b4a39281706',
        startedAt: T0 + 60 * M,
        endedAt: null,
        status: 'running',
        counts: { critical: 0, major: 1, minor: 0, info: 1 },
        newFindings: 1,
        resolvedFindings: 1,
        fixFeatureIds: [],
        costUsd: 0,
        reportPath: null,
      }),
      checkpoint({}),
    ],
    findings: [
      finding({
        id: 'fnd_info',
        severity: 'info',
        source: 'tool',
        category: 'eslint/no-unused-vars',
        title: 'x unused',
        file: 'src/a.ts',
        line: 3,
      }),
      finding({ id: 'fnd_gone', severity: 'critical', status: 'resolved', title: 'gone' }),
      finding({ id: 'fnd_no', severity: 'major', status: 'dismissed', title: 'not a problem' }),
      finding({
        id: 'fnd_xss',
        agent: 'security',
        severity: 'critical',
        category: 'xss',
        title: `Comment | renders ${HOSTILE}`,
        file: 'src/web/Comment.tsx',
        line: 12,
        seenCount: 2,
        lastCheckpoint: 2,
        fixFeatureId: 4,
      }),
      finding({
        id: 'fnd_cast',
        severity: 'major',
        status: 'fix_pending',
        file: 'src/web/client.ts',
        fixFeatureId: 5,
        seenCount: 2,
        lastCheckpoint: 2,
      }),
      finding({
        id: 'fnd_bundle',
        agent: 'performance',
        severity: 'major',
        category: 'bundle-size',
        title: 'Bundle is *598 kB*',
      }),
    ],
  });

describe('buildReport', () => {
  it('gives each feature its verification status with the reason, the commit and the check counts', () => {
    const r = buildReport(input());
    expect(ReportSchema.parse(r)).toEqual(r);
    expect(r.backlog.map((f) => [f.id, f.verified, f.notVerifiedReason])).toEqual([
      [1, true, null],
      [2, false, 'it is pending, not passing; last verification failed: unit: exit code 1'],
      [3, false, 'it has no acceptance checks'],
    ]);
    expect(r.backlog[0]?.lastVerification).toEqual({
      id: 'ver_1',
      status: 'passed',
      trigger: 'landing',
      commit: '0123456789abcdef',
      endedAt: T0 + 2 * M,
      checks: 1,
      passed: 1,
      failure: null,
    });
    expect(r.checkpoints).toEqual([]);
    expect(r.openFindings).toEqual([]);
    expect(r.designIterations).toEqual([]);
  });

  it('lists questions (not the ones asking for a dispute decision), overrides with both answers, and disputes', () => {
    const r = buildReport(input());
    expect(r.interventions.questions.map((q) => [q.requestId, q.by, q.answers, q.overriddenBy])).toEqual([
      ['hir_1', 'human', [{ field: 'Currency', value: 'EUR' }], null],
      ['hir_2', 'supervisor', [{ field: 'Currency', value: 'USD' }], 'hir_3'],
    ]);
    expect(r.interventions.overrides).toEqual([
      {
        requestId: 'hir_3',
        overrides: 'hir_2',
        featureId: 1,
        featureName: 'Login',
        prompt: 'Which currency?',
        supervisorAnswers: [{ field: 'Currency', value: 'USD' }],
        humanAnswers: [{ field: 'Currency', value: 'GBP' }],
        at: T0 + 12 * M,
      },
    ]);
    expect(r.interventions.disputes.map((d) => [d.id, d.status, d.decidedBy])).toEqual([
      ['dsp_1', 'rejected', 'supervisor'],
    ]);
  });

  it('lists the checkpoints oldest first and the unsettled findings worst first, then the most seen', () => {
    const r = buildReport(withCheckpoints());
    expect(ReportSchema.parse(r)).toEqual(r);
    expect(r.checkpoints.map((c) => [c.n, c.status, c.fixFeatureIds])).toEqual([
      [1, 'finished', [4]],
      [2, 'running', []],
    ]);
    expect(r.checkpoints[0]).toEqual({
      n: 1,
      runId: 'run_1',
      trigger: 'interval',
      commit: '1a2b3c4d5e6f708192a3',
      status: 'finished',
      startedAt: T0 + 40 * M,
      endedAt: T0 + 43 * M,
      counts: { critical: 1, major: 0, minor: 2, info: 0 },
      newFindings: 3,
      resolvedFindings: 0,
      fixFeatureIds: [4],
      costUsd: 0.42,
      reportPath: '.autocoder/checkpoints/checkpoint-1.md',
    });
    expect(r.openFindings.map((f) => [f.id, f.severity, f.status, f.seenCount])).toEqual([
      ['fnd_xss', 'critical', 'open', 2],
      ['fnd_cast', 'major', 'fix_pending', 2],
      ['fnd_bundle', 'major', 'open', 1],
      ['fnd_info', 'info', 'open', 1],
    ]);
    expect(r.openFindings[3]).toEqual({
      id: 'fnd_info',
      severity: 'info',
      agent: 'code',
      source: 'tool',
      category: 'eslint/no-unused-vars',
      title: 'x unused',
      file: 'src/a.ts',
      line: 3,
      status: 'open',
      seenCount: 1,
      firstCheckpoint: 1,
      lastCheckpoint: 1,
      fixFeatureId: null,
    });
  });

  it("with a run's window keeps only the interventions that happened in it", () => {
    const r = buildReport(input({ window: { from: T0 + 10 * M, to: T0 + 15 * M } }));
    expect(r.interventions.questions.map((q) => q.requestId)).toEqual(['hir_2']);
    expect(r.interventions.overrides.map((o) => o.requestId)).toEqual(['hir_3']);
    expect(r.interventions.disputes).toEqual([]);
  });
});

describe('notVerifiedReason', () => {
  const passed = {
    id: 'v',
    status: 'passed',
    trigger: 'landing',
    commit: 'c',
    endedAt: 1,
    checks: 1,
    passed: 1,
    failure: null,
  } as const;
  it('says why, or null when passing with a passed last verification', () => {
    expect(notVerifiedReason({ status: 'passing', acceptance: [check] }, passed, false)).toBeNull();
    expect(notVerifiedReason({ status: 'passing', acceptance: [] }, passed, false)).toBe('it has no acceptance checks');
    expect(notVerifiedReason({ status: 'passing', acceptance: [check] }, null, false)).toBe(
      'it has never been verified',
    );
    expect(notVerifiedReason({ status: 'passing', acceptance: [check] }, null, true)).toBe(
      'its first verification is still running',
    );
    expect(
      notVerifiedReason(
        { status: 'passing', acceptance: [check] },
        { ...passed, status: 'error', failure: 'app did not start' },
        false,
      ),
    ).toBe('its last verification could not run: app did not start');
    expect(
      notVerifiedReason(
        { status: 'failed', acceptance: [check] },
        { ...passed, status: 'failed', failure: null },
        false,
      ),
    ).toBe('it failed (its attempts are used up), not passing; last verification failed');
    expect(notVerifiedReason({ status: 'needs_input', acceptance: [check] }, passed, false)).toBe(
      'it waits for input, not passing',
    );
  });
});

describe('reportMarkdown', () => {
  it('renders a hand-built report exactly, with text from agents escaped', () => {
    const report: Report = buildReport(input());
    expect(reportMarkdown(report)).toBe(`# Report: demo

Generated 2026-01-10 10:40 UTC · whole project, 0 runs

## Metrics

| Metric | Value | Notes |
| --- | --- | --- |
| Passing | 0/0 | 0 landings of 0 features |
| Active run time | 0 s | 0 runs |
| Features per hour | n/a | landings in runs ÷ active run hours |
| Feature duration | n/a | claim → passing, 0 samples |
| Attempts per landing | n/a |  |
| First-pass rate | n/a |  |
| Verification failures | 0 |  |
| Regressions found | 0 |  |
| Regression coverage | 0/0 (n/a) | re-verified in the last 5 landings |
| Blockers | 0 asked, 0 answered, 0 open | resolution n/a; agents waited 0.0 min |
| Cost | $0.00 | 0 sessions; 0 in, 0 out, 0 cache read, 0 cache write tokens |
| Cost per passing feature | n/a | total cost ÷ features landed |
| Wasted spend | $0.00 (n/a) | 0 sessions |
| ROI | net $0.00 | 0 developer hours saved, worth $0.00, for $0.00; assuming 3 h per feature (project) at $80.00/h (default) |

### Cost by role

None.

### Cost by model

None.

### Wasted spend by reason

None.

## Backlog

| # | Feature | Category | Status | Verification | Last verification | Attempts | Cost |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 1 | Login | auth | passing | verified | passed (landing) on 0123456789, 1/1 checks passed, 2026-01-10 09:02 UTC | 1 | $0.50 |
| 2 | \\<img src=x onerror=alert(1)\\> | ui | pending | not verified: it is pending, not passing; last verification failed: unit: exit code 1 | failed (landing) on fedcba9876, 0/1 checks passed, 2026-01-10 09:30 UTC | 2 | $1.25 |
| 3 | Export \\| CSV | data | passing | not verified: it has no acceptance checks | never | 1 | $0.00 |

## Human interventions

### Questions

| Asked | Feature | Question | Answers | Outcome |
| --- | --- | --- | --- | --- |
| 2026-01-10 09:05 UTC | #1 Login | Which currency? | Currency = EUR | answered by human, 2026-01-10 09:09 UTC |
| 2026-01-10 09:10 UTC | #1 Login | Which currency? | Currency = USD | answered by supervisor, 2026-01-10 09:11 UTC (overridden by a human: hir\\_3) |

### Overrides of the supervisor

| When | Feature | Question | Supervisor answered | A human answered instead |
| --- | --- | --- | --- | --- |
| 2026-01-10 09:12 UTC | #1 Login | Which currency? | Currency = USD | Currency = GBP |

### Disputes of acceptance checks

| Raised | Feature | Why the agent disputed | Decision | Decided by | Reason given |
| --- | --- | --- | --- | --- | --- |
| 2026-01-10 09:20 UTC | #2 \\<img src=x onerror=alert(1)\\> | the check \\| is \\*wrong\\* | rejected | supervisor, 2026-01-10 09:22 UTC | the spec says so |

## Checkpoints

None yet: no checkpoint has run.

## Design iterations

None yet: design iterations are not built in this version of autocoder.
`);
  });

  it('renders the checkpoints and the open findings worst first, agent text escaped', () => {
    const md = reportMarkdown(buildReport(withCheckpoints()));
    expect(md).toContain(`## Checkpoints

| # | Started | Duration | Trigger | Commit | Status | Findings | New | Resolved | Fix features | Cost | Report |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| 1 | 2026-01-10 09:40 UTC | 3.0 min | interval | 1a2b3c4d5e | finished | 1 critical, 2 minor | 3 | 0 | #4 | $0.42 | .autocoder/checkpoints/checkpoint-1.md |
| 2 | 2026-01-10 10:00 UTC | running | on demand | 9f8e7d6c5b | running | 1 major, 1 info | 1 | 1 | — | $0.00 | — |

### Open findings

| Severity | Finding | Where | Kind | Seen | Status |
| --- | --- | --- | --- | --- | --- |
| critical | Comment \\| renders \\<img src=x onerror=alert(1)\\> | src/web/Comment.tsx:12 | security, xss | 2× (checkpoints 1–2) | open, fix feature #4 |
| major | Responses are cast | src/web/client.ts | code, type-safety | 2× (checkpoints 1–2) | fix pending (#5 passed), the next checkpoint confirms |
| major | Bundle is \\*598 kB\\* |  | performance, bundle-size | 1× (checkpoint 1) | open |
| info | x unused | src/a.ts:3 | code, eslint/no-unused-vars (tool) | 1× (checkpoint 1) | open |

## Design iterations`);
    expect(md).not.toContain('None yet: no checkpoint');
    expect(reportMarkdown(buildReport(withCheckpoints()))).toBe(md);
    const allSettled = reportMarkdown(
      buildReport({ ...withCheckpoints(), findings: [finding({ status: 'resolved' })] }),
    );
    expect(allSettled).toContain('### Open findings\n\nNo open findings.\n');
  });

  it('mdText keeps text on one line and makes Markdown and HTML inert', () => {
    expect(mdText('a|b\n<script>x</script> [l](u) *e* `c` &amp;')).toBe(
      'a\\|b \\<script\\>x\\</script\\> \\[l\\](u) \\*e\\* \\`c\\` \\&amp;',
    );
  });
});

describe('charts', () => {
  const size: ChartSize = { width: 100, height: 100, margin: { top: 0, right: 0, bottom: 0, left: 0 } };

  it('burn-up: a step line of features and a step area of passing ones, scaled to the box', () => {
    const paths = burnUpPaths(
      [
        { at: T0, total: 1, passing: 0 },
        { at: T0 + M / 2, total: 2, passing: 1 },
        { at: T0 + M, total: 2, passing: 2 },
      ],
      size,
    );
    // x: 0, 50, 100 over one minute; y: 0 → 100, 1 → 50, 2 → 0.
    expect(paths.total).toBe('M0,50L50,50L50,0L100,0L100,0');
    expect(paths.passing).toBe('M0,100L50,100L50,50L100,50L100,0L100,100L100,100L50,100L50,100L0,100Z');
  });

  it('cost by role: each role stacked on the ones before it', () => {
    const m = metrics({
      generatedAt: T0 + M,
      cost: {
        ...metrics().cost,
        byRole: [
          {
            key: 'coding',
            sessions: 1,
            inputTokens: 0,
            outputTokens: 0,
            cacheReadTokens: 0,
            cacheCreationTokens: 0,
            costUsd: 2,
          },
          {
            key: 'testing',
            sessions: 1,
            inputTokens: 0,
            outputTokens: 0,
            cacheReadTokens: 0,
            cacheCreationTokens: 0,
            costUsd: 2,
          },
        ],
        overTime: [
          { at: T0, totalUsd: 2, byRole: { coding: 2 } },
          { at: T0 + M, totalUsd: 4, byRole: { coding: 2, testing: 2 } },
        ],
      },
    });
    // y: $0 → 100, $2 → 50, $4 → 0; testing sits on coding's $2.
    expect(costAreas(m, size)).toEqual([
      { role: 'coding', d: 'M0,50L100,50L100,50L100,100L100,100L0,100Z' },
      { role: 'testing', d: 'M0,50L100,50L100,0L100,50L100,50L0,50Z' },
    ]);
  });

  it('durations: binned in minutes on nice edges, the last bin closed', () => {
    expect(
      durationBins(
        [1, 2, 3, 10].map((m) => m * M),
        5,
      ),
    ).toEqual([
      { from: 0, to: 2, count: 1 },
      { from: 2, to: 4, count: 2 },
      { from: 4, to: 6, count: 0 },
      { from: 6, to: 8, count: 0 },
      { from: 8, to: 10, count: 1 },
    ]);
    expect(durationBins([])).toEqual([]);
  });

  it('count axes have whole-number ticks only (one landing per bin: 0 and 1, no 0.2 … 0.8)', () => {
    const samplesMs = [10, 20, 50].map((m) => m * M);
    const m = metrics({
      progress: { ...metrics().progress, duration: { count: 3, medianMs: 20 * M, p90Ms: 50 * M, samplesMs } },
    });
    const svg = String(durationChart(m));
    const yLabels = [...svg.matchAll(/text-anchor="end"[^>]*>\s*([^<]*?)\s*<\/text/g)].map((x) => x[1]);
    expect(yLabels).toEqual(['0', '1']);
  });
});

describe('reportHtml', () => {
  const hostileMetrics = (): Metrics => {
    const row = {
      sessions: 1,
      inputTokens: 1,
      outputTokens: 1,
      cacheReadTokens: 0,
      cacheCreationTokens: 0,
      costUsd: 1,
    };
    return metrics({
      passingOverTime: [
        { at: T0, total: 1, passing: 0 },
        { at: T0 + M, total: 1, passing: 1 },
      ],
      progress: { ...metrics().progress, duration: { count: 1, medianMs: M, p90Ms: M, samplesMs: [M] } },
      cost: {
        ...metrics().cost,
        byRole: [{ key: `${HOSTILE}role`, ...row }],
        byModel: [{ key: `<script>alert("m")</script>`, ...row }],
        overTime: [{ at: T0, totalUsd: 1, byRole: { [`${HOSTILE}role`]: 1 } }],
      },
    });
  };

  it('escapes every text from agents: names, answers, reasons, models and roles in the charts', () => {
    const page = reportHtml(
      buildReport(
        input({
          metrics: hostileMetrics(),
          requests: [request({ prompt: `"><svg onload=alert(2)>`, answer: { currency: `'><b>x</b>` } })],
        }),
      ),
    );
    expect(page).not.toMatch(/<img|<script|<b>|<svg onload/i);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&lt;script&gt;alert(&quot;m&quot;)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;svg onload=alert(2)&gt;');
    expect(page).toContain('Currency = &#39;&gt;&lt;b&gt;x&lt;/b&gt;');
  });

  it('renders the checkpoints table and the open findings with agent text escaped', () => {
    const page = reportHtml(buildReport(withCheckpoints()));
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toContain('None yet: no checkpoint');
    expect(page).toMatch(/<table id="checkpoints">/);
    expect(page.replace(/>\s+</g, '><')).toContain(
      '<td class="num">1</td><td>2026-01-10 09:40 UTC</td><td class="nowrap">3.0 min</td><td>interval</td><td>1a2b3c4d5e</td><td>finished</td><td>1 critical, 2 minor</td><td class="num">3</td><td class="num">0</td><td>#4</td><td class="num">$0.42</td><td class="path">.autocoder/checkpoints/checkpoint-1.md</td>',
    );
    const rows = [...page.matchAll(/<td class="sev-(\w+)">\w+<\/td>\s*<td>([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([
      ['critical', 'Comment | renders &lt;img src=x onerror=alert(1)&gt;'],
      ['major', 'Responses are cast'],
      ['major', 'Bundle is *598 kB*'],
      ['info', 'x unused'],
    ]);
    expect(page).toContain('<td>fix pending (#5 passed), the next checkpoint confirms</td>');
  });

  it('is one self-contained file: inline style and SVG, no script, no URL, light and dark, print rules', () => {
    const page = reportHtml(buildReport(input({ metrics: hostileMetrics() })));
    expect(page.startsWith('<!doctype html>')).toBe(true);
    // No tag loads anything (the names' escaped `src=` is text, outside any tag).
    expect(
      page.match(/<script|<link|<img|<iframe|<object|<[^>]*\s(src|href)=|url\(|@import|https?:/i)?.[0] ?? null,
    ).toBeNull();
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(page).toContain('@media (prefers-color-scheme:dark)');
    expect(page).toContain('@media print');
    for (const id of ['chart-burn-up', 'chart-cost', 'chart-durations', 'chart-models'])
      expect(page).toMatch(new RegExp(`<svg\\s+id="${id}"`));
  });

  it('says "none yet" for checkpoints and design iterations, and shows no chart without data', () => {
    const page = reportHtml(buildReport(input()));
    expect(page).toContain('<p class="empty">None yet: no checkpoint has run.</p>');
    expect(page).not.toContain('Open findings');
    expect(page).toContain('None yet: design iterations are not built');
    expect(page).not.toContain('<svg');
    expect(page).toContain('No features yet.');
  });

  it('html`` escapes interpolations, nests Html as is, and drops null and false', () => {
    expect(html`<p title="${`"x'`}">${'<b>'}${html`<i>${'&'}</i>`}${null}${false}${[1, '<']}</p>`.value).toBe(
      '<p title="&quot;x&#39;"><b>'.replace('<b>', '&lt;b&gt;') + '<i>&amp;</i>1&lt;</p>',
    );
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('renderReport', () => {
  it('gives each format its content type and file name; JSON is the schema', () => {
    const report = buildReport(input());
    expect(renderReport(report, 'md')).toMatchObject({
      contentType: 'text/markdown; charset=utf-8',
      filename: 'demo-report.md',
    });
    expect(renderReport(report, 'html')).toMatchObject({
      contentType: 'text/html; charset=utf-8',
      filename: 'demo-report.html',
    });
    const json = renderReport(report, 'json');
    expect(json).toMatchObject({ contentType: 'application/json; charset=utf-8', filename: 'demo-report.json' });
    expect(ReportSchema.parse(JSON.parse(json.body))).toEqual(report);
  });
});
