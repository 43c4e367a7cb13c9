import WebSocket from 'ws';
import type { SocketFactory, SocketLike } from '../src/shared/ws/project-socket';

/**
 * `ws` behind the interface the project stream uses (jsdom has no WebSocket that reaches the real server), sending the
 * page's `origin` as a browser would. `opened` keeps every socket, so a test can cut one.
 */
export function nodeSockets(origin: string): {
  readonly create: SocketFactory;
  readonly opened: { url: string; protocols: string[]; ws: WebSocket }[];
} {
  const opened: { url: string; protocols: string[]; ws: WebSocket }[] = [];
  const create: SocketFactory = (url, protocols) => {
    const ws = new WebSocket(url, protocols, { headers: { origin } });
    const s: SocketLike = {
      onopen: null,
      onclose: null,
      onerror: null,
      onmessage: null,
      close: () => ws.close(),
      send: (d) => ws.send(d),
    };
    ws.on('open', () => s.onopen?.(undefined));
    ws.on('close', () => s.onclose?.(undefined));
    ws.on('error', () => s.onerror?.(undefined));
    ws.on('message', (data) => s.onmessage?.({ data: String(data) }));
    opened.push({ url, protocols, ws });
    return s;
  };
  return { create, opened };
}

/** nodeSockets' factory alone. */
export const nodeSocket = (origin: string): SocketFactory => nodeSockets(origin).create;
