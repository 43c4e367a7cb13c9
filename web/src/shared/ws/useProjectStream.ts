import { useEffect, useReducer, useRef } from 'react';
import type { ServerMessage } from '@shared/events';
import { serverToken } from '../api/token';
import { ProjectSocket, type SocketFactory, type SocketLike } from './project-socket';
import { initialStreamState, reduceStream, type StreamState } from './stream-state';

type Action = { kind: 'message'; msg: ServerMessage } | { kind: 'connected'; value: boolean } | { kind: 'reset' };

function reducer(state: StreamState, action: Action): StreamState {
  if (action.kind === 'reset') return initialStreamState;
  if (action.kind === 'connected')
    return state.connected === action.value ? state : { ...state, connected: action.value };
  return reduceStream(state, action.msg);
}

/** The browser's WebSocket behind the small interface the stream uses. */
const browserSocket: SocketFactory = (url, protocols) => {
  const ws = new WebSocket(url, protocols);
  const socket: SocketLike = {
    onopen: null,
    onclose: null,
    onerror: null,
    onmessage: null,
    close: () => ws.close(),
    send: (data) => ws.send(data),
  };
  ws.onopen = (e) => socket.onopen?.(e);
  ws.onclose = (e) => socket.onclose?.(e);
  ws.onerror = (e) => socket.onerror?.(e);
  ws.onmessage = (e: MessageEvent) => socket.onmessage?.({ data: e.data });
  return socket;
};

export interface StreamOptions {
  /** Called for every message after it is folded in (used to refresh queries, celebrate). */
  readonly onMessage?: (msg: ServerMessage) => void;
  readonly createSocket?: SocketFactory;
  /** ws origin; default: this page's host. */
  readonly origin?: string;
}

/** Live state of a project from `WS /ws/projects/:name`, reconnecting and resuming by itself. */
export function useProjectStream(project: string, options: StreamOptions = {}): StreamState {
  const [state, dispatch] = useReducer(reducer, initialStreamState);
  const cursor = useRef(0);
  const onMessage = useRef(options.onMessage);
  onMessage.current = options.onMessage;
  const createSocket = options.createSocket ?? browserSocket;
  const origin = options.origin ?? `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}`;

  useEffect(() => {
    cursor.current = 0;
    dispatch({ kind: 'reset' });
    const socket = new ProjectSocket({
      origin,
      project,
      token: serverToken(),
      create: createSocket,
      cursor: () => cursor.current,
      onConnected: (value) => dispatch({ kind: 'connected', value }),
      onMessage: (msg) => {
        if (msg.type === 'snapshot') cursor.current = Math.max(cursor.current, msg.lastEventId);
        else if (msg.type !== 'pong') cursor.current = Math.max(cursor.current, msg.id);
        dispatch({ kind: 'message', msg });
        onMessage.current?.(msg);
      },
    });
    return () => socket.close();
  }, [project, origin, createSocket]);

  return state;
}
