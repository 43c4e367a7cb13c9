import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPaths } from '../../src/config/paths.js';
import type { ClaimPolicy, Clock } from '../../src/db/ports.js';
import { openProjectStore, type SqliteProjectStore } from '../../src/db/stores.js';

export interface TempDir {
  readonly dir: string;
  cleanup(): void;
}

/** A fresh folder under the OS temp dir; `cleanup` removes it (safe to call twice). */
export function makeTempDir(prefix = 'autocoder-test-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A clock the test moves by hand, so leases and backoff can be tested without waiting. */
export class FakeClock implements Clock {
  constructor(private current: number = Date.UTC(2025, 0, 1)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): number {
    this.current += ms;
    return this.current;
  }
}

/** Fast, deterministic defaults for tests: no backoff between attempts. */
export const TEST_POLICY: ClaimPolicy = { leaseMs: 60_000, backoffBaseMs: 0, backoffCapMs: 0 };

export interface TempProject {
  readonly dir: string;
  /** The SQLite store, with its connection for tests that look at the rows themselves. */
  readonly store: SqliteProjectStore;
  cleanup(): void;
}

/** A project store on a real SQLite file in a new temp folder; `cleanup` closes it and deletes the folder. */
export function openTempProject(options: { clock?: Clock; policy?: ClaimPolicy } = {}): TempProject {
  const tmp = makeTempDir('autocoder-project-');
  let store: SqliteProjectStore;
  try {
    store = openProjectStore(projectPaths(tmp.dir), {
      policy: options.policy ?? TEST_POLICY,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  } catch (err: unknown) {
    tmp.cleanup();
    throw err;
  }
  return {
    dir: tmp.dir,
    store,
    cleanup: () => {
      store.close();
      tmp.cleanup();
    },
  };
}

/** A folder for CLI tests: its own AUTOCODER_HOME, a user HOME, a `work` folder and a git identity; nothing else. */
export interface CliSandbox {
  /** The folder holding everything (real path: macOS-style /tmp links resolved). */
  readonly sandbox: string;
  /** `$AUTOCODER_HOME`. */
  readonly home: string;
  /** Where the tests create projects. */
  readonly work: string;
  /** The CLI's whole environment. */
  readonly env: Record<string, string>;
}

export function cliSandbox(prefix: string): CliSandbox {
  const sandbox = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const home = join(sandbox, 'autocoder-home');
  const work = join(sandbox, 'work');
  mkdirSync(work);
  mkdirSync(join(sandbox, 'user-home'));
  const env = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: join(sandbox, 'user-home'),
    AUTOCODER_HOME: home,
    // Checkpoints add reviewer sessions to every run: only the tests about them turn them on (flags beat this).
    AUTOCODER_CHECKPOINT_INTERVAL: '0',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  return { sandbox, home, work, env };
}
