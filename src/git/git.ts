import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { AppError } from '../domain/errors.js';
import { spawnFromHelper } from './spawn-helper.js';

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
const RUNNER_GIT_OPTIONS = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
  // No `git maintenance run --auto` after the runner's own commits and merges: an extra process each time, and a
  // garbage collection it may start would run inside the merge queue. The agents' commits still trigger it.
  '-c',
  'maintenance.auto=false',
] as const;

export function git(cwd: string, args: readonly string[], options: GitAsyncOptions = {}): GitResult {
  const res = spawnSync('git', [...RUNNER_GIT_OPTIONS, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env ? { env: options.env } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const }),
  });
  if (res.error && (res.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')
    return {
      status: 1,
      stdout: res.stdout ?? '',
      stderr: `${res.stderr ?? ''}git did not answer within ${options.timeoutMs} ms and was stopped`,
    };
  if (res.error) {
    throw new AppError('IO_ERROR', `cannot run git (${res.error.message}); install git and make sure it is on PATH`, {
      cause: res.error,
    });
  }
  return { status: res.status ?? 1, stdout: res.stdout, stderr: res.stderr };
}

/**
 * `git`, without blocking the event loop: the runner's loop goes on (other slots' events, landings) meanwhile. Started
 * from the spawn helper (spawn-helper.ts): a git started from the runner itself costs it a fork of all its memory.
 */
export async function gitAsync(
  cwd: string,
  args: readonly string[],
  options: GitAsyncOptions = {},
): Promise<GitResult> {
  const res = await spawnFromHelper({
    file: 'git',
    args: [...RUNNER_GIT_OPTIONS, ...args],
    cwd,
    env: options.env,
    // A git talking to a remote that stopped answering is ended (it returns as a failure saying so).
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  if (res.error !== null && res.status === null && !res.timedOut)
    throw new AppError('IO_ERROR', `cannot run git (${res.error}); install git and make sure it is on PATH`);
  return {
    status: res.status ?? 1,
    stdout: res.stdout,
    stderr: res.timedOut
      ? `${res.stderr}git did not answer within ${options.timeoutMs} ms and was stopped`
      : res.stderr,
  };
}

export interface GitAsyncOptions {
  /** The git's whole environment (default: this process's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The git process is killed after this long (a remote that stopped answering); the result says so. */
  readonly timeoutMs?: number;
}

/** Like `git`, but a non-zero exit is an error naming the command. */
export function gitOk(cwd: string, args: readonly string[]): string {
  return okOutput(cwd, args, git(cwd, args));
}

function okOutput(cwd: string, args: readonly string[], res: GitResult): string {
  if (res.status !== 0) {
    throw new AppError('IO_ERROR', `git ${args.join(' ')} failed in ${cwd}: ${res.stderr.trim() || res.stdout.trim()}`);
  }
  return res.stdout;
}

/**
 * Git work written once and run either way: a generator yields each git command it needs and gets its result back.
 * `runGit` runs it blocking (spawnSync), `runGitAsync` without blocking the event loop (the runner's slot start-up).
 */
export interface GitCall {
  readonly cwd: string;
  readonly args: readonly string[];
}
export type GitSteps<T> = Generator<GitCall, T, GitResult>;

/** One git command inside GitSteps (`yield* gitStep(...)`). */
export function* gitStep(cwd: string, args: readonly string[]): GitSteps<GitResult> {
  return yield { cwd, args };
}

/** gitOk inside GitSteps. */
export function* gitOkStep(cwd: string, args: readonly string[]): GitSteps<string> {
  return okOutput(cwd, args, yield* gitStep(cwd, args));
}

/** Runs git steps with blocking git calls. */
export function runGit<T>(steps: GitSteps<T>): T {
  let next = steps.next();
  while (!next.done) {
    let res: GitResult;
    try {
      res = git(next.value.cwd, next.value.args);
    } catch (err: unknown) {
      next = steps.throw(err);
      continue;
    }
    next = steps.next(res);
  }
  return next.value;
}

/** Runs git steps with git as child processes the event loop does not wait for. */
export async function runGitAsync<T>(steps: GitSteps<T>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    let res: GitResult;
    try {
      res = await gitAsync(next.value.cwd, next.value.args);
    } catch (err: unknown) {
      next = steps.throw(err);
      continue;
    }
    next = steps.next(res);
  }
  return next.value;
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
export function* gitIdentitySteps(cwd: string): GitSteps<GitIdentity> {
  // One git for both keys (every session start asks); the last value of a key wins, as `git config --get` says.
  const res = yield* gitStep(cwd, ['config', '--null', '--get-regexp', '^user\\.(name|email)$']);
  const values = new Map<string, string>();
  if (res.status === 0)
    for (const entry of res.stdout.split('\0')) {
      const newline = entry.indexOf('\n');
      if (newline > 0) values.set(entry.slice(0, newline).toLowerCase(), entry.slice(newline + 1).trim());
    }
  return {
    name: values.get('user.name') || 'autocoder',
    email: values.get('user.email') || 'autocoder@localhost',
  };
}

/**
 * Adds patterns to the repository's own `.git/info/exclude` (never committed), skipping any
 * that are already listed or that match tracked files.
 */
export function addLocalExcludes(cwd: string, patterns: readonly string[]): void {
  runGit(addLocalExcludesSteps(cwd, patterns));
}

export function* addLocalExcludesSteps(
  cwd: string,
  patterns: readonly string[],
  /** The repository's info/exclude file when the caller knows it already (saves a git process). */
  excludeFile?: string,
): GitSteps<void> {
  const file = excludeFile ?? (yield* gitOkStep(cwd, ['rev-parse', '--git-path', 'info/exclude'])).trim();
  const path = isAbsolute(file) ? file : join(cwd, file);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const listed = new Set(current.split(/\r?\n/).map((l) => l.trim()));
  const unlisted = patterns.filter((p) => !listed.has(p));
  // Every slot start asks again for what is listed by then: no need to list the whole index (ls-files) for that.
  if (unlisted.length === 0) return;
  const tracked = new Set((yield* gitOkStep(cwd, ['ls-files'])).split('\n').map((f) => f.split('/')[0]));
  const missing = unlisted.filter((p) => !tracked.has(p.replace(/\/$/, '')));
  if (missing.length === 0) return;
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${current.length > 0 && !current.endsWith('\n') ? '\n' : ''}${missing.join('\n')}\n`);
}
