import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import type { SessionPort } from '../../src/db/ports.js';
import { DEMO_FEATURES } from '../../src/demo/demo-app.js';
import { gitOk } from '../../src/git/git.js';
import { ProjectSettingsSchema } from '../../src/shared/api.js';
import { DEMO_MODEL, DEMO_MODEL_LABEL, RunStatusSchema } from '../../src/shared/runs.js';
import { cliAsync, startCli, type RunningCli } from '../support/cli-process.js';
import { waitFor } from '../support/wait-for.js';
import { isType, openSocket, type TestSocket } from '../support/ws-client.js';
import { killIfRunning } from '../support/kill.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 120_000 });

/**
 * `autocoder demo` end to end: the real CLI, the real detached runner, the real Claude Code
 * binary and the built-in demo model (scripted, no AI) — with no provider credentials at all
 * in the environment.
 */

let root: string;
let demo: RunningCli | undefined;
let socket: TestSocket | undefined;
let runnerPid: number | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-demo-e2e-'));
});

afterEach(async () => {
  await socket?.close();
  socket = undefined;
  if (demo && demo.child.exitCode === null) {
    demo.child.kill('SIGTERM');
    await demo.exited;
  }
  demo = undefined;
  if (runnerPid !== undefined) {
    killIfRunning(-runnerPid, 'SIGKILL'); // only if the test failed before the run finished
    runnerPid = undefined;
  }
  rmSync(root, { recursive: true, force: true });
});

/** Its own AUTOCODER_HOME, HOME and TMPDIR, no ANTHROPIC_* or CLAUDE_* variable, no pacing. */
function demoEnv(): NodeJS.ProcessEnv {
  const env = {
    PATH: process.env.PATH,
    HOME: join(root, 'home'),
    TMPDIR: join(root, 'tmp'),
    AUTOCODER_HOME: join(root, 'autocoder-home'),
    AUTOCODER_DEMO_PACE_MS: '0',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  mkdirSync(env.HOME, { recursive: true });
  mkdirSync(env.TMPDIR, { recursive: true });
  return env;
}

function inspect<T>(dir: string, fn: (store: ReturnType<typeof openProjectStore>, sessions: SessionPort) => T): T {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return fn(store, store.sessions);
  } finally {
    store.close();
  }
}

