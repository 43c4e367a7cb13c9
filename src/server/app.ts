import { Hono } from 'hono';
import type { Env } from '../config/env.js';
import type { StoreCache } from '../db/stores.js';
import { errorResponse } from './http-errors.js';
import { type GuardOptions, securityGuards } from './guards.js';
import { registerRunRoutes, type RunnerLauncher } from './routes/runs.js';

export interface ServerDeps {
  readonly env: Env;
  readonly cwd: string;
  readonly guard: GuardOptions;
  readonly now: () => number;
  /** The registry and the projects' stores, opened once and kept (closed with the server). */
  readonly stores: StoreCache;
  /** Starts a detached `autocoder run` for a project (the server never runs agents itself). */
  readonly launchRunner: RunnerLauncher;
}

/** Route modules register themselves here; each validates its input with src/shared schemas. */
export type RouteModule = (app: Hono, deps: ServerDeps) => void;

/** The HTTP API. Every route sits behind the security guards; errors are mapped in one place. */
export function createApp(deps: ServerDeps, modules: readonly RouteModule[] = []): Hono {
  const app = new Hono();
  app.use('*', securityGuards(deps.guard));
  app.onError((err, c) => errorResponse(c, err));
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.get('/api/health', (c) => c.json({ status: 'healthy' }));
  registerRunRoutes(app, deps);
  for (const register of modules) register(app, deps);
  return app;
}
