import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../config/env.js';
import { AppError } from '../domain/errors.js';
import type { RunStartRequest } from '../shared/runs.js';
import type { ProjectPaths } from '../config/paths.js';
import type { CheckpointAgent } from '../shared/checkpoints.js';
import type { PersonaName } from '../shared/design.js';
import type { RunnerLauncher } from './routes/runs.js';

/** The CLI entry the runner is started with (the same one `autocoder` runs). */
export const CLI_ENTRY = join(import.meta.dirname, '..', '..', 'bin', 'autocoder.js');

/** argv after the node binary for `autocoder run` with the request's options. */
export function runnerArgs(projectRoot: string, request: RunStartRequest): string[] {
  const args = [CLI_ENTRY, 'run', projectRoot];
  if (request.model !== undefined) args.push('--model', request.model);
  if (request.maxIterations !== undefined) args.push('--max-iterations', String(request.maxIterations));
  if (request.maxTurns !== undefined) args.push('--max-turns', String(request.maxTurns));
  if (request.yolo === true) args.push('--yolo');
  if (request.sandbox !== undefined) args.push('--sandbox', request.sandbox);
  if (request.concurrency !== undefined) args.push('--concurrency', String(request.concurrency));
  if (request.testingRatio !== undefined) args.push('--testing-ratio', String(request.testingRatio));
  if (request.supervisor === true) args.push('--supervisor');
  if (request.verifier === true) args.push('--verifier');
  if (request.regressionEvery !== undefined) args.push('--regression-every', String(request.regressionEvery));
  if (request.checkpointInterval !== undefined) args.push('--checkpoint-interval', String(request.checkpointInterval));
  if (request.designReviewEvery !== undefined) args.push('--design-review-every', String(request.designReviewEvery));
  if (request.designIterations !== undefined) args.push('--design-iterations', String(request.designIterations));
  if (request.maxCostUsd !== undefined) args.push('--max-cost', String(request.maxCostUsd));
  if (request.maxFeatureCostUsd !== undefined) args.push('--max-feature-cost', String(request.maxFeatureCostUsd));
  return args;
}

/** `autocoder checkpoint <root> [--agents …]`: a checkpoint of main with no run active. */
export function checkpointArgs(projectRoot: string, agents: readonly CheckpointAgent[] | undefined): string[] {
  return [CLI_ENTRY, 'checkpoint', projectRoot, ...(agents === undefined ? [] : ['--agents', agents.join(',')])];
}

/** Starts a detached `autocoder checkpoint` (POST …/checkpoints when no run is active). */
export type CheckpointLauncher = (
  project: { name: string; paths: ProjectPaths },
  agents: readonly CheckpointAgent[] | undefined,
) => { pid: number };

/** `autocoder design-review <root> [--personas …]`: one design review iteration of main with no run active. */
export function designReviewArgs(projectRoot: string, personas: readonly PersonaName[] | undefined): string[] {
  return [
    CLI_ENTRY,
    'design-review',
    projectRoot,
    ...(personas === undefined ? [] : ['--personas', personas.join(',')]),
  ];
}

/** Starts a detached `autocoder design-review` (POST …/design/reviews when no run is active); personas: default all. */
export type DesignReviewLauncher = (
  project: { name: string; paths: ProjectPaths },
  personas: readonly PersonaName[] | undefined,
) => { pid: number };

/**
 * The real launcher: `autocoder run <root>` as a detached process in its own process group,
 * output to `.autocoder/logs/runner-<time>.log`, with the server's environment. The server
 * never waits for it; the runner records itself in the `runs` table.
 */
export function processLauncher(env: Env): RunnerLauncher {
  return (project, request) => spawnDetached(env, project, runnerArgs(project.paths.root, request));
}

/** The same for `autocoder checkpoint <root>`. */
export function processCheckpointLauncher(env: Env): CheckpointLauncher {
  return (project, agents) => spawnDetached(env, project, checkpointArgs(project.paths.root, agents));
}

/** The same for `autocoder design-review <root>`. */
export function processDesignLauncher(env: Env): DesignReviewLauncher {
  return (project, personas) => spawnDetached(env, project, designReviewArgs(project.paths.root, personas));
}

function spawnDetached(env: Env, project: { name: string; paths: ProjectPaths }, args: string[]): { pid: number } {
  mkdirSync(project.paths.logs, { recursive: true });
  const logFile = join(project.paths.logs, `runner-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  const fd = openSync(logFile, 'a', 0o600);
  try {
    const child = spawn(process.execPath, args, {
      cwd: project.paths.root,
      env: { ...env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    // A spawn that fails leaves no pid, which is reported below; the event only must not crash the server.
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined)
      throw new AppError('IO_ERROR', `could not start the runner for ${project.name}; see ${logFile}`);
    return { pid: child.pid };
  } finally {
    closeSync(fd);
  }
}
