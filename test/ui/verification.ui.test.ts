import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore, type SqliteProjectStore as ProjectStore } from '../../src/db/stores.js';
import { DEMO_FEATURES } from '../../src/demo/demo-app.js';
import { silentLogger } from '../../src/logging/logger.js';
import { findChromium } from '../../src/runner/browser.js';
import { createRedactor } from '../../src/security/redactor.js';
import type { AcceptanceCheck } from '../../src/shared/acceptance.js';
import { verifyCommit } from '../../src/verify/verify-commit.js';
import { seriousAxeViolations } from '../support/axe.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { freePort } from '../support/free-port.js';
import {
  launchChromium,
  seedVerifiedDemo,
  startUiServer,
  watchPageErrors,
  type UiServer,
  type VerifiedDemo,
} from '../support/ui-fixture.js';

// Drives Debian's Chromium against a real server; the seeding runs the real engine (the app and Chromium) five times.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

/**
 * Issue #16 in the browser: the demo app's backlog, verified for real (the verification engine ran
 * each feature's frozen checks: `node --test` in the jail, the app from ./init.sh, the browser
 * steps in Chromium), shows verified cards with the screenshots the runner took; the drawer lists
 * the verification with its evidence; a new verification appears live; a dispute is decided in the
 * Inbox. Both themes, 1440 px and 390 px, axe with no serious or critical violations.
 */
const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');

let ui: UiServer;
let demo: VerifiedDemo;
let store: ProjectStore;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ui = await startUiServer();
  demo = await seedVerifiedDemo(ui, 'demo', {
    pass: ['add', 'complete', 'delete', 'count', 'filter'],
    failHeld: ['persist'],
    unchecked: true,
  });
  store = openProjectStore(projectPaths(demo.dir), { create: false });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  store?.close();
  await ui?.close();
  demo?.cleanup();
});

const WIDE = { width: 1440, height: 900 };
const NARROW = { width: 390, height: 844 };

async function open(
  viewport: { width: number; height: number },
  colorScheme: 'light' | 'dark',
  path: string,
): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  const errors = watchPageErrors(page);
  await page.goto(ui.link(path));
  return { ctx, page, errors };
}

