import { z } from 'zod';
import { FEATURE_STATUS_VALUES } from './feature-status.js';

/**
 * The metrics of one project, or of one of its runs: what `GET /api/projects/{name}/metrics[?run=…]` returns and
 * `autocoder metrics <project> --json` prints. Shaped for a Metrics page and a report without another query: time
 * series are arrays of points, breakdowns are arrays of rows. Every metric is defined where src/metrics computes it
 * (and in the README); times are ms since the epoch, days are UTC dates.
 */

/** Developer hours one passing feature saves, when no setting says otherwise (`metrics.hoursPerFeature`). */
export const DEFAULT_HOURS_PER_FEATURE = 2;
/** What one developer hour costs, when no setting says otherwise (`metrics.hourlyRateUsd`). */
export const DEFAULT_HOURLY_RATE_USD = 100;

/** A run id as it appears in `?run=` and `--run` (the runner makes `run_<hex>`). */
export const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, 'expected a run id (letters, digits, "_" or "-", at most 100)');

/** GET /api/projects/{name}/metrics: `run` restricts every metric to that run. */
export const MetricsQuerySchema = z.object({ run: RunIdSchema.optional() }).strict();
export type MetricsQuery = z.infer<typeof MetricsQuerySchema>;

const count = z.number().int().nonnegative();
const usd = z.number();
const ms = z.number();

/** Tokens and cost of a set of sessions. */
export const UsageSchema = z.object({
  sessions: count,
  inputTokens: count,
  outputTokens: count,
  cacheReadTokens: count,
  cacheCreationTokens: count,
  costUsd: usd,
});
export type Usage = z.infer<typeof UsageSchema>;

/** A breakdown row: one role, model or wasted-spend reason, with its usage. */
export const UsageRowSchema = UsageSchema.extend({ key: z.string() });
export type UsageRow = z.infer<typeof UsageRowSchema>;

/** A distribution of durations (ms): median and p90 by nearest rank; null without samples. */
export const DurationStatsSchema = z.object({
  count,
  medianMs: ms.nullable(),
  p90Ms: ms.nullable(),
  /** Every sample, ascending (the duration histogram). */
  samplesMs: z.array(ms),
});
export type DurationStats = z.infer<typeof DurationStatsSchema>;

