import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { AppError } from '../domain/errors.js';

export interface GitResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs git with an argv array (never a shell string) in `cwd`. */
/**
 * Options for every git the runner itself runs: no hooks and no fsmonitor program, so nothing
 * an agent managed to leave in `.git` runs with the runner's environment and outside the sandbox.
 */
const RUNNER_GIT_OPTIONS = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false'] as const;

export function git(cwd: string, args: readonly string[]): GitResult {
  const res = spawnSync('git', [...RUNNER_GIT_OPTIONS, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (res.error) {
    throw new AppError('IO_ERROR', `cannot run git (${res.error.message}); install git and make sure it is on PATH`, {
      cause: res.error,
    });
  }
  return { status: res.status ?? 1, stdout: res.stdout, stderr: res.stderr };
}

/** Like `git`, but a non-zero exit is an error naming the command. */
export function gitOk(cwd: string, args: readonly string[]): string {
  const res = git(cwd, args);
  if (res.status !== 0) {
    throw new AppError('IO_ERROR', `git ${args.join(' ')} failed in ${cwd}: ${res.stderr.trim() || res.stdout.trim()}`);
  }
  return res.stdout;
}

export function isGitRepo(dir: string): boolean {
  const res = git(dir, ['rev-parse', '--is-inside-work-tree']);
  return res.status === 0 && res.stdout.trim() === 'true';
}

/** The top folder of the git work tree holding `dir`, or null outside any. */
export function gitTopLevel(dir: string): string | null {
  const res = git(dir, ['rev-parse', '--show-toplevel']);
  return res.status === 0 ? res.stdout.trim() : null;
}

export function gitInit(dir: string): void {
  gitOk(dir, ['init', '--quiet', '--initial-branch=main']);
}

export interface GitIdentity {
  readonly name: string;
  readonly email: string;
}

/**
 * The identity agents commit as: the user's own git identity for this repository when one is
 * configured, else "autocoder". Passed to sessions through GIT_AUTHOR_* / GIT_COMMITTER_*,
 * because a session may run with its own HOME, where the user's ~/.gitconfig is not found.
 */
export function gitIdentity(cwd: string): GitIdentity {
  const read = (key: string) => {
    const res = git(cwd, ['config', '--get', key]);
    return res.status === 0 ? res.stdout.trim() : '';
  };
  return { name: read('user.name') || 'autocoder', email: read('user.email') || 'autocoder@localhost' };
}

/**
 * Adds patterns to the repository's own `.git/info/exclude` (never committed), skipping any
 * that are already listed or that match tracked files.
 */
export function addLocalExcludes(cwd: string, patterns: readonly string[]): void {
  const file = gitOk(cwd, ['rev-parse', '--git-path', 'info/exclude']).trim();
  const path = isAbsolute(file) ? file : join(cwd, file);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const listed = new Set(current.split(/\r?\n/).map((l) => l.trim()));
  const tracked = new Set(
    gitOk(cwd, ['ls-files'])
      .split('\n')
      .map((f) => f.split('/')[0]),
  );
  const missing = patterns.filter((p) => !listed.has(p) && !tracked.has(p.replace(/\/$/, '')));
  if (missing.length === 0) return;
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${current.length > 0 && !current.endsWith('\n') ? '\n' : ''}${missing.join('\n')}\n`);
}
