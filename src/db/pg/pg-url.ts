import { z } from 'zod';
import { AppError } from '../../domain/errors.js';

/** A validated PostgreSQL URL and what error messages may say about it (never the password). */
export interface PgTarget {
  /** The URL as given, password included: handed to the driver only, never put in a message. */
  readonly url: string;
  /** `host:port/database` for messages. */
  readonly where: string;
  readonly user: string;
}

const PgUrlSchema = z
  .url({ protocol: /^postgres(ql)?$/, error: 'expected a URL like postgres://user:password@host:5432/database' })
  // zod runs refinements after a failed format check too: an unparsable URL is left to that check's message.
  .refine((url) => !URL.canParse(url) || new URL(url).hostname !== '' || new URL(url).searchParams.has('host'), {
    error: 'the URL names no host (postgres://user:password@host:5432/database)',
  });

/**
 * `postgres://user:***@host/db`: the URL as it may appear in a message. Only a URL with a host shows: there the
 * password is a field of its own to hide; in anything else (`user:pw@host` parses as scheme `user:`) it could be
 * anywhere.
 */
export function redactedUrl(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || parsed.host === '') return '(not a URL)';
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

/**
 * Validates a `postgres://` or `postgresql://` URL. The driver (pg) reads the rest (sslmode, options); this only
 * refuses what cannot work and names the target for messages: a missing port is 5432, a missing database is the
 * user's name (PostgreSQL's own defaults).
 */
export function parsePgUrl(url: string): PgTarget {
  const result = PgUrlSchema.safeParse(url);
  if (!result.success) {
    throw new AppError(
      'INVALID_INPUT',
      `invalid PostgreSQL URL ${redactedUrl(url)}: ${result.error.issues[0]?.message ?? 'not a URL'}`,
    );
  }
  const parsed = new URL(result.data);
  const user = decodeURIComponent(parsed.username);
  const host = parsed.hostname !== '' ? parsed.hostname : (parsed.searchParams.get('host') ?? '');
  const port = parsed.port !== '' ? parsed.port : '5432';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user;
  return { url: result.data, where: `${host}:${port}/${database}`, user };
}
