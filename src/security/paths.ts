/**
 * Project-confinement path checks shared by the Bash policy and the file-tool guard.
 *
 * Pure: the only I/O is the optional `realpath` function the caller passes in (wrap
 * fs.realpathSync.native). Comparisons use posix `resolve` + `relative`, never `startsWith`
 * (so `/proj-evil` is not inside `/proj`).
 */
import path from 'node:path';

const posix = path.posix;

/**
 * Folders the agent may read but never write: git internals (hooks run code), autocoder's own
 * state, Claude Code settings (hooks, permission rules) and playwright-cli's session data.
 * Matched on any path segment, case-insensitively (case-insensitive file systems).
 */
export const PROTECTED_DIRS: readonly string[] = ['.git', '.autocoder', '.claude', '.playwright'];

/** A realpath function; throws when the path does not exist (like fs.realpathSync.native). */
export type RealpathFn = (p: string) => string;

/**
 * Resolves symlinks the way the OS would, segment by segment, for a path whose tail may not
 * exist yet: each existing prefix goes through `realpath`; missing segments are appended as-is.
 * `..` is applied to the already-resolved prefix (OS semantics), not lexically: with
 * `link -> /elsewhere/dir`, `link/../x` is `/elsewhere/x`.
 */
export function resolveReal(absolutePath: string, realpath: RealpathFn): string {
  if (!posix.isAbsolute(absolutePath)) throw new Error(`resolveReal needs an absolute path, got ${absolutePath}`);
  let current = safeRealpath('/', realpath) ?? '/';
  let missing = false;
  for (const segment of absolutePath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      current = posix.dirname(current);
      continue;
    }
    const next = posix.join(current, segment);
    const real = missing ? undefined : safeRealpath(next, realpath);
    if (real === undefined) {
      missing = true;
      current = next;
    } else {
      current = real;
    }
  }
  return current;
}

function safeRealpath(p: string, realpath: RealpathFn): string | undefined {
  try {
    const r = realpath(p);
    return typeof r === 'string' && posix.isAbsolute(r) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The absolute path `p` names when used from `cwd` (lexical; `..` collapsed). */
export function resolveFrom(cwd: string, p: string): string {
  return posix.resolve(cwd, p);
}

/** Relative path from root to target, or null when target is outside root. */
function relativeInside(target: string, root: string): string | null {
  const rel = posix.relative(posix.resolve(root), posix.resolve(root, target));
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith('../') || posix.isAbsolute(rel)) return null;
  return rel;
}

/**
 * True when `p` (absolute, or relative to projectRoot) is the project root or inside it.
 * With `realpath`, symlinks are resolved on both sides first (a link to /etc is outside).
 */
export function isInsideProject(p: string, projectRoot: string, realpath?: RealpathFn): boolean {
  const abs = posix.resolve(projectRoot, p);
  if (relativeInside(abs, projectRoot) === null) return false;
  if (realpath === undefined) return true;
  const rootReal = resolveReal(posix.resolve(projectRoot), realpath);
  const raw = posix.isAbsolute(p) ? p : `${projectRoot}/${p}`;
  return relativeInside(resolveReal(raw, realpath), rootReal) !== null;
}

/**
 * True when `p` is inside the project and any of its segments is a protected folder
 * (`.git`, `.autocoder`, `.claude`, `.playwright`), including the folder itself.
 * With `realpath`, the resolved target is checked too (a symlink into `.git/hooks` is protected).
 */
export function isProtectedPath(p: string, projectRoot: string, realpath?: RealpathFn): boolean {
  const candidates: string[] = [];
  const lexical = relativeInside(posix.resolve(projectRoot, p), projectRoot);
  if (lexical !== null) candidates.push(lexical);
  if (realpath !== undefined) {
    const rootReal = resolveReal(posix.resolve(projectRoot), realpath);
    const raw = posix.isAbsolute(p) ? p : `${projectRoot}/${p}`;
    const real = relativeInside(resolveReal(raw, realpath), rootReal);
    if (real !== null) candidates.push(real);
  }
  return candidates.some((rel) => rel.split('/').some((seg) => PROTECTED_DIRS.includes(seg.toLowerCase())));
}

/** True when `p` names the project root itself (`.`, `./`, `src/..`, the absolute root). */
export function isProjectRoot(p: string, projectRoot: string): boolean {
  return relativeInside(posix.resolve(projectRoot, p), projectRoot) === '';
}
