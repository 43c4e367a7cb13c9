import type { Hono } from 'hono';
import { projectPaths } from '../../config/paths.js';
import { projectStoreExists } from '../../db/store-location.js';
import { type WorkerDTO, type WorkersResponse, workerAt } from '../../shared/workers.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { withRegistry } from '../project-access.js';

/**
 * GET /api/workers: the processes working runs on the shared store (#20) — name, host, slots, heartbeat age, state
 * and, while online, the features they work on (with their names).
 */
export const workerRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.get('/api/workers', (c) => {
    const now = deps.now();
    const body: WorkersResponse = {
      workers: withRegistry(deps, (registry) => {
        const names = featureNames(deps, registry.list());
        return registry.workers().map((w): WorkerDTO => {
          const seen = workerAt(w, now);
          return { ...seen, current: seen.current.map((f) => ({ ...f, featureName: names(f.project, f.featureId) })) };
        });
      }),
    };
    return c.json(body);
  });
};

/** Looks feature names up in their projects' stores, each store once; null where it cannot. */
function featureNames(
  deps: ServerDeps,
  projects: readonly { name: string; path: string }[],
): (project: string, featureId: number) => string | null {
  const byProject = new Map<string, Map<number, string> | null>();
  return (project, featureId) => {
    let names = byProject.get(project);
    if (names === undefined) {
      names = null;
      const registered = projects.find((p) => p.name === project);
      const paths = registered === undefined ? null : projectPaths(registered.path);
      if (paths !== null && projectStoreExists(paths)) {
        try {
          const all = deps.stores.project(paths).features.list();
          names = new Map(all.map((f) => [f.id, f.name]));
        } catch {
          // A store that cannot be read now: the worker is still listed, its features without names.
          names = null;
        }
      }
      byProject.set(project, names);
    }
    return names?.get(featureId) ?? null;
  };
}
