import { existsSync } from 'node:fs';
import type { ProjectStore, RunRecord } from '../db/ports.js';
import { dayStart } from '../domain/budget.js';
import type { RunBudget, RunEnding, RunStatus } from '../shared/runs.js';
import { activeRun } from './run-control.js';

/**
 * The run state every surface shows (the API, the WebSocket, `autocoder status`), derived from the project's runs and
 * sessions and the drain file: what runs now, or how the latest run ended.
 */
export function runStatus(store: Pick<ProjectStore, 'paths' | 'runs' | 'sessions' | 'budget'>): RunStatus {
  const active = activeRun(store.runs);
  const latest = active ?? store.runs.latest() ?? null;
  // The pause file of this machine's run, or a pause asked through the database (#20: a shared run, from any machine).
  const pauseRequested = existsSync(store.paths.pauseDrain) || active?.control === 'pause';
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
    lastOutcome: active || !latest ? null : runEnding(store, latest, status === 'crashed'),
  };
}

/**
 * How `run` ended. A run still recorded as active whose process is gone (`crashed`, not yet recovered by the next run)
 * ended when it was last heard from; its cost is summed from its sessions, as for runs recorded before #21.
 */
export function runEnding(store: Pick<ProjectStore, 'sessions'>, run: RunRecord, crashed: boolean): RunEnding {
  const endedAt = crashed ? run.heartbeatAt : run.endedAt;
  return {
    runId: run.id,
    outcome: crashed ? 'crashed' : run.outcome,
    reason: crashed
      ? `the runner process${run.pid === null ? '' : ` (pid ${run.pid})`} is gone without ending its run`
      : run.endReason,
    startedAt: run.startedAt,
    endedAt,
    durationMs: endedAt === null ? null : Math.max(0, endedAt - run.startedAt),
    featuresPassing: run.featuresPassing,
    featuresTotal: run.featuresTotal,
    costUsd: run.costUsd ?? store.sessions.costOfRun(run.id),
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
