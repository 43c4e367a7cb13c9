import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, type RunningCli } from './cli-process.js';

const ENTRY = join(REPO_ROOT, 'test', 'support', 'scripted-cli.ts');

/**
 * Starts `autocoder <args>` in a child process whose runs play `scenario` (scripted-scenarios.ts) instead of Claude
 * Code.
 */
export function startScriptedCli(scenario: string, args: readonly string[], env: NodeJS.ProcessEnv): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, scenario, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}
