import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { DEMO_MODEL_LABEL } from '../../src/shared/runs.js';
import { seriousAxeViolations } from '../support/axe.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { STOP_DEMO_RUN_MS, stopDemoRun } from '../support/demo-run.js';
import { launchChromium, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// Drives Debian's Chromium against a real server and a real demo run: minutes on a loaded 2-core machine.
vi.setConfig({ testTimeout: 300_000 });

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
  // Stop a run the test left behind before its folder goes.
  await stopDemoRun(ui);
  await ui.close();
}, STOP_DEMO_RUN_MS);

/** "3 / 6" → [3, 6]. */
const passingOf = (text: string | null): [number, number] => {
  const m = /^(\d+) \/ (\d+)$/.exec(text ?? '');
  if (!m) throw new Error(`no "passing / total" in ${JSON.stringify(text)}`);
  return [Number(m[1]), Number(m[2])];
};

it('the Metrics page follows a demo run live: the burn-up and the passing figure grow without a reload', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  const errors = watchPageErrors(page);
  // When the page asked for the metrics.
  const asked: number[] = [];
  // The browser's own start time of each request (not when the test process heard of it).
  page.on('requestfinished', (r) => {
    if (/\/api\/projects\/demo\/metrics/.test(r.url())) asked.push(r.timing().startTime);
  });
  await page.goto(ui.link('/'));
  await page
    .getByRole('button', { name: /Try the demo/ })
    .first()
    .click();
  await page.waitForURL(/\/projects\/demo$/);
  await page.getByText(DEMO_MODEL_LABEL).first().waitFor({ timeout: 60_000 });
  await page.getByRole('link', { name: 'Metrics' }).click();
  await page.waitForURL(/\/projects\/demo\/metrics$/);
  // A marker on the window: it survives only if the page never reloads.
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

  // The figure's value ("3 / 6"), without its note.
  const passingFigure = page.getByTestId('fig-passing').locator('dd').first();
  await passingFigure.waitFor({ timeout: 60_000 });
  // The demo's first session writes the backlog, so the page may open on "0 / 0".
  const [before] = passingOf(await passingFigure.textContent());
  expect(before).toBe(0);
  const burnUp = page.getByRole('table', { name: 'Burn-up' });
  const burnUpRows = () => burnUp.locator('tbody tr').count();
  const rowsBefore = (await burnUp.count()) ? await burnUpRows() : 0;

  // The run lands features one by one; the figure and the burn-up follow from the stream alone.
  await expect
    .poll(async () => passingOf(await passingFigure.textContent())[0], { timeout: 240_000, interval: 500 })
    .toBeGreaterThan(0);
  await page.screenshot({ path: join(SHOTS, 'metrics-live-during.png'), fullPage: true });
  await page.getByText('Every feature passes').waitFor({ timeout: 240_000 });
  await expect
    .poll(
      async () => {
        const [passing, total] = passingOf(await passingFigure.textContent());
        return total > 0 && passing === total;
      },
      { timeout: 30_000, interval: 250 },
    )
    .toBe(true)
    .catch(async (e: unknown) => {
      await page.screenshot({ path: join(SHOTS, 'metrics-live-fail.png'), fullPage: true });
      throw new Error(
        `${String(e)}; figure: ${await passingFigure.textContent()}; asked: ${asked.join(',')}; now ${Date.now()}`,
      );
    });
  const [, total] = passingOf(await passingFigure.textContent());
  expect(await burnUpRows()).toBeGreaterThan(rowsBefore);
  const lastPoint = burnUp.locator('tbody tr').last().locator('td');
  expect(await lastPoint.allTextContents()).toEqual([String(total), String(total)]);
  // The demo model is free; its sessions are counted all the same.
  expect(await page.getByTestId('fig-cost').textContent()).toContain('$0.00');
  await expect.poll(async () => (await page.getByTestId('fig-first-pass').textContent()) ?? '').toMatch(/\d+%/);
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

  // The figures came from refetches the run's events caused (the throttle's 2 s window is unit-tested in live.test.ts
  // with a fake clock; a browser's timings belong in no test).
  expect(asked.length).toBeGreaterThan(2);

  await page.screenshot({ path: join(SHOTS, 'metrics-live-done.png'), fullPage: true });
  expect(await seriousAxeViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
  await ctx.close();
});
