import type { Feature, RunRecord, SessionRecord } from '../db/ports.js';
import type { EventType, KnownStoredEvent } from '../shared/events.js';
import type { MetricsAssumptions } from '../shared/metrics.js';

/** The event types the metrics read (src/metrics/load-metrics-input.ts asks the store for exactly these). */
export const METRICS_EVENT_TYPES = [
  'feature.created',
  'feature.bulk_created',
  'feature.deleted',
  'feature.claimed',
  'feature.passed',
  'feature.failed',
  'feature.regressed',
  'feature.reopened',
  'feature.needs_input',
  'feature.input_answered',
  'feature.input_cancelled',
  'acceptance.disputed',
  'acceptance.decided',
  'verification.started',
  'verification.finished',
] as const satisfies readonly EventType[];

/** The plain data every metric is computed from: rows as the storage ports return them, nothing live. */
export interface MetricsInput {
  readonly project: string;
  /** When the metrics are taken: open runs, sessions and requests count up to here. */
  readonly now: number;
  /** Restrict to this run (it must be one of `runs`), or null for the whole project. */
  readonly runId: string | null;
  readonly features: readonly Pick<Feature, 'id' | 'name' | 'status'>[];
  readonly sessions: readonly SessionRecord[];
  /** Every run of the project, oldest first. */
  readonly runs: readonly RunRecord[];
  /** Events of METRICS_EVENT_TYPES, in id order. */
  readonly events: readonly KnownStoredEvent[];
  readonly assumptions: MetricsAssumptions;
  /** The landings a regression window spans (the run setting `regressionEvery`; 0 counts every landing). */
  readonly regressionEvery: number;
}
