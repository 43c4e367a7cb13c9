import type { Hono } from 'hono';
import { projectPaths } from '../../config/paths.js';
import { openProjectStore } from '../../db/stores.js';
import { createDemoProject, DEMO_RUN_REQUEST } from '../../demo/create-demo-project.js';
import { DemoRequestSchema, type DemoResponse } from '../../shared/api.js';
import type { RunStatus } from '../../shared/runs.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { blameField, body } from './input.js';
import { projectSummary, withRegistry } from './projects.js';
import { runStatus } from './runs.js';

/**
 * POST /api/demo: the "Try the demo" button. Creates the demo project (as `autocoder demo`
 * does) and starts its run with the demo model (scripted, no AI), like the Start button.
 */
export const demoRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.post('/api/demo', async (c) => {
    const req = await body(c, DemoRequestSchema);
    const project = withRegistry(deps, (registry) => blameField('name', () => createDemoProject(registry, deps.env, { name: req.name, cwd: deps.cwd })));
    const paths = projectPaths(project.path);
    const { pid } = deps.launchRunner({ name: project.name, paths }, DEMO_RUN_REQUEST);
    const store = openProjectStore(paths, { create: false });
    let run: RunStatus;
    try {
      run = runStatus(store.db, paths);
    } finally {
      store.close();
    }
    // The runner records itself a moment after it starts; until then the run is `starting`.
    if (run.runId === null) run = { ...run, status: 'starting', pid, settings: { ...DEMO_RUN_REQUEST } };
    const result: DemoResponse = { project: projectSummary(project), run };
    return c.json(result, 201);
  });
};
