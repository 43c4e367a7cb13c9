import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRotatingFile } from './rotating-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const line = (n: number) => `line ${String(n).padStart(3, '0')}\n`; // 9 bytes

describe('openRotatingFile', () => {
  it('creates its folder and a private file, and appends whole lines', () => {
    const path = join(dir, 'logs', 'runner.log');
    const file = openRotatingFile({ path, maxBytes: 1000, keep: 2 });
    file.write(line(1));
    file.write(line(2));
    file.close();
    expect(readFileSync(path, 'utf8')).toBe(line(1) + line(2));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('starts a new file before a line would pass maxBytes, keeps `keep` older ones and drops the oldest', () => {
    const path = join(dir, 'runner.log');
    const file = openRotatingFile({ path, maxBytes: 20, keep: 2 }); // two 9-byte lines per file
    for (let n = 1; n <= 9; n++) file.write(line(n));
    file.close();
    expect(readFileSync(path, 'utf8')).toBe(line(9));
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(line(7) + line(8));
    expect(readFileSync(`${path}.2`, 'utf8')).toBe(line(5) + line(6));
    expect(existsSync(`${path}.3`)).toBe(false);
  });

  it('counts what an earlier process left in the file', () => {
    const path = join(dir, 'runner.log');
    writeFileSync(path, line(0) + line(0));
    const file = openRotatingFile({ path, maxBytes: 20, keep: 1 });
    file.write(line(1));
    file.close();
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(line(0) + line(0));
    expect(readFileSync(path, 'utf8')).toBe(line(1));
  });

  it('writes a line longer than maxBytes whole, in a file of its own', () => {
    const path = join(dir, 'runner.log');
    const file = openRotatingFile({ path, maxBytes: 10, keep: 3 });
    const long = `${'x'.repeat(30)}\n`;
    file.write(line(1));
    file.write(long);
    file.write(line(2));
    file.close();
    expect([readFileSync(`${path}.2`, 'utf8'), readFileSync(`${path}.1`, 'utf8'), readFileSync(path, 'utf8')]).toEqual([
      line(1),
      long,
      line(2),
    ]);
  });

  it('never throws when a line cannot be written: it tells onWriteError once and goes on', () => {
    const path = join(dir, 'logs', 'runner.log');
    const errors: unknown[] = [];
    const file = openRotatingFile({ path, maxBytes: 10, keep: 1, onWriteError: (err) => errors.push(err) });
    file.write(line(1));
    rmSync(join(dir, 'logs'), { recursive: true }); // rotation now fails: nothing to rename
    expect(() => {
      file.write(line(2));
      file.write(line(3));
    }).not.toThrow();
    file.close();
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('refuses sizes that are not whole positive numbers', () => {
    expect(() => openRotatingFile({ path: join(dir, 'a.log'), maxBytes: 0, keep: 1 })).toThrow(
      'maxBytes must be a whole number of at least 1, not 0',
    );
    expect(() => openRotatingFile({ path: join(dir, 'a.log'), maxBytes: 10, keep: 1.5 })).toThrow(
      'keep must be a whole number of at least 1, not 1.5',
    );
  });
});
