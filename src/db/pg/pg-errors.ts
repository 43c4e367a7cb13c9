import { AppError } from '../../domain/errors.js';

/** An error as the worker sends it across the thread boundary (src/db/pg/worker.js, `errorFields`). */
export interface WorkerError {
  readonly name: string;
  readonly message: string;
  readonly code?: string | undefined;
  readonly severity?: string | undefined;
  readonly detail?: string | undefined;
  readonly hint?: string | undefined;
  readonly constraint?: string | undefined;
  readonly fromServer: boolean;
  readonly connectionLost: boolean;
  readonly errors?: readonly WorkerError[] | undefined;
}

/**
 * A statement PostgreSQL refused. `code` is the SQLSTATE (`23505` unique violation, `57014` cancelled by the
 * statement timeout, `40001` serialization failure…), so callers can branch on it; the message names the
 * statement by its first line. The connection stays usable (a transaction in progress is rolled back by
 * `transaction`).
 */
export class PgError extends Error {
  readonly code: string;
  readonly detail: string | undefined;
  readonly constraint: string | undefined;
  readonly statement: string;

  constructor(fields: WorkerError, statement: string) {
    const extra = [fields.detail, fields.hint].filter((s): s is string => s !== undefined && s !== '');
    super(
      `PostgreSQL error ${fields.code ?? '?'}: ${fields.message}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}` +
        ` in: ${statement}`,
    );
    this.name = 'PgError';
    this.code = fields.code ?? '';
    this.detail = fields.detail;
    this.constraint = fields.constraint;
    this.statement = statement;
  }
}

/** The first non-blank line of a statement, shortened: what an error message shows of it. */
export function firstLine(sql: string): string {
  const line = sql
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  if (line === undefined) return '(empty statement)';
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** Node's socket error codes in words. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the server running and listening on that port?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset by the server',
};

/** SQLSTATEs a server sends while refusing a connection, in words. */
const CONNECT_REFUSALS: Record<string, string> = {
  '28P01': 'authentication failed (check the user and password)',
  '28000': 'authentication refused (pg_hba.conf does not allow this user, host or database)',
  '3D000': 'the database does not exist (create it first)',
  '53300': 'the server has too many connections',
  '57P03': 'the server is starting up or shutting down',
};

function reasonOf(error: WorkerError): string {
  const socketCode = error.code ?? error.errors?.find((e) => e.code !== undefined)?.code;
  if (error.fromServer && error.code !== undefined) {
    return `${CONNECT_REFUSALS[error.code] ?? error.message} [SQLSTATE ${error.code}]`;
  }
  if (socketCode !== undefined && NETWORK_REASONS[socketCode] !== undefined) {
    return `${NETWORK_REASONS[socketCode]} [${socketCode}]`;
  }
  if (/timeout/i.test(error.message)) return `timed out (${error.message})`;
  return error.message !== '' ? error.message : (error.errors?.[0]?.message ?? error.name);
}

/** A connection that could not be opened: where to (no password) and why. */
export function connectError(error: WorkerError, where: string, user: string): AppError {
  return new AppError(
    'IO_ERROR',
    `cannot connect to PostgreSQL at ${where} as ${user === '' ? 'the default user' : `"${user}"`}: ` +
      `${reasonOf(error)}. Check the server and the database URL.`,
    { details: { where, code: error.code } },
  );
}

/**
 * What a failed call becomes in the caller: an IO_ERROR for a lost connection (a server error that ended the session
 * included), a PgError for the server's refusals, and INTERNAL for what the driver refused before sending (a
 * parameter it cannot serialize).
 */
export function callError(error: WorkerError, where: string, sql: string): Error {
  // First: a server error that ended the session (FATAL, e.g. the backend was terminated) is a lost connection too.
  if (error.connectionLost) {
    return new AppError(
      'IO_ERROR',
      `lost the connection to PostgreSQL at ${where} during: ${firstLine(sql)}: ${reasonOf(error)}. ` +
        'Open a new client once the server is reachable.',
      { details: { where, ...(error.code === undefined ? {} : { sqlstate: error.code }) } },
    );
  }
  if (error.fromServer && error.code !== undefined) return new PgError(error, firstLine(sql));
  return new AppError('INTERNAL', `PostgreSQL client refused ${firstLine(sql)}: ${error.message}`);
}
