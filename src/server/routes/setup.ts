import type { Hono } from 'hono';
import { runSetupChecks, systemProbe, withConfiguredProvider } from '../../config/setup-checks.js';
import type { SetupStatus } from '../../shared/api.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { withRegistry } from '../project-access.js';

/** GET /api/setup/status: what autocoder needs on this machine, each with how to fix it. */
export const setupRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.get('/api/setup/status', (c) => {
    const checks = runSetupChecks(withRegistry(deps, (r) => withConfiguredProvider(systemProbe(deps.env), r)));
    const result: SetupStatus = { ok: checks.every((ch) => ch.ok), checks };
    return c.json(result);
  });
};
