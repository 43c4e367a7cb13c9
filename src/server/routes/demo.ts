import type { Hono } from 'hono';
import { projectPaths } from '../../config/paths.js';
import { demoProjectFor, DEMO_RUN_REQUEST } from '../../demo/create-demo-project.js';
import { activeRun } from '../../projects/run-control.js';
import { DemoRequestSchema, type DemoResponse } from '../../shared/api.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { storeAt, withRegistry } from '../project-access.js';
import { blameField, body } from './input.js';
import { existingStore, projectSummary } from './projects.js';
import { runStatus } from './runs.js';

/**
 * POST /api/demo: the "Try the demo" button. Creates the demo project (as `autocoder demo` does), or with `reuse`
 * runs the existing one again or replaces it with a fresh copy, and starts its run with the demo model (scripted, no
 * AI), like the Start button. A run of it already active is not started twice: the response carries its state.
 */
export const demoRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.post('/api/demo', async (c) => {
    const req = await body(c, DemoRequestSchema);
    const { project, outcome } = withRegistry(deps, (registry) =>
      blameField('name', () =>
        demoProjectFor(registry, deps.env, {
          name: req.name,
          cwd: deps.cwd,
          reuse: req.reuse,
          activeRunPid: (p) => {
            const store = existingStore(deps, p.path);
            return (store ? activeRun(store.runs) : null)?.pid ?? null;
          },
          // The server lets go of the old project's database before its folder is deleted.
          release: (p) => deps.stores.forget(p.path),
        }),
      ),
    );
    const paths = projectPaths(project.path);
    const store = storeAt(deps, project.name, paths);
    let run = runStatus(store);
    if (activeRun(store.runs) === null) {
      const { pid } = deps.launchRunner({ name: project.name, paths }, DEMO_RUN_REQUEST);
      // The runner records itself a moment after it starts; until then the run is `starting` (and not the last one).
      run = {
        ...run,
        status: 'starting',
        runId: null,
        pid,
        startedAt: null,
        lastEndReason: null,
        agents: [],
        settings: { ...DEMO_RUN_REQUEST },
      };
    }
    const result: DemoResponse = { project: projectSummary(deps, project), run, outcome };
    return c.json(result, outcome === 'again' ? 200 : 201);
  });
};
