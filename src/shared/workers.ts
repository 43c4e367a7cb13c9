import { z } from 'zod';

/**
 * The processes working runs (#20): what the registry keeps of each (src/db/ports.ts `WorkerRecord`), and how its
 * state is read from its heartbeat. Browser-safe: the API, the CLI and mission control share it.
 */

/** How often a worker writes its heartbeat (a timer of its own, beside its sessions). */
export const WORKER_HEARTBEAT_MS = 5_000;
/** A worker whose last heartbeat is older than this is offline: six missed heartbeats. */
export const WORKER_OFFLINE_AFTER_MS = 30_000;

export const WorkerFeatureSchema = z
  .object({
    project: z.string().min(1),
    featureId: z.number().int().positive(),
    slot: z.number().int().min(0),
  })
  .strict();
export type WorkerFeature = z.infer<typeof WorkerFeatureSchema>;

export const WORKER_STATUSES = ['online', 'offline', 'stopped'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

/** stopped: it said so when it ended; online: its heartbeat is recent; offline: it went quiet (killed, cut off). */
export function workerStatus(
  worker: { readonly heartbeatAt: number; readonly stoppedAt: number | null },
  now: number,
): WorkerStatus {
  if (worker.stoppedAt !== null) return 'stopped';
  return now - worker.heartbeatAt <= WORKER_OFFLINE_AFTER_MS ? 'online' : 'offline';
}

/**
 * A worker as people see it at `now`: its state and heartbeat age, and its features only while it is online (an
 * offline or stopped worker's features are not its any more: their leases expire and others take them).
 */
export function workerAt<
  W extends {
    readonly heartbeatAt: number;
    readonly stoppedAt: number | null;
    readonly current: readonly WorkerFeature[];
  },
>(
  worker: W,
  now: number,
): Omit<W, 'current'> & { heartbeatAgeMs: number; status: WorkerStatus; current: WorkerFeature[] } {
  const status = workerStatus(worker, now);
  return {
    ...worker,
    heartbeatAgeMs: Math.max(0, now - worker.heartbeatAt),
    status,
    current: status === 'online' ? [...worker.current] : [],
  };
}

export const WorkerDTOSchema = z
  .object({
    name: z.string(),
    host: z.string(),
    pid: z.number().int(),
    slots: z.number().int().min(1),
    startedAt: z.number().int(),
    heartbeatAt: z.number().int(),
    heartbeatAgeMs: z.number().int().min(0),
    stoppedAt: z.number().int().nullable(),
    status: z.enum(WORKER_STATUSES),
    /** Its features at its last heartbeat (none once it is offline or stopped: they are not its any more). */
    current: z.array(WorkerFeatureSchema.extend({ featureName: z.string().nullable() })),
  })
  .strict();
export type WorkerDTO = z.infer<typeof WorkerDTOSchema>;

export const WorkersResponseSchema = z.object({ workers: z.array(WorkerDTOSchema) }).strict();
export type WorkersResponse = z.infer<typeof WorkersResponseSchema>;

/**
 * What a shared run at work (#20) has working it, in one line: the workers online on the shared store, or that there
 * is none (its features then wait) and how to start one.
 */
export function sharedRunWorkersLine(online: readonly string[]): string {
  if (online.length === 0)
    return "No live worker: nothing works this shared run's features until one starts (on any machine: autocoder worker, with the same database).";
  return `Shared run: ${online.length} worker${online.length === 1 ? '' : 's'} online (${online.join(', ')}).`;
}
