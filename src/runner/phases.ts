/**
 * Where a session's harness time goes: an optional timing hook the runner calls around each phase of a session it
 * owns (worktree, prompt and settings, acceptance export, database and event writes, session end …). `bench session`
 * passes a recorder and prints the breakdown; a run without one pays a single `undefined` check per phase.
 */

/** The phases of one session, in the order they happen. */
export const HARNESS_PHASES = [
  'claim',
  'worktree',
  'acceptance-export',
  'session-dir',
  'settings',
  'init-jail',
  'spawn-to-init',
  'db-writes',
  'event-writes',
  'landing',
  'session-end',
] as const;

export type HarnessPhase = (typeof HARNESS_PHASES)[number];

/** What each phase is, for the bench's table. */
export const PHASE_LABELS: Readonly<Record<HarnessPhase, string>> = {
  claim: 'scheduler: decide, claim, budget hold',
  worktree: 'slot worktree: prepare, checkout feature branch',
  'acceptance-export': 'acceptance export (root and worktree)',
  'session-dir': 'session HOME/TMPDIR folder',
  settings: 'settings, prompts, tools, env, guard',
  'init-jail': 'init.sh jail (sandbox on)',
  'spawn-to-init': 'runtime call → init (MCP server, Claude Code spawn)',
  'db-writes': 'sessions row start/end',
  'event-writes': 'events + transcript lines',
  landing: 'landing gate (check, record, fast-forward)',
  'session-end': 'session end: browser, folder, branch, WIP, settle',
};

/** Told how long (ms) one phase of one session took; may be called several times per phase and session. */
export interface PhaseRecorder {
  readonly record: (phase: HarnessPhase, ms: number) => void;
}

/** Runs `fn`, telling `recorder` (when there is one) how long it took, whether it returned or threw. */
export function timePhase<T>(recorder: PhaseRecorder | undefined, phase: HarnessPhase, fn: () => T): T {
  if (recorder === undefined) return fn();
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    recorder.record(phase, performance.now() - t0);
  }
}

/** timePhase for asynchronous work: the time until the promise settles. */
export async function timePhaseAsync<T>(
  recorder: PhaseRecorder | undefined,
  phase: HarnessPhase,
  fn: () => Promise<T>,
): Promise<T> {
  if (recorder === undefined) return fn();
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    recorder.record(phase, performance.now() - t0);
  }
}

/** A recorder that sums each phase, and the sums divided by a session count (the bench's per-session figures). */
export function phaseTotals(): PhaseRecorder & {
  readonly totals: () => ReadonlyMap<HarnessPhase, number>;
  readonly perSession: (sessions: number) => { phase: HarnessPhase; ms: number }[];
  readonly reset: () => void;
} {
  const sums = new Map<HarnessPhase, number>();
  return {
    record: (phase, ms) => {
      sums.set(phase, (sums.get(phase) ?? 0) + ms);
    },
    totals: () => sums,
    perSession: (sessions) =>
      HARNESS_PHASES.filter((p) => sums.has(p)).map((phase) => ({
        phase,
        ms: sessions > 0 ? (sums.get(phase) ?? 0) / sessions : NaN,
      })),
    reset: () => sums.clear(),
  };
}
