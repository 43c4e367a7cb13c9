import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore, openRegistry } from '../../src/db/stores.js';
import { createDemoProject } from '../../src/demo/create-demo-project.js';
import { DEMO_MODEL } from '../../src/shared/runs.js';
import { seriousAxeViolations } from '../support/axe.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { STOP_DEMO_RUN_MS, stopDemoRun } from '../support/demo-run.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// Drives Debian's Chromium against a real server and a real demo run (the detached runner, the real Claude Code
// binary, the built-in demo model): over a minute on a loaded 2-core machine.
vi.setConfig({ testTimeout: 360_000 });

/**
 * Issue #21, "Done when": the demo started from the Start dialog shows Running, then Finished, and the outcome banner
 * (reason, duration, features passed, cost, how to open the app) survives a reload; the project's card says the same.
 * Screenshots in both themes at 1440 and 390 px; axe finds nothing serious.
 */
const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');

let ui: UiServer;
let browser: Browser;

beforeEach(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ui = await startUiServer();
  browser = await launchChromium();
});

afterEach(async () => {
  await browser.close();
  await stopDemoRun(ui);
  await ui.close();
}, STOP_DEMO_RUN_MS);

/** Records every state the run badge shows, so a short-lived one is not missed. */
async function recordRunStates(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { runStates: string[] }).runStates = seen;
    const note = () => {
      const badge = document.querySelector('[data-testid="run-state"]');
      const s = badge ? `${badge.getAttribute('data-state')}:${badge.textContent}` : null;
      if (s && seen[seen.length - 1] !== s) seen.push(s);
    };
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      attributes: true,
      childList: true,
      characterData: true,
    });
    note();
  });
  return () => page.evaluate(() => (window as unknown as { runStates: string[] }).runStates);
}

/** The banner's text once it says the demo finished with all six features passing. */
async function finishedBanner(page: Page, timeout = 30_000): Promise<string> {
  const banner = page.locator('[data-testid="run-outcome"][data-outcome="finished"]');
  await banner.waitFor({ timeout });
  return (await banner.textContent()) ?? '';
}

it('the demo started from the Start dialog shows Running then Finished; the outcome banner survives a reload', async () => {
  const registry = openRegistry(ui.env);
  try {
    createDemoProject(registry.registry, ui.env, { cwd: ui.tmp.dir });
  } finally {
    registry.close();
  }

  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  const page = await ctx.newPage();
  const errors = watchPageErrors(page);
  await page.goto(ui.link('/projects/demo'));
  await page.getByRole('region', { name: 'Mission control' }).waitFor();
  const states = await recordRunStates(page);
  expect(await page.getByTestId('run-outcome').count()).toBe(0);

  await page.getByRole('button', { name: /Start agents/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Start agents' });
  // The demo project's own default model; filled in case the settings had not loaded when the dialog opened.
  await dialog.getByLabel('Model').fill(DEMO_MODEL);
  await dialog.getByRole('button', { name: 'Start' }).click();
  await dialog.waitFor({ state: 'detached' });

  await page.locator('[data-testid="run-state"][data-state="running"]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="run-state"][data-outcome="finished"]').waitFor({ timeout: 240_000 });
  const seen = await states();
  // Stopped (nothing yet), Starting… after the click, Running while the runner works, Finished at the end; never
  // "Starting…" once the runner recorded itself.
  expect(seen[0]).toBe('stopped:Stopped');
  expect(seen).toContain('running:Running');
  expect(seen.at(-1)).toBe('stopped:Finished');
  expect(seen.slice(seen.indexOf('running:Running')).filter((s) => s.startsWith('starting'))).toEqual([]);

  const text = await finishedBanner(page);
  expect(text).toContain('Last run: Finished: every feature passes');
  expect(text).toContain('All 6 features pass.');
  expect(text).toMatch(/\d+(m \d+)?s · 6\/6 features passing · \$0\.00 · ended /);
  expect(text).toContain('Open the built app with autocoder preview demo');
  await page.screenshot({ path: join(SHOTS, 'run-outcome-finished-light-1440.png') });
  expect(await seriousAxeViolations(page)).toEqual([]);

  // A reload asks the server again: the same ending, told the same way.
  await page.reload();
  expect(await finishedBanner(page)).toBe(text);
  expect(await page.getByTestId('run-state').textContent()).toBe('Finished');
  expect(errors).toEqual([]);
  await ctx.close();

  for (const [colorScheme, width] of [
    ['dark', 1440],
    ['light', 390],
    ['dark', 390],
  ] as const) {
    const c = await browser.newContext({ viewport: { width, height: width === 390 ? 844 : 900 }, colorScheme });
    const p = await c.newPage();
    const pageErrors = watchPageErrors(p);
    await p.goto(ui.link('/projects/demo'));
    expect(await finishedBanner(p)).toBe(text);
    await p.screenshot({
      path: join(SHOTS, `run-outcome-finished-${colorScheme}-${width}.png`),
      fullPage: width === 390,
    });
    expect(await seriousAxeViolations(p)).toEqual([]);

    // The project's card on the Projects page: its state, cost and last activity.
    await p.goto(ui.link('/'));
    const card = p.getByTestId('project-demo');
    await card.getByText('Last run: Finished: every feature passes').waitFor();
    expect(await card.getByTestId('project-run').textContent()).toMatch(/Cost \$0\.00 · last activity /);
    await p.screenshot({ path: join(SHOTS, `run-outcome-projects-${colorScheme}-${width}.png`) });
    expect(await seriousAxeViolations(p)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await c.close();
  }
});

it('an initializer that created no features: mission control says so and what to do, never "0/0 passing"', async () => {
  const { dir } = seedProject(ui, 'empty', { count: 0 });
  const store = openProjectStore(projectPaths(dir));
  try {
    store.runs.start({ id: 'run_1', pid: process.pid, host: hostname(), incarnation: 'i', settings: {} });
    store.runs.end('run_1', 'failed', 'The initializer session ended (success) without creating any features.', {
      outcome: 'no_features',
      counts: { passing: 0, total: 0 },
    });
  } finally {
    store.close();
  }
  for (const [colorScheme, width] of [
    ['light', 1440],
    ['dark', 390],
  ] as const) {
    const ctx = await browser.newContext({ viewport: { width, height: width === 390 ? 844 : 900 }, colorScheme });
    const page = await ctx.newPage();
    const errors = watchPageErrors(page);
    await page.goto(ui.link('/projects/empty'));
    const banner = page.locator('[data-testid="run-outcome"][data-outcome="no_features"]');
    await banner.waitFor();
    expect(await banner.getByRole('heading').textContent()).toBe('Last run: The initializer created no features');
    expect(await banner.textContent()).toContain('Check the app spec in Settings and read the initializer’s log');
    expect(await page.getByTestId('no-features').textContent()).toBe(
      'No features: the initializer session created none.',
    );
    expect(await page.getByRole('progressbar').count()).toBe(0);
    expect(await page.getByText('0/0').count()).toBe(0);
    expect(await banner.getByTestId('run-outcome-facts').textContent()).toMatch(/^0s · no features · \$0\.00 · ended /);
    expect(await page.getByTestId('run-state').textContent()).toBe('No features');
    await page.screenshot({ path: join(SHOTS, `run-outcome-no-features-${colorScheme}-${width}.png`) });
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await ctx.close();
  }
});