export const MetricsRunSchema = z.object({
  id: z.string(),
  status: z.string(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** Wall time the run counted as active (see activeRunMs). */
  activeMs: ms,
  landings: count,
  costUsd: usd,
});

export const FeatureMetricsSchema = z.object({
  featureId: z.number().int(),
  name: z.string(),
  status: z.enum(FEATURE_STATUS_VALUES),
  /** Claims of the feature (each a coding attempt). */
  attempts: count,
  /** Attempts that ended with feature.failed. */
  failures: count,
  /** Its verifications (any trigger) that finished failed or error. */
  verificationFailures: count,
  landings: count,
  regressions: count,
  /** Claim → passing of its latest landing; null when it did not land. */
  durationMs: ms.nullable(),
  /** Whether its latest landing came from the first claim of that cycle; null when it did not land. */
  firstPass: z.boolean().nullable(),
  usage: UsageSchema,
  wastedUsd: usd,
});
export type FeatureMetrics = z.infer<typeof FeatureMetricsSchema>;

export const SessionMetricsSchema = UsageSchema.omit({ sessions: true }).extend({
  id: z.string(),
  runId: z.string().nullable(),
  role: z.string(),
  model: z.string().nullable(),
  status: z.string(),
  outcome: z.string().nullable(),
  featureIds: z.array(z.number().int()),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** Why its cost counts as wasted (see the wasted-spend rule), or null. */
  wasted: z.string().nullable(),
});
export type SessionMetrics = z.infer<typeof SessionMetricsSchema>;

export const BlockerMetricsSchema = z.object({
  requestId: z.string(),
  featureId: z.number().int().nullable(),
  askedAt: z.number(),
  /** When it was answered or cancelled; null while open. */
  closedAt: z.number().nullable(),
  closedAs: z.enum(['answered', 'cancelled']).nullable(),
  by: z.enum(['human', 'supervisor']).nullable(),
  /** asked → closed, or asked → now while open. */
  waitedMs: ms,
});

export const DailyMetricsSchema = z.object({
  /** UTC date, YYYY-MM-DD. */
  day: z.string(),
  landings: count,
  regressions: count,
  activeRunMs: ms,
  blockersAsked: count,
  usage: UsageSchema,
  wastedUsd: usd,
});
export type DailyMetrics = z.infer<typeof DailyMetricsSchema>;

export const MetricsSchema = z.object({
  project: z.string(),
  /** The run the metrics are restricted to, or null for the whole project. */
  runId: z.string().nullable(),
  generatedAt: z.number(),
  runs: z.array(MetricsRunSchema),
  progress: z.object({
    /** Features now, and passing now. */
    total: count,
    passing: count,
    /** feature.passed events in scope (a feature that lands twice counts twice). */
    landings: count,
    /** Distinct features that landed in scope. */
    featuresLanded: count,
    activeRunMs: ms,
    /** Landings in runs ÷ active run hours; null without active time. */
    featuresPerHour: z.number().nullable(),
    duration: DurationStatsSchema,
    /** Mean claims per landing cycle; null without landings. */
    attemptsPerLanding: z.number().nullable(),
    /** Landings whose cycle had exactly one claim ÷ landings; null without landings. */
    firstPassRate: z.number().nullable(),
    verificationFailures: count,
    regressionsFound: count,
    regressionCoverage: z.object({
      /** The `regressionEvery` the window is measured in (landings). */
      regressionEvery: count,
      /** When the window starts: the `regressionEvery`-th latest landing (null: all time). */
      since: z.number().nullable(),
      passing: count,
      covered: count,
      /** covered ÷ passing; null when nothing passes. */
      share: z.number().nullable(),
    }),
  }),
  /** Burn-up: features and passing features after every change, from the start of the scope. */
  passingOverTime: z.array(z.object({ at: z.number(), total: count, passing: count })),
  blockers: z.object({
    asked: count,
    answered: count,
    cancelled: count,
    open: count,
    /** asked → answered over answered requests. */
    resolution: DurationStatsSchema,
    /** Summed waits of every request (open ones up to now), in minutes. */
    humanMinutesWaited: z.number(),
    requests: z.array(BlockerMetricsSchema),
  }),
  cost: z.object({
    total: UsageSchema,
    byRole: z.array(UsageRowSchema),
    byModel: z.array(UsageRowSchema),
    /** Cumulative cost after each session ended, in total and per role (stacked chart). */
    overTime: z.array(z.object({ at: z.number(), totalUsd: usd, byRole: z.record(z.string(), usd) })),
    /** total cost ÷ features landed; null when none landed. */
    perPassingFeatureUsd: usd.nullable(),
    wasted: z.object({
      costUsd: usd,
      sessions: count,
      /** wasted ÷ total cost; null when nothing cost anything. */
      share: z.number().nullable(),
      byReason: z.array(UsageRowSchema),
    }),
  }),
  roi: z.object({
    assumptions: z.object({
      hoursPerFeature: z.number(),
      hourlyRateUsd: z.number(),
      /** Where each came from: a project setting, the global setting or the default. */
      source: z.object({
        hoursPerFeature: z.enum(['project', 'global', 'default']),
        hourlyRateUsd: z.enum(['project', 'global', 'default']),
      }),
    }),
    featuresLanded: count,
    hoursSaved: z.number(),
    valueUsd: usd,
    costUsd: usd,
    /** value − cost. */
    netUsd: usd,
    /** value ÷ cost; null when nothing cost anything. */
    ratio: z.number().nullable(),
  }),
  features: z.array(FeatureMetricsSchema),
  sessions: z.array(SessionMetricsSchema),
  daily: z.array(DailyMetricsSchema),
});
export type Metrics = z.infer<typeof MetricsSchema>;
export type MetricsAssumptions = Metrics['roi']['assumptions'];
