import { Option } from 'commander';
import { join } from 'node:path';
import type { ProjectPaths } from '../config/paths.js';
import { errorMessage } from '../domain/errors.js';
import {
  createLogger,
  DEFAULT_LOG_LEVEL,
  LOG_LEVELS,
  lineSink,
  type Logger,
  type LogLevel,
} from '../logging/logger.js';
import { openRotatingFile, RUNNER_LOG_ROTATION } from '../logging/rotating-file.js';
import type { CliContext } from './context.js';

/** `--log-level`: how much a long-running command logs (the server to stderr, the runner to its log file). */
export const logLevelOption = (what: string) =>
  new Option('--log-level <level>', `how much ${what} logs`).choices(LOG_LEVELS).default(DEFAULT_LOG_LEVEL);

/**
 * The server's logger: stderr, readable lines on a terminal and JSON lines anywhere else (a file, a pipe, a service
 * manager).
 */
export function serverLogger(ctx: CliContext, level: LogLevel): Logger {
  return createLogger(lineSink(ctx.stderr, { pretty: ctx.stderrTerminal === true }), { level, name: 'server' });
}

/** The run's log file, `.autocoder/logs/runner.log`, rotated by size (see RUNNER_LOG_ROTATION). */
export const runnerLogFile = (paths: ProjectPaths): string => join(paths.logs, 'runner.log');

/**
 * The runner's logger: JSON lines in the rotated runner.log of the project. A log that cannot
 * be written is reported once on stderr; the run goes on without it.
 */
export function runnerLogger(
  ctx: CliContext,
  paths: ProjectPaths,
  level: LogLevel,
): { logger: Logger; close: () => void } {
  const path = runnerLogFile(paths);
  const file = openRotatingFile({
    path,
    ...RUNNER_LOG_ROTATION,
    onWriteError: (err) =>
      ctx.stderr(`Warning: cannot write ${path} (${errorMessage(err)}); the run goes on without its log.\n`),
  });
  return { logger: createLogger(file, { level, name: 'runner' }), close: () => file.close() };
}
