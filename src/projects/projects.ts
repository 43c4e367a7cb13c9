import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  realpathSync,
} from 'node:fs';
import { ensureGitignored } from './gitignore.js';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, parse, relative, resolve } from 'node:path';
import type { RegisteredProject, RegistryPort } from '../db/ports.js';
import { DATABASE_URL_VAR, databaseUrl, dropProjectStore, initProjectStore } from '../db/store-location.js';
import { attachRemote, publishProjectStart, type GitRemote } from '../git/remote.js';
import { noPromptEnv } from '../config/env.js';
import { normalizeRemote, REMOTE_SETTING } from './shared-project.js';
import { AppError } from '../domain/errors.js';
import { gitInit, gitTopLevel } from '../git/git.js';
import { autocoderHome, PROJECT_DATA_DIR, projectPaths, type ProjectPaths } from '../config/paths.js';
import type { Env } from '../config/env.js';

export const PROJECT_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface ResolvedProject {
  /** The registered name, or null for a project addressed by path that is not registered. */
  readonly name: string | null;
  readonly paths: ProjectPaths;
}

export function assertProjectName(name: string): void {
  if (!PROJECT_NAME_PATTERN.test(name)) {
    throw new AppError(
      'INVALID_INPUT',
      `"${name}" is not a valid project name: use 1-64 characters, lowercase letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. "todo-app")`,
    );
  }
}

export interface NewProjectInput {
  readonly name: string;
  /** Folder for the project; default `<cwd>/<name>`. Created when missing. */
  readonly dir?: string | undefined;
  /** An app spec to copy to `.autocoder/app_spec.txt`. */
  readonly specFile?: string | undefined;
  readonly cwd: string;
  /** Names `$AUTOCODER_HOME` and the home folder, which no project may hold. */
  readonly env: Env;
  /**
   * The project's git remote, for a project shared by several machines through PostgreSQL (#20): the folder becomes a
   * clone of it (of its main, when it has one; else its first commit is pushed there).
   */
  readonly remote?: string | undefined;
}

/**
 * Creates (or adopts) a folder as a project: git repository, `.autocoder/` (git-ignored) with
 * its database, the spec if given, and a registry entry. Everything that can be refused is
 * checked before anything is written.
 */
export function createProject(registry: RegistryPort, input: NewProjectInput): RegisteredProject {
  assertProjectName(input.name);
  const root = resolve(input.cwd, input.dir ?? input.name);
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new AppError('INVALID_INPUT', `${root} exists and is not a folder; choose another --dir`);
  }
  assertHoldsNoControlFolder(root, input.env);
  const spec = input.specFile === undefined ? undefined : readSpec(resolve(input.cwd, input.specFile));
  assertNotRegistered(registry, input.name, root);
  const remote = input.remote === undefined ? null : sharedRemote(input.remote, input.cwd, input.env);
  if (remote !== null && existsSync(root) && readdirSync(root).length > 0)
    throw new AppError(
      'INVALID_INPUT',
      `${root} is not empty; a project with --remote is a new clone of the remote: choose an empty or new --dir`,
    );
  mkdirSync(root, { recursive: true });
  return adopt(registry, input.name, realpathSync(root), spec, input.env, remote);
}

/**
 * A remote for a new shared project: well formed, readable, and only where PostgreSQL shares the store. A refusal
 * names the `remote` field itself: the API would otherwise blame the folder (`path`), and the New project dialog
 * would show it under the wrong field.
 */
function sharedRemote(raw: string, cwd: string, env: Env): GitRemote {
  if (databaseUrl(env) === undefined)
    throw new AppError(
      'INVALID_INPUT',
      `--remote shares a project between machines through PostgreSQL: set ${DATABASE_URL_VAR} (or give --database) too`,
      { details: { field: 'remote' } },
    );
  return { url: normalizeRemote(raw, cwd), env: noPromptEnv(env) };
}

/** Registers an existing folder as a project (initialising git and `.autocoder/` if needed). */
export function importProject(
  registry: RegistryPort,
  name: string,
  path: string,
  cwd: string,
  env: Env,
): RegisteredProject {
  assertProjectName(name);
  const root = resolve(cwd, path);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new AppError(
      'NOT_FOUND',
      `${root} is not an existing folder; to start a new project use \`autocoder new ${name} --dir ${path}\``,
    );
  }
  const real = realpathSync(root);
  assertHoldsNoControlFolder(real, env);
  assertNotRegistered(registry, name, real);
  const top = gitTopLevel(real);
  if (top !== null && realpathSync(top) !== real) {
    // Agents commit, branch and land in the project's repository: never in one it only sits inside.
    throw new AppError(
      'INVALID_INPUT',
      `${real} is inside the git repository ${top}; import ${top} itself, or make ${real} a repository of its own first (git init)`,
    );
  }
  return adopt(registry, name, real, undefined, env);
}

/**
 * Removes the registry entry; with `deleteFiles`, also the project folder itself and its store (a PostgreSQL store's
 * schema too: `env` gives the URL).
 */
export function removeProject(registry: RegistryPort, name: string, deleteFiles: boolean, env: Env): RegisteredProject {
  const project = registry.find(name);
  if (!project) throw new AppError('NOT_FOUND', `no project named "${name}" is registered; see \`autocoder list\``);
  if (deleteFiles) assertSafeToDelete(project.path);
  if (deleteFiles && existsSync(project.path)) dropProjectStore(projectPaths(project.path), env);
  registry.remove(name);
  if (deleteFiles) rmSync(project.path, { recursive: true, force: true });
  return project;
}

