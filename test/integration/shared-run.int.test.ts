/**
 * A project shared by machines through PostgreSQL and a git remote (#20), with the real CLI program in this process and
 * the scripted runtime: `new --remote` makes the folder a clone and publishes its first commit; `run --no-local-work`
 * owns the run (the initializer, its end) while an `autocoder worker` in a work folder of its own clones the remote,
 * joins the run and codes every feature, landing each on the remote's main under the shared lock. What only the real
 * Claude Code binary and separate processes prove (three workers, a kill -9): test/e2e/workers.e2e.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/env.js';
import { schemaIdentifier } from '../../src/db/pg/migrator.js';
import type { PgSyncClient } from '../../src/db/pg/sync-client.js';
import { projectSchemaName } from '../../src/db/store-location.js';
import { cliInProcess, scriptedCliEnv, startCliInProcess } from '../support/cli-in-process.js';
import {
  codingSession,
  initializerSession,
  roleScript,
  SAMPLE_FEATURES,
  SAMPLE_SPEC,
} from '../support/fake-anthropic/index.js';
import { useDatabasePerTest } from '../support/postgres.js';
import { ScriptedRuntime } from '../support/scripted-runtime.js';
import { startScriptedCli } from '../support/scripted-cli-process.js';
import { HOLDING } from '../support/scripted-scenarios.js';
import type { RunningCli } from '../support/cli-process.js';
import { killIfRunning } from '../support/kill.js';
import { waitFor } from '../support/wait-for.js';

const db = useDatabasePerTest();
let url: string;
let admin: PgSyncClient;
let root: string;
let env: Env;
let remote: string;

const gitOut = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

beforeEach(() => {
  ({ url, admin } = db());
  root = mkdtempSync(join(tmpdir(), 'ac-shared-'));
  env = scriptedCliEnv(root, {
    AUTOCODER_DATABASE_URL: url,
    AUTOCODER_LEASE_MS: '5000',
    AUTOCODER_HEARTBEAT_MS: '500',
  });
  remote = join(root, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  writeFileSync(join(root, 'spec.txt'), SAMPLE_SPEC);
});
const children: RunningCli[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      killIfRunning(c.child.pid!, 'SIGKILL');
      await c.exited;
    }
  }
  rmSync(root, { recursive: true, force: true });
});

async function ok(args: string[], options: { runtime?: ScriptedRuntime; env?: Env } = {}) {
  const result = await cliInProcess(args, options.env ?? env, options.runtime ? { runtime: options.runtime } : {});
  if (result.status !== 0) throw new Error(`autocoder ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result;
}

describe('a project shared through its git remote', { timeout: 120_000 }, () => {
  it('new --remote makes the folder a clone and publishes its first commit; it refuses without PostgreSQL', async () => {
    const noDb = scriptedCliEnv(root);
    const refused = await cliInProcess(['new', 'solo', '--dir', join(root, 'solo'), '--remote', remote], noDb);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--remote shares a project between machines through PostgreSQL');
    const bad = await cliInProcess(['new', 'bad', '--dir', join(root, 'bad'), '--remote', '-upload-pack=x'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('a remote may not start with "-"');
    expect(existsSync(join(root, 'bad'))).toBe(false);

    const dir = join(root, 'notes');
    const created = await ok(['new', 'notes', '--dir', dir, '--spec', join(root, 'spec.txt'), '--remote', remote]);
    expect(created.stdout).toContain(`Shared through ${remote}`);
    expect(gitOut(dir, 'remote', 'get-url', 'origin')).toBe(remote);
    // The remote's main is the folder's: its first commit keeps .autocoder/ out of git.
    expect(gitOut(remote, 'rev-parse', 'main')).toBe(gitOut(dir, 'rev-parse', 'main'));
    expect(gitOut(remote, 'show', 'main:.gitignore')).toContain('.autocoder/');
    const settings = admin.query(
      `SELECT value FROM autocoder_registry.project_settings WHERE project = 'notes' AND key = 'git.remote'`,
    );
    expect(settings).toEqual([{ value: JSON.stringify(remote) }]);
    // A second project on the same remote starts from the remote's main (a clone of it).
    const again = join(root, 'notes-2');
    await ok(['new', 'notes-2', '--dir', again, '--remote', remote]);
    expect(gitOut(again, 'rev-parse', 'main')).toBe(gitOut(remote, 'rev-parse', 'main'));
  });

  it('a worker joins the run an owner started with --no-local-work and lands every feature on the remote', async () => {
    const dir = join(root, 'notes');
    await ok(['new', 'notes', '--dir', dir, '--spec', join(root, 'spec.txt'), '--remote', remote]);
    const runtime = new ScriptedRuntime(
      roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }),
    );
    // A shared project whose store is gone (its schema dropped) is skipped, not a reason to stop looking.
    const other = join(root, 'other.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', other]);
    await ok(['new', 'broken', '--dir', join(root, 'broken'), '--remote', other]);
    admin.run(`DROP SCHEMA ${schemaIdentifier(projectSchemaName('broken'))} CASCADE`);
    const workdir = join(root, 'w1');
    mkdirSync(workdir);
    const owner = startCliInProcess(['run', 'notes', '--no-local-work', '--regression-every', '2'], env, { runtime });
    await waitFor(
      () => /Waiting for the work of other workers/.test(owner.output()) || /exited|failed/.test(owner.output()),
      60_000,
      'the owner to wait for workers',
    );
    // It works the run until no run is at work, then exits.
    const worker = await cliInProcess(
      ['worker', '--workdir', workdir, '--name', 'w1', '--concurrency', '2', '--exit-when-idle'],
      env,
      { runtime },
    );
    const ran = await owner.done;
    expect(ran.stdout).toContain('All 4 features pass.');
    // The owner counts the worker's landings: its regression passes come after every 2, on the remote's main.
    expect(ran.stdout).toMatch(/Regression pass after 2 landings on main \([0-9a-f]{8}\): \d passed, 0 regressed/);
    expect(ran.status, ran.stdout + ran.stderr).toBe(0);
    expect(worker.status, worker.stdout + worker.stderr).toBe(0);
    expect(worker.stdout).toContain('No shared run is at work: exiting (--exit-when-idle).');
    expect(worker.stdout.match(/broken: its store cannot be read/g)).toHaveLength(1);
    expect(worker.stdout).toContain('Worker w1 stopped.');

    const q = (sql: string) => admin.query(sql.replaceAll('§', schemaIdentifier(projectSchemaName('notes'))));
    expect(q('SELECT status, count(*) AS n FROM §.features GROUP BY status')).toEqual([{ status: 'passing', n: 4 }]);
    // Every coding session ran on the worker (the owner had no slot): in its clone, not the owner's folder.
    const sessions = q(`SELECT role, transcript_path AS path FROM §.sessions ORDER BY started_at`) as {
      role: string;
      path: string;
    }[];
    expect(sessions.filter((s) => s.role === 'coding').every((s) => s.path.startsWith(join(workdir, 'notes')))).toBe(
      true,
    );
    // The remote's main holds each feature's commit once; its merged feature branches are gone, nothing else is.
    const log = gitOut(remote, 'log', '--format=%s', 'main');
    for (const f of [1, 2, 3, 4]) expect(log.split('\n').filter((l) => l === `Feature #${f}`)).toHaveLength(1);
    expect(gitOut(remote, 'for-each-ref', '--format=%(refname)', 'refs/heads/')).toBe('refs/heads/main');
    // The owner's folder follows the remote's main.
    expect(gitOut(dir, 'rev-parse', 'main')).toBe(gitOut(remote, 'rev-parse', 'main'));
    const workers = admin.query(`SELECT name, stopped_at IS NOT NULL AS stopped FROM autocoder_registry.workers`);
    expect(workers).toEqual([{ name: 'w1', stopped: true }]);
  });

  it('a worker stopped with SIGTERM hands the feature it works back and records its stop; the run goes on', async () => {
    const dir = join(root, 'notes');
    await ok(['new', 'notes', '--dir', dir, '--spec', join(root, 'spec.txt'), '--remote', remote]);
    // Child processes (they get real signals); feature #2's session never gets its second turn.
    const owner = startScriptedCli('sample-hold-2', ['run', 'notes', '--no-local-work'], env);
    children.push(owner);
    await waitFor(() => /Waiting for the work of other workers/.test(owner.output()), 60_000, 'the owner');
    // Nobody works it yet, and status says so.
    const alone = await ok(['status', 'notes']);
    expect(alone.stdout).toContain("No live worker: nothing works this shared run's features until one starts");
    const workdir = join(root, 'w1');
    const worker = startScriptedCli(
      'sample-hold-2',
      ['worker', '--workdir', workdir, '--name', 'w1', '--concurrency', '1'],
      env,
    );
    children.push(worker);
    await waitFor(() => worker.output().includes(`${HOLDING} feature 2`), 60_000, 'feature 2 to be held');
    const q = (sql: string) => admin.query(sql.replaceAll('§', schemaIdentifier(projectSchemaName('notes'))));
    expect(q('SELECT status FROM §.features WHERE id = 2')).toEqual([{ status: 'in_progress' }]);
    const current = admin.query(`SELECT current FROM autocoder_registry.workers WHERE name = 'w1'`)[0] as {
      current: string;
    };
    expect(JSON.parse(current.current)).toEqual([{ project: 'notes', featureId: 2, slot: 0 }]);
    const status = JSON.parse((await ok(['status', 'notes', '--json'])).stdout) as { run: { workers: string[] } };
    expect(status.run.workers).toEqual(['w1']);
    expect((await ok(['status', 'notes'])).stdout).toContain('Shared run: 1 worker online (w1).');

    worker.child.kill('SIGTERM');
    expect((await worker.exited).code, worker.output()).toBe(0);
    expect(worker.output()).toContain('Worker w1 stopped.');
    // Handed back at once (not left to its lease), the attempt refunded as for any stopped session.
    expect(q('SELECT status FROM §.features WHERE id = 2')).toEqual([{ status: 'pending' }]);
    const released = q(
      `SELECT payload FROM §.events WHERE type = 'feature.released' AND feature_id = 2 ORDER BY id DESC LIMIT 1`,
    ) as { payload: unknown }[];
    expect(released[0]!.payload).toMatchObject({ note: 'the run was stopped during this session' });
    expect(
      admin.query(
        `SELECT stopped_at IS NOT NULL AS stopped, current FROM autocoder_registry.workers WHERE name = 'w1'`,
      ),
    ).toEqual([{ stopped: true, current: '[]' }]);
    // The owner's run is not the worker's to end: it still waits for workers.
    expect(q(`SELECT status FROM §.runs`)).toEqual([{ status: 'running' }]);
    owner.child.kill('SIGTERM');
    await owner.exited;
  });

  it('a worker needs the shared store, refuses a work folder that holds the control plane, and one name per process', async () => {
    const noDb = scriptedCliEnv(root);
    const solo = await cliInProcess(['worker', '--exit-when-idle'], noDb);
    expect(solo.status).toBe(2);
    expect(solo.stderr).toContain('a worker works projects shared through PostgreSQL');
    const inHome = await cliInProcess(
      ['worker', '--workdir', join(root, 'autocoder-home', 'w'), '--exit-when-idle'],
      env,
    );
    expect(inHome.status).toBe(2);
    expect(inHome.stderr).toContain('may not hold one another');
    // A name another live process holds is refused; an idle worker exits at once with --exit-when-idle.
    await ok(['list']);
    admin.query(
      `INSERT INTO autocoder_registry.workers (name, host, pid, slots, started_at, heartbeat_at) VALUES ('busy', 'elsewhere', 1, 1, ${Date.now()}, ${Date.now()})`,
    );
    const taken = await cliInProcess(
      ['worker', '--name', 'busy', '--workdir', join(root, 'w'), '--exit-when-idle'],
      env,
    );
    expect(taken.status).toBe(4);
    expect(taken.stderr).toMatch(/busy/);
    const idle = await cliInProcess(
      ['worker', '--name', 'idle', '--workdir', join(root, 'w'), '--exit-when-idle'],
      env,
    );
    expect(idle.status, idle.stderr).toBe(0);
    expect(idle.stdout).toContain('No shared run is at work: exiting (--exit-when-idle).');
  });
});
