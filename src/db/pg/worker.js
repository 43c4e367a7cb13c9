// The worker thread behind src/db/pg/sync-client.ts: it owns one `pg` connection and answers one request at a time.
// It is plain JavaScript on purpose: it must load the same way under vitest, under the CLI (tsx) and under plain
// node, and a `.ts` worker would need tsx's loader inside the thread (slower to start, one more way to break). So it
// is only a transport: every value comes back as PostgreSQL's text (rowMode 'array', no type parsing here), with the
// field types; the typed caller converts, validates and shapes errors. Protocol (see sync-client.ts): the caller posts
// `{ op, id, ... }` on `port`, then blocks in Atomics.wait on `signal[0]`; this thread posts exactly one answer with
// the same id on `port`, then sets `signal[0] = 1` and notifies. Every path must answer, or the caller waits until its
// hard limit.
import process from 'node:process';
import { setImmediate } from 'node:timers';
import { workerData } from 'node:worker_threads';
import pg from 'pg';

/** @type {{ port: import('node:worker_threads').MessagePort, signal: Int32Array }} */
const { port, signal } = workerData;

/** Values stay PostgreSQL's text: the caller converts them with the field types (sync-client.ts). */
const RAW_TYPES = { getTypeParser: () => (/** @type {string} */ value) => value };

/** @type {pg.Client | undefined} */
let client;
/** Why the connection is gone (set by the client's 'error' event, e.g. the server closed it while idle). */
/** @type {unknown} */
let lost;

function answer(/** @type {unknown} */ message) {
  port.postMessage(message);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

/** The fields of an error that cross the thread boundary: a plain object (DatabaseError's own fields included). */
function errorFields(/** @type {unknown} */ err) {
  const e = /** @type {Record<string, unknown>} */ (err ?? {});
  const nested = Array.isArray(e.errors) ? e.errors.map(errorFields) : undefined;
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: err instanceof Error ? err.message : String(err),
    code: typeof e.code === 'string' ? e.code : undefined,
    severity: typeof e.severity === 'string' ? e.severity : undefined,
    detail: typeof e.detail === 'string' ? e.detail : undefined,
    hint: typeof e.hint === 'string' ? e.hint : undefined,
    constraint: typeof e.constraint === 'string' ? e.constraint : undefined,
    // A DatabaseError comes from the server; anything else (a socket error, a refused connection) from the client.
    fromServer: err instanceof pg.DatabaseError,
    // Whether the connection is gone after this error (a refused parameter leaves it usable; a cut socket does not).
    connectionLost: lost !== undefined,
    errors: nested,
  };
}

async function connect(/** @type {{ url: string, timeoutMs: number }} */ request) {
  const next = new pg.Client({
    connectionString: request.url,
    connectionTimeoutMillis: request.timeoutMs,
    statement_timeout: request.timeoutMs,
    application_name: 'autocoder',
    types: RAW_TYPES,
  });
  // Without a listener an idle connection's error would crash this thread; the next request reports it instead.
  next.on('error', (err) => {
    lost = err;
  });
  next.on('end', () => {
    lost ??= new Error('the server closed the connection');
  });
  await next.connect();
  client = next;
  return { ok: true };
}

async function query(/** @type {{ sql: string, params: unknown[] | undefined, script: boolean }} */ request) {
  if (client === undefined) throw new Error('not connected');
  if (lost !== undefined) {
    throw new Error(`the connection is closed: ${lost instanceof Error ? lost.message : String(lost)}`);
  }
  if (request.script) {
    // The simple query protocol: several statements, no parameters (migrations).
    await client.query(request.sql);
    return { ok: true, fields: [], rows: [], rowCount: 0 };
  }
  // The extended protocol even without parameters: exactly one statement, never a script smuggled into a query.
  const result = await client.query({
    text: request.sql,
    values: request.params ?? [],
    rowMode: 'array',
    queryMode: 'extended',
  });
  return {
    ok: true,
    fields: result.fields.map((f) => ({ name: f.name, type: f.dataTypeID })),
    rows: result.rows,
    rowCount: result.rowCount ?? 0,
  };
}

async function close() {
  const closing = client;
  client = undefined;
  if (closing !== undefined && lost === undefined) await closing.end();
  return { ok: true };
}

/** The id of the request being served: its answer carries it, so the caller can never take one for another. */
/** @type {number | undefined} */
let pending;

function reply(/** @type {number} */ id, /** @type {Record<string, unknown>} */ message) {
  if (pending !== id) return;
  pending = undefined;
  answer({ id, ...message });
}

port.on('message', (/** @type {{ op: string, id: number } & Record<string, unknown>} */ request) => {
  pending = request.id;
  const handle =
    request.op === 'connect'
      ? connect(/** @type {never} */ (request))
      : request.op === 'query'
        ? query(/** @type {never} */ (request))
        : request.op === 'close'
          ? close()
          : Promise.reject(new Error(`unknown request ${request.op}`));
  // Settle first: the client's 'error'/'end' events of a cut connection are emitted before its query rejects, but
  // give them one more turn so `connectionLost` is right.
  handle.then(
    (result) => reply(request.id, result),
    (err) => {
      // The server ends the session after a FATAL (or PANIC) error, e.g. its backend was terminated while answering:
      // the connection is gone now, whether or not the socket's own events have come yet (they may come after the
      // next request, which would then be sent down the dead socket).
      if (err instanceof pg.DatabaseError && (err.severity === 'FATAL' || err.severity === 'PANIC')) lost ??= err;
      setImmediate(() => reply(request.id, { ok: false, error: errorFields(err) }));
    },
  );
});

// A fault outside any request's promise (a bug in a driver callback) would otherwise leave the caller blocked until
// its hard limit: answer the pending request with it; the connection is treated as gone.
for (const event of ['uncaughtException', 'unhandledRejection']) {
  process.on(event, (err) => {
    lost ??= err;
    if (pending !== undefined) reply(pending, { ok: false, error: errorFields(err) });
  });
}
