import { ServerMessageSchema, WS_TOKEN_PROTOCOL_PREFIX, type ServerMessage } from '@shared/events';

/** The subset of the WebSocket API the stream needs (the browser's, or `ws` in tests). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  close(): void;
  send(data: string): void;
}
export type SocketFactory = (url: string, protocols: string[]) => SocketLike;

export interface ProjectSocketOptions {
  /** ws:// or wss:// origin of the server, e.g. `ws://127.0.0.1:8888`. */
  readonly origin: string;
  readonly project: string;
  readonly token?: string | null;
  readonly create: SocketFactory;
  /** Latest event id the caller holds; a reconnect resumes after it. Read at each connect. */
  readonly cursor: () => number;
  readonly onMessage: (msg: ServerMessage) => void;
  readonly onConnected: (connected: boolean) => void;
  /** Delay before reconnect attempt `n` (0-based); default 250 ms doubling up to 5 s. */
  readonly backoffMs?: (attempt: number) => number;
}

export const defaultBackoff = (attempt: number): number => Math.min(5_000, 250 * 2 ** attempt);

/**
 * One project's live stream that survives drops: on close it reconnects with
 * `?since=<last event id>`, so the server replays exactly what was missed. Messages that do not
 * parse with the shared schema are dropped (and counted), never cast.
 */
export class ProjectSocket {
  private socket: SocketLike | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private closed = false;
  /** Messages that failed the schema (visible to tests and the dev tools). */
  rejected = 0;
  connects = 0;

  constructor(private readonly o: ProjectSocketOptions) {
    this.open();
  }

  url(): string {
    const cursor = this.o.cursor();
    return `${this.o.origin}/ws/projects/${encodeURIComponent(this.o.project)}${cursor > 0 ? `?since=${cursor}` : ''}`;
  }

  private open(): void {
    if (this.closed) return;
    const protocols = this.o.token ? [`${WS_TOKEN_PROTOCOL_PREFIX}${this.o.token}`] : [];
    let socket: SocketLike;
    try {
      socket = this.o.create(this.url(), protocols);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.connects += 1;
    socket.onopen = () => {
      this.attempt = 0;
      this.o.onConnected(true);
    };
    socket.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let raw: unknown;
      try {
        raw = JSON.parse(ev.data);
      } catch {
        this.rejected += 1;
        return;
      }
      const parsed = ServerMessageSchema.safeParse(raw);
      if (parsed.success) this.o.onMessage(parsed.data);
      else this.rejected += 1;
    };
    socket.onerror = () => undefined; // a close follows; reconnect happens there
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.o.onConnected(false);
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer) return;
    const delay = (this.o.backoffMs ?? defaultBackoff)(this.attempt);
    this.attempt += 1;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open();
    }, delay);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    s?.close();
  }
}
