import type { Context, Hono } from 'hono';
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, sep } from 'node:path';
import { autocoderHome } from '../../config/paths.js';
import type { Env } from '../../config/env.js';
import { AppError } from '../../domain/errors.js';
import { FsListQuerySchema, type FsListResponse } from '../../shared/api.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { query } from './input.js';

/** Folders (and files) that hold credentials: never listed, never browsed into. */
export const SECRET_NAMES = new Set([
  '.ssh',
  '.aws',
  '.azure',
  '.kube',
  '.gnupg',
  '.gpg',
  '.password-store',
  '.docker',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.terraform',
]);
/** Secret folders under `.config`. */
export const SECRET_CONFIG_NAMES = new Set(['gcloud', 'gh']);

/** Why a raw path from a client is refused before it touches the filesystem, or null. */
export function rawPathProblem(raw: string): string | null {
  if (raw.includes('\u0000')) return 'the path contains a NUL character';
  if (/%2e|%2f|%5c|%00/i.test(raw)) return 'the path contains percent-encoded characters; send it decoded';
  if (raw.startsWith('\\\\') || raw.startsWith('//')) return 'network (UNC) paths are not supported';
  if (raw.split(/[\\/]+/).some((segment) => segment === '..'))
    return 'the path contains ".." segments; send an absolute path';
  if (!isAbsolute(raw)) return 'send an absolute path';
  return null;
}

/** Whether a canonical path is, or lies inside, a secret folder or autocoder's own home. */
export function isSecretPath(real: string, env: Env): boolean {
  const segments = real.split(sep);
  if (segments.some((s) => SECRET_NAMES.has(s))) return true;
  for (let i = 0; i + 1 < segments.length; i++) {
    if (segments[i] === '.config' && SECRET_CONFIG_NAMES.has(segments[i + 1] ?? '')) return true;
  }
  const home = canonical(autocoderHome(env));
  return real === home || real.startsWith(home.endsWith(sep) ? home : home + sep);
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export function userHome(env: Env): string {
  return env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir();
}

/** Refuses a client-supplied path that is malformed or points at secrets; returns it canonical when it exists. */
export function checkClientPath(
  raw: string,
  env: Env,
  field: string,
): { refused: 'invalid' | 'secret'; message: string } | null {
  const problem = rawPathProblem(raw);
  if (problem) return { refused: 'invalid', message: `${field}: ${problem}` };
  if (isSecretPath(canonical(raw), env))
    return {
      refused: 'secret',
      message: `${field}: this folder holds credentials or autocoder's own data and cannot be used`,
    };
  return null;
}

function forbidden(c: Context, message: string): Response {
  return c.json({ error: { code: 'FORBIDDEN_PATH', message } }, 403);
}

function isDirEntry(dir: string, entry: Dirent): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(join(dir, entry.name)).isDirectory();
  } catch {
    return false;
  }
}

export function listDirectory(
  deps: ServerDeps,
  raw: string | undefined,
  showHidden: boolean,
): FsListResponse | { forbidden: string } {
  const input = raw === undefined || raw === '' ? userHome(deps.env) : raw;
  const problem = rawPathProblem(input);
  if (problem) throw new AppError('INVALID_INPUT', `path: ${problem}`, { details: { field: 'path' } });
  let real: string;
  try {
    real = realpathSync(input);
  } catch (err: unknown) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EACCES' || code === 'EPERM') return { forbidden: 'path: permission denied' };
    throw new AppError('NOT_FOUND', `path: ${input} does not exist`, { details: { field: 'path' } });
  }
  if (isSecretPath(real, deps.env))
    return { forbidden: "path: this folder holds credentials or autocoder's own data and cannot be browsed" };
  let entries: Dirent[];
  try {
    if (!statSync(real).isDirectory())
      throw new AppError('INVALID_INPUT', `path: ${real} is not a folder`, { details: { field: 'path' } });
    entries = readdirSync(real, { withFileTypes: true });
  } catch (err: unknown) {
    if (err instanceof AppError) throw err;
    return { forbidden: 'path: this folder cannot be read (permission denied)' };
  }
  const inConfig = basename(real) === '.config';
  const listed = entries
    .filter((e) => showHidden || !e.name.startsWith('.'))
    .filter((e) => !SECRET_NAMES.has(e.name) && !(inConfig && SECRET_CONFIG_NAMES.has(e.name)))
    .filter((e) => !isSecretPath(join(real, e.name), deps.env))
    .map((e) => ({ name: e.name, isDir: isDirEntry(real, e) }))
    .sort((a, b) => (a.isDir === b.isDir ? a.name.localeCompare(b.name) : a.isDir ? -1 : 1));
  const parent = dirname(real);
  return { path: real, parent: parent === real ? null : parent, entries: listed };
}

/** GET /api/filesystem/list: the folder picker (names only, secrets hidden). */
export const filesystemRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.get('/api/filesystem/list', (c) => {
    const q = query(c, FsListQuerySchema);
    const result = listDirectory(deps, q.path, q.showHidden === 'true');
    if ('forbidden' in result) return forbidden(c, result.forbidden);
    return c.json(result);
  });
};