/** A registered name, or a path to a folder that holds an autocoder project. */
export function resolveProject(registry: RegistryPort, nameOrPath: string, cwd: string): ResolvedProject {
  const byName = PROJECT_NAME_PATTERN.test(nameOrPath) ? registry.find(nameOrPath) : undefined;
  if (byName) {
    if (!existsSync(byName.path)) {
      throw new AppError(
        'NOT_FOUND',
        `project "${byName.name}" is registered at ${byName.path}, but that folder no longer exists; \`autocoder remove ${byName.name}\` forgets it`,
      );
    }
    return { name: byName.name, paths: projectPaths(byName.path) };
  }
  const looksLikePath = isAbsolute(nameOrPath) || nameOrPath.startsWith('.') || nameOrPath.includes('/');
  const root = resolve(cwd, nameOrPath);
  if (looksLikePath && existsSync(join(root, PROJECT_DATA_DIR))) {
    const real = realpathSync(root);
    return { name: registry.findByPath(real)?.name ?? null, paths: projectPaths(real) };
  }
  throw new AppError(
    'NOT_FOUND',
    looksLikePath
      ? `${root} is not an autocoder project (no ${PROJECT_DATA_DIR}/ folder); register it with \`autocoder import <name> ${nameOrPath}\``
      : `no project named "${nameOrPath}" is registered; see \`autocoder list\`, or create it with \`autocoder new ${nameOrPath}\``,
  );
}

function adopt(
  registry: RegistryPort,
  name: string,
  root: string,
  spec: string | undefined,
  env: Env,
  remote: GitRemote | null = null,
): RegisteredProject {
  // A folder inside another repository gets its own (else the runner would work in the outer one).
  const top = gitTopLevel(root);
  if (top === null || realpathSync(top) !== root) gitInit(root);
  // A shared project's folder is a clone of its remote: the remote's main, when it has one, before anything is added.
  if (remote !== null) attachRemote(root, remote, SHARED_MAIN);
  const paths = projectPaths(root);
  mkdirSync(paths.dataDir, { recursive: true });
  ensureGitignored(root, [`${PROJECT_DATA_DIR}/`]);
  // Every machine clones this: its main starts here (the .gitignore that keeps .autocoder/ out of commits).
  if (remote !== null) publishProjectStart(root, remote, SHARED_MAIN, ['.gitignore']);
  if (spec !== undefined) writeFileSync(paths.spec, spec);
  // SQLite, or PostgreSQL when `env` selects it (db/store-location.ts).
  initProjectStore(paths, name, env);
  const added = registry.add(name, root);
  if (remote !== null) registry.setProjectSetting(name, REMOTE_SETTING, JSON.stringify(remote.url));
  return added;
}

/** The branch a shared project lands on, on the remote and in every clone. */
export const SHARED_MAIN = 'main';

function readSpec(file: string): string {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new AppError('NOT_FOUND', `spec file ${file} does not exist`);
  }
  const text = readFileSync(file, 'utf8');
  if (text.trim().length === 0) throw new AppError('INVALID_INPUT', `spec file ${file} is empty`);
  return text;
}

/**
 * Agents may read everything inside their project, so a project may not be, or hold, the
 * home folder or `$AUTOCODER_HOME` (the registry, the server token and the stored secrets).
 */
function assertHoldsNoControlFolder(root: string, env: Env): void {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  const project = real(root);
  for (const [what, folder] of [
    ['$AUTOCODER_HOME', autocoderHome(env)],
    ['your home folder', env.HOME?.trim() || homedir()],
  ] as const) {
    const rel = relative(project, real(folder));
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
      throw new AppError(
        'INVALID_INPUT',
        `${project} holds ${what} (${folder}); agents may read everything in their project, so choose a folder that does not contain it`,
      );
    }
  }
  // Nor may it lie inside $AUTOCODER_HOME: the sandbox hides that folder only from projects outside it.
  const home = real(autocoderHome(env));
  const inside = relative(home, project);
  if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside))
    throw new AppError(
      'INVALID_INPUT',
      `${project} is inside $AUTOCODER_HOME (${autocoderHome(env)}), where the server token and the registry live; agents may read everything in their project, so choose a folder outside it`,
    );
}

function assertNotRegistered(registry: RegistryPort, name: string, root: string): void {
  const byName = registry.find(name);
  if (byName)
    throw new AppError(
      'DUPLICATE',
      `a project named "${name}" is already registered (at ${byName.path}); choose another name`,
    );
  const real = existsSync(root) ? realpathSync(root) : root;
  const byPath = registry.findByPath(real);
  if (byPath) throw new AppError('DUPLICATE', `${real} is already registered as "${byPath.name}"`);
}

function assertSafeToDelete(path: string): void {
  const root = parse(path).root;
  if (path === root || path === homedir() || dirname(path) === root) {
    throw new AppError(
      'INVALID_INPUT',
      `refusing to delete ${path}: it is too close to the filesystem root or your home folder; delete it by hand`,
    );
  }
  if (existsSync(path) && !existsSync(join(path, PROJECT_DATA_DIR))) {
    throw new AppError(
      'INVALID_INPUT',
      `refusing to delete ${path}: it has no ${PROJECT_DATA_DIR}/ folder, so it may not be an autocoder project`,
    );
  }
}
