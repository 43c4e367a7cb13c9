import { createAdaptorServer } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Hono } from 'hono';
import type { Env } from '../config/env.js';
import { autocoderHome } from '../config/paths.js';
import { createApp, type RouteModule, type ServerDeps } from './app.js';
import type { GuardOptions } from './guards.js';
import { processLauncher } from './launcher.js';
import type { RunnerLauncher } from './routes/runs.js';
import { API_ROUTES } from './routes/index.js';
import { attachWsHub } from './ws-hub.js';
import type { SpecChatStarter } from './spec-chat-socket.js';

export const DEFAULT_UI_DIR = join(import.meta.dirname, '..', '..', 'web', 'dist');
const MAX_BODY_BYTES = 1024 * 1024;
/** The longest `close` waits for spec chats to end (unanswered WebSocket closes are cut off after 1 s, Claude Code after 2–4 s). */
const SPEC_CHAT_CLOSE_MS = 10_000;

export interface StartServerOptions {
  readonly env: Env;
  readonly cwd: string;
  readonly host: string;
  readonly port: number;
  /** Required bearer token; default: none on loopback, the install token elsewhere. */
  readonly token?: string | null;
  /** Built web UI; default `web/dist` of this checkout. */
  readonly uiDir?: string;
  /** Replaces the detached `autocoder run` launcher (tests). */
  readonly launchRunner?: RunnerLauncher;
  /** WebSocket heartbeat period (default 30 s; tests shorten it). */
  readonly heartbeatMs?: number;
  /** Runs the guided spec chat behind `/ws/projects/:name/spec` (the CLI passes the Claude one). */
  readonly specChat?: SpecChatStarter;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** The token clients must send, when one is required. */
  readonly token: string | null;
  /** True when this start generated the install token (print it once). */
  readonly tokenCreated: boolean;
  /** Open WebSocket clients (not counting ones being closed). */
  readonly wsClients: () => number;
  close(): Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function tokenFile(env: Env): string {
  return join(autocoderHome(env), 'server-token');
}

/** The per-install server token: 32 random bytes as hex, created on first use with mode 0600. */
export function loadOrCreateToken(env: Env): { token: string; created: boolean } {
  const file = tokenFile(env);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 32) return { token, created: false };
  }
  mkdirSync(autocoderHome(env), { recursive: true });
  const token = randomBytes(32).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, created: true };
}

/** Host names (without port) that reach this server when bound to `host`, besides loopback. */
function extraHostsFor(host: string): string[] {
  if (isLoopbackHost(host)) return [];
  const bracket = (a: string) => (a.includes(':') ? `[${a}]` : a);
  if (host === '0.0.0.0' || host === '::' || host === '[::]') {
    const addresses = Object.values(networkInterfaces())
      .flatMap((list) => list ?? [])
      .map((i) => bracket(i.address.toLowerCase()));
    return [...new Set([hostname().toLowerCase(), ...addresses])];
  }
  return [bracket(host.replace(/^\[|\]$/g, '').toLowerCase())];
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/** `web/dist` when built (SPA fallback to index.html); otherwise an honest page listing the API. */
function staticRoutes(uiDir: string): RouteModule {
  const root = resolve(uiDir);
  const built = existsSync(join(root, 'index.html'));
  return (app: Hono) => {
    app.get('*', (c) => {
      const path = c.req.path;
      if (path.startsWith('/api/') || path === '/api' || path.startsWith('/ws/')) return c.notFound();
      if (!built) {
        if (path !== '/') return c.notFound();
        const routes = [...new Set(app.routes.filter((r) => r.path.startsWith('/api')).map((r) => `${r.method} ${r.path}`))].sort();
        const items = routes.map((r) => `<li><code>${escapeHtml(r)}</code></li>`).join('\n');
        return c.html(
          `<!doctype html><html><head><meta charset="utf-8"><title>autocoder</title></head><body>
<h1>autocoder server</h1>
<p>The web UI is not built yet (no <code>web/dist/index.html</code>). The HTTP API and the live
WebSocket (<code>/ws/projects/:name?since=&lt;id&gt;</code>) work; use them directly or the CLI.</p>
<h2>API</h2><ul>
${items}
</ul></body></html>`,
        );
      }
      let decoded: string;
      try {
        decoded = decodeURIComponent(path);
      } catch {
        return c.notFound();
      }
      const file = normalize(join(root, decoded));
      const inside = file === root || file.startsWith(root + sep);
      const target = inside && existsSync(file) && statSync(file).isFile() ? file : join(root, 'index.html');
      const type = CONTENT_TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream';
      return c.body(readFileSync(target), 200, { 'Content-Type': type });
    });
  };
}

/**
 * Starts the HTTP API, the WebSocket hub and the UI on `host:port` (port 0: any free port).
 * Binding beyond loopback requires a token (the install token unless one is given).
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  let token = options.token ?? null;
  let tokenCreated = false;
  if (token === null && !isLoopbackHost(options.host)) {
    const loaded = loadOrCreateToken(options.env);
    token = loaded.token;
    tokenCreated = loaded.created;
  }
  let app: Hono | null = null;
  const server = createAdaptorServer({
    fetch: (req: Request, env: unknown) => (app ? app.fetch(req, env) : new Response('starting', { status: 503 })),
    hostname: options.host,
  }) as Server;
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, options.host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const guard: GuardOptions = { port, extraHosts: extraHostsFor(options.host), token, maxBodyBytes: MAX_BODY_BYTES };
  const deps: ServerDeps = { env: options.env, cwd: options.cwd, guard, now: () => Date.now(), launchRunner: options.launchRunner ?? processLauncher(options.env) };
  app = createApp(deps, [...API_ROUTES, staticRoutes(options.uiDir ?? DEFAULT_UI_DIR)]);
  const hub = attachWsHub(server, { env: options.env, cwd: options.cwd, guard, ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}), ...(options.specChat ? { specChat: options.specChat } : {}) });
  const bare = options.host.replace(/^\[|\]$/g, '');
  const shownHost = bare === '0.0.0.0' || bare === '::' || bare === '::1' ? 'localhost' : bare.includes(':') ? `[${bare}]` : bare;
  const url = `http://${shownHost}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    token,
    tokenCreated,
    wsClients: hub.clients,
    close: () => {
      closing ??= new Promise<void>((resolveClose) => {
        hub.close();
        server.close(() => resolveClose());
        server.closeAllConnections();
        // Spec chats aborted by the closing sockets stop their Claude Code and remove their folders first.
      }).then(() => hub.chatsEnded(SPEC_CHAT_CLOSE_MS));
      return closing;
    },
  };
}
