import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempProject, type TempProject } from '../../test/support/tmp.js';
import {
  browserDisplay,
  browserLocator,
  browserSessionName,
  playwrightRegistryDir,
  writePlaywrightConfig,
} from './browser.js';

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

let project: TempProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

describe('where a session’s browser is found', () => {
  it('names the browser after the session, as PLAYWRIGHT_CLI_SESSION', () => {
    expect(browserSessionName('ses_0123456789abcdef')).toBe('ac-456789abcdef');
  });

  it('is the descriptor folder playwright-cli writes under the session’s HOME: ~/.cache on Linux, Library/Caches on macOS', () => {
    expect(playwrightRegistryDir('/home/u', 'linux')).toBe('/home/u/.cache/ms-playwright/b');
    expect(playwrightRegistryDir('/Users/u', 'darwin')).toBe('/Users/u/Library/Caches/ms-playwright/b');
  });

  it('comes from the session’s own environment and folder, and is absent without a browser session name or HOME', () => {
    const env = { PLAYWRIGHT_CLI_SESSION: 'ac-456789abcdef', HOME: '/tmp/ac-x/home' };
    expect(browserLocator(env, '/p/.autocoder/worktrees/slot-1', 'linux')).toEqual({
      session: 'ac-456789abcdef',
      registry: '/tmp/ac-x/home/.cache/ms-playwright/b',
      workspace: '/p/.autocoder/worktrees/slot-1',
    });
    expect(browserLocator({ HOME: '/h' }, '/p', 'linux')).toBeUndefined();
    expect(browserLocator({ PLAYWRIGHT_CLI_SESSION: 'ac-1' }, '/p', 'linux')).toBeUndefined();
  });

  it('is recorded with the session: its session.started event carries it', () => {
    const p = (project = openTempProject());
    const browser = { session: 'ac-1', registry: '/h/.cache/ms-playwright/b', workspace: p.dir };
    const base = { runId: null, slot: 1, role: 'coding', featureIds: [], model: null, transcriptPath: '/t' };
    p.store.sessions.start({ id: 'ses_a', ...base, browser });
    p.store.sessions.start({ id: 'ses_b', ...base });
    const started = (id: string) =>
      p.store.events.latest({ types: ['session.started'], sessionId: id, limit: 1 })[0]?.payload;
    expect(started('ses_a')).toMatchObject({ role: 'coding', browser });
    expect(started('ses_b')).not.toHaveProperty('browser');
    expect(p.store.sessions.get('ses_a')).toMatchObject({ status: 'running', slot: 1 });
  });
});
