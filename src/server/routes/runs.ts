import type { Hono } from 'hono';
import type { ProjectPaths } from '../../config/paths.js';
import { AppError } from '../../domain/errors.js';
import { activeRun, pauseRun, requestStop, resumeRun } from '../../projects/run-control.js';
import { runStatus } from '../../projects/run-state.js';
import { RunStartRequestSchema, type RunStartRequest } from '../../shared/runs.js';
import type { ServerDeps } from '../app.js';
import { withProjectStore } from '../project-access.js';

/** Starts `autocoder run` for a project in its own process group, detached from the server. */
export type RunnerLauncher = (
  project: { name: string; paths: ProjectPaths },
  request: RunStartRequest,
) => { pid: number };

async function jsonBody(req: { json(): Promise<unknown> }): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new AppError('INVALID_INPUT', 'the body is not valid JSON');
  }
}

function parseStart(raw: unknown): RunStartRequest {
  const parsed = RunStartRequestSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('INVALID_INPUT', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`, {
      details: { field: issue?.path.join('.') ?? null },
    });
  }
  return parsed.data;
}

/** The run state the UI shows: derived in projects/ so `autocoder status` tells the same (re-exported here). */
export { runStatus };

/** Agent control, at the paths scripts of the system we re-create already use. */
export function registerRunRoutes(app: Hono, deps: ServerDeps): void {
  const base = '/api/projects/:name/agent';

  app.get(`${base}/status`, (c) => c.json(withProjectStore(deps, c.req.param('name'), (store) => runStatus(store))));

  app.post(`${base}/start`, async (c) => {
    const request = parseStart(
      c.req.header('content-length') === '0' || !c.req.header('content-type') ? {} : await jsonBody(c.req),
    );
    const result = withProjectStore(deps, c.req.param('name'), (store, name) => {
      const running = activeRun(store.runs);
      if (running) throw new AppError('CONFLICT', `a run is already active (pid ${running.pid}); stop it first`);
      const { pid } = deps.launchRunner({ name, paths: store.paths }, request);
      return { status: 'starting' as const, pid };
    });
    return c.json(result, 202);
  });

  app.post(`${base}/stop`, (c) =>
    c.json(
      withProjectStore(deps, c.req.param('name'), (store) => {
        const run = requestStop(store.runs);
        return { status: 'stopping' as const, runId: run.id };
      }),
    ),
  );

  app.post(`${base}/pause`, (c) =>
    c.json(
      withProjectStore(deps, c.req.param('name'), (store) => {
        const run = activeRun(store.runs);
        if (!run) throw new AppError('CONFLICT', 'no run of this project is active; there is nothing to pause');
        pauseRun(store.paths, store.runs, run);
        return { status: run.status === 'paused' ? ('paused' as const) : ('draining' as const), runId: run.id };
      }),
    ),
  );

  app.post(`${base}/resume`, (c) =>
    c.json(
      withProjectStore(deps, c.req.param('name'), (store) => {
        resumeRun(store.paths, store.runs, activeRun(store.runs));
        return runStatus(store);
      }),
    ),
  );
}
