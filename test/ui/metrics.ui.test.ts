import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../support/cli-process.js';
import { seriousAxeViolations } from '../support/axe.js';
import { seedMetricsHistory } from '../support/metrics-history-seed.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// Drives Debian's Chromium against a real server: a page can take seconds on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

/** Screenshots of the Metrics page, kept for people to look at (CI keeps test-artifacts/). */
const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');

let ui: UiServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ui = await startUiServer();
  // Two runs over a few hours: 11 of 12 features land, retries, three models, a question a person answered.
  seedMetricsHistory(ui, 'shop');
  seedProject(ui, 'blank', { count: 0 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
});

async function open(
  theme: 'light' | 'dark',
  width: number,
): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({
    viewport: { width, height: 900 },
    colorScheme: theme,
    reducedMotion: 'reduce',
  });
  const page = await ctx.newPage();
  return { ctx, page, errors: watchPageErrors(page) };
}

describe('the Metrics page in Chromium', () => {
  for (const theme of ['light', 'dark'] as const) {
    for (const width of [1440, 390]) {
      it(`draws every chart, has no serious accessibility violations and is photographed (${theme}, ${width} px)`, async () => {
        const { ctx, page, errors } = await open(theme, width);
        try {
          await page.goto(ui.link('/projects/shop/metrics'));
          await page.getByTestId('fig-roi').waitFor();
          // Five charts, each drawn (recharts measured its container) with its lines or bars.
          await expect.poll(() => page.locator('figure .recharts-wrapper > svg').count()).toBe(5);
          expect(await page.locator('.recharts-line-curve').count()).toBe(2);
          expect(await page.locator('.recharts-area-area').count()).toBe(2); // coding and testing, stacked
          expect(await page.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(3);
          expect(await page.getByTestId('fig-passing').textContent()).toContain('11 / 12');
          expect(await page.getByTestId('fig-cost').textContent()).toContain('$10.77');
          expect(await page.getByTestId('fig-blockers').textContent()).toContain('25m 0s');
          expect(await page.getByTestId('roi-assumptions').textContent()).toContain('default metrics.hourlyRateUsd');
          // The page is as wide as the screen: nothing overflows sideways but the table's own scroller.
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
          await page.screenshot({ path: join(SHOTS, `metrics-${theme}-${width}.png`), fullPage: true });
          expect(await seriousAxeViolations(page)).toEqual([]);
          expect(errors).toEqual([]);
        } finally {
          await ctx.close();
        }
      });
    }
  }

  it('opens with shortcut 6, sorts the table from the keyboard and restricts to a run from the selector (kept in the link)', async () => {
    const { ctx, page, errors } = await open('light', 1440);
    try {
      // Shortcut 6 opens the tab from another view.
      await page.goto(ui.link('/projects/shop/board'));
      await page.getByTestId('card-1').waitFor();
      await page.keyboard.press('5');
      await page.waitForURL(/\/projects\/shop\/metrics$/);
      const table = page.getByRole('region', { name: 'Cost per feature', exact: true });
      const names = () => table.locator('tbody th').allTextContents();
      await table.locator('tbody tr').first().waitFor();
      const byCost = await names();
      await table.getByRole('button', { name: /^Feature/ }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(names).toEqual([...byCost].sort((a, b) => a.localeCompare(b)));
      expect(await table.getByRole('columnheader', { name: /^Feature/ }).getAttribute('aria-sort')).toBe('ascending');

      await page.getByRole('combobox', { name: 'Run' }).selectOption('run_afternoon');
      await page.waitForURL(/\/metrics\?run=run_afternoon/);
      await expect.poll(() => page.getByTestId('fig-passing').textContent()).toContain('4 landings');
      expect(await page.getByTestId('fig-cost').textContent()).toContain('$3.91');
      await page.reload();
      await expect.poll(() => page.getByTestId('fig-cost').textContent()).toContain('$3.91');
      expect(await page.getByRole('combobox', { name: 'Run' }).inputValue()).toBe('run_afternoon');
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('an empty project shows the empty state, no charts (both themes)', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await open(theme, 1440);
      try {
        await page.goto(ui.link('/projects/blank/metrics'));
        await page.getByTestId('metrics-empty').waitFor();
        expect(await page.locator('svg.recharts-surface').count()).toBe(0);
        await page.screenshot({ path: join(SHOTS, `metrics-empty-${theme}.png`) });
        expect(await seriousAxeViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    }
  });
});
