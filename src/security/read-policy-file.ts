/**
 * The file reader the Bash policy and the file guard get as `readFile` (project `.npmrc` files, a
 * playwright-cli `--config`, the file an Edit changes). Those files are written by the agent, so
 * the reader refuses anything but a small regular file: a FIFO would block the check forever
 * (opened non-blocking, then refused), a device such as /dev/zero would never end.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Larger config files are refused rather than read (real ones are a few hundred bytes). */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;

/**
 * Reads a small regular file as UTF-8; null when it does not exist; throws for folders, FIFOs, devices, files over 1 MB
 * and read errors.
 */
export function readPolicyFile(absolutePath: string): string | null {
  let fd: number;
  try {
    fd = openSync(absolutePath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${absolutePath} is not a regular file`);
    if (stat.size > MAX_POLICY_FILE_BYTES)
      throw new Error(`${absolutePath} is larger than ${MAX_POLICY_FILE_BYTES} bytes`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
