/**
 * Plain git for tests of the remote's integration (#20): every call with a fixed identity and an environment of its
 * own (no system config, no user home), and a commit of one file in one step.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The environment of these tests' git (and of the remotes they hand the code under test). */
export const GIT_TEST_ENV = { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' };

/** Runs git in `cwd` and returns its trimmed output; throws when it fails. */
export const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd,
    encoding: 'utf8',
    env: GIT_TEST_ENV,
  }).trim();

/** Writes `text` to `file` in `cwd`, commits it and returns the commit's sha. */
export const commit = (cwd: string, file: string, text: string): string => {
  writeFileSync(join(cwd, file), text);
  git(cwd, 'add', file);
  git(cwd, 'commit', '--quiet', '-m', `${file}: ${text}`);
  return git(cwd, 'rev-parse', 'HEAD');
};
