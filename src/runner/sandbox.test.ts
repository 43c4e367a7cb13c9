import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideSandbox, sandboxSupport } from './sandbox.js';

let bin: string;
beforeEach(() => {
  bin = mkdtempSync(join(tmpdir(), 'ac-sandbox-bin-'));
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

const tool = (name: string) => {
  writeFileSync(join(bin, name), '#!/bin/sh\n');
  chmodSync(join(bin, name), 0o755);
};

describe('sandbox availability', () => {
  it('is available on Linux only with bubblewrap and socat on PATH, and says what to install', () => {
    expect(sandboxSupport('linux', bin)).toEqual({ available: false, fix: expect.stringContaining('install bubblewrap and socat') });
    tool('bwrap');
    expect(sandboxSupport('linux', bin).fix).toMatch(/install socat/);
    tool('socat');
    expect(sandboxSupport('linux', bin)).toEqual({ available: true, fix: null });
  });

  it('is available on macOS and not on Windows', () => {
    expect(sandboxSupport('darwin', '').available).toBe(true);
    expect(sandboxSupport('win32', '').fix).toMatch(/container or VM/);
  });

  it('auto turns it on where available and warns where not; on refuses to run without it; off is off', () => {
    expect(decideSandbox('auto', 'linux', bin)).toEqual({ enabled: false, warning: expect.stringMatching(/WITHOUT the OS sandbox/) });
    expect(() => decideSandbox('on', 'linux', bin)).toThrow(/--sandbox on was requested/);
    expect(decideSandbox('off', 'linux', bin)).toEqual({ enabled: false, warning: null });
    tool('bwrap');
    tool('socat');
    expect(decideSandbox('auto', 'linux', bin)).toEqual({ enabled: true, warning: null });
    expect(decideSandbox('on', 'linux', bin)).toEqual({ enabled: true, warning: null });
  });
});
