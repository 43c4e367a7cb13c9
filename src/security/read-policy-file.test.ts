import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_POLICY_FILE_BYTES, readPolicyFile } from './read-policy-file.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'autocoder-policy-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readPolicyFile', () => {
  it('reads a small regular file', () => {
    writeFileSync(path.join(dir, '.npmrc'), 'save-exact=true\n');
    expect(readPolicyFile(path.join(dir, '.npmrc'))).toBe('save-exact=true\n');
  });

  it('returns null for a missing file (or one under a file), so callers can tell absent from unreadable', () => {
    expect(readPolicyFile(path.join(dir, 'missing'))).toBeNull();
    writeFileSync(path.join(dir, 'plain'), 'x');
    expect(readPolicyFile(path.join(dir, 'plain', '.npmrc'))).toBeNull();
  });

  it('throws for a folder and a file over the limit', () => {
    mkdirSync(path.join(dir, 'folder'));
    expect(() => readPolicyFile(path.join(dir, 'folder'))).toThrow(/not a regular file/);
    writeFileSync(path.join(dir, 'big'), Buffer.alloc(MAX_POLICY_FILE_BYTES + 1));
    expect(() => readPolicyFile(path.join(dir, 'big'))).toThrow(/larger than/);
  });

  it('refuses a FIFO without blocking (no writer ever opens it)', () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => readPolicyFile(fifo)).toThrow(/not a regular file/);
  });

  it('refuses a device', () => {
    expect(() => readPolicyFile('/dev/zero')).toThrow(/not a regular file/);
  });
});
