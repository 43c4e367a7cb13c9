import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../support/cli-process.js';
import { seriousAxeViolations } from '../support/axe.js';
import { launchChromium, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';
import { STOP_DEMO_RUN_MS, stopDemoRun } from '../support/demo-run.js';

// A real demo run (the detached runner, the real Claude Code binary, the demo model) watched by two browsers.
vi.setConfig({ testTimeout: 300_000 });

/**
 * The feed keeps up: during a run "All activity" and the agent's pane show the newest line at their bottom, line
 * after line; scrolling up stops that one pane and offers Jump to latest (announced politely), which follows again.
 * Light at 1440 px and dark at 390 px, axe-clean, screenshots in test-artifacts/ui/.
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
  await stopDemoRun(ui);
  await ui.close();
}, STOP_DEMO_RUN_MS);

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

const allActivity = (page: Page) => page.getByRole('list', { name: "All agents' activity" });

/** Where a pane stands: its newest line's event id, whether it is scrolled to the bottom and that line is in view. */
const standing = (list: Locator) =>
  list.evaluate((el) => {
    const last = el.querySelector(':scope > li:last-child');
    const box = el.getBoundingClientRect();
    const line = last?.getBoundingClientRect();
    return {
      newest: el.getAttribute('data-newest') ?? '',
      atBottom: el.scrollHeight - el.scrollTop - el.clientHeight <= 4,
      lastInView: line !== undefined && line.bottom <= box.bottom + 1 && line.top >= box.top - 1,
      scrollTop: el.scrollTop,
      /** The line at the pane's top edge (what the person is reading when scrolled up). */
      topLine: [...el.querySelectorAll(':scope > li')].find((li) => li.getBoundingClientRect().bottom > box.top + 2)
        ?.textContent,
    };
  });

/** Waits for `count` newer lines to arrive in turn, checking after each that the pane shows it at its bottom. */
async function followsFor(list: Locator, count: number): Promise<void> {
  let seen = (await standing(list)).newest;
  for (let i = 0; i < count; i++) {
    await expect.poll(async () => (await standing(list)).newest, { timeout: 60_000 }).not.toBe(seen);
    const now = await standing(list);
    expect(now.atBottom, `line ${now.newest} at the bottom`).toBe(true);
    expect(now.lastInView, `line ${now.newest} in view`).toBe(true);
    seen = now.newest;
  }
}

it('follows the newest line during a run; scrolling up offers Jump to latest, which follows again', async () => {
  const light = await open('light', 1440);
  await light.page.goto(ui.link('/'));
  await light.page
    .getByRole('button', { name: /Try the demo/ })
    .first()
    .click();
  await light.page.waitForURL(/\/projects\/demo$/);
  const dark = await open('dark', 390);
  await dark.page.goto(ui.link('/projects/demo'));

  for (const { page } of [light, dark])
    await allActivity(page).locator('li[data-kind]').first().waitFor({ timeout: 120_000 });
  // Both panes follow, line after line, in both browsers.
  await followsFor(allActivity(light.page), 4);
  await followsFor(light.page.getByTestId('agent-0').getByRole('list'), 2);
  await followsFor(allActivity(dark.page), 2);
  await light.page.screenshot({ path: join(SHOTS, 'feed-following-light-1440.png') });
  await allActivity(dark.page).scrollIntoViewIfNeeded();
  await dark.page.screenshot({ path: join(SHOTS, 'feed-following-dark-390.png') });

  // "All activity" keeps the newest 80 lines: once it holds that many, each new line drops the oldest off its top.
  await expect.poll(() => allActivity(light.page).locator(':scope > li').count(), { timeout: 120_000 }).toBe(80);
  for (const [name, { page }] of [
    ['light-1440', light],
    ['dark-390', dark],
  ] as const) {
    const list = allActivity(page);
    await list.scrollIntoViewIfNeeded();
    // The person scrolls up a little with the wheel: the pane stops following, and the lines they read hold still
    // while new ones come and old ones drop off the top.
    await list.hover();
    await page.mouse.wheel(0, -300);
    const jump = page.getByRole('button', { name: /Jump to latest/ });
    await jump.waitFor();
    expect(await jump.evaluate((b) => b.closest('[aria-live="polite"]') !== null)).toBe(true);
    const held = await standing(list);
    expect(held.atBottom).toBe(false);
    await expect.poll(async () => (await standing(list)).newest, { timeout: 60_000 }).not.toBe(held.newest);
    const later = await standing(list);
    expect(later.atBottom).toBe(false);
    expect(later.topLine).toBe(held.topLine);
    await page.screenshot({ path: join(SHOTS, `feed-jump-to-latest-${name}.png`) });
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Back to the newest: by mouse in one browser, by keyboard in the other.
    if (name === 'light-1440') await jump.click();
    else {
      await jump.focus();
      await page.keyboard.press('Enter');
    }
    await jump.waitFor({ state: 'detached' });
    await expect.poll(async () => (await standing(list)).atBottom).toBe(true);
  }
  await followsFor(allActivity(light.page), 2);
  await followsFor(allActivity(dark.page), 1);

  // The other width in each theme: light at 390 px, dark at 1440 px, still following.
  for (const [name, { page }, width] of [
    ['light-390', light, 390],
    ['dark-1440', dark, 1440],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    await followsFor(allActivity(page), 1);
    await allActivity(page).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, `feed-following-${name}.png`) });
    expect(await seriousAxeViolations(page)).toEqual([]);
  }

  // A tool call reads as one line and opens on demand to its whole input.
  // Pinned by its line id: the run goes on, so "the last tool call" becomes a newer line between two steps here.
  const newestCall = allActivity(light.page).locator('li[data-kind="tool_call"]:has(button)').last();
  const lineId = await newestCall.getAttribute('data-line');
  expect(lineId).toMatch(/^\d+$/);
  const call = allActivity(light.page).locator(`li[data-line="${lineId}"] button`);
  expect(await call.textContent()).not.toMatch(/[{}]|"file_path"|mcp__|feature_/);
  await call.click();
  expect(await call.getAttribute('aria-expanded')).toBe('true');
  await light.page.screenshot({ path: join(SHOTS, 'feed-call-open-light-390.png') });
  expect(await seriousAxeViolations(light.page)).toEqual([]);

  // Nothing written for the model is on the page by default: our tools' names and texts, Claude Code's notes to it.
  for (const { page } of [light, dark])
    expect(await page.locator('main').textContent()).not.toMatch(/feature_[a-z]+|mcp__|in your context|"file_path"/);

  expect(light.errors).toEqual([]);
  expect(dark.errors).toEqual([]);
  await light.ctx.close();
  await dark.ctx.close();
});
