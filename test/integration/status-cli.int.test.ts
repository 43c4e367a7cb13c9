/**
 * `autocoder status` with the run state and the last run's outcome (#21): the real CLI program in this process on a
 * registered project whose store (a real SQLite file) is seeded through store.runs and store.sessions.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/env.js';
import { projectPaths } from '../../src/config/paths.js';
import type { ProjectStore } from '../../src/db/ports.js';
import { openProjectStore, openRegistry } from '../../src/db/stores.js';
import { cliInProcess } from '../support/cli-in-process.js';

let root: string;
let dir: string;
let env: Env;

function withStore<T>(fn: (store: ProjectStore) => T): T {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-status-cli-'));
  env = { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH };
  dir = join(root, 'work', 'shop');
  mkdirSync(dir, { recursive: true });
  const reg = openRegistry(env);
  try {
    reg.registry.add('shop', dir);
  } finally {
    reg.close();
  }
  openProjectStore(projectPaths(dir), { create: true }).close();
  withStore((store) => {
    for (const name of ['Cart', 'Checkout'])
      store.features.create({ category: 'core', name, description: 'd', steps: ['s'] });
  });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const cli = (...args: string[]) => cliInProcess(args, env);
const usage = { turns: 1, inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 1.25 };

/** A run of this process (so it is active while not ended) with one $1.25 session. */
function startRun(store: ProjectStore): void {
  store.runs.start({ id: 'run_1', pid: process.pid, host: hostname(), incarnation: 'i', settings: {} });
  store.sessions.start({
    id: 's1',
    runId: 'run_1',
    slot: 0,
    role: 'coding',
    featureIds: [],
    model: null,
    transcriptPath: '/t',
  });
  store.sessions.end('s1', { status: 'succeeded', outcome: 'success', usage, error: null });
}

describe('autocoder status', () => {
  it('--json keeps the progress keys and adds the run: none yet, running, then the last outcome with every field', async () => {
    const first = await cli('status', 'shop', '--json');
    expect(first.status).toBe(0);
    const before = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(Object.keys(before)).toEqual([
      'total',
      'passing',
      'in_progress',
      'needs_input',
      'failed',
      'pending',
      'percentage',
      'verified',
      'run',
    ]);
    expect(before['run']).toStrictEqual({
      status: 'stopped',
      runId: null,
      pid: null,
      startedAt: null,
      pauseRequested: false,
      lastOutcome: null,
      workers: null,
    });

    withStore(startRun);
    const running = JSON.parse((await cli('status', 'shop', '--json')).stdout) as { run: Record<string, unknown> };
    expect(running.run).toMatchObject({ status: 'running', runId: 'run_1', pid: process.pid, lastOutcome: null });
    expect((await cli('status', 'shop')).stdout).toContain('Run: running (run_1)');

    const run = withStore((store) => {
      store.runs.end('run_1', 'finished', 'All 2 features pass.', {
        outcome: 'finished',
        counts: { passing: 2, total: 2 },
      });
      return store.runs.get('run_1')!;
    });
    const ended = JSON.parse((await cli('status', 'shop', '--json')).stdout) as { run: Record<string, unknown> };
    expect(ended.run).toStrictEqual({
      status: 'stopped',
      runId: 'run_1',
      pid: null,
      startedAt: run.startedAt,
      pauseRequested: false,
      lastOutcome: {
        runId: 'run_1',
        outcome: 'finished',
        reason: 'All 2 features pass.',
        startedAt: run.startedAt,
        endedAt: run.endedAt,
        durationMs: run.endedAt! - run.startedAt,
        featuresPassing: 2,
        featuresTotal: 2,
        costUsd: 1.25,
      },
      workers: null,
    });
  });

  it('prints the last outcome with its reason, facts and what to do next: a finished run says how to open the app', async () => {
    withStore((store) => {
      startRun(store);
      store.runs.end('run_1', 'finished', 'All 2 features pass.', {
        outcome: 'finished',
        counts: { passing: 2, total: 2 },
      });
    });
    const text = await cli('status', 'shop');
    expect(text.status).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^0\/2 passing/);
    expect(lines[1]).toBe('Last run: Finished: every feature passes — All 2 features pass.');
    expect(lines[2]).toMatch(/^ {2}\d+s · 2\/2 features passing · \$1\.25 \(run_1\)$/);
    expect(lines[3]).toBe(
      '  Next: Open the built app with `npx autocoder preview shop`: it starts the app from main on a preview port.',
    );
  });

  it('an initializer that created no features says so, and where to look', async () => {
    withStore((store) => {
      startRun(store);
      store.runs.end('run_1', 'failed', 'The initializer session ended (success) without creating any features.', {
        outcome: 'no_features',
        counts: { passing: 0, total: 0 },
      });
    });
    const text = (await cli('status', 'shop')).stdout;
    expect(text).toContain(
      'Last run: The initializer created no features — The initializer session ended (success) without creating any features.',
    );
    expect(text).toContain('Check the app spec (`npx autocoder check-spec shop`)');
    expect(text).toContain("read the initializer's log (`npx autocoder logs shop`)");
    expect(text).toMatch(/\n {2}\d+s · no features · \$1\.25 \(run_1\)\n/);
  });
});
