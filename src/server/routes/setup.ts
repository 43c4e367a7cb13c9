import type { Hono } from 'hono';
import {
  checkCredentials,
  runSetupChecks,
  systemProbe,
  withConfiguredProvider,
  withProjectProvider,
} from '../../config/setup-checks.js';
import { DEMO_MODEL } from '../../shared/runs.js';
import type { ProjectSetup, SetupStatus } from '../../shared/api.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { registeredProject, withRegistry } from '../project-access.js';

/**
 * GET /api/setup/status: what autocoder needs on this machine, each with how to fix it.
 * GET /api/projects/{name}/setup: whether a Start of the project (with its default model) would reach a model; the
 * Start dialog asks before starting, so a run without credentials is not started into a certain failure.
 */
export const setupRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.get('/api/setup/status', (c) => {
    const checks = runSetupChecks(withRegistry(deps, (r) => withConfiguredProvider(systemProbe(deps.env), r)));
    const result: SetupStatus = { ok: checks.every((ch) => ch.ok), checks };
    return c.json(result);
  });

  app.get('/api/projects/:name/setup', (c) => {
    const result = withRegistry(deps, (r): ProjectSetup => {
      const project = registeredProject(c, r);
      const { probe, model } = withProjectProvider(systemProbe(deps.env), r, project.name);
      const credentials = checkCredentials(probe);
      const demoModel = model === DEMO_MODEL;
      return { model, demoModel, credentials, ready: demoModel || credentials.ok };
    });
    return c.json(result);
  });
};