/** Every thumbnail in view has loaded its image (a real PNG, decoded by the browser). */
async function imagesLoaded(page: Page, selector: string): Promise<number> {
  const imgs = page.locator(selector);
  await expect.poll(async () => imgs.count(), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect
    .poll(
      () =>
        imgs.evaluateAll((els) =>
          els.every((e) => (e as HTMLImageElement).complete && (e as HTMLImageElement).naturalWidth > 0),
        ),
      { timeout: 20_000 },
    )
    .toBe(true);
  return imgs.count();
}

it('the board shows verified cards with screenshots, the drawer the evidence, live updates; both themes and widths', async () => {
  const ids = demo.ids;
  const { ctx, page, errors } = await open(WIDE, 'light', '/projects/demo/board');
  const passing = page.getByTestId('lane-passing');
  await passing.getByTestId(`card-${ids['add']}`).waitFor();
  for (const slug of ['add', 'complete', 'delete', 'count', 'filter']) {
    const badge = passing.getByTestId(`card-${ids[slug]}`).getByTestId('verified-badge');
    expect(await badge.textContent(), slug).toBe(
      `✓ verified · ${DEMO_FEATURES.find((f) => f.slug === slug)!.acceptance.length} checks`,
    );
  }
  // Thumbnails load as their cards come into view (the lane scrolls): the last one once it is scrolled to.
  await imagesLoaded(page, '[data-testid="lane-passing"] img[data-evidence]');
  await passing.getByTestId(`card-${ids['add']}`).scrollIntoViewIfNeeded();
  await passing.getByTestId(`card-${ids['add']}`).locator('img[data-evidence]').waitFor({ timeout: 20_000 });
  expect(await imagesLoaded(page, '[data-testid="lane-passing"] img[data-evidence]')).toBe(5);
  await passing.getByTestId(`card-${ids['filter']}`).scrollIntoViewIfNeeded();
  expect(await passing.getByTestId(`card-${ids['unchecked']}`).getByTestId('not-verified').textContent()).toBe(
    'not verifiedno acceptance checks',
  );
  const held = page.getByTestId('lane-in_progress').getByTestId(`card-${ids['persist']}`);
  expect(await held.getByTestId('verification-failure').textContent()).toMatch(
    /^✗ Verification failed: persist tests pass: /,
  );
  await page.screenshot({ path: join(SHOTS, 'verify-board-light.png') });
  expect(await seriousAxeViolations(page)).toEqual([]);

  // The drawer of a verified feature: checks with their hash, the verification, its evidence.
  await passing
    .getByTestId(`card-${ids['add']}`)
    .getByRole('button', { name: /^#\d+\s*Add a todo$/ })
    .click();
  const drawer = page.getByTestId('feature-drawer');
  await drawer.getByTestId('verification').waitFor();
  expect(await drawer.getByTestId('check-result').count()).toBe(3);
  await imagesLoaded(page, '[data-testid="feature-drawer"] img[data-evidence]');
  await drawer.getByTestId('verification').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(SHOTS, 'verify-drawer-light.png') });
  expect(await seriousAxeViolations(page)).toEqual([]);
  // The screenshot opens full size from the keyboard and closes with Escape.
  await drawer.getByRole('button', { name: /^Enlarge screenshot/ }).focus();
  await page.keyboard.press('Enter');
  const big = page.getByRole('img', { name: /full size$/ });
  await big.waitFor();
  await expect
    .poll(() => big.evaluate((e) => (e as HTMLImageElement).naturalWidth), { timeout: 20_000 })
    .toBeGreaterThan(300);
  await page.screenshot({ path: join(SHOTS, 'verify-screenshot-enlarged.png') });
  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await big.waitFor({ state: 'detached' });
  // The trace downloads (fetched with the token, saved under its own name).
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    drawer.getByRole('button', { name: /^Trace \(trace-\d+\.zip\)$/ }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^feature-${ids['add']}-ver_.*-trace-\\d+\\.zip$`));
  expect(statSync((await download.path())!).size).toBeGreaterThan(1_000);
  await page.keyboard.press('Escape');

  // Live: the held feature's drawer is open while the runner verifies its commit again (on the finished app): the
  // new verification appears first in the list and the card's failure line goes, without a reload.
  await held.getByRole('button', { name: /^#\d+\s*Keep todos after a reload$/ }).click();
  await drawer.getByTestId('verification').first().waitFor();
  expect(await drawer.getByTestId('verification').count()).toBe(1);
  const persist = DEMO_FEATURES.find((f) => f.slug === 'persist')!;
  const again = await verifyCommit(
    {
      projectRoot: demo.dir,
      commit: demo.finished,
      featureId: ids['persist']!,
      verificationId: `ver_live_${randomBytes(3).toString('hex')}`,
      trigger: 'manual',
      groups: [{ featureId: ids['persist']!, checks: [...persist.acceptance] }],
      port: await freePort(),
      sandbox: true,
      chromium: findChromium(undefined, process.env['PATH']),
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
      redact: createRedactor([]),
      logger: silentLogger(),
      limits: { appStartMs: 30_000 },
      recorder: {
        onStarted: (x) => void store.verifications.start(x),
        onCheck: (_r, x) => void store.verifications.progress(x),
        onFinished: (x) => void store.verifications.finish(x),
      },
    },
    new AbortController().signal,
  );
  expect(again.status).toBe('passed');
  await expect.poll(() => drawer.getByTestId('verification').count(), { timeout: 20_000 }).toBe(2);
  expect(await drawer.getByTestId('verification').first().getAttribute('data-verification-id')).toBe(again.id);
  expect(await drawer.getByTestId('verification').first().textContent()).toContain('run by hand');
  await page.keyboard.press('Escape');
  await held.getByTestId('verification-failure').waitFor({ state: 'detached', timeout: 20_000 });

  // The graph says the same of each node: verified passes marked, a feature without checks "not verified".
  await page.goto(ui.link('/projects/demo/graph'));
  await page.getByTestId(`node-${ids['add']}`).waitFor();
  expect(await page.getByTestId(`node-${ids['add']}`).getByTestId('node-verified').count()).toBe(1);
  expect(await page.getByTestId(`node-${ids['unchecked']}`).getByTestId('node-not-verified').textContent()).toBe(
    'unverified',
  );
  expect(await page.locator('.react-flow__node[aria-label$=", verified"]').count()).toBe(5);
  expect(await page.locator('.react-flow__node[aria-label$=", not verified (no checks)"]').count()).toBe(1);
  await page.screenshot({ path: join(SHOTS, 'verify-graph-light.png') });
  expect(await seriousAxeViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
  await ctx.close();

  // Dark, 390 px: the same board and drawer, axe-clean.
  const dark = await open(NARROW, 'dark', `/projects/demo/board`);
  await dark.page.getByTestId(`card-${ids['add']}`).getByTestId('verified-badge').waitFor();
  expect(await dark.page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
  await dark.page.getByTestId(`card-${ids['add']}`).scrollIntoViewIfNeeded();
  await imagesLoaded(dark.page, `[data-testid="card-${ids['add']}"] img[data-evidence]`);
  await dark.page.screenshot({ path: join(SHOTS, 'verify-board-dark-390.png') });
  expect(await seriousAxeViolations(dark.page)).toEqual([]);
  await dark.page.goto(ui.link(`/projects/demo/board?feature=${ids['count']}`));
  await dark.page.getByTestId('feature-drawer').getByTestId('verification').waitFor();
  // Lazy: the screenshot loads once the drawer is scrolled to it.
  await dark.page.getByRole('button', { name: /^Enlarge screenshot/ }).scrollIntoViewIfNeeded();
  await imagesLoaded(dark.page, '[data-testid="feature-drawer"] img[data-evidence]');
  await dark.page.screenshot({ path: join(SHOTS, 'verify-drawer-dark-390.png') });
  expect(await seriousAxeViolations(dark.page)).toEqual([]);
  // A feature without checks says so in the drawer.
  await dark.page.goto(ui.link(`/projects/demo/board?feature=${ids['unchecked']}`));
  await dark.page.getByText('This feature has no acceptance checks', { exact: false }).waitFor();
  expect(dark.errors).toEqual([]);
  await dark.ctx.close();
});

it('a dispute in the Inbox: the badge counts it, the lists side by side, rejected with a reason; both themes and widths', async () => {
  // A feature planned with checks; its session disputes one (as feature_dispute_acceptance does).
  const checks: AcceptanceCheck[] = [
    { kind: 'command', name: 'clear tests pass', run: 'node --test test/clear.test.js' },
    {
      kind: 'browser',
      name: 'clearing removes done todos',
      steps: [
        { goto: '/' },
        { fill: { label: 'New todo' }, value: 'Buy milk' },
        { click: { role: 'button', name: 'Add', exact: true } },
        { check: { label: 'Complete Buy milk' } },
        { click: { role: 'button', name: 'Clear completed' } },
        { expectNoText: 'Buy milk' },
      ],
    },
  ];
  const created = store.features.create({
    category: 'todos',
    name: 'Clear completed todos',
    description: 'A button removes every completed todo.',
    steps: ['Complete a todo', 'Press Clear completed', 'It is gone'],
    acceptance: checks,
  });
  const claim = store.claims.claimFeature(created.id, 'ses_dispute').claim;
  const proposed: AcceptanceCheck[] = [
    checks[0]!,
    {
      ...(checks[1] as Extract<AcceptanceCheck, { kind: 'browser' }>),
      steps: [
        ...(checks[1] as Extract<AcceptanceCheck, { kind: 'browser' }>).steps.slice(0, 4),
        { click: { role: 'button', name: 'Clear done' } },
        { expectNoText: 'Buy milk' },
      ],
    },
    { kind: 'http', name: 'the page is served', method: 'GET', path: '/' },
  ];
  const { dispute } = store.disputes.open(claim, {
    reason: 'The spec calls the button "Clear done", not "Clear completed"; the check looks for the wrong name.',
    proposed,
  });

  const { ctx, page, errors } = await open(WIDE, 'light', '/projects/demo/inbox');
  await expect
    .poll(() => page.getByTestId('inbox-badge').textContent(), { timeout: 20_000 })
    .toMatch(/^1\s*open request, 1 of them a dispute of checks$/);
  const card = page.locator(`[data-dispute-id="${dispute.id}"]`);
  await card.waitFor();
  expect(await card.getByTestId('dispute-diff').textContent()).toContain(
    '2 frozen → 3 proposed: 1 changed, 1 added, 1 unchanged',
  );
  expect(await card.locator('[data-change="changed"]').getByText('Click the button “Clear done”').count()).toBe(1);
  await page.screenshot({ path: join(SHOTS, 'verify-dispute-light.png'), fullPage: true });
  expect(await seriousAxeViolations(page)).toEqual([]);
  await ctx.close();

  const dark = await open(NARROW, 'dark', '/projects/demo/inbox');
  const darkCard = dark.page.locator(`[data-dispute-id="${dispute.id}"]`);
  await darkCard.waitFor();
  await dark.page.screenshot({ path: join(SHOTS, 'verify-dispute-dark-390.png'), fullPage: true });
  expect(await seriousAxeViolations(dark.page)).toEqual([]);
  // Reject without a reason: refused in the page, nothing sent.
  await darkCard.getByRole('button', { name: 'Reject: keep the frozen checks' }).click();
  await darkCard.getByRole('alert').getByText('say why the checks stay as they are').waitFor();
  expect(store.disputes.get(dispute.id).status).toBe('open');
  await darkCard.getByLabel(/^Reason/).fill('The spec was updated: the button is "Clear completed".');
  await darkCard.getByRole('button', { name: 'Reject: keep the frozen checks' }).click();
  await dark.page.getByTestId('dispute-history').getByText('rejected by human').waitFor();
  expect(store.disputes.get(dispute.id)).toMatchObject({
    status: 'rejected',
    decisionReason: 'The spec was updated: the button is "Clear completed".',
  });
  await dark.page.getByTestId('inbox-badge').waitFor({ state: 'detached' });
  await dark.page.getByTestId('dispute-history').getByText('The checks, frozen and proposed').click();
  await dark.page.screenshot({ path: join(SHOTS, 'verify-dispute-decided-dark-390.png'), fullPage: true });
  expect(await seriousAxeViolations(dark.page)).toEqual([]);
  expect(dark.errors).toEqual([]);
  expect(errors).toEqual([]);
  await dark.ctx.close();
});
