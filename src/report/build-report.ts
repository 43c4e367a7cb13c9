import type { Feature, HumanInputRequest } from '../db/ports.js';
import { verificationFailure, type Dispute, type Verification } from '../shared/acceptance.js';
import { FINDING_SEVERITIES, type Checkpoint, type Finding } from '../shared/checkpoints.js';
import type { Metrics } from '../shared/metrics.js';
import type {
  Report,
  ReportCheckpoint,
  ReportDispute,
  ReportFeature,
  ReportFinding,
  ReportOverride,
  ReportQuestion,
  ReportVerification,
} from '../shared/report.js';

/** The rows a report is built from: as the storage ports return them, plus the metrics already computed. */
export interface ReportInput {
  readonly metrics: Metrics;
  /** In scheduling order. */
  readonly features: readonly Pick<
    Feature,
    'id' | 'category' | 'name' | 'status' | 'attempts' | 'costUsd' | 'acceptance'
  >[];
  /** Each feature's newest finished (not running) verification. */
  readonly verifications: ReadonlyMap<number, Verification>;
  /** Each feature's newest verification when it is still running (it does not decide "verified" yet). */
  readonly running: ReadonlySet<number>;
  readonly requests: readonly HumanInputRequest[];
  readonly disputes: readonly Dispute[];
  /** The checkpoints to list (the run's, when one is chosen). */
  readonly checkpoints: readonly Checkpoint[];
  /** Findings to consider for the open list (with a run chosen: those seen at its checkpoints); settled ones drop. */
  readonly findings: readonly Finding[];
  /** With a run chosen: its active time, [start, end]; interventions outside it are left out. Null: all. */
  readonly window: { readonly from: number; readonly to: number } | null;
}

function lastVerification(v: Verification | undefined): ReportVerification | null {
  if (!v) return null;
  return {
    id: v.id,
    status: v.status,
    trigger: v.trigger,
    commit: v.commit,
    endedAt: v.endedAt,
    checks: v.checks.length,
    passed: v.checks.filter((c) => c.passed).length,
    failure: verificationFailure(v),
  };
}

/** How a feature that does not pass stands, in words. */
const NOT_PASSING: Record<Exclude<Feature['status'], 'passing'>, string> = {
  pending: 'it is pending',
  in_progress: 'it is in progress',
  needs_input: 'it waits for input',
  failed: 'it failed (its attempts are used up)',
};

/** Why a feature is not verified, or null when it is (passing, and its newest finished verification passed). */
export function notVerifiedReason(
  f: Pick<Feature, 'status' | 'acceptance'>,
  last: ReportVerification | null,
  running: boolean,
): string | null {
  if (f.acceptance === null || f.acceptance.length === 0) return 'it has no acceptance checks';
  if (f.status !== 'passing') {
    const failed = last && last.status !== 'passed' ? `; last verification ${last.status}` : '';
    const why = failed && last?.failure ? `: ${last.failure}` : '';
    return `${NOT_PASSING[f.status]}, not passing${failed}${why}`;
  }
  if (last === null) return running ? 'its first verification is still running' : 'it has never been verified';
  if (last.status === 'passed') return null;
  return `its last verification ${last.status === 'error' ? 'could not run' : 'failed'}: ${last.failure ?? 'no reason recorded'}`;
}

function feature(f: ReportInput['features'][number], input: ReportInput): ReportFeature {
  const last = lastVerification(input.verifications.get(f.id));
  const reason = notVerifiedReason(f, last, input.running.has(f.id));
  return {
    id: f.id,
    category: f.category,
    name: f.name,
    status: f.status,
    attempts: f.attempts,
    costUsd: f.costUsd,
    verified: reason === null,
    notVerifiedReason: reason,
    acceptanceChecks: f.acceptance?.length ?? 0,
    lastVerification: last,
  };
}

/** Answers by the field's label, in the order the fields were asked. */
function answers(r: HumanInputRequest): { field: string; value: string | number | boolean }[] {
  const values = r.answer ?? {};
  return r.fields.flatMap((f) => {
    const value = values[f.id];
    return value === undefined ? [] : [{ field: f.label, value }];
  });
}

