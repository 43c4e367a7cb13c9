import type { Metrics } from '../shared/metrics.js';

/**
 * `autocoder metrics --watch`: the seed's `metrics/dashboard.py` (a live table of progress, speed, cost and ROI) for
 * our metrics. Pure text; the command redraws it in place on a terminal, or appends one line per change elsewhere.
 */

const BAR_WIDTH = 30;

/** `[██████░░░░] 3/5 passing (60%)`. */
export function progressBar(passing: number, total: number): string {
  const share = total === 0 ? 0 : passing / total;
  const filled = Math.round(share * BAR_WIDTH);
  return `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${passing}/${total} passing (${Math.round(share * 100)}%)`;
}

const clock = (at: number) => new Date(at).toISOString().slice(11, 19);

/** The dashboard on a terminal: a title with the time of the reading, the progress bar, then the summary's lines. */
export function dashboardLines(m: Metrics, summary: string, at: number, intervalSeconds: number): string[] {
  return [
    `autocoder metrics · ${m.project} · ${clock(at)} UTC · every ${intervalSeconds} s · Ctrl-C to quit`,
    `  ${progressBar(m.progress.passing, m.progress.total)}`,
    ...summary.trimEnd().split('\n'),
  ];
}

/**
 * What counts as a change for the appended lines: features, passing, spend, sessions, open blockers. Not the rate,
 * which moves with the clock while a run is active and would print a line at every reading.
 */
export function dashboardKey(m: Metrics): string {
  const p = m.progress;
  return JSON.stringify([p.total, p.passing, m.cost.total.costUsd, m.cost.total.sessions, m.blockers.open]);
}

/** The reading as one line, for pipes and logs. */
export function dashboardLine(m: Metrics): string {
  const p = m.progress;
  const rate = p.featuresPerHour === null ? 'n/a' : p.featuresPerHour.toFixed(2);
  return `${m.project}: ${p.passing}/${p.total} passing · ${rate} features/h · $${m.cost.total.costUsd.toFixed(2)} over ${m.cost.total.sessions} sessions · ${m.blockers.open} blockers open · ROI net $${m.roi.netUsd.toFixed(2)}`;
}

/** A plain line with the time in front, for pipes and logs. */
export const timedLine = (line: string, at: number): string => `${clock(at)} ${line}`;
