import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { seriousAxeViolations } from '../support/axe.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// Issue #21 item 7 in Debian's Chromium against the real server and its built UI: the board is one tab stop with
// arrow keys between cards, the drawer gives the focus back to its card, the number keys follow the tabs' order, and
// at 390 px the project header is compact, the tab strip scrolls with a hint and nothing overflows the page sideways.
vi.setConfig({ testTimeout: 120_000 });

const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');

let ui: UiServer;
let browser: Browser;
let dir: string;

/** Feature 1 gets three finished sessions with long outcomes: the drawer's sessions table has rows to fit. */
function seedSessions(): void {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    for (const [i, outcome] of ['error_max_turns', 'error_during_execution', 'success'].entries()) {
      const id = `ses_small_${i}`;
      store.sessions.start({
        id,
        runId: null,
        slot: i,
        role: i === 2 ? 'testing' : 'coding',
        featureIds: [1],
        model: null,
        transcriptPath: join(dir, '.autocoder', 'logs', `${id}.jsonl`),
      });
      store.sessions.end(id, {
        status: outcome === 'success' ? 'succeeded' : 'failed',
        outcome,
        usage: {
          turns: 123,
          inputTokens: 1_234_567,
          outputTokens: 234_567,
          cacheReadTokens: 0,
          cacheCreationTokens: 0,
          costUsd: 12.3456,
        },
        error: null,
      });
    }
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ui = await startUiServer();
  // Pending (ready and blocked), one in progress and passing cards: three columns with cards.
  dir = seedProject(ui, 'shop', { count: 12, passing: 4, inProgress: true }).dir;
  seedSessions();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
});

async function open(
  width: number,
  theme: 'light' | 'dark' = 'light',
): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({
    viewport: { width, height: width < 600 ? 844 : 900 },
    colorScheme: theme,
    reducedMotion: 'reduce',
  });
  const page = await ctx.newPage();
  return { ctx, page, errors: watchPageErrors(page) };
}

/** The feature id of the card whose button has the focus, or null when the focus is elsewhere. */
const focusedCard = (page: Page) =>
  page.evaluate(() => {
    const id = document.activeElement?.getAttribute('data-card-focus');
    return id ? Number(id) : null;
  });

/** The card ids of each board column, top to bottom, as shown. */
const columns = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('[data-column]')].map((c) =>
      [...c.querySelectorAll('[data-card-focus]')].map((b) => Number(b.getAttribute('data-card-focus'))),
    ),
  );

/** How many elements inside the board's cards Tab stops at. */
const tabStopsInCards = (page: Page) =>
  page.evaluate(
    () =>
      [
        ...document.querySelectorAll<HTMLElement>(
          '[data-feature-id] a, [data-feature-id] button, [data-feature-id] [tabindex]',
        ),
      ].filter((el) => el.tabIndex >= 0).length,
  );

