import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Env } from '../config/env.js';
import type { ProjectPaths } from '../config/paths.js';
import type { StoreCache } from '../db/store-location.js';
import { PROJECT_NAME_PATTERN, resolveProject } from '../projects/projects.js';
import { ClientMessageSchema, WS_TOKEN_PROTOCOL_PREFIX, type ServerMessage } from '../shared/events.js';
import { buildSnapshot, EventTail, eventsBetween, type TailBatchItem, type TailListener } from './event-tail.js';
import { allowedHosts, originAllowed, unauthorizedMessage, type GuardOptions } from './guards.js';
import { bearerToken, tokenMatches } from './server-token.js';
import { serveSpecChat, type SpecChatStarter } from './spec-chat-socket.js';
import { AppError } from '../domain/errors.js';
import type { Logger } from '../logging/logger.js';

/** A client whose unsent data grows beyond this is too slow: it is closed with 1013 (try again later). */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const HEARTBEAT_MS = 30_000;
const SLOW_CLIENT_GRACE_MS = 5_000;
const PATH = /^\/ws\/projects\/([^/]+)$/;
const SPEC_PATH = /^\/ws\/projects\/([^/]+)\/spec$/;

export interface WsHubOptions {
  readonly env: Env;
  readonly cwd: string;
  readonly guard: GuardOptions;
  /** The server's stores (the registry and each project's, opened once). */
  readonly stores: StoreCache;
  readonly heartbeatMs?: number;
  /** Serves the guided spec chat at `/ws/projects/:name/spec` when given. */
  readonly specChat?: SpecChatStarter;
  /** Where a socket closed for a server-side failure is logged with its cause. */
  readonly logger?: Logger;
}

export interface WsHub {
  /** Number of open clients (not closing), for tests and diagnostics. */
  readonly clients: () => number;
  close(): void;
  /** Resolves when every spec chat has ended (after `close` aborted them), or after `ms`. */
  chatsEnded(ms: number): Promise<void>;
}

function reject(socket: Duplex, status: number, reason: string, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroy();
}

/**
 * The token from `Authorization: Bearer` or, for browsers (which cannot set headers on a WebSocket), the subprotocol.
 */
function tokenOf(req: IncomingMessage): string | null {
  const fromHeader = bearerToken(req.headers.authorization);
  if (fromHeader !== null) return fromHeader;
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const carried = protocols.find((p) => p.startsWith(WS_TOKEN_PROTOCOL_PREFIX));
  return carried ? carried.slice(WS_TOKEN_PROTOCOL_PREFIX.length) : null;
}

/**
 * `WS /ws/projects/:name[?since=<id>]` on the HTTP server's `upgrade` event, behind the same
 * Host/Origin/token checks as the REST API (the token is required, loopback included). Sends
 * a snapshot, the events the client missed since `since`, then live messages from the
 * project's shared {@link EventTail}.
 */
