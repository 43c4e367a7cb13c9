/**
 * A synchronous PostgreSQL client, so the storage ports (src/db/ports.ts) stay synchronous on PostgreSQL as they
 * are on SQLite (issue #20, first part). A worker thread (worker.js) owns one `pg` connection; a call posts its
 * request to the worker and blocks this thread in `Atomics.wait` until the worker has posted the answer and set the
 * shared flag, then takes the answer with `receiveMessageOnPort`. A call therefore blocks the event loop for one
 * round trip to the server, exactly as a better-sqlite3 call blocks it for one file access; nothing else runs on this
 * thread meanwhile, so a synchronous transaction cannot interleave with other work and one connection per store is
 * enough.
 *
 * Why not the `synckit` package, which does the same dance: it keeps one worker per worker file for the whole
 * process and has no way to end it, while each client here needs a worker (and a connection) of its own that
 * `close()` ends and a call over its hard limit terminates. The bridge is the ~40 lines of `Bridge` below.
 *
 * Values: see pg-values.ts (bigint and numeric as numbers only when exact, json parsed, time types as text since
 * autocoder stores epoch-ms integers). Time limits: `timeoutMs` (default 30 s) is PostgreSQL's
 * `statement_timeout` and the connect timeout; the caller waits at most `timeoutMs` + 2 s for an answer, then
 * terminates the worker (which closes the connection) and the client refuses every later call. A statement the
 * server cancels for its timeout is an ordinary PgError (SQLSTATE 57014) and the client stays usable.
 */
import { performance } from 'node:perf_hooks';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { AppError, errorMessage } from '../../domain/errors.js';
import { callError, connectError, firstLine, type WorkerError } from './pg-errors.js';
import { parsePgUrl, type PgTarget } from './pg-url.js';
import { type RawResult, type RowStyle, toRows, UnsafeNumberError } from './pg-values.js';

/** What a parameter may be: pg sends arrays as PostgreSQL arrays and plain objects as JSON. */
export type SqlParam =
  string | number | bigint | boolean | null | Uint8Array | readonly unknown[] | { readonly [key: string]: unknown };

export interface PgSyncOptions {
  /** The longest one call may take, in ms (statement_timeout and connect timeout). Default 30,000. */
  readonly timeoutMs?: number;
}

export interface PgSyncClient {
  /** Runs one statement and returns its rows. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): R[];
  /** Runs one statement: its rows converted as `style` says, and how many rows it changed (or returned). */
  statement<R = Record<string, unknown>>(
    sql: string,
    params: readonly SqlParam[],
    style: RowStyle,
  ): { rows: R[]; rowCount: number };
  /** Runs one statement and returns how many rows it changed (or returned). */
  run(sql: string, params?: readonly SqlParam[]): { rowCount: number };
  /**
   * Runs a script of several statements without parameters (migrations), as one simple query: PostgreSQL runs it
   * as one transaction unless the script holds its own BEGIN/COMMIT.
   */
  exec(script: string): void;
  /**
   * BEGIN, `fn`, COMMIT on this connection; ROLLBACK and rethrow when `fn` throws. `fn` must be synchronous (a
   * returned promise is refused and rolled back) and must not open another transaction. `begin`: statements (no
   * parameters) sent with BEGIN in the same round trip, e.g. taking a lock.
   */
  transaction<T>(fn: () => T, options?: { readonly begin?: string }): T;
  readonly inTransaction: boolean;
  /** Ends the connection and the worker. Later calls throw; closing twice is harmless. */
  close(): void;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Beyond the statement timeout, how long the caller still waits: the server's cancel needs a round trip too. */
const GRACE_MS = 2_000;
/** Atomics.wait takes at most a 32-bit signed ms count in practice; no call should need more than ~24 days. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1 - GRACE_MS;
const WORKER_FILE = new URL('./worker.js', import.meta.url);

type Answer = ({ ok: true } & Partial<RawResult> & { rowCount?: number }) | { ok: false; error: WorkerError };

/** Validates the options, starts the worker and connects; throws AppError IO_ERROR naming the server when it cannot. */
export function openPgSync(url: string, options: PgSyncOptions = {}): PgSyncClient {
  const target = parsePgUrl(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new AppError('INVALID_INPUT', `timeoutMs must be a whole number of ms from 1 to ${MAX_TIMEOUT_MS}`);
  }
  return new SyncClient(target, timeoutMs);
}

/** One worker, one request at a time, the caller blocked until the answer or the hard limit. */
class Bridge {
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private lastId = 0;

