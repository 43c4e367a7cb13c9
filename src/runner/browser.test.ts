import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempProject, type TempProject } from '../../test/support/tmp.js';
import { browserLocator, browserSessionName, playwrightRegistryDir, writePlaywrightConfig } from './browser.js';

let project: TempProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

describe('the browser config playwright-cli reads', () => {
  it('is headless unless headed is asked for (a person watching the window on a display)', () => {
    const p = (project = openTempProject());
    const launch = () =>
      (
        JSON.parse(readFileSync(join(p.dir, '.playwright', 'cli.config.json'), 'utf8')) as {
          browser: { launchOptions: { headless: boolean } };
        }
      ).browser.launchOptions;
    writePlaywrightConfig(p.dir, '/usr/bin/chromium', false);
    expect(launch().headless).toBe(true);
    writePlaywrightConfig(p.dir, '/usr/bin/chromium', false, { headed: true });
    expect(launch().headless).toBe(false);
    writePlaywrightConfig(p.dir, '/usr/bin/chromium', false, { headed: false });
    expect(launch().headless).toBe(true);
  });
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
