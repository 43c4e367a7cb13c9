import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import type { DesignFindingReport } from '../../src/db/ports.js';
import { openProjectStore } from '../../src/db/stores.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { seriousAxeViolations } from '../support/axe.js';
import { seedDesign, type SeedIteration } from '../support/design-seed.js';
import { capture, page as capturedPage, shot } from '../support/design-fixtures.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// Drives Debian's Chromium against the real server, its built UI and its Design API, over a project whose design
// iterations were seeded through the real store (folders with capture manifests, screenshots and a report).
vi.setConfig({ testTimeout: 120_000 });

const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');

/** A real 64×40 PNG (a grey box), so the enlarged screenshot has a size. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAEAAAAAoCAIAAADBrGu+AAAAOUlEQVR42u3PMQ0AAAwDoMqv7GrYuQQckD4XAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAYGLAfOM8OJ4Suh/AAAAAElFTkSuQmCC',
  'base64',
);

let ui: UiServer;
let browser: Browser;

const spacing: DesignFindingReport = {
  source: 'agent',
  persona: 'visual-designer',
  severity: 'major',
  category: 'spacing',
  title: 'Cramped header',
  detail: 'At 390 px the header buttons touch each other.',
  page: '/',
  viewport: 'mobile',
  theme: 'light',
  screenshot: 'home-mobile-light.png',
};

/** Iteration 1 finds a cramped header and one persona is against; iteration 2 resolves it and both approve. */
function iterations(): SeedIteration[] {
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
  const personas = ['visual-designer', 'accessibility-expert'];
  return [
    {
      personas,
      findings: { spacing },
      axe: { critical: 1, serious: 2, moderate: 3, minor: 0 },
      votes: [
        { persona: 'visual-designer', approve: false, score: 5, rationale: 'The mobile header is cramped.' },
        { persona: 'accessibility-expert', approve: true, score: 8, rationale: 'Labels and focus are fine.' },
      ],
      costUsd: 1.25,
      capture: capture(pages()),
      report: '# Design review 1 of 3\n\nChanges requested.\n\n## Findings\n\n- major: Cramped header (/ mobile)\n',
    },
    {
      personas,
      axe: { critical: 0, serious: 0, moderate: 0, minor: 1 },
      votes: personas.map((persona) => ({ persona, approve: true, score: 9, rationale: 'Approved.' })),
      costUsd: 0.5,
      capture: capture(pages()),
    },
  ];
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ui = await startUiServer();
  const { dir } = seedProject(ui, 'shop', { count: 2, passing: 1 });
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    seedDesign(store, iterations(), () => PNG);
  } finally {
    store.close();
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
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
  return { ctx, page, errors: watchPageErrors(page) };
}

describe('the Design page in Chromium', () => {
  it('is reached with the 7 key, shows an iteration’s screenshots and report, axe-clean in both themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await open(theme);
      try {
        await page.goto(ui.link('/projects/shop'));
        await page.getByRole('navigation', { name: 'Project views' }).waitFor();
        await page.keyboard.press('7');
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
        // The report, read from the iteration folder through the API when opened.
        const report = page.getByTestId('design-report');
        await report.locator('summary').click();
        await report.getByText('major: Cramped header (/ mobile)').waitFor();
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
