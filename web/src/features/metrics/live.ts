import type { ServerMessage } from '@shared/events';

/** How often, at most, live events refetch the metrics (a busy run sends many events a second). */
export const METRICS_REFRESH_MS = 2_000;

/**
 * Whether a stream message can change the metrics: feature, run and session (agent) changes, progress, a resync
 * snapshot, or another stored event (verifications, human input). Log lines and pongs cannot.
 */
export function changesMetrics(msg: ServerMessage): boolean {
  switch (msg.type) {
    case 'feature_update':
    case 'run_status':
    case 'agent_update':
    case 'progress':
    case 'snapshot':
      return true;
    case 'event':
      return msg.eventType !== 'session.log';
    default:
      return false;
  }
}

export interface Throttle {
  /** Asks for a call: runs now when the last one is `ms` old, else once at the end of the window. */
  readonly request: () => void;
  readonly cancel: () => void;
}

/** Leading and trailing throttle: the first event refreshes at once, a burst after it refreshes once more. */
export function throttle(fn: () => void, ms: number, now: () => number = Date.now): Throttle {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    timer = null;
    last = now();
    fn();
  };
  return {
    request: () => {
      if (timer) return;
      const wait = last + ms - now();
      if (wait <= 0) run();
      else timer = setTimeout(run, wait);
    },
    cancel: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
