import type { Context, Hono } from 'hono';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, parse, resolve } from 'node:path';
import { defaultProjectsDir, projectPaths } from '../../config/paths.js';
import type { ProjectStore, RegisteredProject } from '../../db/ports.js';
import { AppError } from '../../domain/errors.js';
import { createProject, importProject, removeProject } from '../../projects/projects.js';
import { activeRun } from '../../projects/run-control.js';
import { projectRemote } from '../../projects/shared-project.js';
import { runStatus } from '../../projects/run-state.js';
import {
  CreateProjectRequestSchema,
  DeleteProjectQuerySchema,
  ImportProjectRequestSchema,
  PutSpecRequestSchema,
  type ProjectRunSummary,
  type ProjectSummary,
  type SpecResponse,
} from '../../shared/api.js';
import { validateAppSpec } from '../../spec/validate-app-spec.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { registeredProject, withRegistry } from '../project-access.js';
import { checkClientPath, userHome } from './filesystem.js';
import { blameField, body, fsInput, query } from './input.js';
import { projectStoreExists } from '../../db/store-location.js';

export function projectSummary(deps: ServerDeps, p: RegisteredProject): ProjectSummary {
  const paths = projectPaths(p.path);
  const exists = existsSync(p.path);
  let stats: ProjectSummary['stats'] = null;
  let run: ProjectSummary['run'] = null;
  if (projectStoreExists(paths)) {
    try {
      const store = deps.stores.project(paths);
      stats = store.features.stats();
      run = projectRunSummary(store);
    } catch {
      // An unreadable project database must not break the listing of the others: its stats stay unknown.
      stats = null;
      run = null;
    }
  }
  return {
    name: p.name,
    path: p.path,
    createdAt: p.createdAt,
    exists,
    hasSpec: existsSync(paths.spec),
    stats,
    run,
    remote: withRegistry(deps, (r) => projectRemote(r, p.name)),
  };
}

/** The card's run line: the state now, how the last run ended, what all sessions cost, when anything last happened. */
function projectRunSummary(store: ProjectStore): ProjectRunSummary {
  const state = runStatus(store);
  return {
    status: state.status,
    lastOutcome: state.lastOutcome ?? null,
    costUsd: store.budget.use({ since: 0 }).spentUsd,
    lastActivityAt: store.events.latest({ limit: 1 })[0]?.at ?? null,
  };
}

function invalidSpec(check: ReturnType<typeof validateAppSpec>): AppError {
  return new AppError(
    'INVALID_INPUT',
    `spec: the app spec has ${check.problems.length} problem${check.problems.length === 1 ? '' : 's'}: ${check.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`,
    {
      details: { field: 'spec', problems: check.problems },
    },
  );
}

function refusePath(c: Context, deps: ServerDeps, raw: string, field: string): Response | null {
  if (raw.split(/[\\/]+/).includes('..')) {
    throw new AppError('INVALID_INPUT', `${field}: the path must not contain ".." segments`, { details: { field } });
  }
  const target = resolve(deps.cwd, raw);
  const root = parse(target).root;
  if (target === root || dirname(target) === root || target === userHome(deps.env)) {
    throw new AppError(
      'INVALID_INPUT',
      `${field}: ${target} is too close to the filesystem root or your home folder; choose a folder for the project`,
      { details: { field } },
    );
  }
  const refusal = checkClientPath(target, deps.env, field);
  if (refusal === null) return null;
  if (refusal.refused === 'invalid') throw new AppError('INVALID_INPUT', refusal.message, { details: { field } });
  return c.json({ error: { code: 'FORBIDDEN_PATH', message: refusal.message } }, 403);
}

/**
 * The store of the project at `root` when its database exists, else null (a project set up
 * without one has no event log yet). Changes made outside the database (spec, settings) are
 * appended there, so live clients see them.
 */
export function existingStore(deps: ServerDeps, root: string): ProjectStore | null {
  const paths = projectPaths(root);
  return projectStoreExists(paths) ? deps.stores.project(paths) : null;
}

