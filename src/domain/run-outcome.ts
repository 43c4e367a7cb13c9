/**
 * How a run ended, in the words a person needs at a glance (issue #21): the runs table's status (`finished | failed |
 * crashed`) says whether the runner ended cleanly, not whether the app got built, and a run that "finished" with
 * features waiting for answers or out of attempts is not done. The outcome is derived once, when the run ends, and
 * stored with it, so every surface (mission control, the projects list, `autocoder status`) tells the same story after
 * a reload.
 *
 * - `finished`: every feature passes.
 * - `input`: it ended with features waiting for a person's answer (needs_input).
 * - `budget`: its budget (or the day's) was used up.
 * - `stopped`: a person stopped it, or the session limit they set (`--max-iterations`) was reached.
 * - `no_features`: the initializer session created no features (nothing to build: the spec or the session failed).
 * - `failed`: the runner failed, or features failed after all their attempts and nothing could proceed.
 * - `crashed`: the runner process died without ending its run.
 */
export const RUN_OUTCOMES = ['finished', 'failed', 'stopped', 'budget', 'input', 'no_features', 'crashed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

/** What the runner knows when a run ends. */
export interface RunEnding {
  /** How the runner ended it: cleanly (`finished`, a stop too), with an error (`failed`), or never (`crashed`). */
  readonly status: 'finished' | 'failed' | 'crashed';
  /** A person stopped it (a signal). */
  readonly stopped: boolean;
  /** It reached the session limit a person set (`--max-iterations`). */
  readonly limitReached: boolean;
  readonly budgetExhausted: boolean;
  /** The initializer ran and created nothing. */
  readonly noFeatures: boolean;
  /** The backlog when it ended. */
  readonly counts: { readonly total: number; readonly passing: number; readonly needs_input: number };
}

/** The outcome of a run that ended (see {@link RUN_OUTCOMES}); the first that applies wins. */
export function deriveRunOutcome(end: RunEnding): RunOutcome {
  if (end.status === 'crashed') return 'crashed';
  if (end.noFeatures) return 'no_features';
  if (end.status === 'failed') return 'failed';
  if (end.budgetExhausted) return 'budget';
  if (end.stopped) return 'stopped';
  const { total, passing, needs_input } = end.counts;
  if (total > 0 && passing === total) return 'finished';
  if (end.limitReached) return 'stopped';
  if (needs_input > 0) return 'input';
  return 'failed';
}
