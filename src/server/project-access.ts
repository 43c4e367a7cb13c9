import { openProjectStore, openRegistry, type ProjectStore } from '../db/stores.js';
import type { Env } from '../config/env.js';
import { AppError } from '../domain/errors.js';
import { PROJECT_NAME_PATTERN, resolveProject } from '../projects/projects.js';

/** Opens a registered project's store for one request. */
export function withProjectStore<T>(env: Env, cwd: string, name: string, fn: (store: ProjectStore, projectName: string) => T): T {
  if (!PROJECT_NAME_PATTERN.test(name)) throw new AppError('INVALID_INPUT', `"${name}" is not a valid project name`);
  const reg = openRegistry(env);
  let store: ProjectStore;
  try {
    const resolved = resolveProject(reg.registry, name, cwd);
    store = openProjectStore(resolved.paths, { create: false });
  } finally {
    reg.close();
  }
  try {
    return fn(store, name);
  } finally {
    store.close();
  }
}
