import type { Hono } from 'hono';
import { existsSync } from 'node:fs';
import type { ProjectPaths } from '../../config/paths.js';
import type { ProjectStore } from '../../db/ports.js';
import { AppError } from '../../domain/errors.js';
import { activeRun, requestPause, requestResume, requestStop } from '../../projects/run-control.js';
import { RunStartRequestSchema, type RunBudget, type RunStartRequest, type RunStatus } from '../../shared/runs.js';
import { dayStart } from '../../domain/budget.js';
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

/** The run state the UI shows, derived from the project's runs and sessions and the drain file. */
export function runStatus(store: Pick<ProjectStore, 'paths' | 'runs' | 'sessions' | 'budget'>): RunStatus {
  const active = activeRun(store.runs);
  const latest = active ?? store.runs.latest() ?? null;
  const pauseRequested = existsSync(store.paths.pauseDrain);
  let status: RunStatus['status'] = 'stopped';
  if (active)
    status =
      active.status === 'finished' || active.status === 'failed' ? 'stopped' : (active.status as RunStatus['status']);
  else if (latest && ['starting', 'running', 'draining', 'paused', 'stopping'].includes(latest.status))
    status = 'crashed';
  const agents = active ? store.sessions.running(active.id) : [];
  return {
    status,
    runId: latest?.id ?? null,
    pid: active?.pid ?? null,
    startedAt: latest?.startedAt ?? null,
    settings: latest?.settings ?? {},
    pauseRequested,
    agents,
    lastEndReason: active ? null : (latest?.endReason ?? null),
    budget: budgetOf(store, active?.id ?? null, latest?.settings ?? {}),
  };
}

const positive = (v: unknown): number | null => (typeof v === 'number' && v > 0 ? v : null);

/**
 * The active run's budget when it has one (`maxCostUsd` in its recorded settings), else the day's (`dailyBudgetUsd`
 * the latest run recorded, from the settings); null without either.
 */
function budgetOf(
  store: Pick<ProjectStore, 'budget'>,
  activeRunId: string | null,
  settings: Record<string, unknown>,
): RunBudget | null {
  const runLimit = activeRunId === null ? null : positive(settings['maxCostUsd']);
  const line = (scope: RunBudget['scope'], limitUsd: number, spentUsd: number): RunBudget => ({
    scope,
    limitUsd,
    spentUsd,
    leftUsd: Math.max(0, limitUsd - spentUsd),
  });
  if (activeRunId !== null && runLimit !== null)
    return line('run', runLimit, store.budget.use({ runId: activeRunId }).spentUsd);
  const dayLimit = positive(settings['dailyBudgetUsd']);
  if (dayLimit !== null) return line('day', dayLimit, store.budget.use({ since: dayStart(Date.now()) }).spentUsd);
  return null;
}

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
        requestPause(store.paths);
        return { status: run.status === 'paused' ? ('paused' as const) : ('draining' as const), runId: run.id };
      }),
    ),
  );

  app.post(`${base}/resume`, (c) =>
    c.json(
      withProjectStore(deps, c.req.param('name'), (store) => {
        requestResume(store.paths);
        return runStatus(store);
      }),
    ),
  );
}
