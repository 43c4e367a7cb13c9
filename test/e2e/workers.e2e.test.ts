/**
 * Issue #20's end to end: a project shared by machines through PostgreSQL and a bare git remote, worked by three
 * `autocoder worker` processes with separate homes and work folders (nothing shared but PostgreSQL and the remote, as
 * separate hosts would be), each running the real Claude Code binary against the scripted model server, while
 * `autocoder run --no-local-work` owns the run. A 9-feature DAG; the worker holding feature #5 is killed with
 * `kill -9` (its whole process group: the worker, its Claude Code, their children) right after it committed; its
 * lease expires, another worker continues the feature from the branch the killed one had pushed, and every feature
 * passes. The remote's main holds each feature's commit once; no remote branch was ever deleted with commits main
 * lacks (the remote's reference-transaction hook logs every update); the killed worker shows offline.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { schemaIdentifier } from '../../src/db/pg/migrator.js';
import type { PgSyncClient } from '../../src/db/pg/sync-client.js';
import { projectSchemaName } from '../../src/db/store-location.js';
import { agentTestEnv } from '../support/agent-env.js';
import { CLI, cliAsync, REPO_ROOT } from '../support/cli-process.js';
import {
  assignedFeature,
  initializerSession,
  landingCodingSession,
  reply,
  roleScript,
  SAMPLE_SPEC,
  startScriptedModelServer,
  type Conversation,
  type PlannedFeature,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { killIfRunning } from '../support/kill.js';
import { useDatabasePerTest } from '../support/postgres.js';
import { waitFor } from '../support/wait-for.js';

// An initializer and at least ten real Claude Code sessions, three at a time, a lease to expire and a worker to go
// offline (30 s without a heartbeat), on a loaded 2-core machine.
vi.setConfig({ testTimeout: 600_000 });

const db = useDatabasePerTest();
let url: string;
let admin: PgSyncClient;
let root: string;
let server: ScriptedModelServer | undefined;
const children: ChildProcess[] = [];

beforeEach(() => {
  ({ url, admin } = db());
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-workers-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      killIfRunning(-child.pid, 'SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  await server?.close();
  server = undefined;
  rmSync(root, { recursive: true, force: true });
});

const feature = (n: number, deps: number[] = []): PlannedFeature => ({
  category: 'core',
  name: `Feature ${n}`,
  description: `feature ${n}`,
  steps: ['check'],
  ...(deps.length > 0 ? { depends_on_indices: deps.map((d) => d - 1) } : {}),
});
/** 1 2 3 first; 4 ← 1, 5 ← 2, 6 ← 3; 7 ← 4 5, 8 ← 6; 9 ← 7 8. */
const NINE = [
  feature(1),
  feature(2),
  feature(3),
  feature(4, [1]),
  feature(5, [2]),
  feature(6, [3]),
  feature(7, [4, 5]),
  feature(8, [6]),
  feature(9, [7, 8]),
];
/** The feature whose worker is killed right after its commit. */
const KILLED = 5;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();

const onMain = (repo: string, commit: string, main: string) =>
  spawnSync('git', ['merge-base', '--is-ancestor', commit, main], { cwd: repo }).status === 0;

