/** The run state and the last run's outcome (#21) in GET …/agent/status and the projects list, through createApp. */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteProjectStore } from '../../src/db/stores.js';
import { ProjectListSchema } from '../../src/shared/api.js';
import { RunStatusSchema } from '../../src/shared/runs.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';

let h: ApiHarness;
beforeEach(async () => {
  h = apiHarness();
  await h.createProject('todo');
});
afterEach(() => h.cleanup());

const usage = { turns: 1, inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0 };

/** A run of this process (alive, so active) with one session of `cost` per item, run on the test's own connection. */
function withStore<T>(fn: (store: SqliteProjectStore) => T): T {
  const store = h.store('todo');
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function startRun(store: SqliteProjectStore, id: string, costs: readonly number[]): void {
  store.runs.start({ id, pid: process.pid, host: hostname(), incarnation: `i-${id}`, settings: { concurrency: 1 } });
  costs.forEach((cost, i) => {
    const sid = `${id}-s${i}`;
    store.sessions.start({
      id: sid,
      runId: id,
      slot: 0,
      role: 'coding',
      featureIds: [],
      model: null,
      transcriptPath: '/t',
    });
    store.sessions.end(sid, {
      status: 'succeeded',
      outcome: 'success',
      usage: { ...usage, costUsd: cost },
      error: null,
    });
  });
}

const status = async () => RunStatusSchema.parse((await h.json('GET', '/api/projects/todo/agent/status')).body);
const card = async () => {
  const list = ProjectListSchema.parse((await h.json('GET', '/api/projects')).body);
  return list.projects.find((p) => p.name === 'todo')!;
};

describe('the run state and the last outcome in the API', () => {
  it('before any run: stopped, no outcome; the card says so, with no cost and no activity', async () => {
    expect(await status()).toMatchObject({ status: 'stopped', runId: null, lastEndReason: null, lastOutcome: null });
    expect((await card()).run).toEqual({
      status: 'stopped',
      lastOutcome: null,
      costUsd: 0,
      lastActivityAt: null,
    });
  });

  it('a running run has no outcome yet; once it ended, its outcome, reason, duration, backlog and cost (every key)', async () => {
    withStore((store) => startRun(store, 'run_a', [0.25, 0.5]));
    const running = await status();
    expect(running).toMatchObject({ status: 'running', runId: 'run_a', pid: process.pid, lastOutcome: null });
    const live = await card();
    expect(live.run).toMatchObject({ status: 'running', lastOutcome: null, costUsd: 0.75 });
    const startedAt = running.startedAt!;

    const endedAt = withStore((store) => {
      store.runs.end('run_a', 'finished', 'Nothing can proceed: 2/3 pass; 1 wait for a human answer.', {
        stopped: false,
        outcome: 'input',
        counts: { passing: 2, total: 3 },
      });
      return store.runs.get('run_a')!.endedAt!;
    });
    const ended = await status();
    // The existing keys stay, with lastOutcome beside them.
    expect(Object.keys(ended).sort()).toEqual(
      [
        'agents',
        'budget',
        'lastEndReason',
        'lastOutcome',
        'pauseRequested',
        'pid',
        'runId',
        'settings',
        'startedAt',
        'status',
      ].sort(),
    );
    const outcome = {
      runId: 'run_a',
      outcome: 'input',
      reason: 'Nothing can proceed: 2/3 pass; 1 wait for a human answer.',
      startedAt,
      endedAt,
      durationMs: endedAt - startedAt,
      featuresPassing: 2,
      featuresTotal: 3,
      costUsd: 0.75,
    };
    expect(ended).toMatchObject({ status: 'stopped', runId: 'run_a', pid: null, lastOutcome: outcome });
    expect(ended.lastEndReason).toBe(outcome.reason);
    const after = await card();
    expect(after.run).toEqual({ status: 'stopped', lastOutcome: outcome, costUsd: 0.75, lastActivityAt: endedAt });
  });

  it('the next run hides the last outcome while it runs; the card still counts every run in its cost', async () => {
    withStore((store) => {
      startRun(store, 'run_a', [1]);
      store.runs.end('run_a', 'failed', 'The run failed: boom', {
        outcome: 'failed',
        counts: { passing: 0, total: 2 },
      });
      startRun(store, 'run_b', [0.5]);
    });
    expect(await status()).toMatchObject({ status: 'running', runId: 'run_b', lastOutcome: null });
    expect((await card()).run).toMatchObject({ status: 'running', costUsd: 1.5 });
  });

  it('a run whose process died without ending is crashed, ended when last heard from, its cost summed', async () => {
    const dead = spawnSync('true').pid;
    withStore((store) => {
      store.runs.start({ id: 'run_d', pid: dead, host: hostname(), incarnation: 'i', settings: {} });
      store.sessions.start({
        id: 's',
        runId: 'run_d',
        slot: 0,
        role: 'coding',
        featureIds: [],
        model: null,
        transcriptPath: '/t',
      });
      store.sessions.end('s', { status: 'failed', outcome: 'error', usage: { ...usage, costUsd: 0.1 }, error: 'x' });
    });
    const s = await status();
    expect(s.status).toBe('crashed');
    expect(s.lastOutcome).toMatchObject({
      runId: 'run_d',
      outcome: 'crashed',
      reason: `the runner process (pid ${dead}) is gone without ending its run`,
      featuresTotal: null,
      costUsd: 0.1,
    });
    const crash = s.lastOutcome;
    expect(crash?.durationMs).not.toBeNull();
    expect(crash?.endedAt).toBe((crash?.startedAt ?? 0) + (crash?.durationMs ?? 0));
    expect((await card()).run).toMatchObject({ status: 'crashed', lastOutcome: { outcome: 'crashed' } });
  });

  it('a run that ended before outcomes were recorded: outcome null, its reason, its cost summed from its sessions', async () => {
    withStore((store) => {
      startRun(store, 'run_old', [0.2]);
      store.db
        .prepare(`UPDATE runs SET status = 'finished', ended_at = started_at + 5000, end_reason = 'Done.' WHERE id = ?`)
        .run('run_old');
    });
    expect((await status()).lastOutcome).toMatchObject({
      runId: 'run_old',
      outcome: null,
      reason: 'Done.',
      durationMs: 5000,
      featuresPassing: null,
      featuresTotal: null,
      costUsd: 0.2,
    });
  });
});
