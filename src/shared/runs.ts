import { z } from 'zod';

/** An amount in US dollars above zero, with a message that names what it is for. */
const usd = (what: string) =>
  z
    .number({ error: `${what} must be an amount in US dollars, e.g. 20 or 2.50` })
    .positive({ error: `${what} must be more than $0` })
    .max(1_000_000, { error: `${what} may be at most $1,000,000` });

/** Body of POST /api/projects/{name}/agent/start. Every field optional; the rest come from settings. */
export const RunStartRequestSchema = z
  .object({
    model: z.string().trim().min(1).max(200).optional(),
    yolo: z.boolean().optional(),
    maxIterations: z.number().int().min(1).max(100_000).optional(),
    maxTurns: z.number().int().min(1).max(10_000).optional(),
    sandbox: z.enum(['auto', 'on', 'off']).optional(),
    concurrency: z.number().int().min(1).max(5).optional(),
    /** Testing agents beside the coding agents (0-3; none with yolo). */
    testingRatio: z.number().int().min(0).max(3).optional(),
    /** A supervisor session answers agents' human-input requests (see `autocoder run --supervisor`). */
    supervisor: z.boolean().optional(),
    /** An independent read-only verifier session reviews each feature whose checks passed (`run --verifier`). */
    verifier: z.boolean().optional(),
    /** Every passing feature's frozen checks run on main after every N landings (0: never; `--regression-every`). */
    regressionEvery: z.number().int().min(0).max(1000).optional(),
    /** A checkpoint after every N passing features and at the end (0: none; `run --checkpoint-interval`). */
    checkpointInterval: z.number().int().min(0).max(1000).optional(),
    /** A design review after every N passing features and at the end (0: none; `run --design-review-every`). */
    designReviewEvery: z.number().int().min(0).max(1000).optional(),
    /** The iterations a design review may take (`run --design-iterations`). */
    designIterations: z.number().int().min(1).max(10).optional(),
    /** Run budget in USD (`run --max-cost`); the run drains and stops when it is used up. */
    maxCostUsd: usd('the run budget').optional(),
    /** One feature's budget in USD (`run --max-feature-cost`); over it, the feature asks in the Inbox. */
    maxFeatureCostUsd: usd('the feature budget').optional(),
  })
  .strict();
export type RunStartRequest = z.infer<typeof RunStartRequestSchema>;

export const RUN_STATES = ['stopped', 'starting', 'running', 'draining', 'paused', 'stopping', 'crashed'] as const;

export const AgentSlotSchema = z.object({
  slot: z.number().int(),
  sessionId: z.string(),
  role: z.string(),
  featureId: z.number().int().nullable(),
  featureName: z.string().nullable(),
  startedAt: z.number(),
});

/** The budget the header shows: the active run's (`--max-cost`) when it has one, else the day's (`budget.dailyUsd`). */
export const RunBudgetSchema = z.object({
  scope: z.enum(['run', 'day']),
  limitUsd: z.number(),
  /** What the run's sessions (or the day's) cost so far. */
  spentUsd: z.number(),
  /** limit − spent, never below 0. */
  leftUsd: z.number(),
});
export type RunBudget = z.infer<typeof RunBudgetSchema>;

/**
 * How a run ended for a person (issue #21); the same list as `RUN_OUTCOMES` in src/domain/run-outcome.ts, which says
 * what each means (a test keeps the two equal).
 */
export const RUN_OUTCOMES = ['finished', 'failed', 'stopped', 'budget', 'input', 'no_features', 'crashed'] as const;
export const RunOutcomeSchema = z.enum(RUN_OUTCOMES);
export type RunOutcomeName = z.infer<typeof RunOutcomeSchema>;

/** The headline every surface (mission control, the projects list, `autocoder status`) gives an outcome. */
export const RUN_OUTCOME_TITLE: Record<RunOutcomeName, string> = {
  finished: 'Finished: every feature passes',
  failed: 'Failed',
  stopped: 'Stopped',
  budget: 'Stopped by the budget',
  input: 'Waiting for your input',
  no_features: 'The initializer created no features',
  crashed: 'Crashed',
};

/** The last run's ending: why, how long, how far the backlog got and what it cost. */
export const RunEndingSchema = z.object({
  runId: z.string(),
  /** Null for a run that ended before outcomes were recorded and cannot be told from its reason. */
  outcome: RunOutcomeSchema.nullable(),
  reason: z.string().nullable(),
  startedAt: z.number(),
  /** When it ended; for a crash not yet recorded, when the runner was last heard from. */
  endedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  /** The backlog when it ended (null for runs recorded before #21 or a crash). */
  featuresPassing: z.number().int().nullable(),
  featuresTotal: z.number().int().nullable(),
  costUsd: z.number(),
});
export type RunEnding = z.infer<typeof RunEndingSchema>;

export const RunStatusSchema = z.object({
  status: z.enum(RUN_STATES),
  runId: z.string().nullable(),
  pid: z.number().int().nullable(),
  startedAt: z.number().nullable(),
  settings: z.record(z.string(), z.unknown()),
  pauseRequested: z.boolean(),
  agents: z.array(AgentSlotSchema),
  lastEndReason: z.string().nullable(),
  /** Null: no run or daily budget is set (older servers send nothing). */
  budget: RunBudgetSchema.nullable().optional(),
  /** How the latest run ended; null while one is active or before the first (older servers send nothing). */
  lastOutcome: RunEndingSchema.nullable().optional(),
});
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** Answer of POST …/agent/start, …/stop and …/pause. */
export const AgentActionResponseSchema = z.object({
  status: z.enum(RUN_STATES),
  runId: z.string().optional(),
  pid: z.number().int().optional(),
});
export type AgentActionResponse = z.infer<typeof AgentActionResponseSchema>;

/** The reserved model name of the built-in scripted model server (`autocoder demo`). */
export const DEMO_MODEL = 'demo';
/** How every surface labels a demo run: it is not AI. */
export const DEMO_MODEL_LABEL = 'demo model: scripted, no AI';
