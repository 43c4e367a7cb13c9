import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../config/env.js';
import { defaultProjectsDir, projectPaths } from '../config/paths.js';
import { settingStorageKey } from '../config/user-settings.js';
import type { RegisteredProject, RegistryPort } from '../db/ports.js';
import { AppError } from '../domain/errors.js';
import { assertProjectName, createProject, removeProject } from '../projects/projects.js';
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
 * The project setting that marks a project as one `autocoder demo` (or "Try the demo") created: only such a project
 * is run again or replaced by a fresh copy, never a project of the person's that happens to be named "demo".
 */
export const DEMO_MARKER_KEY = 'demo.project';

/** What to do when the demo project exists already: run it again, or replace it with a fresh copy. */
export type DemoReuse = 'again' | 'fresh';
/** What became of the request: a new demo project, the existing one to run again, or a fresh copy in its place. */
export type DemoOutcome = 'created' | 'again' | 'fresh';

export function isDemoProject(registry: RegistryPort, name: string): boolean {
  return registry.getProjectSetting(name, DEMO_MARKER_KEY) !== undefined;
}

/**
 * The existing demo project: with `name`, that project if it is a demo; without, "demo" if it is one, else the first
 * registered demo project (e.g. demo-2, made when a project of the person's had the name "demo").
 */
export function findDemoProject(registry: RegistryPort, name?: string): RegisteredProject | undefined {
  const wanted = name ?? DEFAULT_DEMO_NAME;
  const named = registry.find(wanted);
  if (named && isDemoProject(registry, named.name)) return named;
  if (name !== undefined) return undefined;
  return registry.list().find((p) => isDemoProject(registry, p.name));
}

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
      registry.setProjectSetting(project.name, DEMO_MARKER_KEY, JSON.stringify(true));
      return project;
    } catch (err: unknown) {
      if (!(err instanceof AppError && err.code === 'DUPLICATE') || tries >= 5) throw err;
    }
  }
}

/**
 * The demo project for "Try the demo" and `autocoder demo`: a new one when there is none; otherwise the existing one,
 * run again (`reuse: "again"`) or replaced by a fresh copy under the same name (`reuse: "fresh"`, which deletes its
 * folder, refused while a run of it is active). Without `reuse` an existing demo is a CONFLICT naming it (field
 * "reuse"), so the caller can ask the person which one they want instead of adding demo-2, demo-3…
 * `release` lets go of anything holding the old project's database before its folder is deleted.
 */
export function demoProjectFor(
  registry: RegistryPort,
  env: Env,
  options: {
    name?: string | undefined;
    cwd: string;
    reuse?: DemoReuse | undefined;
    activeRunPid: (project: RegisteredProject) => number | null;
    release?: (project: RegisteredProject) => void;
  },
): { project: RegisteredProject; outcome: DemoOutcome } {
  const existing = findDemoProject(registry, options.name);
  if (existing === undefined)
    return { project: createDemoProject(registry, env, { name: options.name, cwd: options.cwd }), outcome: 'created' };
  if (options.reuse === undefined) {
    throw new AppError(
      'CONFLICT',
      `the demo project "${existing.name}" exists already: run it again (reuse "again") or replace it with a fresh copy (reuse "fresh")`,
      { details: { field: 'reuse', project: existing.name } },
    );
  }
  if (options.reuse === 'again') return { project: existing, outcome: 'again' };
  const pid = options.activeRunPid(existing);
  if (pid !== null) {
    throw new AppError(
      'CONFLICT',
      `a run of ${existing.name} is active (pid ${pid}); stop it (\`autocoder stop ${existing.name}\`) before replacing it with a fresh copy`,
      { details: { field: 'reuse', project: existing.name } },
    );
  }
  options.release?.(existing);
  removeProject(registry, existing.name, true, env);
  return { project: createDemoProject(registry, env, { name: existing.name, cwd: options.cwd }), outcome: 'fresh' };
}