  constructor() {
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.worker = new Worker(WORKER_FILE, {
      workerData: { port: channel.port2, signal: this.signal },
      transferList: [channel.port2],
    });
    // Calls never wait on the event loop, so neither the worker nor the port may keep the process alive.
    this.worker.unref();
    this.port.unref();
  }

  /** The answer, or undefined when none came within `limitMs` (the caller then ends the worker). */
  call(request: Record<string, unknown>, limitMs: number): Answer | undefined {
    const id = ++this.lastId;
    Atomics.store(this.signal, 0, 0);
    this.port.postMessage({ ...request, id });
    const deadline = performance.now() + limitMs;
    for (;;) {
      // Answers carry their request's id: one the worker sent late for an earlier request is dropped.
      for (let got = receiveMessageOnPort(this.port); got !== undefined; got = receiveMessageOnPort(this.port)) {
        const answer = got.message as Answer & { id: number };
        if (answer.id === id) return answer;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) return undefined;
      // The worker posts before it sets the flag: reset it, then look once more, so no answer slips between.
      if (Atomics.load(this.signal, 0) === 1) {
        Atomics.store(this.signal, 0, 0);
        continue;
      }
      Atomics.wait(this.signal, 0, 0, remaining);
    }
  }

  terminate(): void {
    // terminate() settles once the thread is gone; nothing waits for it (the worker is unref'd) and it cannot fail
    // in a way the caller could act on.
    this.worker.terminate().catch(() => undefined);
  }
}

class SyncClient implements PgSyncClient {
  private readonly bridge = new Bridge();
  /** Why calls are refused (closed, or stopped after the hard limit); undefined while usable. */
  private unusable: string | undefined;
  private transactionOpen = false;

  constructor(
    private readonly target: PgTarget,
    private readonly timeoutMs: number,
  ) {
    const answer = this.bridge.call({ op: 'connect', url: target.url, timeoutMs }, timeoutMs + GRACE_MS);
    if (answer === undefined || !answer.ok) {
      this.bridge.terminate();
      this.unusable = 'its connection could not be opened';
      if (answer === undefined) {
        throw new AppError(
          'IO_ERROR',
          `cannot connect to PostgreSQL at ${target.where}: no answer within ${timeoutMs + GRACE_MS} ms. ` +
            'Check the server and the database URL.',
        );
      }
      throw connectError(answer.error, target.where, target.user);
    }
  }

  get inTransaction(): boolean {
    return this.transactionOpen;
  }

  query<R = Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []): R[] {
    return this.statement<R>(sql, params, 'pg').rows;
  }

  statement<R = Record<string, unknown>>(
    sql: string,
    params: readonly SqlParam[],
    style: RowStyle,
  ): { rows: R[]; rowCount: number } {
    const answer = this.send(sql, params, false);
    try {
      return {
        rows: toRows<R>({ fields: answer.fields ?? [], rows: answer.rows ?? [] }, style),
        rowCount: answer.rowCount ?? 0,
      };
    } catch (err: unknown) {
      if (err instanceof UnsafeNumberError) throw new UnsafeNumberError(`${err.message} (in: ${firstLine(sql)})`);
      throw err;
    }
  }

  run(sql: string, params: readonly SqlParam[] = []): { rowCount: number } {
    return { rowCount: this.send(sql, params, false).rowCount ?? 0 };
  }

  exec(script: string): void {
    this.send(script, undefined, true);
  }

