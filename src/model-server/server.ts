import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Conversation, readConversation, type ToolResultView } from './conversation.js';
import { messageJson, type Reply, reply, sseEvents } from './reply.js';

/** Decides the assistant's next message from the conversation so far. */
export type Script = (conversation: Conversation) => Reply | Promise<Reply>;

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: Record<string, unknown> }
  /** Destroys the socket half-way through the streamed reply. */
  | { kind: 'cut' }
  /** Sends an SSE `error` event (overloaded) mid-stream. */
  | { kind: 'sse_error' };

export interface FaultRule {
  readonly fault: Fault;
  /** Only requests the predicate accepts get the fault (default: every main-loop request). */
  readonly when?: (conversation: Conversation) => boolean;
  /** How many matching requests get it (default 1). */
  times?: number;
}

export interface RequestRecord {
  readonly at: number;
  readonly durationMs: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly model: string;
  readonly stream: boolean;
  readonly turn: number;
  readonly sideCall: boolean;
  readonly toolNames: readonly string[];
  readonly prompt: string;
  readonly lastToolResults: readonly ToolResultView[];
  readonly fault: Fault['kind'] | null;
  /**
   * How the client authenticated: the Authorization header, else `x-api-key: …`, else null (tests check which
   * credential arrived).
   */
  readonly auth: string | null;
}

export interface ScriptedModelServer {
  readonly url: string;
  readonly requests: RequestRecord[];
  /** Adds a fault for upcoming requests. */
  inject(rule: FaultRule): void;
  /** Resolves with the first main-loop request (as it arrives) that matches, or rejects after `timeoutMs`. */
  waitForRequest(match: (conversation: Conversation) => boolean, timeoutMs: number): Promise<Conversation>;
  /** Total wall time spent answering requests (to subtract from harness timings). */
  busyMs(): number;
  close(): Promise<void>;
}

const SIDE_CALL_REPLY = (conv: Conversation): Reply => {
  const format = (conv.raw.output_config as { format?: { type?: string } } | undefined)?.format;
  return reply()
    .text(format?.type === 'json_schema' ? JSON.stringify({ title: 'Scripted session' }) : 'Scripted session')
    .tokens({ input_tokens: 50, output_tokens: 5 });
};

/**
 * A local HTTP server that speaks the Anthropic Messages API (streaming and JSON) and answers
 * from a script. Used by tests and by the credential-free demo; it never calls out anywhere.
 */
export async function startScriptedModelServer(
  script: Script,
  options: { port?: number; host?: string } = {},
): Promise<ScriptedModelServer> {
  const requests: RequestRecord[] = [];
  const rules: FaultRule[] = [];
  const arrivals = new EventEmitter();
  arrivals.setMaxListeners(100);
  let busy = 0;

  const takeFault = (conv: Conversation): Fault | null => {
    if (conv.isSideCall) return null;
    const rule = rules.find((r) => (r.times ?? 1) > 0 && (r.when ? r.when(conv) : true));
    if (!rule) return null;
    rule.times = (rule.times ?? 1) - 1;
    return rule.fault;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const record = (status: number, conv: Conversation | null, fault: Fault['kind'] | null) => {
      const durationMs = Date.now() - started;
      busy += durationMs;
      requests.push({
        at: started,
        durationMs,
        method: req.method ?? '',
        path,
        status,
        model: conv?.model ?? '',
        stream: conv?.stream ?? false,
        turn: conv?.turn ?? -1,
        sideCall: conv?.isSideCall ?? false,
        toolNames: conv?.toolNames ?? [],
        prompt: conv?.prompt ?? '',
        lastToolResults: conv?.lastToolResults ?? [],
        fault,
        auth:
          typeof req.headers.authorization === 'string'
            ? req.headers.authorization
            : typeof req.headers['x-api-key'] === 'string'
              ? `x-api-key: ${req.headers['x-api-key']}`
              : null,
      });
    };
    if (req.method !== 'POST' || path !== '/v1/messages') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `no route ${path}` } }));
      record(404, null, null);
      return;
    }
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    const conv = readConversation(body);
    if (!conv.isSideCall) arrivals.emit('request', conv);
    const fault = takeFault(conv);
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers }).end(
        JSON.stringify(
          fault.body ?? {
            type: 'error',
            error: { type: fault.status === 529 ? 'overloaded_error' : 'api_error', message: 'injected fault' },
          },
        ),
      );
      record(fault.status, conv, 'status');
      return;
    }
    let answer: Reply;
    try {
      answer = conv.isSideCall ? SIDE_CALL_REPLY(conv) : await script(conv);
    } catch (err: unknown) {
      const message = err instanceof Error ? err.message : String(err);
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: `script failed: ${message}` } }));
      record(500, conv, null);
      return;
    }
    const model = conv.model || 'scripted-model';
    if (!conv.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(messageJson(answer, model)));
      record(200, conv, fault?.kind ?? null);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const events = sseEvents(answer, model);
    if (fault?.kind === 'cut') {
      // Destroy only once the partial stream is flushed: destroying right away discards the
      // buffered headers and events, and the client sees a refused request, not a cut stream.
      res.write(events.slice(0, 3).join(''), () => res.destroy());
      record(200, conv, 'cut');
      return;
    }
    if (fault?.kind === 'sse_error') {
      res.write(events.slice(0, 2).join(''));
      res.end(
        `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'injected overload' } })}\n\n`,
      );
      record(200, conv, 'sse_error');
      return;
    }
    res.end(events.join(''));
    record(200, conv, null);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'error',
          error: { type: 'invalid_request_error', message: err instanceof Error ? err.message : String(err) },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject: (rule) => rules.push({ ...rule }),
    waitForRequest: (match, timeoutMs) =>
      new Promise<Conversation>((resolve, reject) => {
        const timer = setTimeout(() => {
          arrivals.off('request', listener);
          reject(new Error(`no matching model request within ${timeoutMs} ms`));
        }, timeoutMs);
        function listener(conv: Conversation) {
          if (!match(conv)) return;
          clearTimeout(timer);
          arrivals.off('request', listener);
          resolve(conv);
        }
        arrivals.on('request', listener);
      }),
    busyMs: () => busy,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
