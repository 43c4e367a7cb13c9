import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { hostname } from 'node:os';
import type { ProjectPaths } from '../config/paths.js';
import { ACTIVE_RUN_STATUSES, type RunPort, type RunRecord } from '../db/ports.js';
import { AppError } from '../domain/errors.js';
import { PersonaNameSchema, type PersonaName } from '../shared/design.js';
import { CheckpointAgentSchema, type CheckpointAgent } from '../shared/checkpoints.js';

/**
 * Controls a project's runner from outside it — the CLI and the server use this. It talks to
 * the runner only through signal files (`.pause_drain`, `.checkpoint_request`) and process signals, and learns its
 * state from the `runs` table.
 */

/**
 * The run that is active now: recorded as active and its process alive on this host, or a shared run (#20) whose
 * process, on any machine, still heartbeats.
 */
export function activeRun(runs: Pick<RunPort, 'active'>, now = Date.now()): RunRecord | null {
  return (
    runs
      .active()
      .filter((r) =>
        r.host === hostname() ? r.pid !== null && processAlive(r.pid) : isSharedRun(r) && sharedRunActive(r, now),
      )
      .at(-1) ?? null
  );
}

/** The settings key marking a run as shared by machines (#20): its process heartbeats, peers join it. */
export const SHARED_RUN_MARKER = 'sharedRun';

export function isSharedRun(run: Pick<RunRecord, 'settings'>): boolean {
  return run.settings[SHARED_RUN_MARKER] === true;
}

/** How often a shared run's process writes the run's heartbeat (#20). */
export const RUN_HEARTBEAT_MS = 5_000;
/** A shared run whose heartbeat is older than this lost its process: peers leave it, a new run recovers it. */
export const RUN_OFFLINE_MS = 30_000;

/** Whether a shared run is still at work: not ended, and its process heartbeating. */
export function sharedRunActive(run: RunRecord | undefined, now: number): boolean {
  if (run === undefined || run.endedAt !== null) return false;
  if (!ACTIVE_RUN_STATUSES.includes(run.status)) return false;
  return now - (run.heartbeatAt ?? run.startedAt) < RUN_OFFLINE_MS;
}

/** Drain: running sessions finish their feature, then the runner idles in `paused`. */
export function requestPause(paths: ProjectPaths): void {
  writeFileSync(paths.pauseDrain, `${new Date().toISOString()}\n`);
}

export function requestResume(paths: ProjectPaths): void {
  rmSync(paths.pauseDrain, { force: true });
}

/** Asks the active run for a checkpoint with these reviewers; it starts one at its next decision. */
export function requestCheckpoint(paths: ProjectPaths, agents: readonly CheckpointAgent[]): void {
  writeFileSync(paths.checkpointRequest, `${JSON.stringify({ agents, at: new Date().toISOString() })}\n`);
}

/** Takes the checkpoint request (the file goes): its reviewers, or null when there is none or it is unreadable. */
export function takeCheckpointRequest(paths: ProjectPaths): CheckpointAgent[] | null {
  let raw: string;
  try {
    raw = readFileSync(paths.checkpointRequest, 'utf8');
  } catch {
    return null;
  }
  rmSync(paths.checkpointRequest, { force: true });
  try {
    const parsed = z.object({ agents: z.array(CheckpointAgentSchema).min(1) }).safeParse(JSON.parse(raw));
    return parsed.success ? [...new Set(parsed.data.agents)] : null;
  } catch {
    return null;
  }
}

/** Asks the active run for a design review at its next step (`autocoder design-review`, the API): the personas. */
export function requestDesignReview(paths: ProjectPaths, personas: readonly PersonaName[] | null): void {
  writeFileSync(paths.designRequest, `${JSON.stringify({ personas, at: new Date().toISOString() })}\n`);
}

/**
 * Takes the design review request (the file goes): null when there is none or it is unreadable, else the personas
 * asked for (null inside: all of the project's).
 */
export function takeDesignRequest(paths: ProjectPaths): { readonly personas: PersonaName[] | null } | null {
  let raw: string;
  try {
    raw = readFileSync(paths.designRequest, 'utf8');
  } catch {
    return null;
  }
  rmSync(paths.designRequest, { force: true });
  try {
    const parsed = z.object({ personas: z.array(PersonaNameSchema).min(1).nullable() }).safeParse(JSON.parse(raw));
    return parsed.success
      ? { personas: parsed.data.personas === null ? null : [...new Set(parsed.data.personas)] }
      : null;
  } catch {
    return null;
  }
}

/**
 * Stop: SIGTERM to the runner of this machine, which aborts sessions, hands claims back and exits; a shared run owned
 * by another machine (#20) is asked through the database, and its owner does the same.
 */
export function requestStop(runs: Pick<RunPort, 'active' | 'requestControl'>): RunRecord {
  const run = activeRun(runs);
  if (!run || run.pid === null) throw new AppError('CONFLICT', 'no run of this project is active');
  if (run.host !== hostname()) runs.requestControl(run.id, 'stop');
  else process.kill(run.pid, 'SIGTERM');
  return run;
}

/**
 * Pause the active run: the pause file in the project folder for a run of this machine; through the database for a
 * shared run another machine owns (#20), whose owner reads it with its state.
 */
export function pauseRun(paths: ProjectPaths, runs: Pick<RunPort, 'requestControl'>, run: RunRecord): void {
  if (run.host !== hostname()) runs.requestControl(run.id, 'pause');
  else requestPause(paths);
}

/** Resume: the pause file goes and a pause asked through the database is withdrawn; whether one was asked. */
export function resumeRun(paths: ProjectPaths, runs: Pick<RunPort, 'requestControl'>, run: RunRecord | null): boolean {
  const wasPaused = existsSync(paths.pauseDrain) || run?.control === 'pause';
  requestResume(paths);
  if (run?.control === 'pause') runs.requestControl(run.id, null);
  return wasPaused;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export { ACTIVE_RUN_STATUSES };
