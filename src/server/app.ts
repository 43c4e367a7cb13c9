import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { Env } from '../config/env.js';
import type { StoreCache } from '../db/store-location.js';
import type { Logger } from '../logging/logger.js';
import type { BrowserWatchHub } from '../browser-view/watch-hub.js';
import type { PreviewManager } from '../preview/preview-manager.js';
import { errorResponse } from './http-errors.js';
import { type GuardOptions, securityGuards } from './guards.js';
import { registerRunRoutes, type RunnerLauncher } from './routes/runs.js';
import type { CheckpointLauncher, DesignReviewLauncher } from './launcher.js';

export interface ServerDeps {
  readonly env: Env;
  readonly cwd: string;
  readonly guard: GuardOptions;
  readonly now: () => number;
  /** The registry and the projects' stores, opened once and kept (closed with the server). */
  readonly stores: StoreCache;
  /** Starts a detached `autocoder run` for a project (the server never runs agents itself). */
  readonly launchRunner: RunnerLauncher;
  /** Starts a detached `autocoder checkpoint` (POST …/checkpoints with no run active). */
  readonly launchCheckpoint?: CheckpointLauncher;
  /** Starts a detached `autocoder design-review` (POST …/design/reviews with no run active). */
  readonly launchDesignReview?: DesignReviewLauncher;
  /** The live views of agents' browsers: one capture per watched session, stopped with its last watcher. */
  readonly browserViews: BrowserWatchHub;
  /** The projects' app previews (Open the app): at most one each, all stopped when the server closes. */
  readonly previews: PreviewManager;
  /** Every 5xx with its cause, every request at debug. */
  readonly logger: Logger;
}

/** Route modules register themselves here; each validates its input with src/shared schemas. */
export type RouteModule = (app: Hono, deps: ServerDeps) => void;

/**
 * The HTTP API. Every request gets an id (the `X-Request-Id` header, kept when the client sent a
 * valid one) before the security guards run; errors are mapped and logged in one place.
 */
export function createApp(deps: ServerDeps, modules: readonly RouteModule[] = []): Hono {
  const app = new Hono();
  app.use('*', requestId());
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    deps.logger.debug(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });
  app.use('*', securityGuards(deps.guard));
  app.onError((err, c) => errorResponse(c, err, deps.logger));
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.get('/api/health', (c) => c.json({ status: 'healthy' }));
  registerRunRoutes(app, deps);
  for (const register of modules) register(app, deps);
  return app;
}
