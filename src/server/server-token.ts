import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../config/env.js';
import { autocoderHome } from '../config/paths.js';
import { AppError } from '../domain/errors.js';

/**
 * The server token: the one secret every `/api` request (but health) and every `/ws` upgrade
 * must carry, loopback included, because an agent's `curl` reaches loopback too. It lives in
 * `$AUTOCODER_HOME/server-token` (mode 0600) and reaches the browser once, in the `#token=`
 * fragment of the URL `autocoder serve` prints.
 */

/** 32 to 128 hex digits: what the file holds and what the web UI accepts from `#token=`. */
export const SERVER_TOKEN_PATTERN = /^[0-9a-f]{32,128}$/i;

export function tokenFile(env: Env): string {
  return join(autocoderHome(env), 'server-token');
}

/**
 * The address that opens the web UI (at `path`) with the token; the page keeps it for the tab and drops it from the
 * address bar.
 */
export function uiLink(baseUrl: string, token: string, path = '/'): string {
  return `${baseUrl.replace(/\/$/, '')}${path}#token=${token}`;
}

/**
 * Whether `given` is the token, in constant time: both sides are hashed first, so neither the
 * content nor the length of the given value changes how long the comparison takes.
 */
export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (given === null || given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

function readToken(file: string): string {
  const stat = lstatSync(file);
  if (!stat.isFile())
    throw new AppError(
      'IO_ERROR',
      `${file} must be a regular file holding the server token (it is a ${stat.isSymbolicLink() ? 'symbolic link' : 'special file'}); remove it and start again`,
    );
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid)
    throw new AppError(
      'IO_ERROR',
      `${file} belongs to another user (uid ${stat.uid}); remove it and start again to get a new token`,
    );
  // Readable by others: close it again. The token itself stays (it is printed with every start anyway).
  if ((stat.mode & 0o077) !== 0) chmodSync(file, 0o600);
  const token = readFileSync(file, 'utf8').trim();
  if (!SERVER_TOKEN_PATTERN.test(token))
    throw new AppError(
      'IO_ERROR',
      `${file} does not hold a server token (32-128 hex digits); remove it and start again to get a new one`,
    );
  return token;
}

/**
 * The per-install token: 32 random bytes as hex, created on first use with mode 0600 (an
 * existing file readable by others is set back to 0600). Two servers starting at once agree:
 * the token is written to a private temp file and linked into place, which fails for the
 * loser, who then reads the winner's complete file.
 */
export function loadOrCreateToken(env: Env): { token: string; created: boolean } {
  const file = tokenFile(env);
  mkdirSync(autocoderHome(env), { recursive: true });
  try {
    return { token: readToken(file), created: false };
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(32).toString('hex');
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  try {
    // The umask may have narrowed the mode, never widened it; make it exactly 0600.
    chmodSync(temp, 0o600);
    linkSync(temp, file);
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { token: readToken(file), created: false };
    throw err;
  } finally {
    rmSync(temp, { force: true });
  }
  return { token, created: true };
}
