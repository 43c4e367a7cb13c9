import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
} from '../support/fake-anthropic/index.js';
import { ScriptedRuntime } from '../support/scripted-runtime.js';
import { waitFor } from '../support/wait-for.js';

// Whole runs (git, worktrees, SQLite, the scheduler) in this process: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-pause-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

// `autocoder run`, `pause` and `resume` in this process, with the scripted runtime instead of Claude Code.
describe('pause (drain) and resume of a running run', () => {
  it('drains the running session, pauses with nothing running, then resumes and finishes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const coding = codingSession();
    const runtime = new ScriptedRuntime(async (conv) => {
      if (assignedFeature(conv) === 1 && conv.turn === 1) await gate;
      return roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding })(conv);
    });
    const env = scriptedCliEnv(root);
    const { dir } = await createSampleProjectInProcess(root, env);
    expect((await cliInProcess(['pause', 'notes'], env)).status).toBe(4); // nothing runs yet

    const working = runtime.waitForTurn((c) => assignedFeature(c) === 1 && c.turn === 1, 30_000);
    const runner = startCliInProcess(['run', 'notes'], env, { runtime });
    await working;
    const db = new Database(join(dir, '.autocoder', 'autocoder.db'), { readonly: true });
    const runEvents = () =>
      db.prepare(`SELECT type FROM events WHERE type LIKE 'run.%' ORDER BY id`).pluck().all() as string[];
    try {
      const paused = await cliInProcess(['pause', 'notes'], env);
      expect(paused.stdout).toMatch(
        /^Pause requested: run run_[0-9a-f]+ lets its session finish its feature, then pauses\.\n$/,
      );
      await waitFor(() => runEvents().includes('run.draining'), 10_000, 'the run to report draining');
      expect(runEvents()).not.toContain('run.paused'); // the session is still working on #1
      release();
      await waitFor(() => runEvents().includes('run.paused'), 30_000, 'the run to pause');
      expect(db.prepare('SELECT status FROM features WHERE id = 1').pluck().get()).toBe('passing'); // the drained session finished its feature
      const sessionsWhilePaused = db.prepare(`SELECT count(*) FROM sessions`).pluck().get() as number;
      expect(sessionsWhilePaused).toBe(2);
      expect(db.prepare(`SELECT count(*) FROM sessions WHERE status = 'running'`).pluck().get()).toBe(0);

      expect((await cliInProcess(['resume', 'notes'], env)).stdout).toBe('Resumed.\n');
      const exit = await runner.done;
      expect(exit.status).toBe(0);
      expect(runner.output()).toContain('All 4 features pass.');
      expect(runEvents()).toEqual(['run.started', 'run.draining', 'run.paused', 'run.running', 'run.finished']);
      expect(db.prepare(`SELECT count(*) FROM sessions`).pluck().get()).toBe(sessionsWhilePaused + 3);
      expect((await cliInProcess(['resume', 'notes'], env)).stdout).toBe('The project was not paused.\n');
    } finally {
      db.close();
    }
  });
});
