import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { pidAlive } from '../agent/session-dirs.js';
import type { ProjectPaths } from '../config/paths.js';
import { AppError } from '../domain/errors.js';
import { PREVIEW_OWNERS } from '../shared/preview.js';

/**
 * The one preview of a project, on disk: `.autocoder/preview/preview.json`, created exclusively when a preview starts
 * and removed when it stops. It is what makes "one preview per project" hold between the server and `autocoder preview`
 * in a terminal, and what lets either stop the other's (`--stop`, the Stop button): it names the process group of
 * `./init.sh` and the temp folder every process of the app carries in its TMPDIR.
 */

export const PreviewRecordSchema = z.strictObject({
  version: z.literal(1),
  /** The process that started and watches the preview (the server or the CLI), on `host`. */
  ownerPid: z.number().int().positive(),
  host: z.string().min(1),
  by: z.enum(PREVIEW_OWNERS),
  status: z.enum(['starting', 'running']),
  /** The pid of `./init.sh` (or of its jail): the leader of the process group stopping kills. */
  pid: z.number().int().positive().nullable(),
  port: z.number().int().positive(),
  commit: z.string().nullable(),
  startedAt: z.number().int(),
  /** The preview's temp folder: HOME and TMPDIR of everything it started (how escaped processes are found). */
  workDir: z.string().nullable(),
});
export type PreviewRecord = z.infer<typeof PreviewRecordSchema>;

/** The folder of the preview's record and logs (`app.log`, `prepare.log`). */
export const previewDir = (paths: ProjectPaths): string => join(paths.dataDir, 'preview');
export const previewRecordFile = (paths: ProjectPaths): string => join(previewDir(paths), 'preview.json');

/** The record, or null when there is none (or it is unreadable: a half-written one is nobody's). */
export function readPreviewRecord(paths: ProjectPaths): PreviewRecord | null {
  let raw: string;
  try {
    raw = readFileSync(previewRecordFile(paths), 'utf8');
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parsed = PreviewRecordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Whether the record's owner still lives (then its preview is running or starting); another host's counts as alive. */
export function previewOwnerAlive(record: PreviewRecord): boolean {
  return record.host !== hostname() || pidAlive(record.ownerPid);
}

/**
 * Takes the project's preview: writes the record exclusively. When one exists whose owner lives, CONFLICT naming it;
 * a record whose owner is gone (killed with -9) is returned as `stale` for the caller to clean up, and replaced.
 */
export function claimPreview(paths: ProjectPaths, record: PreviewRecord): { readonly stale: PreviewRecord | null } {
  mkdirSync(previewDir(paths), { recursive: true });
  const file = previewRecordFile(paths);
  const text = `${JSON.stringify(record)}\n`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
      return { stale: null };
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const existing = readPreviewRecord(paths);
    if (existing !== null && previewOwnerAlive(existing)) throw alreadyRunning(existing);
    // Its owner is gone (or the file is unreadable): take it over, so the caller can stop what it left.
    rmSync(file, { force: true });
    if (existing !== null) {
      writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
      return { stale: existing };
    }
  }
  throw new AppError('CONFLICT', 'another preview of this project is starting right now; try again in a moment');
}

function alreadyRunning(r: PreviewRecord): AppError {
  const who = r.by === 'server' ? 'by the autocoder server' : `in a terminal, pid ${r.ownerPid}`;
  return new AppError(
    'CONFLICT',
    `a preview of this project is ${r.status === 'running' ? `running already on http://127.0.0.1:${r.port}/` : 'starting already'} (started ${who}); stop it first with \`autocoder preview --stop\` or the Stop button`,
    { details: { port: r.port, by: r.by } },
  );
}

/** Rewrites the record it owns (atomically: a reader never sees half of it). */
export function updatePreviewRecord(paths: ProjectPaths, record: PreviewRecord): void {
  const file = previewRecordFile(paths);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/** Removes the record when it is still the one of this owner and start (a newer preview's stays). */
export function releasePreview(paths: ProjectPaths, record: Pick<PreviewRecord, 'ownerPid' | 'startedAt'>): void {
  const now = readPreviewRecord(paths);
  if (now !== null && (now.ownerPid !== record.ownerPid || now.startedAt !== record.startedAt)) return;
  rmSync(previewRecordFile(paths), { force: true });
}
