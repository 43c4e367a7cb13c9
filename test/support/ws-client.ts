import WebSocket from 'ws';
import { ServerMessageSchema, type ServerMessage } from '../../src/shared/events.js';

export interface Received {
  readonly message: ServerMessage;
  /** Date.now() when the message arrived. */
  readonly receivedAt: number;
}

export interface TestSocket {
  readonly ws: WebSocket;
  readonly received: Received[];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first received message matching, waiting up to `timeoutMs`. */
  next<T extends ServerMessage>(match: (m: ServerMessage) => m is T, timeoutMs?: number): Promise<T>;
  until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens a WebSocket and parses every message with the protocol schema; rejects on a refused upgrade. */
export function openSocket(
  url: string,
  options: { headers?: Record<string, string>; protocols?: string[]; autoPong?: boolean } = {},
): Promise<TestSocket> {
  const ws = new WebSocket(url, options.protocols ?? [], {
    headers: options.headers ?? {},
    autoPong: options.autoPong ?? true,
  });
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('message', (data) => {
    received.push({ message: ServerMessageSchema.parse(JSON.parse(String(data))), receivedAt: Date.now() });
    for (const w of [...waiters]) w();
  });
  const until = (predicate: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (predicate()) return resolve();
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      waiters.add(check);
    });
  const socket: TestSocket = {
    ws,
    received,
    closed,
    async next(match, timeoutMs = 5000) {
      await until(() => received.some((r) => match(r.message)), timeoutMs, 'a matching message');
      return received.find((r) => match(r.message))!.message as never;
    },
    until,
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await closed;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (req, res) => {
      reject(Object.assign(new Error(`upgrade refused with HTTP ${res.statusCode}`), { statusCode: res.statusCode }));
      res.resume();
      req.destroy();
    });
    ws.on('error', reject);
  });
}

export const isType =
  <K extends ServerMessage['type']>(type: K) =>
  (m: ServerMessage): m is Extract<ServerMessage, { type: K }> =>
    m.type === type;
