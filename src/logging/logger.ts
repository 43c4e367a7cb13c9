import { pino, type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

/**
 * autocoder's structured logger (pino): JSON lines with an ISO time, the level as a word, the
 * process id and, for errors, the `err` field with its type, message, stack and cause. The CLI
 * chooses where lines go (stderr for `serve`, the rotated `.autocoder/logs/runner.log` for a
 * run); everything else receives a `Logger` and never picks a destination itself.
 */
export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** Where log lines go: anything that takes one whole line (JSON with its newline) at a time. */
export interface LogSink {
  write(line: string): void;
}

export function createLogger(sink: LogSink, options: { readonly level: LogLevel; readonly name?: string }): Logger {
  const destination: DestinationStream = { write: (line: string) => sink.write(line) };
  return pino(
    {
      level: options.level,
      ...(options.name !== undefined ? { name: options.name } : {}),
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A logger that drops everything (tests and callers that have nowhere to log). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * A sink that writes through `write` (e.g. the CLI's stderr): JSON lines as they are, or, for a
 * person at a terminal, one readable line each (time, level, message, then the fields).
 */
export function lineSink(write: (text: string) => void, options: { readonly pretty: boolean }): LogSink {
  if (!options.pretty) return { write };
  const prettify = prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  return { write: (line) => write(prettify(line)) };
}