export function attachWsHub(server: Server, options: WsHubOptions): WsHub {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => [...protocols].find((p) => p.startsWith(WS_TOKEN_PROTOCOL_PREFIX)) ?? false,
  });
  const tails = new Map<string, EventTail>();
  const hosts = allowedHosts(options.guard);
  const alive = new WeakMap<WebSocket, boolean>();
  /** Spec chat connections not over yet (see serveSpecChat). */
  const chats = new Set<Promise<void>>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const host = (req.headers.host ?? '').toLowerCase();
    if (!hosts.has(host)) return reject(socket, 403, 'Forbidden', `Host "${host}" is not this server`);
    const origin = req.headers.origin;
    if (!originAllowed(origin, options.guard))
      return reject(socket, 403, 'Forbidden', 'cross-origin WebSocket connections are not accepted');
    if (!tokenMatches(tokenOf(req), options.guard.token))
      return reject(socket, 401, 'Unauthorized', unauthorizedMessage(options.guard));
    const url = new URL(req.url ?? '/', 'http://localhost');
    const specMatch = SPEC_PATH.exec(url.pathname);
    if (specMatch) {
      const starter = options.specChat;
      if (!starter) return reject(socket, 404, 'Not Found', 'this server does not run spec chats');
      const name = decodeURIComponent(specMatch[1]!);
      const paths = projectOf(name);
      if (!paths) return reject(socket, 404, 'Not Found', `no project named "${name}"`);
      wss.handleUpgrade(req, socket, head, (ws) => {
        alive.set(ws, true);
        ws.on('pong', () => alive.set(ws, true));
        ws.on('error', () => ws.terminate());
        const chat = serveSpecChat(
          ws,
          name,
          paths,
          starter,
          () => options.stores.project(paths).events,
          options.logger,
        );
        chats.add(chat);
        void chat.finally(() => chats.delete(chat));
      });
      return undefined;
    }
    const match = PATH.exec(url.pathname);
    if (!match) return reject(socket, 404, 'Not Found', `no WebSocket endpoint at ${url.pathname}`);
    const name = decodeURIComponent(match[1]!);
    const sinceRaw = url.searchParams.get('since');
    const since = sinceRaw === null ? null : Number(sinceRaw);
    if (since !== null && (!Number.isSafeInteger(since) || since < 0))
      return reject(socket, 400, 'Bad Request', '"since" must be an event id (a whole number ≥ 0)');
    const paths = projectOf(name);
    if (!paths) return reject(socket, 404, 'Not Found', `no project named "${name}"`);
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws, name, paths, since));
    return undefined;
  };

  const projectOf = (name: string): ProjectPaths | null => {
    if (!PROJECT_NAME_PATTERN.test(name)) return null;
    try {
      return resolveProject(options.stores.registry().registry, name, options.cwd).paths;
    } catch (err: unknown) {
      // Answered as an unknown project (404); when the registry itself failed, the log keeps why.
      if (!(err instanceof AppError && err.code === 'NOT_FOUND'))
        options.logger?.warn({ err, project: name }, 'cannot look up the project of a WebSocket');
      return null;
    }
  };

  const connect = (ws: WebSocket, name: string, paths: ProjectPaths, since: number | null) => {
    let tail = tails.get(name);
    try {
      if (!tail) {
        // Polled ten times a second: a failure that persists is logged once, not on every poll.
        let lastFailure = '';
        tail = new EventTail(
          () => options.stores.project(paths),
          undefined,
          (err: unknown) => {
            const why = err instanceof Error ? err.message : String(err);
            if (why === lastFailure) return;
            lastFailure = why;
            options.logger?.warn(
              { err, project: name },
              'reading the project events failed; retrying on the next poll',
            );
          },
          // PostgreSQL wakes the tail when events commit (LISTEN/NOTIFY); SQLite is polled.
          (wake) => options.stores.watch(paths, wake),
        );
        tails.set(name, tail);
      }
    } catch (err: unknown) {
      options.logger?.error({ err, project: name }, 'WebSocket closed: cannot open the project database');
      ws.close(1011, 'cannot open the project database');
      return;
    }
    const projectTail = tail;
    let delivered = 0;
    const send = (message: ServerMessage): boolean => {
      if (ws.readyState !== WebSocket.OPEN) return false;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.close(1013, 'client too slow; reconnect with ?since=');
        // A client that reads nothing never completes the close handshake: cut it off.
        setTimeout(() => ws.terminate(), SLOW_CLIENT_GRACE_MS).unref();
        return false;
      }
      ws.send(JSON.stringify(message));
      return true;
    };
    const deliver = (items: readonly TailBatchItem[]) => {
      for (const item of items) {
        if (item.id <= delivered) continue;
        for (const m of item.messages) if (!send(m)) return;
        delivered = item.id;
      }
    };
    const listener: TailListener = deliver;
    try {
      // All synchronous: no tail poll can interleave between the snapshot and the listener.
      const store = projectTail.store();
      const snapshot = buildSnapshot(store);
      send(snapshot);
      if (since !== null && since < snapshot.lastEventId) {
        delivered = since;
        deliver(eventsBetween(store, since, snapshot.lastEventId));
      }
      delivered = snapshot.lastEventId;
      projectTail.add(listener);
    } catch (err: unknown) {
      options.logger?.error({ err, project: name }, 'WebSocket closed: cannot read the project database');
      ws.close(1011, 'cannot read the project database');
      releaseTail(name, projectTail, listener);
      return;
    }
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        return;
      }
      const msg = ClientMessageSchema.safeParse(parsed);
      if (msg.success && msg.data.type === 'ping') send({ type: 'pong' });
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => releaseTail(name, projectTail, listener));
  };

  const releaseTail = (name: string, tail: EventTail, listener: TailListener) => {
    if (tail.remove(listener) && tails.get(name) === tail) {
      tails.delete(name);
      tail.close();
    }
  };

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();

  server.on('upgrade', onUpgrade);
  return {
    clients: () => [...wss.clients].filter((ws) => ws.readyState === WebSocket.OPEN).length,
    close: () => {
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      // Clients that do not answer the close handshake promptly are cut off.
      const clients = [...wss.clients];
      setTimeout(() => clients.forEach((ws) => ws.terminate()), 1000).unref();
      for (const tail of tails.values()) tail.close();
      tails.clear();
      wss.close();
    },
    chatsEnded: async (ms) => {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
      await Promise.race([Promise.all([...chats]), limit]);
      clearTimeout(timer);
    },
  };
}
