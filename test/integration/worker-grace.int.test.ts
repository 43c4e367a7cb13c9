/**
 * `autocoder worker --grace` (#20): a worker that cannot reach the database, or a shared project's git remote, for
 * longer than the grace period stops with a clear message and its exit code (5: the database; 1: the remote) instead
 * of claiming on blindly. Child processes with the scripted runtime; the database is taken away by dropping it (which
 * ends its connections and refuses new ones), the remote by deleting it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/env.js';
import { openPgSync } from '../../src/db/pg/sync-client.js';
import type { RunningCli } from '../support/cli-process.js';
import { cliInProcess, scriptedCliEnv } from '../support/cli-in-process.js';
import { SAMPLE_SPEC } from '../support/fake-anthropic/index.js';
import { killIfRunning } from '../support/kill.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startScriptedCli } from '../support/scripted-cli-process.js';
import { waitFor } from '../support/wait-for.js';

let pg: TestPostgres;
let root: string;
let url: string;
let env: Env;
const children: RunningCli[] = [];

beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-worker-grace-'));
  url = pg.freshDatabase();
  env = scriptedCliEnv(root, { AUTOCODER_DATABASE_URL: url });
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      killIfRunning(c.child.pid!, 'SIGKILL');
      await c.exited;
    }
  }
  rmSync(root, { recursive: true, force: true });
});

function start(scenario: string, args: string[]): RunningCli {
  const child = startScriptedCli(scenario, args, env);
  children.push(child);
  return child;
}

describe('a worker out of reach of what it needs', { timeout: 90_000 }, () => {
  it('stops once the database has been out of reach longer than --grace (exit 5)', async () => {
    const worker = start('sample-hold-2', ['worker', '--workdir', join(root, 'w'), '--name', 'w1', '--grace', '5']);
    await waitFor(() => worker.output().includes('Waiting for shared runs'), 30_000, 'the worker to start');
    const admin = openPgSync(pg.adminUrl);
    try {
      admin.run(`DROP DATABASE "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
    } finally {
      admin.close();
    }
    const { code } = await worker.exited;
    expect(code, worker.output()).toBe(5);
    expect(worker.output()).toMatch(
      /The database has been out of reach for \d+ s \(more than --grace 5 s\): stopping this worker\./,
    );
    expect(worker.output()).toContain('Worker w1 stopped.');
  });

  it("stops once a shared project's remote has been out of reach longer than --grace (exit 1)", async () => {
    const remote = join(root, 'remote.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    writeFileSync(join(root, 'spec.txt'), SAMPLE_SPEC);
    const created = await cliInProcess(
      ['new', 'notes', '--dir', join(root, 'notes'), '--spec', join(root, 'spec.txt'), '--remote', remote],
      env,
    );
    expect(created.status, created.stderr).toBe(0);
    const owner = start('sample-hold-2', ['run', 'notes', '--no-local-work']);
    await waitFor(() => owner.output().includes('Waiting for the work of other workers'), 60_000, 'the owner');
    rmSync(remote, { recursive: true, force: true });
    const worker = start('sample-hold-2', ['worker', '--workdir', join(root, 'w'), '--name', 'w1', '--grace', '5']);
    const { code } = await worker.exited;
    expect(code, worker.output()).toBe(1);
    expect(worker.output()).toContain(`notes: the git remote ${remote} could not be cloned`);
    expect(worker.output()).toContain(
      'The git remote of notes has been out of reach for more than --grace 5 s: stopping this worker.',
    );
    owner.child.kill('SIGTERM');
    await owner.exited;
  });
});
