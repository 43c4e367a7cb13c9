import { FINDING_SEVERITIES } from '../shared/checkpoints.js';
import type { Metrics } from '../shared/metrics.js';
import type { Report, ReportCheckpoint, ReportFeature, ReportFinding, ReportQuestion } from '../shared/report.js';
import { duration, num, pct, plural, shortSha, usd, utc } from './format.js';

/**
 * What each report form says, as rows of plain text: the Markdown and the HTML render the same rows, each escaping
 * for its own format, so the two cannot drift apart.
 */

export interface MetricRow {
  readonly metric: string;
  readonly value: string;
  /** What the number assumes or how it is measured (the ROI's assumptions), or ''. */
  readonly note: string;
}

export function metricRows(m: Metrics): MetricRow[] {
  const p = m.progress;
  const c = m.cost;
  const a = m.roi.assumptions;
  const cov = p.regressionCoverage;
  const spread = (d: Metrics['progress']['duration']) =>
    d.count === 0 ? 'n/a' : `median ${duration(d.medianMs)}, p90 ${duration(d.p90Ms)}`;
  return [
    {
      metric: 'Passing',
      value: `${p.passing}/${p.total}`,
      note: `${plural(p.landings, 'landing')} of ${plural(p.featuresLanded, 'feature')}`,
    },
    { metric: 'Active run time', value: duration(p.activeRunMs), note: plural(m.runs.length, 'run') },
    { metric: 'Features per hour', value: num(p.featuresPerHour), note: 'landings in runs ÷ active run hours' },
    {
      metric: 'Feature duration',
      value: spread(p.duration),
      note: `claim → passing, ${plural(p.duration.count, 'sample')}`,
    },
    { metric: 'Attempts per landing', value: num(p.attemptsPerLanding), note: '' },
    { metric: 'First-pass rate', value: pct(p.firstPassRate), note: '' },
    { metric: 'Verification failures', value: String(p.verificationFailures), note: '' },
    { metric: 'Regressions found', value: String(p.regressionsFound), note: '' },
    {
      metric: 'Regression coverage',
      value: `${cov.covered}/${cov.passing} (${pct(cov.share)})`,
      note: `re-verified in the last ${plural(cov.regressionEvery, 'landing')}`,
    },
    {
      metric: 'Blockers',
      value: `${m.blockers.asked} asked, ${m.blockers.answered} answered, ${m.blockers.open} open`,
      note: `resolution ${spread(m.blockers.resolution)}; agents waited ${m.blockers.humanMinutesWaited.toFixed(1)} min`,
    },
    {
      metric: 'Cost',
      value: usd(c.total.costUsd),
      note: `${plural(c.total.sessions, 'session')}; ${c.total.inputTokens} in, ${c.total.outputTokens} out, ${c.total.cacheReadTokens} cache read, ${c.total.cacheCreationTokens} cache write tokens`,
    },
    {
      metric: 'Cost per passing feature',
      value: c.perPassingFeatureUsd === null ? 'n/a' : usd(c.perPassingFeatureUsd),
      note: 'total cost ÷ features landed',
    },
    {
      metric: 'Wasted spend',
      value: `${usd(c.wasted.costUsd)} (${pct(c.wasted.share)})`,
      note: plural(c.wasted.sessions, 'session'),
    },
    {
      metric: 'ROI',
      value: `net ${usd(m.roi.netUsd)}${m.roi.ratio === null ? '' : ` (${m.roi.ratio.toFixed(1)}x)`}`,
      note: `${m.roi.hoursSaved} developer hours saved, worth ${usd(m.roi.valueUsd)}, for ${usd(m.roi.costUsd)}; assuming ${a.hoursPerFeature} h per feature (${a.source.hoursPerFeature}) at ${usd(a.hourlyRateUsd)}/h (${a.source.hourlyRateUsd})`,
    },
  ];
}

export const scopeLine = (r: Report): string =>
  `Generated ${utc(r.generatedAt)} · ${r.runId === null ? `whole project, ${plural(r.metrics.runs.length, 'run')}` : `run ${r.runId}`}`;

export const statusText = (s: ReportFeature['status']): string => s.replace('_', ' ');

/** "verified", or "not verified: why". */
export const verificationText = (f: ReportFeature): string =>
  f.verified ? 'verified' : `not verified: ${f.notVerifiedReason ?? ''}`;

/** The last verification: its outcome, commit and check counts, or "never". */
export function lastVerificationText(f: ReportFeature): string {
  const v = f.lastVerification;
  if (!v) return 'never';
  return `${v.status} (${v.trigger}) on ${shortSha(v.commit)}, ${v.passed}/${v.checks} checks passed, ${utc(v.endedAt)}`;
}

