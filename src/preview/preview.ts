import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createOwnedDir, disposeDir } from '../agent/session-dirs.js';
import { stopProcessesUsing } from '../agent/session-processes.js';
import { buildCheckEnv } from '../config/agent-env.js';
import { copyEnvFile } from '../config/env-file.js';
import type { Env } from '../config/env.js';
import type { ProjectPaths } from '../config/paths.js';
import { AppError } from '../domain/errors.js';
import { git } from '../git/git.js';
import { checkoutPreviewWorktreeAsync, mainBranch } from '../git/workspaces.js';
import type { Logger } from '../logging/logger.js';
import type { Redactor } from '../security/redactor.js';
import type { PreviewState } from '../shared/preview.js';
import { startApp, type RunningApp } from '../verify/app.js';
import { KEPT_DEPENDENCY_DIRS } from '../verify/checkout.js';
import { confinementFor } from '../verify/jail-runner.js';
import { prepareDependencies, PREPARE_LOG_FILE } from '../verify/prepare.js';
import { freeLoopbackPort, portAccepts } from '../verify/processes.js';
import {
  claimPreview,
  previewDir,
  previewOwnerAlive,
  readPreviewRecord,
  releasePreview,
  updatePreviewRecord,
  type PreviewRecord,
} from './preview-record.js';

/**
 * The app preview: the built app started from main the way a verification starts it (a worktree of its own that
 * agents never use, `.autocoder/worktrees/preview`, its dependencies installed, `./init.sh` with `PORT` set to a free
 * port, in the same bubblewrap jail as agents' `./init.sh` when the sandbox is on: the control plane and credentials
 * stay hidden, see docs/security.md §2.5), watched until it is stopped or stops answering. One per project (the record,
 * preview-record.ts); `autocoder preview` and the server both start it through here.
 */

export const APP_LOG = 'app.log';
export const DEFAULT_PREVIEW_START_MS = 60_000;
export const DEFAULT_PREVIEW_PREPARE_MS = 300_000;
/** How often a running preview's port is tried, and after how many failures in a row it counts as ended. */
const WATCH_MS = 1_000;
const WATCH_MISSES = 3;

export interface PreviewOptions {
  readonly paths: ProjectPaths;
  /** The caller's environment: the app gets only its PATH, locale and proxies (like acceptance checks), never more. */
  readonly env: Env;
  /** The OS sandbox as a run of this project would have it: the app runs in the jail when on. */
  readonly sandbox: boolean;
  /** What the jail hides (`sandboxReadDenyPaths`). */
  readonly hiddenPaths: readonly string[];
  readonly redact: Redactor;
  readonly by: PreviewRecord['by'];
  /** The port to serve on; default: a free one. */
  readonly port?: number;
  readonly startMs?: number;
  readonly prepareMs?: number;
  readonly logger: Logger;
}

export interface RunningPreview {
  readonly record: PreviewRecord;
  readonly url: string;
  /** The masked end of the app's output so far. */
  logTail(): string;
  /**
   * Resolves when the app is gone without `stop`: with the reason when it stopped answering by itself (it crashed),
   * null when it was stopped from elsewhere (`autocoder preview --stop`, the web UI) or by `stop`.
   */
  readonly ended: Promise<string | null>;
  /** Stops every process it started and releases the project's preview; resolves when they are gone. */
  stop(): Promise<void>;
}

/** Whether a preview can start: main has commits and an `init.sh`. Never throws for a missing main or script. */
export function previewAvailability(
  root: string,
): { readonly available: true; readonly main: string } | { readonly available: false; readonly reason: string } {
  let main: string;
  try {
    main = mainBranch(root);
  } catch (err: unknown) {
    if (err instanceof AppError) return { available: false, reason: err.message };
    throw err;
  }
  if (git(root, ['cat-file', '-e', `${main}:init.sh`]).status !== 0)
    return {
      available: false,
      reason: `${main} has no init.sh yet, so there is no app to open: the initializer commits one that starts the app on $PORT`,
    };
  return { available: true, main };
}

/**
 * Starts the project's preview and resolves once its port answers. Refuses (CONFLICT) while another one runs; a preview
 * whose owner died is stopped first. On any failure everything it started is stopped and the error names what to fix,
 * with the end of the app's output.
 */
