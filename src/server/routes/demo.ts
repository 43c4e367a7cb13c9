import type { Hono } from 'hono';
import { projectPaths } from '../../config/paths.js';
import { createDemoProject, DEMO_RUN_REQUEST } from '../../demo/create-demo-project.js';
import { DemoRequestSchema, type DemoResponse } from '../../shared/api.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { storeAt, withRegistry } from '../project-access.js';
import { blameField, body } from './input.js';
import { projectSummary } from './projects.js';
import { runStatus } from './runs.js';

/**
 * POST /api/demo: the "Try the demo" button. Creates the demo project (as `autocoder demo`
 * does) and starts its run with the demo model (scripted, no AI), like the Start button.
 */
export const demoRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.post('/api/demo', async (c) => {
    const req = await body(c, DemoRequestSchema);
    const project = withRegistry(deps, (registry) =>
      blameField('name', () => createDemoProject(registry, deps.env, { name: req.name, cwd: deps.cwd })),
    );
    const paths = projectPaths(project.path);
    const { pid } = deps.launchRunner({ name: project.name, paths }, DEMO_RUN_REQUEST);
    let run = runStatus(storeAt(deps, project.name, paths));
    // The runner records itself a moment after it starts; until then the run is `starting`.
    if (run.runId === null) run = { ...run, status: 'starting', pid, settings: { ...DEMO_RUN_REQUEST } };
    const result: DemoResponse = { project: projectSummary(deps, project), run };
    return c.json(result, 201);
  });
};