export type Answer = ReportQuestion['answers'][number];
export const answersText = (list: readonly Answer[], secretKeys: readonly string[] = []): string => {
  const parts = [
    ...list.map((a) => `${a.field} = ${String(a.value)}`),
    ...secretKeys.map((k) => `secret saved to .env as ${k}`),
  ];
  return parts.length === 0 ? '—' : parts.join('; ');
};

export function questionOutcome(q: ReportQuestion): string {
  if (q.status === 'open') return 'open';
  const who = q.by ?? 'unrecorded';
  const when = utc(q.closedAt);
  const over = q.overriddenBy ? ` (overridden by a human: ${q.overriddenBy})` : '';
  return q.status === 'answered'
    ? `answered by ${who}, ${when}${over}`
    : `cancelled by ${who}, ${when}${q.reason ? `: ${q.reason}` : ''}`;
}

export const NONE_YET_CHECKPOINTS = 'None yet: no checkpoint has run.';
export const NO_OPEN_FINDINGS = 'No open findings.';

/** Findings by severity, worst first, the zero ones left out: "1 critical, 2 major" or "none". */
export const countsText = (c: ReportCheckpoint['counts']): string =>
  FINDING_SEVERITIES.filter((s) => c[s] > 0)
    .map((s) => `${c[s]} ${s}`)
    .join(', ') || 'none';

const TRIGGERS: Record<ReportCheckpoint['trigger'], string> = {
  interval: 'interval',
  end_of_run: 'end of run',
  manual: 'on demand',
};

/** A checkpoint's cells, every one generated here (no agent text): each form only escapes for itself. */
export interface CheckpointRow {
  readonly n: string;
  readonly started: string;
  readonly duration: string;
  readonly trigger: string;
  readonly commit: string;
  readonly status: string;
  readonly findings: string;
  readonly newFindings: string;
  readonly resolved: string;
  readonly fixFeatures: string;
  readonly cost: string;
  readonly report: string;
}

/**
 * The checkpoint table's columns in order: the row's key, its heading, and how the HTML lays the cell out (a number
 * right-aligned, a duration kept on one line, a path allowed to break anywhere so the table fits the page).
 */
export const CHECKPOINT_COLUMNS: readonly (readonly [keyof CheckpointRow, string, 'num' | 'nowrap' | 'path' | null])[] =
  [
    ['n', '#', 'num'],
    ['started', 'Started', null],
    ['duration', 'Duration', 'nowrap'],
    ['trigger', 'Trigger', null],
    ['commit', 'Commit', null],
    ['status', 'Status', null],
    ['findings', 'Findings', null],
    ['newFindings', 'New', 'num'],
    ['resolved', 'Resolved', 'num'],
    ['fixFeatures', 'Fix features', null],
    ['cost', 'Cost', 'num'],
    ['report', 'Report', 'path'],
  ];

export function checkpointRow(c: ReportCheckpoint): CheckpointRow {
  return {
    n: String(c.n),
    started: utc(c.startedAt),
    duration: c.endedAt === null ? 'running' : duration(c.endedAt - c.startedAt),
    trigger: TRIGGERS[c.trigger],
    commit: shortSha(c.commit),
    status: c.status,
    findings: countsText(c.counts),
    newFindings: String(c.newFindings),
    resolved: String(c.resolvedFindings),
    fixFeatures: c.fixFeatureIds.length === 0 ? '—' : c.fixFeatureIds.map((id) => `#${id}`).join(', '),
    cost: usd(c.costUsd),
    report: c.reportPath ?? '—',
  };
}

export const FINDING_HEAD = ['Severity', 'Finding', 'Where', 'Kind', 'Seen', 'Status'] as const;

/** `file:line`, the file alone, or '' (a finding about the whole app has no place). */
export const findingWhere = (f: ReportFinding): string =>
  f.file === undefined ? '' : f.line === undefined ? f.file : `${f.file}:${f.line}`;

/** The reviewer, the category and, for a tool's, that a tool found it: "code, eslint/no-unused-vars (tool)". */
export const findingKind = (f: ReportFinding): string =>
  `${f.agent}, ${f.category}${f.source === 'tool' ? ' (tool)' : ''}`;

/** How often and where: "2× (checkpoints 1–2)" or "1× (checkpoint 2)". */
export const findingSeen = (f: ReportFinding): string =>
  `${f.seenCount}× (${f.firstCheckpoint === f.lastCheckpoint ? `checkpoint ${f.lastCheckpoint}` : `checkpoints ${f.firstCheckpoint}–${f.lastCheckpoint}`})`;

/** "open", "open, fix feature #5", "fix pending (#5 passed)". */
export function findingStatus(f: ReportFinding): string {
  if (f.status === 'fix_pending')
    return `fix pending${f.fixFeatureId === null ? '' : ` (#${f.fixFeatureId} passed)`}, the next checkpoint confirms`;
  return f.fixFeatureId === null ? 'open' : `open, fix feature #${f.fixFeatureId}`;
}
export const NONE_YET_DESIGN = 'None yet: design iterations are not built in this version of autocoder.';
