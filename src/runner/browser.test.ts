import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browserDisplay, writePlaywrightConfig } from './browser.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-browser-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const launchOptions = () =>
  (
    JSON.parse(readFileSync(join(dir, '.playwright', 'cli.config.json'), 'utf8')) as {
      browser: { launchOptions: { headless: boolean; executablePath?: string } };
    }
  ).browser.launchOptions;

describe('headed browsers (PLAYWRIGHT_HEADLESS=false, AUTOCODER_HEADED)', () => {
  it('are headless unless asked for', () => {
    expect(browserDisplay(false, { DISPLAY: ':0' })).toEqual({ headed: false, env: {}, note: null });
    writePlaywrightConfig(dir, '/usr/bin/chromium', false);
    expect(launchOptions()).toMatchObject({ headless: true, executablePath: '/usr/bin/chromium' });
  });

  it('show their window on an X11 or Wayland display, and the sessions get what reaches it', () => {
    expect(browserDisplay(true, { DISPLAY: ':99', XAUTHORITY: '/home/u/.Xauthority', PATH: '/bin' })).toEqual({
      headed: true,
      env: { DISPLAY: ':99', XAUTHORITY: '/home/u/.Xauthority' },
      note: null,
    });
    expect(browserDisplay(true, { WAYLAND_DISPLAY: 'wayland-0', XDG_RUNTIME_DIR: '/run/user/1000' })).toEqual({
      headed: true,
      env: { WAYLAND_DISPLAY: 'wayland-0', XDG_RUNTIME_DIR: '/run/user/1000' },
      note: null,
    });
    writePlaywrightConfig(dir, null, false, true);
    expect(launchOptions().headless).toBe(false);
  });

  it('stay headless without a display, and say why', () => {
    const none = browserDisplay(true, { PATH: '/bin', XAUTHORITY: '/x' });
    expect(none).toMatchObject({ headed: false, env: {} });
    expect(none.note).toContain('no display (neither DISPLAY nor WAYLAND_DISPLAY is set)');
    expect(none.note).toContain("the agents' browsers stay headless");
  });
});
