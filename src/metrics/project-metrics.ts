import type { ProjectStore } from '../db/ports.js';
import type { KnownStoredEvent } from '../shared/events.js';
import type { Metrics, MetricsAssumptions } from '../shared/metrics.js';
import { computeMetrics } from './compute-metrics.js';
import { METRICS_EVENT_TYPES } from './input.js';

export interface ProjectMetricsOptions {
  readonly project: string;
  /** Restrict to this run (INVALID_INPUT when the project has no such run), or null. */
  readonly runId: string | null;
  readonly now: number;
  readonly assumptions: MetricsAssumptions;
  /** The `regressionEvery` when the run measured recorded none. */
  readonly defaultRegressionEvery: number;
}

/**
 * Reads what the metrics need through the storage ports (features, sessions, runs, the events they replay) and
 * computes them: the one reader the API, the CLI and the report share.
 */
export function projectMetrics(store: ProjectStore, options: ProjectMetricsOptions): Metrics {
  const runs = store.runs.list();
  // The run measured decides the regression window; for the whole project, the latest run's setting.
  const measured = options.runId === null ? runs.at(-1) : runs.find((r) => r.id === options.runId);
  const recorded = measured?.settings.regressionEvery;
  const regressionEvery =
    typeof recorded === 'number' && Number.isInteger(recorded) && recorded >= 0
      ? recorded
      : options.defaultRegressionEvery;
  return computeMetrics({
    project: options.project,
    now: options.now,
    runId: options.runId,
    features: store.features.list().map((f) => ({ id: f.id, name: f.name, status: f.status })),
    sessions: store.sessions.list(),
    runs,
    // A row this version cannot read is left out: it says nothing the metrics could count.
    events: store.events.ofTypes(METRICS_EVENT_TYPES).filter((e): e is KnownStoredEvent => e.type !== 'unknown'),
    assumptions: options.assumptions,
    regressionEvery,
  });
}