/** Writes through a temp file so a crash never leaves half a spec. */
function writeSpec(file: string, spec: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, spec);
  renameSync(tmp, file);
}

/** Projects: list, create, import, detail, delete, spec. */
export const projectRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.get('/api/projects', (c) =>
    c.json({ projects: withRegistry(deps, (r) => r.list().map((p) => projectSummary(deps, p))) }),
  );

  app.post('/api/projects', async (c) => {
    const req = await body(c, CreateProjectRequestSchema);
    const dir = req.path ?? join(defaultProjectsDir(deps.env), req.name);
    const refused = refusePath(c, deps, dir, 'path');
    if (refused) return refused;
    if (req.spec !== undefined) {
      const check = validateAppSpec(req.spec);
      if (!check.ok) throw invalidSpec(check);
    }
    const project = withRegistry(deps, (registry) =>
      blameField('path', () =>
        fsInput('path', () =>
          createProject(registry, {
            name: req.name,
            dir,
            cwd: deps.cwd,
            env: deps.env,
            ...(req.remote === undefined ? {} : { remote: req.remote }),
          }),
        ),
      ),
    );
    if (req.spec !== undefined) writeSpec(projectPaths(project.path).spec, req.spec);
    return c.json(projectSummary(deps, project), 201);
  });

  app.post('/api/projects/import', async (c) => {
    const req = await body(c, ImportProjectRequestSchema);
    const refused = refusePath(c, deps, req.path, 'path');
    if (refused) return refused;
    const project = withRegistry(deps, (registry) =>
      blameField('path', () => fsInput('path', () => importProject(registry, req.name, req.path, deps.cwd, deps.env))),
    );
    return c.json(projectSummary(deps, project), 201);
  });

  app.get('/api/projects/:name', (c) =>
    c.json(withRegistry(deps, (r) => projectSummary(deps, registeredProject(c, r)))),
  );

  app.delete('/api/projects/:name', (c) => {
    const q = query(c, DeleteProjectQuerySchema);
    const deleteFiles = q.deleteFiles === 'true';
    const removed = withRegistry(deps, (registry) => {
      const project = registeredProject(c, registry);
      const store = existingStore(deps, project.path);
      const run = store ? activeRun(store.runs) : null;
      if (run)
        throw new AppError(
          'CONFLICT',
          `a run of ${project.name} is active (pid ${run.pid}); stop it before removing the project`,
          { details: { runId: run.id } },
        );
      // The server lets go of the project's database before it is forgotten (or its folder deleted).
      deps.stores.forget(project.path);
      return blameField('deleteFiles', () =>
        fsInput('deleteFiles', () => removeProject(registry, project.name, deleteFiles, deps.env)),
      );
    });
    return c.json({ removed: removed.name, path: removed.path, filesDeleted: deleteFiles });
  });

  app.get('/api/projects/:name/spec', (c) => {
    const project = withRegistry(deps, (r) => registeredProject(c, r));
    const file = projectPaths(project.path).spec;
    const spec = existsSync(file) ? readFileSync(file, 'utf8') : null;
    const result: SpecResponse = { spec, check: spec === null ? null : validateAppSpec(spec) };
    return c.json(result);
  });

  app.put('/api/projects/:name/spec', async (c) => {
    const project = withRegistry(deps, (r) => registeredProject(c, r));
    const req = await body(c, PutSpecRequestSchema);
    const check = validateAppSpec(req.spec);
    if (!check.ok) throw invalidSpec(check);
    const paths = projectPaths(project.path);
    if (!existsSync(paths.dataDir))
      throw new AppError(
        'NOT_FOUND',
        `${paths.dataDir} does not exist; the project folder is gone or was never set up`,
      );
    writeSpec(paths.spec, req.spec);
    existingStore(deps, project.path)?.events.append({
      type: 'spec.updated',
      at: deps.now(),
      payload: { bytes: Buffer.byteLength(req.spec), projectName: check.projectName },
    });
    const result: SpecResponse = { spec: req.spec, check };
    return c.json(result);
  });
};
