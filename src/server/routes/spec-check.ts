import type { Hono } from 'hono';
import { appSpecTemplate, validateAppSpec } from '../../spec/validate-app-spec.js';
import { SpecCheckRequestSchema, type SpecCheck, type SpecTemplate } from '../../shared/api.js';
import type { RouteModule } from '../app.js';
import { body } from './input.js';

/**
 * The app spec checker and template without a project: the New project dialog checks the spec as it is typed (the
 * same check that runs when the project is created) and inserts the template.
 */
export const specCheckRoutes: RouteModule = (app: Hono) => {
  app.post('/api/spec/check', async (c) => {
    const req = await body(c, SpecCheckRequestSchema);
    const check = validateAppSpec(req.spec);
    const result: SpecCheck = {
      ok: check.ok,
      problems: check.problems,
      projectName: check.projectName,
      featureCount: check.featureCount,
    };
    return c.json(result);
  });

  app.get('/api/spec/template', (c) => {
    const result: SpecTemplate = { template: appSpecTemplate() };
    return c.json(result);
  });
};
