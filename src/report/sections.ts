import type { Metrics } from '../shared/metrics.js';
import type { Report, ReportFeature, ReportQuestion } from '../shared/report.js';
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

export const NONE_YET_CHECKPOINTS = 'None yet: checkpoints are not built in this version of autocoder.';
export const NONE_YET_DESIGN = 'None yet: design iterations are not built in this version of autocoder.';
