import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { DEMO_MODEL_LABEL } from '../../src/shared/runs.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { launchChromium, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';
import { STOP_DEMO_RUN_MS, stopDemoRun } from '../support/demo-run.js';

// Drives Debian's Chromium against a real server: a journey can take over a minute on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

/**
 * The whole product in a browser: "Try the demo" creates a project and starts a real run (the
 * detached runner, the real Claude Code binary, the built-in demo model — scripted, no AI);
 * cards move to Passing live; Pause shows draining and then paused; Resume; everything passes
 * and the page celebrates.
 */
const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');

let ui: UiServer;
let browser: Browser;

beforeEach(async () => {
  ui = await startUiServer();
  browser = await launchChromium();
});

afterEach(async () => {
  await browser.close();
  // Stop a run the test left behind before its folder goes.
  await stopDemoRun(ui);
  await ui.close();
}, STOP_DEMO_RUN_MS);

it(
  'try the demo → live cards → pause drains then pauses → resume → all pass → celebration',
  { timeout: 300_000 },
  async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, reducedMotion: 'no-preference' });
    const page = await ctx.newPage();
    const errors = watchPageErrors(page);
    await page.goto(ui.link('/'));
    await page
      .getByRole('button', { name: /Try the demo/ })
      .first()
      .click();
    await page.waitForURL(/\/projects\/demo$/);
    await page.getByText(DEMO_MODEL_LABEL).first().waitFor({ timeout: 60_000 });

    // Record every run state the page shows, so a short-lived one is not missed.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { runStates: string[] }).runStates = seen;
      const note = () => {
        const s = document.querySelector('[data-testid="run-state"]')?.getAttribute('data-state');
        if (s && seen[seen.length - 1] !== s) seen.push(s);
      };
      new MutationObserver(note).observe(document.body, { subtree: true, attributes: true, childList: true });
      note();
    });
    const states = () => page.evaluate(() => (window as unknown as { runStates: string[] }).runStates);

    // Agents at work on mission control, then cards arrive in Passing on the board without a reload.
    await page.locator('[data-testid="agent-0"]:not([data-state="idle"])').waitFor({ timeout: 90_000 });
    await page.screenshot({ path: join(SHOTS, 'demo-mission-control.png') });
    await page.getByRole('link', { name: 'Board' }).click();
    await page.getByTestId('lane-passing').locator('[data-feature-id]').first().waitFor({ timeout: 120_000 });
    await page.screenshot({ path: join(SHOTS, 'demo-board-live.png') });
    const passingBefore = await page.getByTestId('lane-passing').locator('[data-feature-id]').count();
    const total = await page.locator('[data-feature-id]').count();
    expect(passingBefore).toBeLessThan(total);

    // Pause = drain: the current feature finishes, then the run idles.
    await page.getByRole('button', { name: /Pause/ }).click();
    await page.locator('[data-testid="run-state"][data-state="paused"]').waitFor({ timeout: 120_000 });
    const seen = await states();
    expect(seen).toContain('draining');
    expect(seen.lastIndexOf('draining')).toBeLessThan(seen.lastIndexOf('paused'));
    await page.screenshot({ path: join(SHOTS, 'demo-paused.png') });

    // Resume; the run finishes; the page celebrates the last pass.
    await page.getByRole('button', { name: /Resume/ }).click();
    await page.getByText('Every feature passes').waitFor({ timeout: 180_000 });
    expect(await page.locator('canvas').count()).toBeGreaterThan(0); // confetti (motion allowed here)
    await page
      .getByTestId('lane-passing')
      .locator('[data-feature-id]')
      .nth(total - 1)
      .waitFor();
    expect(await page.getByTestId('lane-ready').locator('[data-feature-id]').count()).toBe(0);
    // Every pass was proven by the runner: each passing card carries the verified badge and its screenshot (the demo's
    // features all have a browser check), none says "not verified".
    const passing = page.getByTestId('lane-passing').locator('[data-feature-id]');
    await expect.poll(() => passing.getByTestId('verified-badge').count(), { timeout: 30_000 }).toBe(total);
    expect(await passing.getByTestId('not-verified').count()).toBe(0);
    expect(await passing.getByRole('img', { name: /from its verification/ }).count()).toBe(total);
    await page.screenshot({ path: join(SHOTS, 'demo-all-passing.png') });
    expect(errors).toEqual([]);
    await ctx.close();
  },
);