describe('the board by keyboard', () => {
  it('is one tab stop; arrow keys move between cards and columns; Tab leaves and comes back to the same card', async () => {
    const { ctx, page, errors } = await open(1440);
    try {
      await page.goto(ui.link('/projects/shop/board'));
      await page.getByTestId('card-1').waitFor();
      const cols = await columns(page);
      const [pending, inProgress, , passing] = cols;
      expect(pending!.length).toBe(7); // 12 seeded: 4 passing, 1 in progress
      expect(inProgress!.length).toBe(1);
      expect(passing!.length).toBe(4);
      // One tab stop for the whole board, not one (or two, with the grip) per card.
      expect(await tabStopsInCards(page)).toBe(1);

      await page.getByRole('button', { name: '+ Add feature' }).focus();
      await page.keyboard.press('Tab');
      expect(await focusedCard(page)).toBe(pending![0]);
      await page.keyboard.press('ArrowDown');
      expect(await focusedCard(page)).toBe(pending![1]);
      await page.keyboard.press('ArrowDown');
      expect(await focusedCard(page)).toBe(pending![2]);
      await page.keyboard.press('Home');
      expect(await focusedCard(page)).toBe(pending![0]);
      await page.keyboard.press('ArrowDown');
      // Right: the In progress column has one card, at its top.
      await page.keyboard.press('ArrowRight');
      expect(await focusedCard(page)).toBe(inProgress![0]);
      // Right again skips the empty Needs input column.
      await page.keyboard.press('ArrowRight');
      expect(await focusedCard(page)).toBe(passing![0]);
      await page.keyboard.press('End');
      expect(await focusedCard(page)).toBe(passing![3]);
      expect(await tabStopsInCards(page)).toBe(1);
      await page.screenshot({ path: join(SHOTS, 'board-keyboard-focus.png') });

      // Tab leaves the board at once; Shift+Tab comes back to the card last focused.
      await page.keyboard.press('Tab');
      expect(await focusedCard(page)).toBeNull();
      await page.keyboard.press('Shift+Tab');
      expect(await focusedCard(page)).toBe(passing![3]);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('Enter opens the drawer; closing it (Escape or ×) gives the focus back to the card', async () => {
    const { ctx, page, errors } = await open(1440);
    try {
      await page.goto(ui.link('/projects/shop/board'));
      await page.getByTestId('card-1').waitFor();
      const [pending] = await columns(page);
      const target = pending![1]!;
      await page.getByRole('button', { name: '+ Add feature' }).focus();
      await page.keyboard.press('Tab');
      await page.keyboard.press('ArrowDown');
      expect(await focusedCard(page)).toBe(target);

      await page.keyboard.press('Enter');
      const drawer = page.getByTestId('feature-drawer');
      await drawer.waitFor();
      expect(await page.getByRole('dialog').getByRole('heading').first().textContent()).toMatch(
        new RegExp(`^#${target} `),
      );
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'detached' });
      expect(await focusedCard(page)).toBe(target);

      // By mouse, and closed with its × button: the focus still lands on the card, not at the top of the page.
      await page.getByTestId(`card-${pending![2]}`).click();
      await drawer.waitFor();
      await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
      await drawer.waitFor({ state: 'detached' });
      expect(await focusedCard(page)).toBe(pending![2]);
      // The card that had the focus is now the board's tab stop.
      expect(await page.locator('[data-card-focus][tabindex="0"]').getAttribute('data-card-focus')).toBe(
        String(pending![2]),
      );
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});

describe('the number keys', () => {
  it('follow the order of the project tabs, and the help lists them in that order', async () => {
    const { ctx, page, errors } = await open(1440);
    try {
      await page.goto(ui.link('/projects/shop'));
      const nav = page.getByRole('navigation', { name: 'Project views' });
      await nav.waitFor();
      const labels = await nav.getByRole('link').evaluateAll((links) => links.map((l) => l.firstChild?.textContent));
      expect(labels).toEqual([
        'Mission control',
        'Board',
        'Graph',
        'Inbox',
        'Metrics',
        'Checkpoints',
        'Design',
        'Settings',
      ]);
      for (const [i, label] of labels.entries()) {
        await page.keyboard.press(String(i + 1));
        await expect
          .poll(() => nav.locator('[aria-current="page"]').evaluate((l) => l.firstChild?.textContent))
          .toBe(label);
      }
      await page.keyboard.press('?');
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await help.waitFor();
      const rows = await help
        .locator('tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [tr.querySelector('kbd')?.textContent, (tr as HTMLTableRowElement).cells[1]?.textContent]),
        );
      const numbered = rows.filter(([k]) => /^\d$/.test(k ?? ''));
      expect(numbered.map(([k]) => k)).toEqual(labels.map((_, i) => String(i + 1)));
      // Each description names its tab (Graph is "Dependency graph", Settings "Project settings").
      numbered.forEach(([, description], i) => expect(description?.toLowerCase()).toContain(labels[i]!.toLowerCase()));
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});

describe('at 390 px', () => {
  const noSidewaysOverflow = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  for (const theme of ['light', 'dark'] as const) {
    it(`the project header is compact and the tab strip scrolls with a visible hint (${theme})`, async () => {
      const { ctx, page, errors } = await open(390, theme);
      try {
        await page.goto(ui.link('/projects/shop'));
        const nav = page.getByRole('navigation', { name: 'Project views' });
        await nav.waitFor();
        await page.getByTestId('agent-0').waitFor();
        // Compact: the name and the run controls share a row, the folder path is left to the name's tooltip.
        const h1 = (await page.getByRole('heading', { level: 1 }).boundingBox())!;
        const start = (await page.getByRole('button', { name: /Start agents/ }).boundingBox())!;
        expect(Math.abs(h1.y + h1.height / 2 - (start.y + start.height / 2))).toBeLessThan(12);
        expect(await page.getByText(join(ui.tmp.dir, 'projects', 'shop'), { exact: true }).isVisible()).toBe(false);
        expect(await page.getByRole('heading', { level: 1 }).getAttribute('title')).toBe(
          join(ui.tmp.dir, 'projects', 'shop'),
        );
        expect((await nav.boundingBox())!.y).toBeLessThan(230);

        // The tabs overflow the strip, which says so with a hint at the side that has more.
        expect(await nav.evaluate((n) => n.scrollWidth > n.clientWidth)).toBe(true);
        expect(await page.getByTestId('scroll-hint-after').isVisible()).toBe(true);
        expect(await page.getByTestId('scroll-hint-before').count()).toBe(0);
        await page.screenshot({ path: join(SHOTS, `small-mission-control-${theme}.png`) });
        expect(await seriousAxeViolations(page)).toEqual([]);
        // A number key that picks a hidden tab scrolls it into view; the hint turns to the other side.
        await page.keyboard.press('8');
        await page.waitForURL(/\/projects\/shop\/settings$/);
        const current = nav.locator('[aria-current="page"]');
        await expect
          .poll(async () => {
            const [n, c] = [(await nav.boundingBox())!, (await current.boundingBox())!];
            return c.x >= n.x - 1 && c.x + c.width <= n.x + n.width + 1;
          })
          .toBe(true);
        await page.getByTestId('scroll-hint-before').waitFor();
        await page.getByTestId('scroll-hint-after').waitFor({ state: 'detached' });
        expect(await noSidewaysOverflow(page)).toBe(true);
        await page.screenshot({ path: join(SHOTS, `small-settings-${theme}.png`) });
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    });

    it(`the board and the drawer's sessions table fit the width (${theme})`, async () => {
      const { ctx, page, errors } = await open(390, theme);
      try {
        await page.goto(ui.link('/projects/shop/board'));
        await page.getByTestId('card-1').waitFor();
        expect(await noSidewaysOverflow(page)).toBe(true);
        await page.goto(ui.link('/projects/shop/board?feature=1'));
        const table = page.getByTestId('sessions-table');
        await table.waitFor();
        await table.getByText('error_max_turns').waitFor();
        expect(await table.evaluate((t) => t.scrollWidth <= t.clientWidth)).toBe(true);
        expect(await table.locator('tbody tr').count()).toBe(3);
        expect(await noSidewaysOverflow(page)).toBe(true);
        await table.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SHOTS, `small-drawer-sessions-${theme}.png`) });
        expect(await seriousAxeViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    });
  }
});
