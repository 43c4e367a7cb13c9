/**
 * Pause, resume and stop through the database (#20): what `autocoder pause|resume|stop` and mission control do for a
 * shared run another machine owns, and how the owner's loop honours it — it drains and pauses, resumes when the ask is
 * withdrawn, stops when asked. The real CLI program in this process, the scripted runtime, a SQLite project (the
 * owner's side is the same on PostgreSQL: the run's record is read through the same port).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import type { Env } from '../../src/config/env.js';
import { openProjectStore } from '../../src/db/stores.js';
import { runStatus } from '../../src/projects/run-state.js';
import {
  cliInProcess,
  createSampleProjectInProcess,
  scriptedCliEnv,
  startCliInProcess,
} from '../support/cli-in-process.js';
import {
  assignedFeature,
  codingSession,
  initializerSession,
  roleScript,
  SAMPLE_FEATURES,
  type Conversation,
} from '../support/fake-anthropic/index.js';
import { ScriptedRuntime } from '../support/scripted-runtime.js';
import { waitFor } from '../support/wait-for.js';

let root: string;
let env: Env;
let dir: string;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'ac-run-control-'));
  env = scriptedCliEnv(root);
  ({ dir } = await createSampleProjectInProcess(root, env));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function withStore<T>(fn: (store: ReturnType<typeof openProjectStore>) => T): T {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

describe('run control through the database', { timeout: 60_000 }, () => {
  it('the owner drains and pauses when a pause is asked of its run, resumes when it is withdrawn, stops when asked', async () => {
    // Feature #1's session waits after its first turn until the test lets it go.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const roles = roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() });
    const runtime = new ScriptedRuntime(async (conv: Conversation) => {
      if (assignedFeature(conv) === 1 && conv.turn === 1) await released;
      return roles(conv);
    });
    const run = startCliInProcess(['run', 'notes', '--yolo'], env, { runtime });
    const runId = await waitFor(
      () => withStore((s) => (s.features.find(1)?.status === 'in_progress' ? s.runs.latest()?.id : undefined)),
      30_000,
      'feature #1 to be worked',
    );
    expect(withStore((s) => s.runs.requestControl(runId, 'pause'))).toBe(true);
    await waitFor(() => withStore((s) => s.runs.get(runId)?.status === 'draining'), 30_000, 'the run to drain');
    expect(withStore((s) => runStatus(s).pauseRequested)).toBe(true);
    release();
    await waitFor(() => withStore((s) => s.runs.get(runId)?.status === 'paused'), 30_000, 'the run to pause');
    // Drained: the feature that was running finished; nothing new started.
    expect(withStore((s) => [s.features.find(1)?.status, s.features.stats().in_progress])).toEqual(['passing', 0]);

    expect(withStore((s) => s.runs.requestControl(runId, null))).toBe(true);
    await waitFor(() => run.output().includes('Resumed.'), 30_000, 'the run to resume');
    expect(withStore((s) => s.runs.requestControl(runId, 'stop'))).toBe(true);
    const ended = await run.done;
    expect(ended.stdout).toContain('Stop asked through the database: stopping.');
    expect(withStore((s) => s.runs.get(runId))).toMatchObject({ status: 'finished', outcome: 'stopped' });
  });

  it('pause, resume and stop of a shared run another machine owns are asked through the database, never a local pid', async () => {
    const runId = 'run_elsewhere';
    withStore((s) =>
      s.runs.start({
        id: runId,
        // A pid that may well exist here: it must never be signalled, the run is another machine's.
        pid: process.pid,
        host: 'another-machine',
        incarnation: 'x',
        settings: { sharedRun: true },
      }),
    );
    const paused = await cliInProcess(['pause', 'notes'], env);
    expect(paused.status, paused.stderr).toBe(0);
    expect(paused.stdout).toBe(
      `Pause asked of run ${runId}, owned by another-machine: it drains at its next step (its workers too), then pauses.\n`,
    );
    expect(withStore((s) => s.runs.get(runId)?.control)).toBe('pause');
    const status = JSON.parse((await cliInProcess(['status', 'notes', '--json'], env)).stdout) as {
      run: { pauseRequested: boolean; runId: string };
    };
    expect(status.run).toMatchObject({ pauseRequested: true, runId });
    const resumed = await cliInProcess(['resume', 'notes'], env);
    expect(resumed.stdout).toBe('Resumed.\n');
    expect(withStore((s) => s.runs.get(runId)?.control)).toBeNull();
    const stopped = await cliInProcess(['stop', 'notes'], env);
    expect(stopped.stdout).toBe(`Stop asked of run ${runId}, owned by another-machine: it stops at its next step.\n`);
    expect(withStore((s) => s.runs.get(runId)?.control)).toBe('stop');
  });
});
