/**
 * How long each pending feature will hold a slot, estimated from the project's finished coding sessions. Pure: the
 * runner reads the history from the store and writes the estimates back (src/runner/duration-estimates.ts).
 *
 * The model works on log durations (session lengths are skewed: most are short, a few take many times the median):
 *
 *   log(session) = level + slope · (log steps − log referenceSteps) + category effect + the feature's own effect
 *
 * Each term is shrunk toward the prior by a pseudo-count, so one odd session moves an estimate a little and a dozen
 * consistent ones move it a lot; with no history at all every term is the prior's. The expected slot time is one
 * session times the expected number of sessions left: a feature whose attempts failed before is likelier to fail
 * again (its own failures count beside the project's failure rate), and it cannot take more sessions than it has
 * attempts left.
 */

/** One finished coding session on one feature. */
export interface DurationSample {
  readonly featureId: number;
  readonly category: string;
  /** Number of acceptance steps of the feature. */
  readonly steps: number;
  readonly durationMs: number;
  /** The feature passed during this session; otherwise the attempt failed and another session will follow. */
  readonly passed: boolean;
}

/** A feature to estimate. */
export interface EstimateTarget {
  readonly id: number;
  readonly category: string;
  readonly steps: number;
  /** Attempts used so far (claims that were not refunded). */
  readonly attempts: number;
  readonly maxAttempts: number;
}

/** What is assumed before the project has finished any session. */
export interface DurationPrior {
  /** Median length of one coding session on a feature of `referenceSteps` steps. */
  readonly sessionMs: number;
  readonly referenceSteps: number;
  /** Session length grows as steps^stepsExponent. */
  readonly stepsExponent: number;
  /** Share of sessions that end without the feature passing. */
  readonly failureRate: number;
}

/**
 * The prior, used alone when a project has no finished session and as the anchor every estimate shrinks toward.
 * A Claude Code session on one feature takes minutes to tens of minutes (read the code, write it, run the checks, land
 * it): 15 minutes for a 5-step feature is the order of magnitude, and it weighs as one session, so the first real
 * ones replace it. The exponent 0.5 says that steps cost less than proportionally: every session pays a fixed part
 * (reading the project, starting the app, the landing's verification) whatever the number of steps, so doubling the
 * steps makes a session about 1.4 times longer, not twice. One session in five failing is a guess (frozen acceptance
 * checks send some work back); it weighs four sessions. Only the ratios between estimates order the schedule, so with
 * no history the order is by step counts along each path (equal step counts: by path length in features).
 */
export const DURATION_PRIOR: DurationPrior = {
  sessionMs: 15 * 60_000,
  referenceSteps: 5,
  stepsExponent: 0.5,
  failureRate: 0.2,
};

/** Pseudo-counts: how many sessions' worth of evidence each prior term is worth. */
const WEIGHT = {
  /** The level (prior median) weighs one session. */
  level: 1,
  /** The steps slope, in units of Σ(log-steps deviation)²: a dozen sessions whose steps vary twofold outweigh it. */
  slope: 2,
  /** A category's effect starts at 0 (the project's level) and needs a few sessions to move far from it. */
  category: 2,
  /** A feature's own earlier sessions tell most about it, but one is not a trend. */
  own: 1,
  /** The failure rate weighs four sessions; a feature's own failures count against that. */
  failure: 4,
} as const;

/** The fitted model: log-space terms plus failure rates. */
export interface DurationModel {
  /** log(ms) of a session at the reference step count, category effect 0. */
  readonly level: number;
  readonly slope: number;
  readonly referenceLogSteps: number;
  readonly categoryEffect: ReadonlyMap<string, number>;
  readonly ownEffect: ReadonlyMap<number, number>;
  readonly failureRate: number;
  readonly ownSessions: ReadonlyMap<number, { readonly sessions: number; readonly failed: number }>;
  /** How many sessions the model was fitted on. */
  readonly samples: number;
}

const logSteps = (steps: number): number => Math.log(Math.max(1, steps));
const logMs = (ms: number): number => Math.log(Math.max(1, ms));