const inWindow = (w: ReportInput['window'], ...times: (number | null)[]) =>
  w === null || times.some((t) => t !== null && t >= w.from && t <= w.to);

const checkpoint = (c: Checkpoint): ReportCheckpoint => ({
  n: c.n,
  runId: c.runId,
  trigger: c.trigger,
  commit: c.commit,
  status: c.status,
  startedAt: c.startedAt,
  endedAt: c.endedAt,
  counts: c.counts,
  newFindings: c.newFindings,
  resolvedFindings: c.resolvedFindings,
  fixFeatureIds: c.fixFeatureIds,
  costUsd: c.costUsd,
  reportPath: c.reportPath,
});

const severityRank = (f: Pick<Finding, 'severity'>) => FINDING_SEVERITIES.indexOf(f.severity);

/** The findings not settled (open, or fixed and waiting for confirmation), worst first, then the most seen. */
function openFindings(findings: readonly Finding[]): ReportFinding[] {
  return findings
    .flatMap((f) => (f.status === 'open' || f.status === 'fix_pending' ? [{ ...f, status: f.status }] : []))
    .sort(
      (a, b) =>
        severityRank(a) - severityRank(b) ||
        b.seenCount - a.seenCount ||
        b.lastCheckpoint - a.lastCheckpoint ||
        a.id.localeCompare(b.id),
    )
    .map((f) => ({
      id: f.id,
      severity: f.severity,
      agent: f.agent,
      source: f.source,
      category: f.category,
      title: f.title,
      ...(f.file === undefined ? {} : { file: f.file }),
      ...(f.line === undefined ? {} : { line: f.line }),
      status: f.status,
      seenCount: f.seenCount,
      firstCheckpoint: f.firstCheckpoint,
      lastCheckpoint: f.lastCheckpoint,
      fixFeatureId: f.fixFeatureId,
    }));
}

/** The report's data: the backlog with verification status, and every intervention (pure). */
export function buildReport(input: ReportInput): Report {
  const { metrics, window } = input;
  const byId = new Map(input.requests.map((r) => [r.id, r]));
  const requests = input.requests
    .filter((r) => r.disputeId === null && inWindow(window, r.createdAt, r.answeredAt))
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const questions: ReportQuestion[] = requests
    .filter((r) => r.overrides === null)
    .map((r) => ({
      requestId: r.id,
      featureId: r.featureId,
      featureName: r.featureName,
      prompt: r.prompt,
      status: r.status,
      by: r.answeredBy,
      answers: answers(r),
      secretKeys: Object.values(r.secretKeys),
      reason: r.reason,
      askedAt: r.createdAt,
      closedAt: r.answeredAt,
      overriddenBy: r.overriddenBy,
    }));
  const overrides: ReportOverride[] = requests.flatMap((r) => {
    if (r.overrides === null) return [];
    const original = byId.get(r.overrides);
    return [
      {
        requestId: r.id,
        overrides: r.overrides,
        featureId: r.featureId,
        featureName: r.featureName,
        prompt: r.prompt,
        supervisorAnswers: original ? answers(original) : [],
        humanAnswers: answers(r),
        at: r.answeredAt,
      },
    ];
  });
  const disputes: ReportDispute[] = input.disputes
    .filter((d) => inWindow(window, d.createdAt, d.decidedAt))
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
    .map((d) => ({
      id: d.id,
      featureId: d.featureId,
      featureName: d.featureName,
      reason: d.reason,
      status: d.status,
      decidedBy: d.decidedBy,
      decisionReason: d.decisionReason,
      createdAt: d.createdAt,
      decidedAt: d.decidedAt,
    }));
  return {
    project: metrics.project,
    runId: metrics.runId,
    generatedAt: metrics.generatedAt,
    metrics,
    backlog: input.features.map((f) => feature(f, input)),
    interventions: { questions, overrides, disputes },
    checkpoints: [...input.checkpoints].sort((a, b) => a.n - b.n).map(checkpoint),
    openFindings: openFindings(input.findings),
    designIterations: [],
  };
}
