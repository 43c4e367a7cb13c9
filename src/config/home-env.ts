import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../domain/errors.js';
import type { Env } from './env.js';
import { readEnvFile } from './env-file.js';
import { autocoderHome } from './paths.js';

/**
 * `$AUTOCODER_HOME/.env`: the user's own environment for autocoder, as AutoCoder-2 users keep a harness `.env` beside
 * it (provider variables, ENABLE_SUPERVISORY_AGENT, PROGRESS_N8N_WEBHOOK_URL…). Its values rank below the real
 * environment (a variable set in the shell wins) and, being environment, above the saved settings. Only this file:
 * an app project's `.env` is the app's, agents write it, and it never configures autocoder (docs/security.md).
 */
export const HOME_ENV_FILE = '.env';

/** Keys the file cannot set: they decide where the file itself is, so they come from the real environment only. */
const NOT_FROM_FILE = new Set(['AUTOCODER_HOME']);

/** What was read, for `autocoder doctor` (key names only: values may be secrets). */
export interface HomeEnvInfo {
  readonly file: string;
  readonly exists: boolean;
  /** Keys whose value now comes from the file. */
  readonly used: readonly string[];
  /** Keys in the file a real environment variable overrides. */
  readonly overridden: readonly string[];
  /** Keys the file may not set (AUTOCODER_HOME). */
  readonly ignored: readonly string[];
}

export const homeEnvFile = (env: Env): string => join(autocoderHome(env), HOME_ENV_FILE);

/**
 * Refuses a file others may read or write, as ssh refuses a private key that is too open: it may hold a provider's
 * token, and a file others can write could turn the sandbox off. Also refuses a symlink or anything not a regular file.
 */
function checkPrivate(file: string): void {
  const st = lstatSync(file);
  if (!st.isFile())
    throw new AppError(
      'INVALID_INPUT',
      `${file} is not a regular file; autocoder reads its .env only from a plain file`,
    );
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0)
    throw new AppError(
      'INVALID_INPUT',
      `permissions 0${mode.toString(8)} for ${file} are too open: it may hold credentials and configures autocoder, so it must be readable by you only. Fix: chmod 600 ${file}`,
    );
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new AppError('INVALID_INPUT', `${file} belongs to another user (uid ${st.uid}); Fix: chown $(id -u) ${file}`);
}

/** The environment with `$AUTOCODER_HOME/.env` underneath it, and what was read. Throws for a file that is too open. */
export function withHomeEnv(env: Env): { env: Env; info: HomeEnvInfo } {
  const file = homeEnvFile(env);
  if (!fileExists(file)) return { env, info: { file, exists: false, used: [], overridden: [], ignored: [] } };
  checkPrivate(file);
  const values = readEnvFile(file);
  const fromFile: Record<string, string> = {};
  const used: string[] = [];
  const overridden: string[] = [];
  const ignored: string[] = [];
  for (const [key, value] of values) {
    if (NOT_FROM_FILE.has(key)) ignored.push(key);
    else if (env[key] !== undefined) overridden.push(key);
    else {
      fromFile[key] = value;
      used.push(key);
    }
  }
  return { env: { ...fromFile, ...env }, info: { file, exists: true, used, overridden, ignored } };
}

function fileExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