/** Fits the model to the history (in any order). Samples with a non-finite duration are ignored. */
export function fitDurationModel(
  history: readonly DurationSample[],
  prior: DurationPrior = DURATION_PRIOR,
): DurationModel {
  const samples = history.filter((s) => Number.isFinite(s.durationMs) && Number.isFinite(s.steps));
  const n = samples.length;
  const referenceLogSteps = logSteps(prior.referenceSteps);
  const xs = samples.map((s) => logSteps(s.steps));
  const ys = samples.map((s) => logMs(s.durationMs));

  // Slope of log duration on log steps (least squares, centred), shrunk toward the prior's exponent.
  const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  const xBar = mean(xs);
  const yBar = mean(ys);
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - xBar) ** 2;
    sxy += (xs[i]! - xBar) * (ys[i]! - yBar);
  }
  const slope = (sxy + WEIGHT.slope * prior.stepsExponent) / (sxx + WEIGHT.slope);

  // Level at the reference step count, shrunk toward the prior median.
  const atReference = ys.map((y, i) => y - slope * (xs[i]! - referenceLogSteps));
  const level = (WEIGHT.level * logMs(prior.sessionMs) + atReference.reduce((a, b) => a + b, 0)) / (WEIGHT.level + n);

  // Category effects: the mean residual of each category, shrunk toward 0.
  const residual = atReference.map((y) => y - level);
  const categoryEffect = shrunkMeans(
    samples.map((s) => s.category),
    residual,
    WEIGHT.category,
  );
  // A feature's own effect: what is left after its category's, shrunk toward 0.
  const ownEffect = shrunkMeans(
    samples.map((s) => s.featureId),
    residual.map((r, i) => r - categoryEffect.get(samples[i]!.category)!),
    WEIGHT.own,
  );

  const failed = samples.filter((s) => !s.passed).length;
  const failureRate = (WEIGHT.failure * prior.failureRate + failed) / (WEIGHT.failure + n);
  const ownSessions = new Map<number, { sessions: number; failed: number }>();
  for (const s of samples) {
    const own = ownSessions.get(s.featureId) ?? { sessions: 0, failed: 0 };
    ownSessions.set(s.featureId, { sessions: own.sessions + 1, failed: own.failed + (s.passed ? 0 : 1) });
  }
  return { level, slope, referenceLogSteps, categoryEffect, ownEffect, failureRate, ownSessions, samples: n };
}

function shrunkMeans<K>(keys: readonly K[], values: readonly number[], weight: number): Map<K, number> {
  const sums = new Map<K, { sum: number; count: number }>();
  keys.forEach((key, i) => {
    const acc = sums.get(key) ?? { sum: 0, count: 0 };
    sums.set(key, { sum: acc.sum + values[i]!, count: acc.count + 1 });
  });
  return new Map([...sums].map(([key, { sum, count }]) => [key, sum / (count + weight)]));
}

/** Median length of one session on `target`. */
export function estimateSessionMs(model: DurationModel, target: EstimateTarget): number {
  const log =
    model.level +
    model.slope * (logSteps(target.steps) - model.referenceLogSteps) +
    (model.categoryEffect.get(target.category) ?? 0) +
    (model.ownEffect.get(target.id) ?? 0);
  return Math.exp(log);
}

/**
 * Expected number of sessions until `target` passes or runs out of attempts: 1 + p + p² + … for the attempts left,
 * with p the failure rate shrunk toward this feature's own record.
 */
export function expectedSessions(model: DurationModel, target: EstimateTarget): number {
  const own = model.ownSessions.get(target.id) ?? { sessions: 0, failed: 0 };
  const p = Math.min(0.95, (WEIGHT.failure * model.failureRate + own.failed) / (WEIGHT.failure + own.sessions));
  const left = Math.max(1, target.maxAttempts - target.attempts);
  return (1 - p ** left) / (1 - p);
}

/** Expected slot time of each target in ms (rounded, at least 1), by id. */
export function estimateDurations(
  history: readonly DurationSample[],
  targets: readonly EstimateTarget[],
  prior: DurationPrior = DURATION_PRIOR,
): Map<number, number> {
  const model = fitDurationModel(history, prior);
  return new Map(
    targets.map((t) => [t.id, Math.max(1, Math.round(estimateSessionMs(model, t) * expectedSessions(model, t)))]),
  );
}
