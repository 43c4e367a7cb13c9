import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DesignIterationDetailResponse as DesignDetailResponse } from '../../src/shared/design.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { seriousAxeViolations } from '../support/axe.js';
import { startDesignContractServer, type DesignContractServer } from '../support/design-contract-server.js';
import { capture, finding, iteration, page as capturedPage, shot } from '../support/design-fixtures.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// Drives Debian's Chromium against the real server and its built UI. The Design API's routes are built apart (issue
// #18): until they are wired, the browser's requests to them are answered by a real server speaking their contract.
vi.setConfig({ testTimeout: 120_000 });

const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');

/** A real 64×40 PNG (a grey box), so the enlarged screenshot has a size. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAEAAAAAoCAIAAADBrGu+AAAAOUlEQVR42u3PMQ0AAAwDoMqv7GrYuQQckD4XAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAYGLAfOM8OJ4Suh/AAAAAElFTkSuQmCC',
  'base64',
);

let ui: UiServer;
let api: DesignContractServer;
let browser: Browser;

function records(): DesignDetailResponse[] {
  const pages = () => [
    capturedPage('/', [
      shot('/', 'desktop', 'light'),
      shot('/', 'desktop', 'dark'),
      shot('/', 'mobile', 'light'),
      shot('/', 'mobile', 'dark'),
    ]),
    capturedPage('/settings', [shot('/settings', 'desktop', 'light'), shot('/settings', 'mobile', 'light')], {
      darkMode: false,
    }),
  ];
  const spacing = finding({
    id: 'dfn_a',
    title: 'Cramped header',
    screenshot: 'home-mobile-light.png',
    viewport: 'mobile',
  });
  const one = iteration(1);
  const two = iteration(2, { outcome: 'approved', axe: { critical: 0, serious: 0, moderate: 0, minor: 1 } });
  return [
    { iteration: one, capture: capture(pages()), captureError: null, findings: [spacing], resolved: [] },
    {
      iteration: two,
      capture: capture(pages()),
      captureError: null,
      findings: [],
      resolved: [{ ...spacing, status: 'resolved', resolvedIn: 2 }],
    },
  ];
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ui = await startUiServer();
  seedProject(ui, 'shop', { count: 2, passing: 1 });
  const details = records();
  const files = new Map<string, Buffer>();
  for (const d of details)
    for (const p of d.capture?.pages ?? [])
      for (const s of p.shots) if (s.file) files.set(`${d.iteration.n}/${s.file}`, PNG);
  api = await startDesignContractServer({ project: 'shop', details, files, personas: ['visual-designer'] });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await ui?.close();
});

async function open(
  theme: 'light' | 'dark',
  width = 1440,
): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({
    viewport: { width, height: 1000 },
    colorScheme: theme,
    reducedMotion: 'reduce',
  });
  const page = await ctx.newPage();
  // The Design API's requests go to the contract server; everything else to the real server.
  await page.route('**/api/projects/shop/design**', async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({ url: api.url + url.pathname + url.search });
    await route.fulfill({ response });
  });
  return { ctx, page, errors: watchPageErrors(page) };
}

describe('the Design page in Chromium', () => {
  it('is reached with the 8 key, shows an iteration’s screenshots, axe-clean in both themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await open(theme);
      try {
        await page.goto(ui.link('/projects/shop'));
        await page.getByRole('navigation', { name: 'Project views' }).waitFor();
        await page.keyboard.press('8');
        await page.waitForURL(/\/projects\/shop\/design$/);
        await page.getByRole('link', { name: 'Design' }).and(page.locator('[aria-current="page"]')).waitFor();
        await page.getByRole('link', { name: 'Iteration 1' }).click();
        const view = page.getByTestId('design-iteration');
        await view.waitFor();
        const img = view.getByRole('img', { name: 'Screenshot of /, mobile, light (iteration 1)' });
        // Lazy: nothing is fetched until the shot comes near the viewport.
        expect(await page.locator('img[data-shot="screenshots/settings-mobile-light.png"]').count()).toBe(0);
        await img.scrollIntoViewIfNeeded();
        await expect
          .poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth ?? el.getAttribute('aria-label')), {
            timeout: 10_000,
          })
          .toBe(64);
        await page.screenshot({ path: join(SHOTS, `design-iteration-${theme}.png`), fullPage: true });
        expect(await seriousAxeViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    }
  });

  it('enlarges a screenshot in a modal dialog that Escape closes, giving the focus back to the thumbnail', async () => {
    const { ctx, page, errors } = await open('light');
    try {
      await page.goto(ui.link('/projects/shop/design/1'));
      const thumb = page.getByRole('button', {
        name: 'Enlarge: Screenshot of /settings, desktop, light (iteration 1)',
      });
      await thumb.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: '/settings, desktop, light · iteration 1' });
      await dialog.waitFor();
      await dialog.getByRole('img', { name: 'Screenshot of /settings, desktop, light (iteration 1)' }).waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await thumb.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('fits a phone screen (390 px): nothing overflows sideways but the iteration table’s own scroller', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await open(theme, 390);
      try {
        await page.goto(ui.link('/projects/shop/design/1'));
        await page.getByTestId('design-iteration').waitFor();
        await page.getByRole('region', { name: 'Before and after' }).waitFor();
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
        await page.screenshot({ path: join(SHOTS, `design-iteration-${theme}-390.png`), fullPage: true });
        expect(await seriousAxeViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    }
  });
});
