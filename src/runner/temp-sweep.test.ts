import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOwnedDir } from '../agent/session-dirs.js';
import type { RunRecord } from '../db/ports.js';
import { makeTempDir, openTempProject, type TempDir, type TempProject } from '../../test/support/tmp.js';
import { runIsOver, sweepRunOrphans } from './temp-sweep.js';

const record = (over: Partial<RunRecord> = {}): RunRecord => ({
  id: 'run_a',
  pid: 100,
  host: 'box',
  incarnation: 'inc-a',
  status: 'finished',
  settings: {},
  startedAt: 0,
  heartbeatAt: 0,
  endedAt: 1,
  endReason: 'done',
  outcome: null,
  featuresPassing: null,
  featuresTotal: null,
  costUsd: null,
  control: null,
  ...over,
});

describe('runIsOver', () => {
  const marked = { id: 'run_a', incarnation: 'inc-a' };

  it('is true for a run of this project that ended, finished, failed or crashed', () => {
    for (const status of ['finished', 'failed', 'crashed'] as const)
      expect(runIsOver(record({ status }), marked, 100)).toBe(true);
  });

  it('is false for an active run, an unknown run, or a namesake (other incarnation or pid)', () => {
    for (const status of ['starting', 'running', 'draining', 'paused', 'stopping'] as const)
      expect(runIsOver(record({ status }), marked, 100)).toBe(false);
    expect(runIsOver(undefined, marked, 100)).toBe(false);
    expect(runIsOver(record({ incarnation: 'inc-b' }), marked, 100)).toBe(false);
    expect(runIsOver(record(), marked, 101)).toBe(false);
  });
});

describe('sweepRunOrphans', () => {
  let project: TempProject;
  let tmp: TempDir;
  beforeEach(() => {
    project = openTempProject();
    tmp = makeTempDir('ac-sweep-test-');
  });
  afterEach(() => {
    project.cleanup();
    tmp.cleanup();
  });

  it("removes the folders of this project's runs that are over and keeps the live run's and other projects'", async () => {
    const runs = project.store.runs;
    const start = (id: string) =>
      runs.start({ id, pid: process.pid, host: hostname(), incarnation: `inc-${id}`, settings: {} });
    const folder = (name: string, id: string) =>
      createOwnedDir(tmp.dir, name, {
        purpose: 'session',
        run: { id, incarnation: `inc-${id}` },
        project: project.dir,
        keep: false,
      });
    start('run_dead');
    runs.end('run_dead', 'crashed', 'the runner process died');
    start('run_done');
    runs.end('run_done', 'finished', 'All features pass.');
    start('run_live');
    const dead = folder('s-dead', 'run_dead');
    const done = folder('s-done', 'run_done');
    const live = folder('s-live', 'run_live');
    const foreign = folder('s-foreign', 'run_of_another_project');

    expect((await sweepRunOrphans(runs, tmp.dir)).sort()).toEqual([dead, done].sort());
    expect(existsSync(dead) || existsSync(done)).toBe(false);
    expect(existsSync(live) && existsSync(foreign)).toBe(true);
  });
});