/** A CLI child in a process group of its own (so a kill -9 takes its Claude Code sessions with it). */
function startGroup(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

it(
  'three workers on separate homes work a 9-feature DAG through PostgreSQL and a bare remote; one is killed mid-feature',
  { timeout: 600_000 },
  async () => {
    // The remote, logging every reference update it commits (old, new, ref) to tell later what was ever deleted.
    const remote = join(root, 'remote.git');
    const refLog = join(root, 'ref-updates.log');
    git(root, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
    const hook = join(remote, 'hooks', 'reference-transaction');
    writeFileSync(hook, `#!/bin/sh\n[ "$1" = committed ] && cat >> '${refLog}'\nexit 0\n`);
    chmodSync(hook, 0o755);
    writeFileSync(refLog, '');

    // The model: the initializer plans the DAG; coding sessions write, commit and land. Feature #5's first session is
    // held after its commit until its worker has been killed.
    let held: (() => void) | null = null;
    let heldOnce = false;
    const reachedKill = new Promise<void>((resolveReached) => {
      const coding = landingCodingSession();
      const script = roleScript({
        initializer: initializerSession(NINE),
        coding: (conv: Conversation) => coding(conv),
      });
      void startScriptedModelServer(async (conv) => {
        const last = conv.lastToolResults[0];
        const command = typeof last?.input.command === 'string' ? last.input.command : '';
        if (!heldOnce && assignedFeature(conv) === KILLED && command.startsWith('git add -A && git commit')) {
          heldOnce = true;
          await new Promise<void>((release) => {
            held = release;
            resolveReached();
          });
          return reply().text('Done.');
        }
        return script(conv);
      }).then((s) => (server = s));
    });
    await waitFor(() => server, 10_000, 'the model server');
    const modelUrl = (server as unknown as ScriptedModelServer).url;
    const shared = { AUTOCODER_DATABASE_URL: url, AUTOCODER_LEASE_MS: '6000', AUTOCODER_HEARTBEAT_MS: '1000' };

    // The owner's machine: the project (a clone of the remote) and the run, with no coding slot of its own.
    const ownerEnv = agentTestEnv(join(root, 'owner'), modelUrl, shared);
    const specFile = join(root, 'spec.txt');
    writeFileSync(specFile, SAMPLE_SPEC);
    const dir = join(root, 'owner', 'notes');
    const created = await cliAsync(['new', 'notes', '--dir', dir, '--spec', specFile, '--remote', remote], ownerEnv);
    expect(created.status, created.stderr).toBe(0);
    const owner = startGroup(['run', 'notes', '--no-local-work'], ownerEnv);
    const schema = schemaIdentifier(projectSchemaName('notes'));
    const q = <T>(sql: string) => admin.query(sql.replaceAll('§', schema)) as T[];
    const featureCount = () => {
      try {
        return q<{ n: number }>('SELECT count(*)::int AS n FROM §.features')[0]?.n ?? 0;
      } catch {
        return 0;
      }
    };
    await waitFor(() => featureCount() === 9, 180_000, 'the initializer to plan 9 features');

    // Three machines: a home, a Claude Code config and a work folder each; one slot each.
    const workers = ['w1', 'w2', 'w3'].map((name) => {
      const env = agentTestEnv(join(root, name), modelUrl, shared);
      const workdir = join(root, name, 'work');
      mkdirSync(workdir, { recursive: true });
      return { name, ...startGroup(['worker', '--workdir', workdir, '--name', name, '--concurrency', '1'], env) };
    });

    // Feature #5's session committed: its branch reaches the remote without waiting for the session to end.
    await reachedKill;
    const pushed = await waitFor(
      () => {
        const line = git(
          remote,
          'for-each-ref',
          '--format=%(objectname) %(subject)',
          `refs/heads/autocoder/feature-${KILLED}`,
        );
        return line.endsWith(`Feature #${KILLED}`) ? line.split(' ')[0] : false;
      },
      30_000,
      `feature #${KILLED}'s commit on the remote`,
    );
    const holder = q<{ name: string; pid: number; current: string }>(
      'SELECT name, pid, current FROM autocoder_registry.workers',
    ).find((w) => (JSON.parse(w.current) as { featureId: number }[]).some((f) => f.featureId === KILLED));
    expect(holder, 'the worker holding the feature says so in its heartbeat').toBeDefined();
    const victim = workers.find((w) => w.name === holder!.name)!;
    expect(victim.child.pid).toBe(holder!.pid);
    killIfRunning(-victim.child.pid!, 'SIGKILL');
    await exited(victim.child);
    (held as (() => void) | null)?.();

    // The run ends with every feature passing, the survivors working it.
    const ownerCode = await exited(owner.child);
    expect(owner.output()).toContain('All 9 features pass.');
    expect(ownerCode, owner.output()).toBe(0);
    const survivors = workers.filter((w) => w !== victim);
    for (const w of survivors) killIfRunning(w.child.pid!, 'SIGTERM');
    for (const w of survivors) {
      expect(await exited(w.child), w.output()).toBe(0);
      expect(w.output()).toContain(`Worker ${w.name} stopped.`);
    }

    const features = q<{ id: number; status: string; attempts: number }>(
      'SELECT id, status, attempts FROM §.features ORDER BY id',
    );
    expect(features.map((f) => f.status)).toEqual(Array(9).fill('passing'));
    // The killed attempt counts; the one that went on from the pushed branch passed.
    expect(features.find((f) => f.id === KILLED)!.attempts).toBe(2);
    expect(
      q(`SELECT count(*)::int AS n FROM §.events WHERE type = 'feature.lease_expired' AND feature_id = ${KILLED}`),
    ).toEqual([{ n: 1 }]);
    // Each feature passed once; the killed one's second session went on from the branch the first had pushed.
    expect(q<{ n: number }>(`SELECT count(*)::int AS n FROM §.events WHERE type = 'feature.passed'`)).toEqual([
      { n: 9 },
    ]);
    expect(
      survivors.some((w) => w.output().includes(`feature #${KILLED} goes on from its branch as pushed to the remote`)),
    ).toBe(true);
    expect(
      git(remote, 'cherry', 'main', pushed as string)
        .split('\n')
        .filter((l) => l.startsWith('+')),
    ).toEqual([]);

    // The remote's main: each feature's commit exactly once, each feature's file as its session wrote it.
    const subjects = git(remote, 'log', '--format=%s', 'main').split('\n');
    for (let n = 1; n <= 9; n++) {
      expect(
        subjects.filter((s) => s === `Feature #${n}`),
        `Feature #${n} on main`,
      ).toHaveLength(1);
      expect(git(remote, 'show', `main:features/feature-${n}.txt`)).toBe(`feature ${n} implemented`);
    }
    // Nothing unmerged was ever deleted: every deleted remote branch's last tip is on main.
    const mainTip = git(remote, 'rev-parse', 'main');
    const deletions = readFileSync(refLog, 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter(([, next, ref]) => next === '0'.repeat(40) && ref?.startsWith('refs/heads/'));
    // Each feature's branch went once it landed, and only then.
    expect(deletions.map(([, , ref]) => ref).sort()).toEqual(
      Array.from({ length: 9 }, (_, i) => `refs/heads/autocoder/feature-${i + 1}`).sort(),
    );
    for (const [old, , ref] of deletions) expect(onMain(remote, old!, mainTip), `${ref} deleted at ${old}`).toBe(true);

    // The killed worker shows offline; the others stopped cleanly.
    const statusOf = async () => {
      const listed = await cliAsync(['workers', '--json'], ownerEnv);
      return new Map(
        (JSON.parse(listed.stdout) as { workers: { name: string; status: string }[] }).workers.map((w) => [
          w.name,
          w.status,
        ]),
      );
    };
    let states = await statusOf();
    const deadline = Date.now() + 60_000;
    while (states.get(victim.name) !== 'offline' && Date.now() < deadline) states = await statusOf();
    expect(states.get(victim.name)).toBe('offline');
    for (const w of survivors) expect(states.get(w.name)).toBe('stopped');
  },
);
