/**
 * The real CLI program (`runCli`, every command and its wiring) in this process, with the
 * scripted runtime for `run`: what `autocoder …` does, without a child process or Claude Code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentRuntime } from '../../src/agent/runtime.js';
import { runCli } from '../../src/cli/program.js';
import type { Env } from '../../src/config/env.js';
import { REPO_ROOT, type CliResult } from './cli-process.js';
import { SAMPLE_SPEC } from './fake-anthropic/index.js';

export interface CliInProcess {
  /** Everything printed so far, stdout and stderr interleaved. */
  readonly output: () => string;
  readonly done: Promise<CliResult>;
}

/** Starts a command; `done` resolves with its exit code and output once it returns. */
export function startCliInProcess(
  args: readonly string[],
  env: Env,
  options: { runtime?: AgentRuntime; cwd?: string } = {},
): CliInProcess {
  let stdout = '';
  let stderr = '';
  let all = '';
  const done = runCli(args, {
    env,
    cwd: options.cwd ?? REPO_ROOT,
    stdout: (text) => {
      stdout += text;
      all += text;
    },
    stderr: (text) => {
      stderr += text;
      all += text;
    },
    ...(options.runtime ? { runtime: options.runtime } : {}),
  }).then((status) => ({ status, stdout, stderr }));
  return { output: () => all, done };
}

/** Runs a command to its end. */
export function cliInProcess(
  args: readonly string[],
  env: Env,
  options: { runtime?: AgentRuntime; cwd?: string } = {},
): Promise<CliResult> {
  return startCliInProcess(args, env, options).done;
}

/**
 * The environment of a scripted CLI run: its own HOME, autocoder home and Claude config dir
 * (never the real ones), no model endpoint (the scripted runtime needs none), no backoff
 * between attempts, and the OS sandbox off (the scripted runtime does not sandbox commands).
 */
export function scriptedCliEnv(root: string, extra: Record<string, string> = {}): Env {
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  return {
    PATH: process.env.PATH,
    HOME: home,
    AUTOCODER_HOME: join(root, 'autocoder-home'),
    // Checkpoints add reviewer sessions to every run: only the tests about them turn them on (flags beat this).
    AUTOCODER_CHECKPOINT_INTERVAL: '0',
    CLAUDE_CONFIG_DIR: join(root, 'claude-config'),
    ANTHROPIC_API_KEY: 'sk-ant-test-key-not-real-0123456789',
    AUTOCODER_MODEL: 'claude-sonnet-4-5',
    AUTOCODER_RETRY_BACKOFF_MS: '0',
    AUTOCODER_SANDBOX: 'off',
    GIT_CONFIG_NOSYSTEM: '1',
    ...extra,
  };
}

/** `autocoder new notes --dir <root>/notes --spec <the sample spec>`, in this process; throws if it fails. */
export async function createSampleProjectInProcess(root: string, env: Env): Promise<{ dir: string }> {
  const specFile = join(root, 'spec.txt');
  writeFileSync(specFile, SAMPLE_SPEC);
  const dir = join(root, 'notes');
  const created = await cliInProcess(['new', 'notes', '--dir', dir, '--spec', specFile], env);
  if (created.status !== 0) throw new Error(`autocoder new failed (${created.status}): ${created.stderr}`);
  return { dir };
}
