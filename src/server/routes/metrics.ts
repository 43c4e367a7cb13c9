import type { Hono } from 'hono';
import { DEFAULT_REGRESSION_EVERY, metricsAssumptions } from '../../config/metrics-settings.js';
import { projectMetrics } from '../../metrics/project-metrics.js';
import { MetricsQuerySchema } from '../../shared/metrics.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { registeredProject, withRegistry, withStore } from '../project-access.js';
import { query } from './input.js';

/** GET /api/projects/{name}/metrics[?run=…]: the project's metrics, or one run's (400 for a run it does not have). */
export const metricsRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.get('/api/projects/:name/metrics', (c) => {
    const q = query(c, MetricsQuerySchema);
    const { name, assumptions } = withRegistry(deps, (r) => {
      const project = registeredProject(c, r);
      return { name: project.name, assumptions: metricsAssumptions(r, project.name) };
    });
    return c.json(
      withStore(c, deps, (store) =>
        projectMetrics(store, {
          project: name,
          runId: q.run ?? null,
          now: deps.now(),
          assumptions,
          defaultRegressionEvery: DEFAULT_REGRESSION_EVERY,
        }),
      ),
    );
  });
};
