import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature, FeaturePort } from '../db/ports.js';
import { AppError } from '../domain/errors.js';

/**
 * The read-only export of the frozen acceptance checks: `.autocoder/acceptance/feature-<id>.json`
 * in a project folder (the root, a slot's worktree, a verification checkout), so agents read
 * their checks with the tools they already have. The database is the truth: the export is
 * rewritten from it whenever checks are created or changed and before every verification, so
 * whatever happened to a file meanwhile never counts. `.autocoder` is a protected folder (the
 * Bash policy and the file guard refuse writes there; the OS sandbox denies them).
 */

export const ACCEPTANCE_EXPORT_DIR = '.autocoder/acceptance';

/** `.autocoder/acceptance/feature-<id>.json`, relative to the project folder. */
export const acceptanceExportFile = (featureId: number): string => `${ACCEPTANCE_EXPORT_DIR}/feature-${featureId}.json`;

const EXPORT_NAME = /^feature-(\d+)\.json$/;

/** What one export did (feature ids), for logs and tests. */
export interface AcceptanceExport {
  /** The folder written (absolute). */
  readonly dir: string;
  /** Files written or rewritten (they were missing or differed from the database). */
  readonly written: number[];
  /** Files that already held exactly the stored checks. */
  readonly unchanged: number[];
  /** Files removed: their feature has no checks any more, or no longer exists. */
  readonly removed: number[];
}

/** The file's content: the checks with their hash and a line saying how to change them (you do not). */
export function acceptanceExportJson(f: Feature): string {
  return `${JSON.stringify(
    {
      featureId: f.id,
      name: f.name,
      acceptanceHash: f.acceptanceHash,
      frozen:
        'These checks were frozen when the feature was planned; the runner runs them on the commit that lands. Edits here change nothing (the file is rewritten from the database). If a check is wrong, call feature_dispute_acceptance.',
      acceptance: f.acceptance,
    },
    null,
    2,
  )}\n`;
}

/**
 * Writes the export of every feature with checks into `projectDir` (created when missing),
 * each file read-only (0444) and replaced atomically (a symlink planted in its place is
 * replaced, never followed), and removes files of features without checks. Synchronous and
 * idempotent: the verification engine calls it right before it runs checks.
 */
export function exportAcceptance(
  projectDir: string,
  features: readonly Feature[] | Pick<FeaturePort, 'list'>,
): AcceptanceExport {
  const all = 'list' in features && typeof features.list === 'function' ? features.list() : (features as Feature[]);
  const dir = join(projectDir, ACCEPTANCE_EXPORT_DIR);
  const data = join(projectDir, '.autocoder');
  if (lstatSync(data, { throwIfNoEntry: false })?.isDirectory() === false)
    throw new AppError(
      'CONFLICT',
      `${data} is not a folder (a symlink or a file); the acceptance checks are not exported through it`,
    );
  ensureRealDir(dir);
  const written: number[] = [];
  const unchanged: number[] = [];
  const keep = new Set<number>();
  for (const f of all) {
    if (f.acceptance === null || f.acceptanceHash === null) continue;
    keep.add(f.id);
    const file = join(dir, `feature-${f.id}.json`);
    const content = acceptanceExportJson(f);
    if (readRegular(file) === content && (lstatSync(file).mode & 0o777) === 0o444) {
      unchanged.push(f.id);
      continue;
    }
    const temp = `${file}.${process.pid}.tmp`;
    rmSync(temp, { force: true, recursive: true });
    writeFileSync(temp, content, { mode: 0o444 });
    chmodSync(temp, 0o444);
    // A directory in the file's place (renaming cannot replace it) goes first.
    if (isDirectory(file)) rmSync(file, { recursive: true, force: true });
    renameSync(temp, file);
    written.push(f.id);
  }
  const removed: number[] = [];
  for (const name of readdirSync(dir)) {
    const m = EXPORT_NAME.exec(name);
    if (!m || keep.has(Number(m[1]))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(Number(m[1]));
  }
  return { dir, written, unchanged, removed };
}

/** A regular file's text, or null (missing, a symlink, a folder, unreadable). */
function readRegular(file: string): string | null {
  try {
    if (!lstatSync(file).isFile()) return null;
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `path` as a real folder: a symlink or a file in its place is removed first, so writes stay where they belong. */
function ensureRealDir(path: string): void {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st?.isDirectory()) return;
  if (st) rmSync(path, { force: true });
  mkdirSync(path, { recursive: true });
}
