import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../config/env.js';
import { defaultProjectsDir, projectPaths } from '../config/paths.js';
import { settingStorageKey } from '../config/user-settings.js';
import type { RegisteredProject, RegistryPort } from '../db/ports.js';
import { AppError } from '../domain/errors.js';
import { assertProjectName, createProject } from '../projects/projects.js';
import { DEMO_MODEL, type RunStartRequest } from '../shared/runs.js';
import { DEMO_SPEC } from './demo-spec.js';

export const DEFAULT_DEMO_NAME = 'demo';

/**
 * How a demo run is started (CLI and API alike): the demo model, and no browser verification
 * (the scripted model checks its work with `node --test` only).
 */
export const DEMO_RUN_REQUEST: RunStartRequest = { model: DEMO_MODEL, yolo: true };

const MAX_SUFFIX = 999;

/**
 * The first free name among `base`, `base-2`, `base-3`, …: free means not registered and no
 * folder of that name in the projects folder. The base is shortened when a suffix would make
 * the name longer than the 64 characters a project name may have.
 */
export function chooseDemoName(base: string, isTaken: (name: string) => boolean): string {
  assertProjectName(base);
  if (!isTaken(base)) return base;
  for (let n = 2; n <= MAX_SUFFIX; n += 1) {
    const suffix = `-${n}`;
    const name = `${base.slice(0, 64 - suffix.length)}${suffix}`;
    if (!isTaken(name)) return name;
  }
  throw new AppError(
    'CONFLICT',
    `${base} and ${base}-2 … ${base}-${MAX_SUFFIX} are all taken; remove some demo projects (\`autocoder remove <name> --delete-files\`) or choose another --name`,
  );
}

/**
 * Creates the demo project: `<projects folder>/<name>` with git, `.autocoder/`, the demo app
 * spec, and the project settings `defaultModel: demo` (so Start in the UI runs the demo model
 * again) and `yolo: true`. Returns the registered project; starting its run is the caller's.
 */
export function createDemoProject(
  registry: RegistryPort,
  env: Env,
  options: { name?: string | undefined; cwd: string },
): RegisteredProject {
  const dir = defaultProjectsDir(env);
  const base = options.name ?? DEFAULT_DEMO_NAME;
  const taken = (name: string) => registry.find(name) !== undefined || existsSync(join(dir, name));
  // Two requests at once may pick the same name; the loser moves on to the next one.
  for (let tries = 0; ; tries += 1) {
    const name = chooseDemoName(base, taken);
    try {
      const project = createProject(registry, { name, dir: join(dir, name), cwd: options.cwd, env });
      writeFileSync(projectPaths(project.path).spec, DEMO_SPEC);
      registry.setProjectSetting(project.name, settingStorageKey('defaultModel'), JSON.stringify(DEMO_MODEL));
      // The demo model has no reviewer script yet, and a checkpoint's audit would ask the npm registry: no checkpoints.
      registry.setProjectSetting(project.name, settingStorageKey('checkpointInterval'), JSON.stringify(0));
      registry.setProjectSetting(project.name, settingStorageKey('yolo'), JSON.stringify(true));
      return project;
    } catch (err: unknown) {
      if (!(err instanceof AppError && err.code === 'DUPLICATE') || tries >= 5) throw err;
    }
  }
}
