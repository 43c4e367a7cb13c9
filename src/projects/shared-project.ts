import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { RegistryPort } from '../db/ports.js';
import { AppError } from '../domain/errors.js';

/**
 * A project shared by several machines (#20): its git remote (the integration point every worker clones and lands
 * through) and the app spec its workers are given, both kept in the registry that every machine reads.
 */

/** The registry's project setting holding the remote's URL (JSON text). */
export const REMOTE_SETTING = 'git.remote';
/** The registry's project setting holding the app spec of the project's active run, for workers (JSON text). */
export const SHARED_SPEC_SETTING = 'shared.appSpec';

/** What a remote may look like: a path, file://, ssh:// or scp-like user@host:path, http(s)://. */
const REMOTE_URL = z
  .string()
  .trim()
  .min(1, 'the remote is empty')
  .max(2048, 'the remote is longer than 2048 characters')
  // An argument git would read as an option, or a line break in a config value, is never a remote.
  .refine((u) => !u.startsWith('-'), 'a remote may not start with "-"')
  .refine(
    (u) => ![...u].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
    'a remote may not hold control characters',
  );

/**
 * The remote as git is given it: a URL with a scheme git speaks (file, ssh, git, http, https), an scp-like
 * `user@host:path`, or a path (made absolute from `cwd`; it must be an existing folder). INVALID_INPUT otherwise.
 */
export function normalizeRemote(raw: string, cwd: string): string {
  const parsed = REMOTE_URL.safeParse(raw);
  if (!parsed.success) throw invalidRemote(parsed.error.issues[0]?.message ?? 'invalid');
  const url = parsed.data;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (!['file', 'ssh', 'git', 'http', 'https'].includes(scheme))
      throw invalidRemote(`git does not speak "${scheme}://"; use ssh, https, file or a path`);
    // Every clone keeps the URL in .git/config, which the agents working there can read.
    if (URL.canParse(url) && new URL(url).password !== '')
      throw invalidRemote(
        'a password or token in the URL would be readable by the agents (every clone keeps it in .git/config); use ssh keys or a git credential helper instead',
      );
    return url;
  }
  // scp-like: [user@]host:path (no slash before the colon).
  if (/^[^/:]+:/.test(url) && !isAbsolute(url)) return url;
  const path = resolve(cwd, url);
  if (!existsSync(path) || !statSync(path).isDirectory())
    throw invalidRemote(
      `${path} is not a folder; give a git URL (ssh://…, https://…) or the path of a repository (git init --bare)`,
    );
  return path;
}

/** A refused remote, blamed on the `remote` field (the API's) and named as the CLI's option. */
function invalidRemote(why: string): AppError {
  return new AppError('INVALID_INPUT', `--remote: ${why}`, { details: { field: 'remote' } });
}

/** The project's remote, or null for a project of one machine. */
export function projectRemote(registry: Pick<RegistryPort, 'getProjectSetting'>, project: string): string | null {
  const raw = registry.getProjectSetting(project, REMOTE_SETTING);
  if (raw === undefined) return null;
  const value: unknown = JSON.parse(raw);
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The spec of the project's active run, as the owner shared it for workers (null when none was). */
export function sharedSpec(registry: Pick<RegistryPort, 'getProjectSetting'>, project: string): string | null {
  const raw = registry.getProjectSetting(project, SHARED_SPEC_SETTING);
  if (raw === undefined) return null;
  const value: unknown = JSON.parse(raw);
  return typeof value === 'string' ? value : null;
}
