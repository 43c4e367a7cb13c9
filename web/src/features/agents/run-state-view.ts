import type { RunStatus } from '@shared/runs';

type RunState = RunStatus['status'];

/** What a person asked for (Start, Stop, Pause, Resume) and the server's state when they asked. */
export interface RequestedRunState {
  readonly state: RunState;
  readonly from: RunState;
}

/** How long an asked-for state may stand in for the server's when the server never moves (a runner that died first). */
export const REQUEST_STANDS_MS = 30_000;

/**
 * The state the badge shows. Between a click and the runner's own event it shows what was asked ("Starting…",
 * "Stopping…"); as soon as the server's state differs from the one the click saw, the server is the truth. (Waiting for
 * the server to report the asked-for state itself kept "Starting…" for a run's whole life: a runner records itself
 * `running`, never `starting`.)
 */
export function shownRunState(server: RunState, requested: RequestedRunState | null): RunState {
  return requested !== null && requested.from === server ? requested.state : server;
}

/** Whether the request is over: the server moved since, so its state stands from now on. */
export function requestSettled(server: RunState, requested: RequestedRunState | null): boolean {
  return requested !== null && requested.from !== server;
}