export async function startPreview(o: PreviewOptions, signal: AbortSignal): Promise<RunningPreview> {
  const availability = previewAvailability(o.paths.root);
  if (!availability.available) throw new AppError('NOT_FOUND', availability.reason);
  const port = o.port ?? (await freeLoopbackPort());
  const record: PreviewRecord = {
    version: 1,
    ownerPid: process.pid,
    host: hostname(),
    by: o.by,
    status: 'starting',
    pid: null,
    port,
    commit: null,
    startedAt: Date.now(),
    workDir: null,
  };
  const { stale } = claimPreview(o.paths, record);
  let workDir: string | null = null;
  let app: RunningApp | null = null;
  try {
    if (stale !== null) await stopLeftovers(stale);
    const { path: checkout, commit } = await checkoutPreviewWorktreeAsync(
      o.paths.root,
      availability.main,
      KEPT_DEPENDENCY_DIRS,
    );
    const envFile = join(o.paths.root, '.env');
    if (existsSync(envFile) && git(checkout, ['cat-file', '-e', `${commit}:.env`]).status !== 0)
      copyEnvFile(envFile, join(checkout, '.env'));
    workDir = createOwnedDir(tmpdir(), `p${randomBytes(6).toString('hex')}`, {
      purpose: 'preview',
      run: null,
      project: o.paths.root,
      keep: false,
    });
    Object.assign(record, { commit, workDir });
    updatePreviewRecord(o.paths, record);
    const env: Record<string, string> = {
      ...buildCheckEnv(o.env),
      PORT: String(port),
      HOME: join(workDir, 'home'),
      TMPDIR: join(workDir, 'tmp'),
    };
    const confinement = confinementFor({ sandbox: o.sandbox, path: o.env.PATH, hidden: o.hiddenPaths }, () =>
      o.logger.warn('the sandbox is on, but bubblewrap is not available here: the preview runs outside any jail'),
    );
    const marker = `ac-preview-${randomBytes(8).toString('hex')}`;
    const logs = previewDir(o.paths);
    mkdirSync(logs, { recursive: true });
    const prepared = await prepareDependencies(
      {
        checkout,
        workDir,
        env,
        confinement,
        logFile: join(logs, PREPARE_LOG_FILE),
        timeoutMs: o.prepareMs ?? DEFAULT_PREVIEW_PREPARE_MS,
        redact: o.redact,
        marker,
        logPlace: `in ${join(logs, PREPARE_LOG_FILE)}`,
      },
      signal,
    );
    if (prepared.ran) o.logger.info({ command: prepared.command, ms: prepared.ms }, 'preview: dependencies installed');
    app = await startApp(
      {
        checkout,
        workDir,
        port,
        env,
        confinement,
        logFile: join(logs, APP_LOG),
        timeoutMs: o.startMs ?? DEFAULT_PREVIEW_START_MS,
        redact: o.redact,
        marker,
      },
      signal,
    );
    Object.assign(record, { status: 'running', pid: app.pid ?? null });
    updatePreviewRecord(o.paths, record);
  } catch (err: unknown) {
    await app?.stop();
    if (workDir !== null) await disposeDir(workDir);
    releasePreview(o.paths, record);
    throw err;
  }
  o.logger.info({ port, commit: record.commit, by: o.by }, 'preview started');
  return watch(o, record, app, workDir);
}

function watch(o: PreviewOptions, record: PreviewRecord, app: RunningApp, workDir: string): RunningPreview {
  const halt = new AbortController();
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      halt.abort();
      await app.stop();
      await disposeDir(workDir);
      releasePreview(o.paths, record);
      o.logger.info({ port: record.port }, 'preview stopped');
    })();
    return stopping;
  };
  // The app may end without us: it crashed, or `autocoder preview --stop` (or the server's Stop) stopped it.
  const ended = (async (): Promise<string | null> => {
    let misses = 0;
    while (!halt.signal.aborted) {
      try {
        await delay(WATCH_MS, undefined, { signal: halt.signal });
      } catch {
        break;
      }
      misses = (await portAccepts(record.port)) ? 0 : misses + 1;
      // Its record gone: someone stopped it on purpose (`autocoder preview --stop`, the web UI's Stop).
      if (misses > 0 && readPreviewRecord(o.paths) === null) return null;
      if (misses >= WATCH_MISSES) {
        const tail = app.logTail().trim();
        return `the app stopped answering on port ${record.port}${tail === '' ? '' : `; the end of its output:\n${tail}`}`;
      }
    }
    return null;
  })();
  return { record: { ...record }, url: previewUrl(record.port), logTail: () => app.logTail(), ended, stop };
}

export const previewUrl = (port: number): string => `http://127.0.0.1:${port}/`;

/** Stops what a recorded preview started: its process group, then whatever still carries its temp folder. */
async function stopLeftovers(record: PreviewRecord): Promise<void> {
  if (record.pid !== null) {
    try {
      process.kill(-record.pid, 'SIGKILL');
    } catch (err: unknown) {
      // ESRCH: the group is gone already, which is what stopping wants.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  if (record.workDir !== null) {
    await stopProcessesUsing(record.workDir, { graceMs: 1_000 });
    await disposeDir(record.workDir);
  }
}

/**
 * Stops the project's preview whoever started it (`autocoder preview --stop`, the Stop button for a terminal's
 * preview): kills what it runs, then removes the record. Its owner notices the app is gone and ends. Returns the
 * record it stopped, or null when no preview was running.
 */
export async function stopRecordedPreview(paths: ProjectPaths): Promise<PreviewRecord | null> {
  const record = readPreviewRecord(paths);
  if (record === null) return null;
  if (record.host !== hostname())
    throw new AppError(
      'CONFLICT',
      `the preview of this project runs on ${record.host}; stop it there (its processes are not on this machine)`,
    );
  await stopLeftovers(record);
  releasePreview(paths, record);
  return record;
}

/** What `GET …/preview` and `autocoder preview --status` say about a project, from its record. */
export function recordedPreviewState(paths: ProjectPaths, lastError: string | null = null): PreviewState {
  const availability = previewAvailability(paths.root);
  const record = readPreviewRecord(paths);
  const live = record !== null && previewOwnerAlive(record);
  return {
    status: live ? record.status : 'stopped',
    available: availability.available,
    unavailableReason: availability.available ? null : availability.reason,
    url: live && record.status === 'running' ? previewUrl(record.port) : null,
    port: live ? record.port : null,
    commit: live ? record.commit : null,
    startedAt: live ? record.startedAt : null,
    by: live ? record.by : null,
    lastError,
  };
}
