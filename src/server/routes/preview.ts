import type { Context, Hono } from 'hono';
import { projectPaths } from '../../config/paths.js';
import { previewConfinement } from '../../preview/preview-setup.js';
import { answeredSecretsRedactor } from '../../projects/human-input.js';
import { PreviewStartRequestSchema } from '../../shared/preview.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { registeredProject, storeAt, withRegistry } from '../project-access.js';
import { body } from './input.js';

/**
 * The app preview ("Open the app"): `GET` its state (also of one a terminal's `autocoder preview` started), `POST`
 * starts it from main and answers once it listens (the running one when it runs already), `DELETE` stops it, whoever
 * started it. The server's previews stop when it closes (the preview manager).
 */
export const previewRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  const path = '/api/projects/:name/preview';
  const projectOf = (c: Context) => {
    const project = withRegistry(deps, (r) => registeredProject(c, r));
    return { name: project.name, paths: projectPaths(project.path) };
  };

  app.get(path, (c) => c.json(deps.previews.state(projectOf(c).paths)));

  app.post(path, async (c) => {
    const req = await body(c, PreviewStartRequestSchema);
    const project = projectOf(c);
    const store = storeAt(deps, project.name, project.paths);
    const state = await deps.previews.start(project.paths, () => {
      const confinement = withRegistry(deps, (r) => previewConfinement(r, project, deps.env));
      if (confinement.warning) deps.logger.warn({ project: project.name }, confinement.warning);
      return {
        env: deps.env,
        sandbox: confinement.sandbox,
        hiddenPaths: confinement.hiddenPaths,
        // The app's environment holds no provider secret; what people answered (its .env) is masked in its log.
        redact: answeredSecretsRedactor(store.humanInput, project.paths),
        ...(req.port === undefined ? {} : { port: req.port }),
      };
    });
    return c.json(state);
  });

  app.delete(path, async (c) => c.json(await deps.previews.stop(projectOf(c).paths)));
};
