import type { RegistryPort } from '../db/ports.js';
import { errorMessage } from '../domain/errors.js';
import { WORKER_HEARTBEAT_MS, type WorkerFeature } from '../shared/workers.js';

/**
 * A process working runs, present in the registry (#20): registered when it starts, a heartbeat with its current
 * features every `intervalMs` on a timer of its own (sessions run asynchronously beside it, so busy slots do not
 * starve it), stopped when it ends. Peers and mission control read it (shared/workers.ts `workerStatus`): one that
 * stops heartbeating shows offline.
 */
export interface WorkerPresence {
  /** Writes a heartbeat now (also done by the timer). */
  beat(): void;
  /** Ends the timer and records the stop; safe to call twice. */
  stop(): void;
  /** Since when heartbeats have failed (ms epoch), or null while the last one reached the registry. */
  failingSince(): number | null;
}

export function startWorkerPresence(input: {
  readonly registry: Pick<RegistryPort, 'registerWorker' | 'workerHeartbeat' | 'stopWorker'>;
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly slots: number;
  /** Its features now (read at each heartbeat). */
  readonly current: () => WorkerFeature[];
  readonly intervalMs?: number;
  /** A heartbeat that failed or found the name taken over (the run goes on; the next heartbeat tries again). */
  readonly onProblem?: (problem: string) => void;
}): WorkerPresence {
  const { registry, name, pid } = input;
  registry.registerWorker({ name, host: input.host, pid, slots: input.slots });
  let stopped = false;
  let failing: number | null = null;
  const beat = () => {
    if (stopped) return;
    try {
      const ours = registry.workerHeartbeat(name, pid, input.current());
      failing = null;
      if (!ours) {
        input.onProblem?.(`the worker name "${name}" was taken over by another process; its heartbeats are ignored`);
      }
    } catch (err: unknown) {
      failing ??= Date.now();
      input.onProblem?.(`the worker heartbeat failed: ${errorMessage(err)}`);
    }
  };
  const timer = setInterval(beat, input.intervalMs ?? WORKER_HEARTBEAT_MS);
  timer.unref();
  return {
    beat,
    failingSince: () => failing,
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      try {
        registry.stopWorker(name, pid);
      } catch (err: unknown) {
        input.onProblem?.(`recording the worker's stop failed: ${errorMessage(err)}`);
      }
    },
  };
}
