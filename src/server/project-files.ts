import { closeSync, fstatSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import type { Context } from 'hono';
import { AppError } from '../domain/errors.js';

/**
 * Serving files the runner wrote inside a project's `.autocoder` folder (a verification's evidence, a design
 * iteration's capture): only files inside the one folder a record names, symlinks resolved, read through the
 * descriptor that was checked, with a content type by extension and never sniffed.
 */

/** What a served file is sent as; anything else is plain bytes (a download, never rendered). */
export const FILE_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.zip': 'application/zip',
};

/** Files are written by the runner; anything larger is not something a page should load whole. */
export const MAX_SERVED_BYTES = 200 * 1024 * 1024;

/** `child` is strictly inside `parent` (both real paths). */
function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * The real path of `file` inside `folder` (relative to the project), which itself must lie inside `within` (relative to
 * the project, e.g. `.autocoder/evidence`): `..`, absolute paths, NUL, a missing file and links leading out are all
 * `missing` (a 404), never a read elsewhere. A record naming a folder outside `within` is refused the same way.
 */
export function fileInFolder(
  projectRoot: string,
  within: string,
  folder: string,
  file: string,
  missing: () => AppError,
): string {
  if (file === '' || file.includes('\0') || isAbsolute(file) || file.split(/[\\/]/).includes('..')) throw missing();
  let root: string;
  let dir: string;
  let target: string;
  try {
    root = realpathSync(projectRoot);
    dir = realpathSync(join(projectRoot, folder));
    target = realpathSync(join(dir, file));
  } catch {
    throw missing();
  }
  if (!inside(join(root, within), dir) || !inside(dir, target)) throw missing();
  return target;
}

/** The bytes of the checked file at `path` and its content type; 404 for a folder, 409 when too large to serve. */
export function readServedFile(path: string, shown: string): { bytes: Buffer; type: string } {
  // Read through one descriptor: what was checked is what is sent.
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new AppError('NOT_FOUND', `"${shown.slice(0, 200)}" is not a file`);
    if (st.size > MAX_SERVED_BYTES) throw new AppError('CONFLICT', `"${shown.slice(0, 200)}" is too large to serve`);
    return {
      bytes: readFileSync(fd),
      type: FILE_CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    };
  } finally {
    closeSync(fd);
  }
}

/** The response for a served file: never sniffed, cached privately, a download unless it is a type pages show. */
export function fileResponse(c: Context, file: { bytes: Buffer; type: string }): Response {
  return c.body(new Uint8Array(file.bytes), 200, {
    'content-type': file.type,
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, max-age=3600',
    ...(file.type === 'application/octet-stream' || file.type === 'application/zip'
      ? { 'content-disposition': 'attachment' }
      : {}),
  });
}
