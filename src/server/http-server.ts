import { createAdaptorServer } from '@hono/node-server';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Hono } from 'hono';
import type { Env } from '../config/env.js';
import { createBrowserViews } from '../browser-view/browser-views.js';
import { openStoreCache } from '../db/store-location.js';
import { createPreviewManager } from '../preview/preview-manager.js';
import { AppError } from '../domain/errors.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { createApp, type RouteModule, type ServerDeps } from './app.js';
import type { GuardOptions } from './guards.js';
import {
  processCheckpointLauncher,
  processDesignLauncher,
  processLauncher,
  type CheckpointLauncher,
  type DesignReviewLauncher,
} from './launcher.js';
import type { RunnerLauncher } from './routes/runs.js';
import { API_ROUTES } from './routes/index.js';
import { loadOrCreateToken, SERVER_TOKEN_PATTERN, tokenFile, uiLink } from './server-token.js';
import { attachWsHub } from './ws-hub.js';
import type { SpecChatStarter } from './spec-chat-socket.js';

export const DEFAULT_UI_DIR = join(import.meta.dirname, '..', '..', 'web', 'dist');
const MAX_BODY_BYTES = 1024 * 1024;
/**
 * The longest `close` waits for spec chats to end (unanswered WebSocket closes are cut off after 1 s, Claude Code after
 * 2–4 s).
 */
const SPEC_CHAT_CLOSE_MS = 10_000;

export interface StartServerOptions {
  readonly env: Env;
  readonly cwd: string;
  readonly host: string;
  readonly port: number;
  /**
   * The token every `/api` and `/ws` request must carry (32-128 hex digits); default: the install token of
   * `$AUTOCODER_HOME/server-token`.
   */
  readonly token?: string;
  /** Built web UI; default `web/dist` of this checkout. */
  readonly uiDir?: string;
  /** Replaces the detached `autocoder run` launcher (tests). */
  readonly launchRunner?: RunnerLauncher;
  readonly launchCheckpoint?: CheckpointLauncher;
  readonly launchDesignReview?: DesignReviewLauncher;
  /** WebSocket heartbeat period (default 30 s; tests shorten it). */
  readonly heartbeatMs?: number;
  /** Runs the guided spec chat behind `/ws/projects/:name/spec` (the CLI passes the Claude one). */
  readonly specChat?: SpecChatStarter;
  /** Where failed requests (every 5xx with its cause) and, at debug, every request are logged; default: nowhere. */
  readonly logger?: Logger;
}

export interface RunningServer {
  readonly url: string;
  /** `url` with `#token=…`: what `serve` prints and `--open` opens. */
  readonly uiUrl: string;
  readonly port: number;
  /** The token every client must send (loopback included). */
  readonly token: string;
  /** True when this start generated the install token. */
  readonly tokenCreated: boolean;
  /** Open WebSocket clients (not counting ones being closed). */
  readonly wsClients: () => number;
  /** Agents' browsers watched now, and the captures connected to them (none once nobody watches). */
  readonly browserViews: () => { readonly sessions: number; readonly captures: number };
  close(): Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
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
        const routes = [
          ...new Set(app.routes.filter((r) => r.path.startsWith('/api')).map((r) => `${r.method} ${r.path}`)),
        ].sort();
        const items = routes.map((r) => `<li><code>${escapeHtml(r)}</code></li>`).join('\n');
        return c.html(
          `<!doctype html><html><head><meta charset="utf-8"><title>autocoder</title></head><body>
<h1>autocoder server</h1>
<p>The web UI is not built yet (no <code>web/dist/index.html</code>). The HTTP API and the live
WebSocket (<code>/ws/projects/:name?since=&lt;id&gt;</code>) work; use them directly (with
<code>Authorization: Bearer &lt;token&gt;</code>, the token from <code>$AUTOCODER_HOME/server-token</code>) or the CLI.</p>
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
 * Every `/api` request (but health) and every `/ws` upgrade needs the token, on loopback too:
 * the agents run on this machine and may reach loopback.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  if (options.token !== undefined && !SERVER_TOKEN_PATTERN.test(options.token))
    throw new AppError('INVALID_INPUT', 'the server token must be 32-128 hex digits');
  const loaded =
    options.token !== undefined ? { token: options.token, created: false } : loadOrCreateToken(options.env);
  const token = loaded.token;
  const tokenCreated = loaded.created;
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
  const guard: GuardOptions = {
    port,
    extraHosts: extraHostsFor(options.host),
    token,
    tokenFile: tokenFile(options.env),
    maxBodyBytes: MAX_BODY_BYTES,
  };
  // The server's composition root for storage: the registry and each project's store are opened once, closed with the
  // server.
  const logger = options.logger ?? silentLogger();
  const stores = openStoreCache(options.env, {
    onWatchError: (err) => logger.warn({ err }, 'the live view lost PostgreSQL; reconnecting'),
  });
  const deps: ServerDeps = {
    env: options.env,
    cwd: options.cwd,
    guard,
    now: () => Date.now(),
    stores,
    launchRunner: options.launchRunner ?? processLauncher(options.env),
    launchCheckpoint: options.launchCheckpoint ?? processCheckpointLauncher(options.env),
    launchDesignReview: options.launchDesignReview ?? processDesignLauncher(options.env),
    browserViews: createBrowserViews({
      onError: (key, err) => logger.debug({ err, session: key.split('\n')[1] }, 'browser view: could not connect yet'),
    }),
    previews: createPreviewManager(logger),
    logger,
  };
  app = createApp(deps, [...API_ROUTES, staticRoutes(options.uiDir ?? DEFAULT_UI_DIR)]);
  const hub = attachWsHub(server, {
    env: options.env,
    cwd: options.cwd,
    guard,
    stores,
    logger,
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.specChat ? { specChat: options.specChat } : {}),
  });
  const bare = options.host.replace(/^\[|\]$/g, '');
  const shownHost =
    bare === '0.0.0.0' || bare === '::' || bare === '::1' ? 'localhost' : bare.includes(':') ? `[${bare}]` : bare;
  const url = `http://${shownHost}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    uiUrl: uiLink(url, token),
    port,
    token,
    tokenCreated,
    wsClients: hub.clients,
    browserViews: () => deps.browserViews.counts(),
    close: () => {
      closing ??= new Promise<void>((resolveClose) => {
        hub.close();
        server.close(() => resolveClose());
        server.closeAllConnections();
        // Spec chats aborted by the closing sockets stop their Claude Code and remove their folders first.
      })
        .then(() => hub.chatsEnded(SPEC_CHAT_CLOSE_MS))
        // Live browser views end with the server: no connection to an agent's browser outlives it.
        .then(() => deps.browserViews.close())
        // Every app preview it started stops with it: no app it opened outlives it.
        .then(() => deps.previews.close())
        .finally(() => stores.close());
      return closing;
    },
  };
}
