import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogSink } from './logger.js';

export interface RotatingFileOptions {
  /** The live file, e.g. `.autocoder/logs/runner.log`; older ones are `<path>.1` (newest) … `<path>.<keep>`. */
  readonly path: string;
  /**
   * A line that would take the live file past this size starts a new one (a single longer line is still written whole).
   */
  readonly maxBytes: number;
  /** How many rotated files are kept besides the live one. */
  readonly keep: number;
  /** Told once when a line cannot be written (disk full, folder gone); logging must never stop the program. */
  readonly onWriteError?: (err: unknown) => void;
}

export interface RotatingFile extends LogSink {
  close(): void;
}

/** The runner's log: 10 MiB per file, the live one and 4 older ones. */
export const RUNNER_LOG_ROTATION = { maxBytes: 10 * 1024 * 1024, keep: 4 } as const;

/**
 * A log file rotated by size, written synchronously in this thread: no worker thread or timer
 * outlives the process, and a line is on disk before the process can exit. Private (0600): a
 * log may name paths and settings of the project.
 */
export function openRotatingFile(options: RotatingFileOptions): RotatingFile {
  if (!Number.isInteger(options.maxBytes) || options.maxBytes < 1)
    throw new RangeError(`maxBytes must be a whole number of at least 1, not ${options.maxBytes}`);
  if (!Number.isInteger(options.keep) || options.keep < 1)
    throw new RangeError(`keep must be a whole number of at least 1, not ${options.keep}`);
  const { path, maxBytes, keep } = options;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let fd: number | null = openSync(path, 'a', 0o600);
  let size = fstatSync(fd).size;
  let reported = false;

  // The old descriptor is closed only once the new file is open, so a failed rotation leaves a usable one.
  const rotate = (current: number) => {
    rmSync(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    renameSync(path, `${path}.1`);
    const next = openSync(path, 'a', 0o600);
    closeSync(current);
    size = 0;
    return next;
  };

  return {
    write(line: string) {
      if (fd === null) return;
      const bytes = Buffer.byteLength(line);
      try {
        if (size > 0 && size + bytes > maxBytes) fd = rotate(fd);
        writeSync(fd, line);
        size += bytes;
      } catch (err: unknown) {
        // The line is lost; say so once instead of failing the run (or the server) over its log.
        if (!reported) options.onWriteError?.(err);
        reported = true;
      }
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
