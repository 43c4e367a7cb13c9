import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { FindingDetailResponseSchema } from '../../src/shared/checkpoints.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { seriousAxeViolations } from '../support/axe.js';
import { seedCheckpoints, type SeededCheckpoints } from '../support/checkpoint-seed.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// Drives Debian's Chromium against a real server: a page can take seconds on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

/** Screenshots of the Checkpoints page, kept for people to look at (CI keeps test-artifacts/). */
const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');

let ui: UiServer;
let browser: Browser;
let seeded: SeededCheckpoints;

/** Opens the project's real store, runs `fn`, closes it. */
function withStore<T>(dir: string, fn: (store: ReturnType<typeof openProjectStore>) => T): T {
  const store = openProjectStore(projectPaths(dir));
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ui = await startUiServer();
  // Two checkpoints: a critical finding with a fix feature seen twice, a finding whose severity rose, one resolved by
  // the second checkpoint, one from the linter.
  const shop = seedProject(ui, 'shop', { count: 3, passing: 2 });
  seeded = withStore(shop.dir, seedCheckpoints);
  seedProject(ui, 'blank', { count: 0 });
  // A checkpoint still running: a second one on demand is refused, and the page says why.
  const busy = seedProject(ui, 'busy', { count: 1 });
  withStore(busy.dir, (s) =>
    s.checkpoints.start({
      runId: null,
      trigger: 'interval',
      commit: 'abcdef0123456789abcdef0123456789abcdef01',
      previousCommit: null,
      agents: ['code'],
      passing: 0,
    }),
  );
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

const findingsList = (page: Page) => page.getByRole('list', { name: 'Findings', exact: true });

async function apiFinding(id: string) {
  const res = await fetch(`${ui.url}/api/projects/shop/findings/${id}`, { headers: ui.auth });
  return FindingDetailResponseSchema.parse(await res.json()).finding;
}

describe('the Checkpoints page in Chromium', () => {
  it('lists the checkpoints with severity chips, opens one (tools, reviews, findings, resolved), axe-clean in both themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await open(theme);
      try {
        await page.goto(ui.link('/projects/shop/checkpoints'));
        const row2 = page.getByTestId('checkpoint-row-2');
        await row2.waitFor();
        // Newest first; counts by severity as chips; new / resolved; trigger, commit and cost.
        expect(
          await page
            .locator('tbody tr[data-testid^="checkpoint-row-"]')
            .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid'))),
        ).toEqual(['checkpoint-row-2', 'checkpoint-row-1']);
        const row1 = page.getByTestId('checkpoint-row-1');
        expect(await row1.locator('[data-severity]').allTextContents()).toEqual(['1 critical', '2 minor']);
        expect(await row2.locator('[data-severity]').allTextContents()).toEqual(['1 critical', '1 major', '1 info']);
        expect(await row2.textContent()).toContain('+1 / −1');
        expect(await row2.textContent()).toContain('On demand');
        expect(await row1.textContent()).toContain('1a2b3c4');
        expect(await row1.textContent()).toContain('$0.42');
        await expect.poll(() => findingsList(page).locator('li').count()).toBe(4);
        await page.getByRole('link', { name: 'Checkpoints', exact: true }).waitFor();
        await page.screenshot({ path: join(SHOTS, `checkpoints-list-${theme}.png`), fullPage: true });
        expect(await seriousAxeViolations(page)).toEqual([]);

        await row2.getByRole('link', { name: 'Checkpoint 2' }).click();
        await page.waitForURL(/\/projects\/shop\/checkpoints\/2$/);
        const detail = page.getByTestId('checkpoint-detail');
        await detail.waitFor();
        expect(await row2.getAttribute('aria-current')).toBe('true');
        expect(await detail.getByTestId('fact-lint').textContent()).toContain('failed');
        expect(await detail.getByTestId('fact-lint').textContent()).toContain('1 warning in 1 file');
        expect(await detail.getByTestId('fact-coverage').textContent()).toContain('skipped');
        expect(await detail.getByTestId('review-security').textContent()).toContain(
          'The security review of checkpoint 2.',
        );
        expect(await detail.getByTestId('review-performance').textContent()).toContain('incomplete');
        const seen = detail.getByRole('list', { name: 'Findings of checkpoint 2' });
        expect(await seen.locator('li').count()).toBe(3);
        const resolved = detail.getByRole('list', { name: 'Resolved by checkpoint 2' });
        expect(await resolved.textContent()).toContain(seeded.bundle.title);
        expect(await resolved.textContent()).toContain('Resolved');
        // The tab stays current on a checkpoint's own page.
        expect(
          await page
            .getByRole('navigation', { name: 'Project views' })
            .getByRole('link', { name: 'Checkpoints' })
            .getAttribute('aria-current'),
        ).toBe('page');
        await page.screenshot({ path: join(SHOTS, `checkpoints-detail-${theme}.png`), fullPage: true });
        expect(await seriousAxeViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    }
  });

  it('fits a phone screen: nothing overflows sideways but the checkpoint table’s own scroller (390 px)', async () => {
    const { ctx, page, errors } = await open('light', 390);
    try {
      await page.goto(ui.link('/projects/shop/checkpoints/2'));
      await page.getByTestId('checkpoint-detail').waitFor();
      await expect.poll(() => findingsList(page).locator('li').count()).toBe(4);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(SHOTS, 'checkpoints-detail-light-390.png'), fullPage: true });
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('filters the findings by severity, kind and status, kept in the URL across a reload', async () => {
    const { ctx, page, errors } = await open('light');
    try {
      await page.goto(ui.link('/projects/shop/checkpoints'));
      await expect.poll(() => findingsList(page).locator('li').count()).toBe(4);
      await page.getByRole('combobox', { name: 'Severity' }).selectOption('critical');
      await page.waitForURL(/\/checkpoints\?severity=critical$/);
      await expect.poll(() => findingsList(page).locator('li').count()).toBe(1);
      expect(await findingsList(page).textContent()).toContain(seeded.sqlInjection.title);

      await page.getByRole('combobox', { name: 'Severity' }).selectOption('');
      await page.getByRole('combobox', { name: 'Kind' }).selectOption('code');
      await page.getByRole('combobox', { name: 'Status' }).selectOption('open');
      await page.waitForURL(/agent=code/);
      await expect.poll(() => findingsList(page).locator('li').count()).toBe(2);
      await page.reload();
      await expect.poll(() => findingsList(page).locator('li').count()).toBe(2);
      expect(await page.getByRole('combobox', { name: 'Kind' }).inputValue()).toBe('code');
      expect(await page.getByRole('combobox', { name: 'Status' }).inputValue()).toBe('open');

      await page.getByRole('combobox', { name: 'Status' }).selectOption('resolved');
      await expect.poll(() => page.getByText('No finding matches these filters.').count()).toBe(1);
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await expect.poll(() => findingsList(page).locator('li').count()).toBe(4);
      expect(page.url()).not.toMatch(/severity|agent|status/);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('a finding shows where it is, seen 2×, its history (severity each time), from a deep link; axe-clean', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await open(theme);
      try {
        await page.goto(ui.link('/projects/shop/checkpoints'));
        const card = page.getByTestId(`finding-${seeded.untyped.id}`);
        await card.waitFor();
        expect(await card.textContent()).toContain('src/web/client.ts:14');
        expect(await card.textContent()).toContain('Seen 2× (checkpoints 1–2)');
        await card.getByRole('button', { name: seeded.untyped.title }).click();
        await page.waitForURL(new RegExp(`\\?finding=${seeded.untyped.id}$`));
        const dialog = page.getByRole('dialog', { name: seeded.untyped.title });
        const history = dialog.getByRole('list', { name: 'History' });
        await history.waitFor();
        expect((await history.locator('li').allTextContents()).map((t) => t.replace(/\s+/g, ' '))).toEqual([
          expect.stringContaining('Checkpoint 1Minor'),
          expect.stringContaining('Checkpoint 2Major'),
        ]);
        await page.screenshot({ path: join(SHOTS, `checkpoints-finding-${theme}.png`) });
        expect(await seriousAxeViolations(page)).toEqual([]);
        // A history entry opens that checkpoint, the finding still open over it.
        await history.getByRole('link', { name: 'Checkpoint 1' }).click();
        await page.waitForURL(new RegExp(`/checkpoints/1\\?finding=${seeded.untyped.id}$`));
        await page.getByTestId('checkpoint-detail').waitFor();
        await page.keyboard.press('Escape');
        await expect.poll(() => page.url()).toMatch(/\/checkpoints\/1$/);

        // The resolved finding, straight from a link: its history ends with the checkpoint that resolved it.
        await page.goto(ui.link(`/projects/shop/checkpoints?finding=${seeded.bundle.id}`));
        const resolved = page.getByRole('dialog', { name: seeded.bundle.title }).getByRole('list', { name: 'History' });
        await resolved.waitFor();
        expect(await resolved.textContent()).toContain('resolved');
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    }
  });

  it('Dismiss… needs a reason, then the finding shows dismissed with it and the API says so', async () => {
    const { ctx, page, errors } = await open('light');
    try {
      await page.goto(ui.link(`/projects/shop/checkpoints?finding=${seeded.deadExport.id}`));
      const dialog = page.getByRole('dialog', { name: seeded.deadExport.title });
      await dialog.getByRole('button', { name: 'Dismiss…' }).click();
      await dialog.getByRole('button', { name: 'Dismiss finding' }).click();
      await dialog.getByRole('alert').filter({ hasText: 'Say why' }).waitFor();
      expect((await apiFinding(seeded.deadExport.id)).status).toBe('open');
      await dialog.getByLabel('Why is this not a problem?').fill('Used by the plugin loader through a dynamic import.');
      await page.screenshot({ path: join(SHOTS, 'checkpoints-dismiss-light.png') });
      expect(await seriousAxeViolations(page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Dismiss finding' }).click();
      await expect
        .poll(() => dialog.getByTestId('dismissed-reason').textContent())
        .toContain('Used by the plugin loader through a dynamic import.');
      expect(await dialog.getByRole('button', { name: 'Dismiss…' }).count()).toBe(0);
      expect(await apiFinding(seeded.deadExport.id)).toMatchObject({
        status: 'dismissed',
        dismissedReason: 'Used by the plugin loader through a dynamic import.',
      });
      await page.keyboard.press('Escape');
      const card = page.getByTestId(`finding-${seeded.deadExport.id}`);
      await expect.poll(() => card.textContent()).toContain('Dismissed: Used by the plugin loader');
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('a fix feature link opens the board with the feature drawer', async () => {
    const { ctx, page, errors } = await open('light');
    try {
      await page.goto(ui.link('/projects/shop/checkpoints'));
      const card = page.getByTestId(`finding-${seeded.sqlInjection.id}`);
      await card.getByRole('link', { name: `Fix feature #${seeded.fixFeatureId}` }).click();
      await page.waitForURL(new RegExp(`/projects/shop/board\\?feature=${seeded.fixFeatureId}$`));
      const drawer = page.getByTestId('feature-drawer');
      await drawer.waitFor();
      // The fix feature of that finding: its title, and its description names the finding.
      await page.getByRole('dialog', { name: new RegExp(`Fix critical: ${seeded.sqlInjection.title}`) }).waitFor();
      expect(await drawer.textContent()).toContain(`Finding ${seeded.sqlInjection.id}.`);
      // Shortcut 7 (outside the drawer) comes back to the Checkpoints tab.
      await page.keyboard.press('Escape');
      await expect.poll(() => drawer.count()).toBe(0);
      await page.keyboard.press('6');
      await page.waitForURL(/\/projects\/shop\/checkpoints$/);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('refetches when a finding is dismissed elsewhere (the live stream), without a reload', async () => {
    const { ctx, page, errors } = await open('light');
    try {
      await page.goto(ui.link('/projects/shop/checkpoints'));
      const card = page.getByTestId(`finding-${seeded.untyped.id}`);
      await card.waitFor();
      expect(await card.textContent()).not.toContain('Dismissed');
      const res = await fetch(`${ui.url}/api/projects/shop/findings/${seeded.untyped.id}/dismiss`, {
        method: 'POST',
        headers: { ...ui.auth, 'content-type': 'application/json', origin: ui.url },
        body: JSON.stringify({ reason: 'Known: the client is being replaced.' }),
      });
      expect(res.status).toBe(200);
      await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain('Dismissed: Known: the client');
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('Run checkpoint shows the refusal inline; an empty project explains checkpoints (both themes, axe-clean)', async () => {
    const { ctx, page, errors } = await open('light');
    try {
      await page.goto(ui.link('/projects/busy/checkpoints'));
      await page.getByTestId('checkpoint-row-1').waitFor();
      expect(await page.getByTestId('checkpoint-row-1').textContent()).toContain('running');
      await page.getByRole('button', { name: 'Run checkpoint' }).click();
      const error = page.getByTestId('run-checkpoint-error');
      await error.waitFor();
      expect((await error.textContent())?.trim().length).toBeGreaterThan(0);
      // The failed request is the page's own business: the console error the browser logs for it is not a page error.
      expect(errors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
    } finally {
      await ctx.close();
    }
    for (const theme of ['light', 'dark'] as const) {
      const { ctx: c2, page: p2, errors: e2 } = await open(theme);
      try {
        await p2.goto(ui.link('/projects/blank/checkpoints'));
        const empty = p2.getByTestId('checkpoints-empty');
        await empty.waitFor();
        expect(await empty.textContent()).toContain('checkpointInterval');
        expect(await p2.getByRole('list', { name: 'Findings', exact: true }).count()).toBe(0);
        await p2.screenshot({ path: join(SHOTS, `checkpoints-empty-${theme}.png`) });
        expect(await seriousAxeViolations(p2)).toEqual([]);
        expect(e2).toEqual([]);
      } finally {
        await c2.close();
      }
    }
  });
});