  transaction<T>(fn: () => T, options: { readonly begin?: string } = {}): T {
    this.assertUsable('BEGIN');
    if (this.transactionOpen) {
      throw new AppError(
        'INTERNAL',
        'transaction() called inside a transaction on the same PostgreSQL client: transactions do not nest; ' +
          'run the inner work directly in the outer transaction',
      );
    }
    if (options.begin === undefined) this.send('BEGIN', [], false);
    else {
      // One simple-query round trip: BEGIN and what must come first in the transaction. When that part fails the
      // transaction is open but aborted on the server: roll it back before the error goes on.
      try {
        this.send(`BEGIN; ${options.begin}`, undefined, true);
      } catch (err: unknown) {
        this.rollbackAfter(err);
        throw err;
      }
    }
    this.transactionOpen = true;
    let result: T;
    try {
      result = fn();
      if (isThenable(result)) {
        // Its work would run after COMMIT, outside the transaction; the promise's own failure is not ours to report.
        Promise.resolve(result).catch(() => undefined);
        throw new AppError(
          'INTERNAL',
          'the function given to transaction() returned a promise: it must be synchronous, since nothing may ' +
            'wait inside a transaction. The transaction was rolled back.',
        );
      }
    } catch (err: unknown) {
      this.transactionOpen = false;
      this.rollbackAfter(err);
      throw err;
    }
    this.transactionOpen = false;
    // A failed COMMIT (a serialization failure, say) has already ended the transaction on the server.
    this.send('COMMIT', [], false);
    return result;
  }

  close(): void {
    if (this.unusable !== undefined) return;
    this.unusable = 'it was closed';
    this.transactionOpen = false;
    try {
      // Ends the connection politely (the server rolls back an open transaction); the worker goes either way.
      this.bridge.call({ op: 'close' }, this.timeoutMs + GRACE_MS);
    } finally {
      this.bridge.terminate();
    }
  }

  private rollbackAfter(cause: unknown): void {
    if (this.unusable !== undefined) return;
    try {
      this.send('ROLLBACK', [], false);
    } catch (rollbackErr: unknown) {
      throw new AppError(
        'IO_ERROR',
        `${errorMessage(cause)}; the ROLLBACK after it failed too: ${errorMessage(rollbackErr)}`,
        { cause },
      );
    }
  }

  private assertUsable(sql: string): void {
    if (this.unusable !== undefined) {
      throw new AppError(
        'INTERNAL',
        `cannot run ${firstLine(sql)}: this PostgreSQL client (${this.target.where}) is unusable because ` +
          `${this.unusable}; open a new one`,
      );
    }
  }

  private send(sql: string, params: readonly SqlParam[] | undefined, script: boolean): Answer & { ok: true } {
    this.assertUsable(sql);
    if (typeof sql !== 'string' || sql.trim() === '') {
      throw new AppError('INVALID_INPUT', 'a PostgreSQL statement must be a non-empty string');
    }
    if (params !== undefined && !Array.isArray(params)) {
      throw new AppError('INVALID_INPUT', `the parameters of ${firstLine(sql)} must be an array`);
    }
    let answer: Answer | undefined;
    const limitMs = this.timeoutMs + GRACE_MS;
    try {
      answer = this.bridge.call({ op: 'query', sql, params, script }, limitMs);
    } catch (err: unknown) {
      if (err instanceof AppError) throw err;
      // postMessage's structured clone refused a parameter (a function, a symbol…); nothing was sent.
      throw new AppError('INVALID_INPUT', `a parameter of ${firstLine(sql)} cannot be sent: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    if (answer === undefined) {
      this.unusable = `a call got no answer within ${limitMs} ms and its worker was stopped`;
      this.transactionOpen = false;
      this.bridge.terminate();
      throw new AppError(
        'IO_ERROR',
        `PostgreSQL at ${this.target.where} did not answer ${firstLine(sql)} within ${limitMs} ms ` +
          `(statement_timeout ${this.timeoutMs} ms); the client was stopped, open a new one`,
      );
    }
    if (!answer.ok) throw callError(answer.error, this.target.where, sql);
    return answer;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
