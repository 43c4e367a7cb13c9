import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { agentTestEnv } from '../support/agent-env.js';
import { cli, cliAsync, startCli } from '../support/cli-process.js';
import { assignedFeature, codingSession, initializerSession, landingCodingSession, roleScript, SAMPLE_FEATURES, startScriptedModelServer, type PlannedFeature, type Script, type ScriptedModelServer } from '../support/fake-anthropic/index.js';
import { gitOk } from '../../src/git/git.js';
import { waitFor } from '../support/wait-for.js';
import { createSampleProject } from '../support/sample-project.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-pause-'));
});
afterEach(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('pause (drain), resume and stop from another terminal', () => {
  it('drains the running session, pauses with nothing running, then resumes and finishes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const coding = codingSession();
    const script: Script = async (conv) => {
      if (assignedFeature(conv) === 1 && conv.turn === 1) await gate;
      return roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding })(conv);
    };
    server = await startScriptedModelServer(script);
    const env = agentTestEnv(root, server.url);
    const { dir } = createSampleProject(root, env);
    expect(cli(['pause', 'notes'], env).status).toBe(4); // nothing runs yet

    const runner = startCli(['run', 'notes'], env);
    await server.waitForRequest((c) => assignedFeature(c) === 1 && c.turn === 1, 120_000);
    const db = new Database(join(dir, '.autocoder', 'autocoder.db'), { readonly: true });
    const runEvents = () => (db.prepare(`SELECT type FROM events WHERE type LIKE 'run.%' ORDER BY id`).pluck().all() as string[]);
    try {
      const paused = await cliAsync(['pause', 'notes'], env);
      expect(paused.stdout).toContain('Pause requested');
      await waitFor(() => runEvents().includes('run.draining'), 10_000, 'the run to report draining');
      expect(runEvents()).not.toContain('run.paused'); // the session is still working on #1
      release();
      await waitFor(() => runEvents().includes('run.paused'), 60_000, 'the run to pause');
      const f1 = db.prepare('SELECT status FROM features WHERE id = 1').pluck().get();
      expect(f1).toBe('passing'); // the drained session finished its feature
      const sessionsWhilePaused = db.prepare(`SELECT count(*) FROM sessions`).pluck().get();
      expect(db.prepare(`SELECT count(*) FROM sessions WHERE status = 'running'`).pluck().get()).toBe(0);

      expect((await cliAsync(['resume', 'notes'], env)).stdout).toContain('Resumed.');
      const exit = await runner.exited;
      expect(exit.code).toBe(0);
      expect(runner.output()).toContain('All 4 features pass.');
      expect(runEvents()).toEqual(['run.started', 'run.draining', 'run.paused', 'run.running', 'run.finished']);
      expect(db.prepare(`SELECT count(*) FROM sessions`).pluck().get()).toBe((sessionsWhilePaused as number) + 3);
    } finally {
      db.close();
    }
  });

  it('stop ends the active run and hands its feature back', async () => {
    const coding = codingSession();
    const script: Script = async (conv) => {
      if (assignedFeature(conv) === 1 && conv.turn === 1) await new Promise(() => undefined);
      return roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding })(conv);
    };
    server = await startScriptedModelServer(script);
    const env = agentTestEnv(root, server.url);
    createSampleProject(root, env);
    const runner = startCli(['run', 'notes'], env);
    await server.waitForRequest((c) => assignedFeature(c) === 1 && c.turn === 1, 120_000);
    const stop = await cliAsync(['stop', 'notes'], env);
    expect(stop.stdout).toContain('Stop sent to run');
    expect((await runner.exited).code).toBe(0);
    const status = JSON.parse(cli(['status', 'notes', '--json'], env).stdout) as { in_progress: number; pending: number };
    expect(status).toMatchObject({ in_progress: 0, pending: 4 });
    expect(cli(['stop', 'notes'], env).status).toBe(4);
    // What the session had written is committed to its feature branch, not lost; main is untouched.
    const { dir } = { dir: join(root, 'notes') };
    expect(gitOk(dir, ['log', '-1', '--format=%s', 'autocoder/feature-1'])).toContain('work in progress on feature #1');
    expect(gitOk(dir, ['show', 'autocoder/feature-1:features/feature-1.txt'])).toBe('feature 1 implemented\n');
    expect(gitOk(join(dir, '.autocoder', 'worktrees', 'slot-0'), ['status', '--porcelain']).trim()).toBe('');
    expect(gitOk(dir, ['log', '--format=%s', 'main'])).not.toContain('Feature #1');
  });

  it('drains three parallel sessions: they finish their features, none starts, then paused; resume continues', async () => {
    const six: PlannedFeature[] = [
      ...[1, 2, 3].map((n) => ({ category: 'core', name: `Root ${n}`, description: `root ${n}`, steps: ['check'] })),
      ...[0, 1, 2].map((i) => ({ category: 'core', name: `Child ${i + 1}`, description: `child ${i + 1}`, steps: ['check'], depends_on_indices: [i] })),
    ];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const coding = landingCodingSession();
    const script: Script = async (conv) => {
      const id = assignedFeature(conv);
      if (id !== null && id <= 3 && conv.turn === 1) await gate;
      return roleScript({ initializer: initializerSession(six), coding })(conv);
    };
    server = await startScriptedModelServer(script);
    const env = agentTestEnv(root, server.url);
    const { dir } = createSampleProject(root, env);
    // Listen before the sessions start: waitForRequest sees only requests that arrive after it is called.
    const working = [1, 2, 3].map((id) => server!.waitForRequest((c) => assignedFeature(c) === id && c.turn === 1, 60_000));
    const runner = startCli(['run', 'notes', '--concurrency', '3', '--yolo'], env);
    await Promise.all(working).catch((err: unknown) => {
      throw new Error(`${String(err)}\n--- runner output ---\n${runner.output()}`);
    });
    const db = new Database(join(dir, '.autocoder', 'autocoder.db'), { readonly: true });
    const runEvents = () => db.prepare(`SELECT type FROM events WHERE type LIKE 'run.%' ORDER BY id`).pluck().all() as string[];
    const codingSessions = () => db.prepare(`SELECT count(*) FROM sessions WHERE role = 'coding'`).pluck().get() as number;
    try {
      expect((await cliAsync(['pause', 'notes'], env)).stdout).toContain('Pause requested');
      await waitFor(() => runEvents().includes('run.draining'), 10_000, 'the run to report draining');
      expect(codingSessions()).toBe(3);
      release();
      await waitFor(() => runEvents().includes('run.paused'), 90_000, 'the run to pause');
      // The three drained sessions landed their features; nothing else started.
      expect(db.prepare(`SELECT id FROM features WHERE status = 'passing' ORDER BY id`).pluck().all()).toEqual([1, 2, 3]);
      expect(codingSessions()).toBe(3);
      expect(db.prepare(`SELECT count(*) FROM sessions WHERE status = 'running'`).pluck().get()).toBe(0);

      expect((await cliAsync(['resume', 'notes'], env)).stdout).toContain('Resumed.');
      const exit = await runner.exited;
      expect(exit.code).toBe(0);
      expect(runner.output()).toContain('All 6 features pass.');
      // After the resume the other three were coded too (a loaded machine may need a retry, so features, not sessions, are counted).
      expect(db.prepare(`SELECT DISTINCT j.value FROM sessions s, json_each(s.feature_ids) j WHERE s.role = 'coding' ORDER BY 1`).pluck().all()).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      db.close();
    }
  });
});
