import type { ClaimPort, Feature } from '../db/ports.js';
import { AppError } from '../domain/errors.js';
import { gitOkStep, runGitAsync } from '../git/git.js';
import type { Verification } from '../shared/acceptance.js';
import { failureNote, failureReport } from './verification-report.js';
import { freeVerificationPort, runVerification, type VerificationDeps } from './verification.js';

/**
 * Regression without a model: the frozen checks of the passing features, run against main as it
 * is now (trigger `regression`). A feature whose checks fail goes back to `pending` (through the
 * lifecycle, as a testing agent's report would) with the failing evidence as its note; one whose
 * checks pass is recorded as verified. `autocoder verify` and the runner's regression passes
 * (every `regressionEvery` landings and at the end of a run) both run this.
 */

export interface RegressionDeps extends VerificationDeps {
  readonly claims: ClaimPort;
  readonly report: (line: string) => void;
}

export interface RegressionRequest {
  /** The branch checked (the project's main). */
  readonly main: string;
  /** One feature (it must be passing), or every passing feature. */
  readonly featureId?: number;
  readonly sandbox: boolean;
  /** Who the store records as having verified or regressed (a run id, or `verify` for the CLI). */
  readonly by: string;
  /**
   * How many features' checks run at once, each in a verification worktree and on a port of its own (a run's pass: as
   * many as it has slots, up to MAX_PARALLEL_REGRESSION); 1 when absent.
   */
  readonly parallel?: number;
}

/** The most verifications one regression pass runs at once: the other verification worktrees stay free for others. */
export const MAX_PARALLEL_REGRESSION = 4;

export interface RegressionOutcome {
  readonly feature: Pick<Feature, 'id' | 'name'>;
  /** passed: still works; regressed: back to pending; error: the verification could not run (nothing changed). */
  readonly result: 'passed' | 'regressed' | 'error';
  readonly verification: Verification;
}

export interface RegressionResult {
  /** The commit of main that was verified. */
  readonly commit: string;
  readonly outcomes: readonly RegressionOutcome[];
  /** Passing features without checks: nothing to run ("not verified"). */
  readonly notVerified: readonly Pick<Feature, 'id' | 'name'>[];
}

/** Whether a pass found everything still working: no regression and nothing that could not run. */
export const regressionClean = (r: RegressionResult): boolean => r.outcomes.every((o) => o.result === 'passed');

/** Runs the checks of the passing features (or one) on main's current commit, one verification per feature. */
export async function runRegression(
  deps: RegressionDeps,
  req: RegressionRequest,
  signal: AbortSignal,
): Promise<RegressionResult> {
  // Without blocking the event loop: a run's pass holds the merge queue while the slots' sessions go on.
  const commit = (
    await runGitAsync(gitOkStep(deps.paths.root, ['rev-parse', '--verify', `refs/heads/${req.main}^{commit}`]))
  ).trim();
  let targets: Feature[];
  if (req.featureId !== undefined) {
    const one = deps.features.get(req.featureId);
    if (one.status !== 'passing')
      throw new AppError(
        'CONFLICT',
        `feature #${one.id} is ${one.status}, not passing: only passing features are verified against ${req.main}`,
      );
    targets = [one];
  } else targets = deps.features.list({ status: 'passing' });
  const notVerified = targets.filter((f) => f.acceptance === null).map((f) => ({ id: f.id, name: f.name }));
  const checked = targets.filter((f): f is WithChecks => f.acceptance !== null);
  // Outcomes in the features' order, whichever verification ends first.
  const outcomes: (RegressionOutcome | undefined)[] = [];
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    for (let index = next++; index < checked.length; index = next++) {
      if (signal.aborted || failures.length > 0) return;
      try {
        outcomes[index] = await verifyOne(deps, req, commit, checked[index] as WithChecks, signal);
      } catch (error: unknown) {
        // No new verification starts; those running end (everything they started stopped) before this one throws.
        failures.push(error);
      }
    }
  };
  const parallel = Math.max(1, Math.min(req.parallel ?? 1, MAX_PARALLEL_REGRESSION, checked.length));
  await Promise.all(Array.from({ length: parallel }, worker));
  if (failures.length > 0) throw failures[0];
  return { commit, outcomes: outcomes.filter((o) => o !== undefined), notVerified };
}

type WithChecks = Feature & { readonly acceptance: NonNullable<Feature['acceptance']> };

/** One feature's checks on `commit`, recorded; undefined when the run stopped meanwhile (nothing recorded). */
async function verifyOne(
  deps: RegressionDeps,
  req: RegressionRequest,
  commit: string,
  feature: WithChecks,
  signal: AbortSignal,
): Promise<RegressionOutcome | undefined> {
  const verification = await runVerification(
    deps,
    {
      featureId: feature.id,
      commit,
      trigger: 'regression',
      sessionId: null,
      groups: [{ featureId: feature.id, checks: feature.acceptance }],
      port: await freeVerificationPort(),
      sandbox: req.sandbox,
    },
    signal,
  );
  const who = { id: feature.id, name: feature.name };
  if (signal.aborted) return undefined;
  if (verification.status === 'passed') {
    recordSafely(deps, feature.id, () => deps.claims.recordVerified(feature.id, req.by));
    return { feature: who, result: 'passed', verification };
  }
  if (verification.status === 'failed') {
    recordSafely(deps, feature.id, () =>
      deps.claims.regress(feature.id, failureNote(verification), req.by, {
        by: req.by,
        text: failureReport(verification, deps.paths.root),
        verificationId: verification.id,
      }),
    );
    deps.report(
      `Regression: feature #${feature.id} ${feature.name} fails its checks on ${req.main} (${commit.slice(0, 8)}); it is pending again.`,
    );
    return { feature: who, result: 'regressed', verification };
  }
  // The environment (a port, Chromium, a lease), not the feature: nothing is changed.
  deps.report(
    `Regression: feature #${feature.id} could not be verified on ${req.main}: ${verification.error ?? 'unknown error'}`,
  );
  return { feature: who, result: 'error', verification };
}

/** A feature that left `passing` while its checks ran (a person reopened it) is left as it is now. */
function recordSafely(deps: RegressionDeps, featureId: number, write: () => void): void {
  try {
    write();
  } catch (err: unknown) {
    if (!(err instanceof AppError)) throw err;
    deps.report(`Regression: feature #${featureId} changed while it was verified (${err.message}); left as it is.`);
  }
}
