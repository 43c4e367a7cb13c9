import type { Context } from 'hono';
import { projectPaths, type ProjectPaths } from '../config/paths.js';
import type { ProjectStore, RegisteredProject, RegistryPort } from '../db/ports.js';
import { AppError } from '../domain/errors.js';
import { PROJECT_NAME_PATTERN, resolveProject } from '../projects/projects.js';
import type { ServerDeps } from './app.js';

/**
 * How routes reach the stores: through the server's store cache (src/db/stores.ts, wired by
 * the server's entry point), which opens the registry and each project's store once and keeps
 * them, so a request never opens a database.
 */

/** Runs `fn` with the registry. */
export function withRegistry<T>(deps: ServerDeps, fn: (registry: RegistryPort) => T): T {
  return fn(deps.stores.registry().registry);
}

/** Runs `fn` in one immediate registry transaction: several settings change together or not at all. */
export function inRegistryTransaction<T>(deps: ServerDeps, fn: (registry: RegistryPort) => T): T {
  return deps.stores.registry().transaction(fn);
}

/** The `name` path parameter, checked, with its registry entry (400 when malformed, 404 when unknown). */
export function registeredProject(c: Context, registry: RegistryPort): RegisteredProject {
  const name = c.req.param('name') ?? '';
  if (!PROJECT_NAME_PATTERN.test(name)) {
    throw new AppError('INVALID_INPUT', `name: "${name.slice(0, 80)}" is not a valid project name`, {
      details: { field: 'name' },
    });
  }
  const project = registry.find(name);
  if (!project)
    throw new AppError('NOT_FOUND', `no project named "${name}" is registered`, { details: { project: name } });
  return project;
}

/** The store of the project at `paths` from the cache; NOT_FOUND naming the project when it has no database. */
export function storeAt(deps: ServerDeps, name: string, paths: ProjectPaths): ProjectStore {
  try {
    return deps.stores.project(paths);
  } catch (err: unknown) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') {
      throw new AppError(
        'NOT_FOUND',
        `project "${name}" has no database at ${paths.database}; the folder is gone or was never set up`,
      );
    }
    throw err;
  }
}

/**
 * The store of the project named by the `name` path parameter (400 when malformed, 404 when unknown or without a
 * database).
 */
export function withStore<T>(c: Context, deps: ServerDeps, fn: (store: ProjectStore) => T): T {
  const project = withRegistry(deps, (r) => registeredProject(c, r));
  return fn(storeAt(deps, project.name, projectPaths(project.path)));
}

/**
 * The store of the project `name` (a registered name; 400 when malformed, 404 when unknown, its folder gone or without
 * a database).
 */
export function withProjectStore<T>(
  deps: ServerDeps,
  name: string,
  fn: (store: ProjectStore, projectName: string) => T,
): T {
  if (!PROJECT_NAME_PATTERN.test(name)) throw new AppError('INVALID_INPUT', `"${name}" is not a valid project name`);
  const resolved = withRegistry(deps, (r) => resolveProject(r, name, deps.cwd));
  return fn(deps.stores.project(resolved.paths), name);
}