describe('autocoder demo', () => {
  it('creates the demo project, starts its run with the demo model, and every feature passes with real files and commits', async () => {
    const env = demoEnv();
    demo = startCli(['demo', '--port', '0'], env);
    const link = await waitFor(
      () =>
        /Watch it: (http:\/\/127\.0\.0\.1:\d+)\/projects\/demo#token=([0-9a-f]{64})\n/.exec(demo?.output() ?? '') ??
        undefined,
      60_000,
      'the demo URL',
    );
    const url = link[1]!;
    const auth = { Authorization: `Bearer ${link[2]!}` };
    const out = demo.output();
    expect(out).toContain(`Model: ${DEMO_MODEL} (${DEMO_MODEL_LABEL})`);
    runnerPid = Number(/its run started \(pid (\d+)\)/.exec(out)?.[1]);
    expect(runnerPid).toBeGreaterThan(0);

    // Watch it the way the UI does: the live WebSocket, from the start of the project's events.
    socket = await openSocket(`${url.replace('http', 'ws')}/ws/projects/demo?since=0`, {
      headers: { ...auth, Origin: url },
    });
    await socket.next(isType('snapshot'));
    await socket.until(
      () => socket!.received.some((r) => r.message.type === 'run_status' && r.message.eventType === 'run.finished'),
      160_000,
      'the demo run to finish',
    );
    const finished = socket.received
      .map((r) => r.message)
      .find((m) => m.type === 'run_status' && m.eventType === 'run.finished');
    expect(finished?.type === 'run_status' && finished.run.settings.model).toBe(DEMO_MODEL);
    const progress = socket.received.filter((r) => r.message.type === 'progress').at(-1)?.message;
    expect(progress).toMatchObject({ total: DEMO_FEATURES.length, passing: DEMO_FEATURES.length, percentage: 100 });
    // The live log and the agents' "last thought" had the script's thinking text.
    const texts = socket.received.flatMap((r) =>
      r.message.type === 'log' && r.message.kind === 'text' ? [r.message.text] : [],
    );
    expect(texts).toContain('Feature #1: reading what it asks for.');
    expect(socket.received.some((r) => r.message.type === 'agent_update' && (r.message.thought ?? '').length > 0)).toBe(
      true,
    );

    const status = RunStatusSchema.parse(
      await (await fetch(`${url}/api/projects/demo/agent/status`, { headers: auth })).json(),
    );
    expect(status).toMatchObject({
      status: 'stopped',
      lastEndReason: `All ${DEMO_FEATURES.length} features pass.`,
      settings: { model: DEMO_MODEL, yolo: true },
    });
    const settings = ProjectSettingsSchema.parse(
      await (await fetch(`${url}/api/projects/demo/settings`, { headers: auth })).json(),
    );
    expect(settings.defaultModel).toBe(DEMO_MODEL);

    // Real files and real commits in the project folder, under the default projects folder.
    const dir = join(env.HOME as string, 'autocoder-projects', 'demo');
    const log = gitOk(dir, ['log', '--format=%s']).trim().split('\n').reverse();
    // The initializer's commit, then one commit per feature, each after the features it depends on (the runner
    // claims by estimated path, so leaves with the same dependencies may land in any order).
    const subject = (slug: string) => {
      const i = DEMO_FEATURES.findIndex((f) => f.slug === slug);
      return `Feature #${i + 1}: ${DEMO_FEATURES[i]!.name}`;
    };
    expect(log[0]).toBe('Initial plan and project skeleton');
    expect([...log.slice(1)].sort()).toEqual(DEMO_FEATURES.map((f) => subject(f.slug)).sort());
    for (const f of DEMO_FEATURES)
      for (const dep of f.dependsOn) expect(log.indexOf(subject(dep))).toBeLessThan(log.indexOf(subject(f.slug)));
    expect(gitOk(dir, ['status', '--porcelain']).trim()).toBe('');
    for (const f of DEMO_FEATURES) {
      expect(readFileSync(join(dir, 'src', 'features', `${f.slug}.js`), 'utf8')).toBe(f.module);
      expect(readFileSync(join(dir, 'src', 'features', 'index.js'), 'utf8')).toContain(`'./${f.slug}.js'`);
    }
    expect(statSync(join(dir, 'init.sh')).mode & 0o111).not.toBe(0);
    const tests = spawnSync(process.execPath, ['--test'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(tests.status).toBe(0);

    // Real sessions were recorded: an initializer, then one coding session per feature, all on the demo model, free.
    inspect(dir, (store, sessions) => {
      const all = sessions.list();
      expect(all.map((s) => s.role)).toEqual(['initializer', ...DEMO_FEATURES.map(() => 'coding')]);
      for (const s of all) {
        expect(s).toMatchObject({ status: 'succeeded', model: DEMO_MODEL, costUsd: 0 });
        expect(s.turns).toBeGreaterThan(5);
        expect(existsSync(s.transcriptPath as string)).toBe(true);
      }
      for (const f of store.features.list()) expect(f).toMatchObject({ status: 'passing', attempts: 1 });
      // Each pass is the runner's verification of the commit that landed, with its evidence on disk: the result, a
      // real screenshot from the browser check, the trace.
      const landed = gitOk(dir, ['log', '--format=%H %s']).trim().split('\n');
      for (const f of store.features.list()) {
        const v = store.verifications.get(f.verificationId as string);
        const commit = landed.find((line) => line.endsWith(`Feature #${f.id}: ${f.name}`))?.split(' ')[0];
        expect(v).toMatchObject({ featureId: f.id, status: 'passed', trigger: 'landing', commit });
        expect(new Set(v.checks.map((c) => c.kind))).toContain('browser');
        expect(v.checks.every((c) => c.passed)).toBe(true);
        const evidence = join(dir, v.evidenceDir);
        expect(existsSync(join(evidence, 'result.json'))).toBe(true);
        const files = v.checks.flatMap((c) => c.evidence);
        const shot = files.find((name) => name.endsWith('.png'));
        expect(
          readFileSync(join(evidence, shot as string))
            .subarray(1, 4)
            .toString(),
        ).toBe('PNG');
        expect(files.some((name) => name.endsWith('.zip'))).toBe(true);
      }
      expect(store.verifications.verifiedCount()).toBe(DEMO_FEATURES.length);
      const started = store.db.prepare(`SELECT count(*) FROM events WHERE type = 'session.started'`).pluck().get();
      expect(started).toBe(DEMO_FEATURES.length + 1);
    });

    // Nothing was written to the real home: Claude Code ran with a private config folder.
    expect(existsSync(join(env.HOME as string, '.claude'))).toBe(false);
    runnerPid = undefined;

    demo.child.kill('SIGTERM');
    expect((await demo.exited).code).toBe(0);
  }, 180_000);

  it('--no-start only creates the project; `autocoder run` then uses its defaultModel demo', async () => {
    const env = demoEnv();
    const first = await cliAsync(['demo', '--no-start'], env);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('Demo project "demo" created');
    expect(first.stdout).toContain(DEMO_MODEL_LABEL);
    // autocoder is not on this test's PATH: the hint names the form that works here.
    expect(first.stdout).toContain('Start it: npx autocoder run demo');
    // A second `autocoder demo` reuses the demo project (no demo-2); --fresh replaces it with a new copy.
    const dir = join(env.HOME as string, 'autocoder-projects', 'demo');
    writeFileSync(join(dir, 'leftover.txt'), 'from the first copy');
    const second = await cliAsync(['demo', '--no-start'], env);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('Demo project "demo"');
    expect(second.stdout).toContain('exists already');
    expect(second.stdout).toContain('npx autocoder demo --fresh');
    expect(existsSync(join(dir, 'leftover.txt'))).toBe(true);
    const fresh = await cliAsync(['demo', '--no-start', '--fresh'], env);
    expect(fresh.status).toBe(0);
    expect(fresh.stdout).toContain('Demo project "demo" replaced with a fresh copy');
    expect(existsSync(join(dir, 'leftover.txt'))).toBe(false);
    expect(existsSync(join(env.HOME as string, 'autocoder-projects', 'demo-2'))).toBe(false);

    inspect(dir, (store) => expect(store.features.stats().total).toBe(0));
    const run = await cliAsync(['run', 'demo', '--max-iterations', '2'], env);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Model: ${DEMO_MODEL} (${DEMO_MODEL_LABEL})`);
    expect(run.stdout).toContain(`The initializer created ${DEMO_FEATURES.length} features.`);
    expect(run.stdout).toContain(`Reached --max-iterations 2; 2/${DEMO_FEATURES.length} features pass.`);
    inspect(dir, (store) => {
      const settings = JSON.parse(store.db.prepare('SELECT settings FROM runs').pluck().get() as string) as Record<
        string,
        unknown
      >;
      expect(settings).toMatchObject({ model: DEMO_MODEL, yolo: true });
    });
    expect(gitOk(dir, ['log', '--format=%s'])).toContain('Feature #1: Add a todo');
  });

  it('refuses an invalid --name with exit 2 and creates nothing', async () => {
    const env = demoEnv();
    const res = await cliAsync(['demo', '--name', 'Not Valid', '--no-start'], env);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/not a valid project name/);
    expect(existsSync(join(env.HOME as string, 'autocoder-projects'))).toBe(false);
  });
});
