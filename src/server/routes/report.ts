import type { Hono } from 'hono';
import { DEFAULT_REGRESSION_EVERY, metricsAssumptions } from '../../config/metrics-settings.js';
import { projectReport } from '../../report/project-report.js';
import { renderReport } from '../../report/render.js';
import { ReportQuerySchema } from '../../shared/report.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { registeredProject, withRegistry, withStore } from '../project-access.js';
import { query } from './input.js';

/**
 * GET /api/projects/{name}/report?format=md|html|json[&run=…]: the report as a download (`<project>-report.<ext>`);
 * 400 naming the field for a bad format or run.
 */
export const reportRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.get('/api/projects/:name/report', (c) => {
    const q = query(c, ReportQuerySchema);
    const { name, assumptions } = withRegistry(deps, (r) => {
      const project = registeredProject(c, r);
      return { name: project.name, assumptions: metricsAssumptions(r, project.name) };
    });
    const report = withStore(c, deps, (store) =>
      projectReport(store, {
        project: name,
        runId: q.run ?? null,
        now: deps.now(),
        assumptions,
        defaultRegressionEvery: DEFAULT_REGRESSION_EVERY,
      }),
    );
    const rendered = renderReport(report, q.format);
    return c.body(rendered.body, 200, {
      'content-type': rendered.contentType,
      'content-disposition': `attachment; filename="${rendered.filename}"`,
      'cache-control': 'no-store',
    });
  });
};
