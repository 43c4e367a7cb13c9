import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/tmp.js';
import {
  addLocalExcludes,
  gitIdentitySteps,
  gitInit,
  gitOk,
  gitOkStep,
  gitStep,
  runGit,
  runGitAsync,
  type GitSteps,
} from './git.js';

let tmp: TempDir;
const saved = { global: process.env.GIT_CONFIG_GLOBAL, system: process.env.GIT_CONFIG_NOSYSTEM };
beforeEach(() => {
  // Only the repository's own config: the machine's ~/.gitconfig may name someone.
  process.env.GIT_CONFIG_GLOBAL = '/dev/null';
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  tmp = makeTempDir('ac-git-');
  gitInit(tmp.dir);
});
afterEach(() => {
  tmp.cleanup();
  for (const [key, value] of [
    ['GIT_CONFIG_GLOBAL', saved.global],
    ['GIT_CONFIG_NOSYSTEM', saved.system],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/** Steps that branch on a git result and then fail on purpose: both drivers must agree on every step. */
function* probe(cwd: string): GitSteps<string> {
  const inside = yield* gitStep(cwd, ['rev-parse', '--is-inside-work-tree']);
  if (inside.stdout.trim() !== 'true') return 'outside';
  return yield* gitOkStep(cwd, ['rev-parse', '--verify', 'no-such-ref']);
}

describe('git steps', () => {
  it('run the same blocking and asynchronously, and a failing step throws the same error', async () => {
    const blocking = (() => {
      try {
        return runGit(probe(tmp.dir));
      } catch (err: unknown) {
        return (err as Error).message;
      }
    })();
    const async = await runGitAsync(probe(tmp.dir)).catch((err: unknown) => (err as Error).message);
    expect(blocking).toMatch(/^git rev-parse --verify no-such-ref failed in /);
    expect(async).toBe(blocking);
  });

  it('an error thrown by the git call itself reaches the steps, which may handle it', async () => {
    function* guarded(): GitSteps<string> {
      try {
        yield* gitStep(join(tmp.dir, 'missing-folder'), ['status']);
        return 'ran';
      } catch {
        return 'caught';
      }
    }
    expect(runGit(guarded())).toBe('caught');
    expect(await runGitAsync(guarded())).toBe('caught');
  });
});

describe("the runner's git", () => {
  it('runs no hooks, no fsmonitor and no automatic maintenance (a garbage collection inside the merge queue)', async () => {
    const asked = (key: string) => gitOk(tmp.dir, ['config', '--get', key]).trim();
    expect([asked('core.hooksPath'), asked('core.fsmonitor'), asked('maintenance.auto')]).toEqual([
      '/dev/null',
      'false',
      'false',
    ]);
    expect((await runGitAsync(gitOkStep(tmp.dir, ['config', '--get', 'maintenance.auto']))).trim()).toBe('false');
  });
});

describe('gitIdentity', () => {
  it("is the repository's own name and email (the last value of each wins), else autocoder's", () => {
    expect(runGit(gitIdentitySteps(tmp.dir))).toEqual({ name: 'autocoder', email: 'autocoder@localhost' });
    gitOk(tmp.dir, ['config', 'user.name', 'Ada Lovelace']);
    expect(runGit(gitIdentitySteps(tmp.dir))).toEqual({ name: 'Ada Lovelace', email: 'autocoder@localhost' });
    gitOk(tmp.dir, ['config', '--add', 'user.email', 'old@example.com']);
    gitOk(tmp.dir, ['config', '--add', 'user.email', 'ada@example.com']);
    expect(runGit(gitIdentitySteps(tmp.dir))).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
  });
});

describe('addLocalExcludes', () => {
  it('adds what is neither listed nor tracked, once', () => {
    writeFileSync(join(tmp.dir, 'tracked.txt'), 'x\n');
    gitOk(tmp.dir, ['add', 'tracked.txt']);
    addLocalExcludes(tmp.dir, ['.autocoder/', 'tracked.txt']);
    addLocalExcludes(tmp.dir, ['.autocoder/', '.env']);
    const exclude = join(tmp.dir, gitOk(tmp.dir, ['rev-parse', '--git-path', 'info/exclude']).trim());
    const lines = readFileSync(exclude, 'utf8').split('\n');
    expect(lines.filter((l) => l === '.autocoder/')).toHaveLength(1);
    expect(lines).toContain('.env');
    expect(lines).not.toContain('tracked.txt');
  });
});
