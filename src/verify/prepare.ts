import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcessesUsing } from '../agent/session-processes.js';
import { findOnPath } from '../config/sandbox-support.js';
import { AppError } from '../domain/errors.js';
import type { Redactor } from '../security/redactor.js';
import { createRedactingStream } from '../security/redacting-stream.js';
import { seconds } from './command-check.js';
import { confinedArgv, type Confinement } from './jail-runner.js';
import { createMaskedTail } from './output.js';
import { runToEnd, startChild } from './processes.js';

/**
 * Dependencies in a verification checkout. A fresh verification worktree has no `node_modules`,
 * so a check such as `npm test` would fail for the wrong reason. Before the checks, a Node project
 * (a `package.json`) gets its dependencies installed the way agents install them: `npm ci` with a
 * lockfile (`package-lock.json` or `npm-shrinkwrap.json`), else `npm install`; in the jail like
 * every command, with a time limit, output (masked) to `prepare.log` in the evidence folder. The
 * installed `node_modules` is kept by the worktree between verifications (see checkout.ts) and
 * installed again only when `package.json` or the lockfile changed. Other ecosystems (Python,
 * Ruby, Go…) are not prepared: their checks install what they need themselves.
 */

export const PREPARE_LOG_FILE = 'prepare.log';
/** Written into `node_modules` after an install: the hash of the manifests it was installed from. */
export const PREPARED_MARKER = '.autocoder-prepared';
export const DEFAULT_PREPARE_MS = 300_000;
const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json'] as const;

export interface PreparePlan {
  /** The install command (npm's arguments). */
  readonly args: readonly string[];
  /** The hash of package.json and the lockfile: what the installed node_modules must have been installed from. */
  readonly key: string;
}

/** What a checkout needs before its checks: null when nothing (no package.json, or node_modules is up to date). */
export function preparePlan(checkout: string): PreparePlan | null {
  const manifest = join(checkout, 'package.json');
  if (!existsSync(manifest)) return null;
  const lockfile = LOCKFILES.map((f) => join(checkout, f)).find((f) => existsSync(f));
  const hash = createHash('sha256').update(readFileSync(manifest));
  if (lockfile) hash.update('\0').update(readFileSync(lockfile));
  const key = hash.digest('hex');
  const marker = join(checkout, 'node_modules', PREPARED_MARKER);
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === key) return null;
  // No lockfile: install from package.json without writing one (the checkout stays as committed).
  const args = lockfile
    ? ['ci', '--no-audit', '--no-fund']
    : ['install', '--no-audit', '--no-fund', '--no-package-lock'];
  return { args, key };
}

export interface PrepareRun {
  readonly checkout: string;
  /** The verification's own temp folder (the install gets `prepare/` there as its TMPDIR). */
  readonly workDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly confinement: Confinement | null;
  /** `prepare.log` in the evidence folder. */
  readonly logFile: string;
  readonly timeoutMs: number;
  readonly redact: Redactor;
  readonly marker: string;
  /** Where the log is, as a person finds it (default: "in prepare.log in the evidence folder"). */
  readonly logPlace?: string;
}

/** What was prepared: nothing, or the install that ran (its command and how long it took). */
export type Prepared = { readonly ran: false } | { readonly ran: true; readonly command: string; readonly ms: number };

/**
 * Installs the checkout's dependencies when it needs them (see preparePlan). A failure throws an
 * AppError naming the command, how it ended and the end of its output (all of it is in prepare.log):
 * the verification then ends as `error` with that reason, before any check runs.
 */
export async function prepareDependencies(run: PrepareRun, signal: AbortSignal): Promise<Prepared> {
  const plan = preparePlan(run.checkout);
  if (plan === null) return { ran: false };
  const npm = findOnPath('npm', run.env.PATH);
  const command = `npm ${plan.args.join(' ')}`;
  if (npm === null)
    throw new AppError(
      'NOT_FOUND',
      `the checkout has a package.json, but npm was not found on PATH to install its dependencies (${command})`,
    );
  const tmp = join(run.workDir, 'prepare');
  mkdirSync(tmp, { recursive: true });
  // Nothing but the install: no update check, no funding or audit requests.
  const env = { ...run.env, TMPDIR: tmp, npm_config_update_notifier: 'false', npm_config_fund: 'false' };
  const log = openSync(run.logFile, 'a', 0o600);
  const mask = createRedactingStream(run.redact);
  const tail = createMaskedTail(run.redact, 2_000);
  writeSync(log, `$ ${command}\n`);
  const child = startChild({
    argv: confinedArgv(
      run.confinement,
      { privateDir: run.workDir, checkout: run.checkout, env, marker: run.marker, endsWithProgram: true },
      [npm, ...plan.args],
    ),
    cwd: run.checkout,
    env,
    onOutput: (_stream, text) => {
      tail.push(text);
      writeSync(log, mask.push(text));
    },
  });
  const outcome = await runToEnd(child, run.timeoutMs, signal);
  await stopProcessesUsing(tmp, { graceMs: 500 });
  const ending = outcome.aborted
    ? 'was aborted'
    : outcome.timedOut
      ? `did not finish within ${seconds(run.timeoutMs)}`
      : outcome.error
        ? `could not be started (${outcome.error.message})`
        : outcome.code === 0
          ? null
          : outcome.code === null
            ? `was ended by ${outcome.signal ?? 'a signal'}`
            : `exited with code ${outcome.code}`;
  writeSync(log, `${mask.flush()}\n[${ending ?? 'done'} after ${seconds(outcome.durationMs)}]\n`);
  closeSync(log);
  if (ending !== null)
    throw new AppError(
      'CONFLICT',
      `installing the dependencies (${command}) ${ending}, so no check ran; all of its output is ${run.logPlace ?? `in ${PREPARE_LOG_FILE} in the evidence folder`}. Its end:\n${tail.end()}`,
    );
  mkdirSync(join(run.checkout, 'node_modules'), { recursive: true });
  writeFileSync(join(run.checkout, 'node_modules', PREPARED_MARKER), `${plan.key}\n`);
  return { ran: true, command, ms: outcome.durationMs };
}
