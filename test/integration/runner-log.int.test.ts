/**
 * `autocoder run` writes its log to .autocoder/logs/runner.log (the real CLI in a child process; no agent session is
 * needed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { gitOk } from '../../src/git/git.js';
import { cli } from '../support/cli-process.js';
import { createSampleProject } from '../support/sample-project.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

// Runs the real CLI in child processes (each start takes seconds under tsx on a loaded machine), several per test.
vi.setConfig({ testTimeout: 120_000 });

let tmp: TempDir;
let env: NodeJS.ProcessEnv;
let dir: string;

beforeEach(() => {
  tmp = makeTempDir('ac-runner-log-');
  env = { ...process.env, AUTOCODER_HOME: join(tmp.dir, 'ac-home'), HOME: join(tmp.dir, 'home') };
  dir = createSampleProject(tmp.dir, env).dir;
  // One feature, already passing: the run has nothing to start and ends at once.
  const store = openProjectStore(projectPaths(dir));
  try {
    const feature = store.features.create({
      category: 'core',
      name: 'list notes',
      description: 'Show the notes',
      steps: ['open the page'],
    });
    store.claims.markPassing(store.claims.claimFeature(feature.id, 'test').claim);
  } finally {
    store.close();
  }
});
afterEach(() => tmp.cleanup());

const firstCommit = () =>
  gitOk(dir, ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--allow-empty', '-qm', 'first']);
const logFile = () => join(dir, '.autocoder', 'logs', 'runner.log');
const records = () =>
  readFileSync(logFile(), 'utf8')
    .trimEnd()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the runner log', () => {
  it('records the start with the settings, every line the run reports, and the end with its result, as JSON lines', () => {
    firstCommit();
    const run = cli(['run', 'notes'], env);
    expect(run.status).toBe(0);
    const log = records();
    expect(log.map((r) => r.msg)).toEqual([
      'run starting',
      expect.stringMatching(/^Security: sandbox/),
      'All 1 features pass.',
      'run ended',
    ]);
    expect(log.every((r) => r.name === 'runner' && r.project === 'notes' && r.level === 'info')).toBe(true);
    expect(log[0]).toMatchObject({ settings: { concurrency: 1, testingRatio: 0, supervisor: false } });
    expect(log[3]).toMatchObject({
      status: 'finished',
      reason: 'All 1 features pass.',
      sessions: 0,
      runId: expect.stringMatching(/^run_[0-9a-f]{12}$/),
    });
    expect(run.stdout).toContain('All 1 features pass.');
  });

  it('records a run that fails with the error, its stack and the reason', () => {
    const run = cli(['run', 'notes'], env); // no commit on main yet: the run cannot start feature branches
    expect(run.status).toBe(4);
    const failed = records().filter((r) => r.level === 'error');
    expect(failed.map((r) => r.msg)).toEqual(['the run failed']);
    const err = failed[0]?.err as { type: string; message: string; stack: string; code: string };
    expect(err).toMatchObject({
      type: 'AppError',
      code: 'CONFLICT',
      message: expect.stringContaining('has no commits yet on main'),
    });
    expect(err.stack).toContain('workspaces.ts');
  });

  it('keeps only what --log-level lets through', () => {
    firstCommit();
    expect(cli(['run', 'notes', '--log-level', 'warn'], env).status).toBe(0);
    expect(readFileSync(logFile(), 'utf8')).toBe('');
    expect(cli(['run', 'notes', '--log-level', 'debug'], env).status).toBe(0);
    expect(records().map((r) => r.msg)).toEqual([
      'run starting',
      expect.stringMatching(/^Security: sandbox/),
      'All 1 features pass.',
      'run ended',
    ]);
  });

  it('refuses an unknown --log-level as a usage error that lists the levels, before touching the project', () => {
    const run = cli(['run', 'notes', '--log-level', 'loud'], env);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      "error: option '--log-level <level>' argument 'loud' is invalid. Allowed choices are fatal, error, warn, info, debug, trace, silent.",
    );
    expect(existsSync(logFile())).toBe(false);
  });
});
