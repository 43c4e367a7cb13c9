import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { SKELETON_FILES } from '../../src/demo/demo-app.js';
import { portAccepts } from '../../src/verify/processes.js';
import { seriousAxeViolations } from '../support/axe.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// Drives Debian's Chromium against a real server and a real app in the jail: slow on a loaded 2-core machine.
vi.setConfig({ testTimeout: 180_000 });

/**
 * Issue #21, "the app opens from the Open the app button and stops": a project whose main holds the demo's todo app
 * (its real init.sh and server.js); mission control's Open the app starts it in the agents' sandbox on a preview
 * port, the link opens the page in the browser, Stop the app stops it. Both themes, 1440 and 390 px, axe-clean.
 */
const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');

let ui: UiServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ui = await startUiServer();
  const { dir } = seedProject(ui, 'todos', { count: 6, passing: 2 });
  for (const file of SKELETON_FILES) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
  chmodSync(join(dir, 'init.sh'), 0o755);
  const git = (args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: dir });
  git(['add', '-A']);
  git(['commit', '--quiet', '-m', 'the todo app']);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await ui?.close();
});

async function missionControl(theme: 'light' | 'dark', width: number): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width, height: width < 500 ? 844 : 900 },
    colorScheme: theme,
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(ui.link('/projects/todos'));
  await page.getByTestId('app-preview').waitFor();
  return { page, errors };
}

it('Open the app starts the todo app from main, its link opens the page, and Stop the app stops it (both themes, 1440 and 390 px)', async () => {
  const { page, errors } = await missionControl('light', 1440);
  const section = page.getByTestId('app-preview');
  expect(await section.getAttribute('data-state')).toBe('stopped');
  await page.screenshot({ path: join(SHOTS, 'app-preview-stopped-light-1440.png') });
  expect(await seriousAxeViolations(page)).toEqual([]);

  await page.getByRole('button', { name: 'Open the app' }).click();
  const link = page.getByTestId('app-preview-url');
  await link.waitFor({ timeout: 90_000 });
  expect(await section.getAttribute('data-state')).toBe('running');
  const url = (await link.getAttribute('href')) ?? '';
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  expect(url).not.toBe(`${ui.url}/`);
  expect(await section.textContent()).toMatch(/Runs from main at [0-9a-f]{8} at http:\/\/127\.0\.0\.1:\d+\//);
  await page.screenshot({ path: join(SHOTS, 'app-preview-running-light-1440.png') });
  expect(await seriousAxeViolations(page)).toEqual([]);

  // The link opens the app itself in a new tab: the demo's todo page, served by its own server.
  const [app] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await app.waitForLoadState('load');
  expect(app.url()).toBe(url);
  await app.getByLabel('New todo').waitFor();
  await app.screenshot({ path: join(SHOTS, 'app-preview-the-app.png') });
  await app.close();

  // The other theme and the small screen show the running app the same way, axe-clean.
  for (const [theme, width] of [
    ['dark', 1440],
    ['light', 390],
    ['dark', 390],
  ] as const) {
    const other = await missionControl(theme, width);
    await other.page.getByTestId('app-preview-url').waitFor();
    expect(await other.page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(theme === 'dark');
    // Nothing spills out sideways at 390 px.
    expect(await other.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await other.page.screenshot({ path: join(SHOTS, `app-preview-running-${theme}-${width}.png`) });
    expect(await seriousAxeViolations(other.page)).toEqual([]);
    expect(other.errors).toEqual([]);
    await other.page.context().close();
  }

  await page.getByRole('button', { name: '■ Stop the app' }).click();
  await page.getByRole('button', { name: 'Open the app' }).waitFor();
  expect(await section.getAttribute('data-state')).toBe('stopped');
  expect(await portAccepts(Number(new URL(url).port))).toBe(false);
  await page.screenshot({ path: join(SHOTS, 'app-preview-stopped-again-light-1440.png') });
  expect(errors).toEqual([]);
  await page.context().close();
});
