import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { seriousAxeViolations } from '../support/axe.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';
import { randomBytes } from 'node:crypto';

// Drives Debian's Chromium against a real server: a journey can take over a minute on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

/** Screenshots of every page, kept for people to look at (CI keeps test-artifacts/). */
const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');

let ui: UiServer;
let browser: Browser;
let shopDir: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ui = await startUiServer();
  shopDir = seedProject(ui, 'shop', { count: 24, passing: 9, inProgress: true }).dir;
  seedProject(ui, 'blog', { count: 6, passing: 6 });
  // The size the `ui` bench uses for the graph: 273 of its features have no edges at all.
  seedProject(ui, 'big', { count: 500, passing: 150, inProgress: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
});

async function open(theme: 'light' | 'dark' = 'light'): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    colorScheme: theme,
    reducedMotion: 'reduce',
  });
  const page = await ctx.newPage();
  return { ctx, page, errors: watchPageErrors(page) };
}

function readyOrder(): number[] {
  const store = openProjectStore(projectPaths(shopDir));
  try {
    return store.features.ready(100).map((f) => f.id);
  } finally {
    store.close();
  }
}

describe('every page renders, has no serious accessibility violations, and is photographed', () => {
  const pages: { name: string; path: string; ready: (p: Page) => Promise<unknown> }[] = [
    { name: 'projects', path: '/', ready: (p) => p.getByTestId('project-shop').waitFor() },
    { name: 'mission-control', path: '/projects/shop', ready: (p) => p.getByTestId('agent-0').waitFor() },
    { name: 'board', path: '/projects/shop/board', ready: (p) => p.getByTestId('card-1').waitFor() },
    { name: 'graph', path: '/projects/shop/graph', ready: (p) => p.getByTestId('node-1').waitFor() },
    {
      name: 'settings',
      path: '/projects/shop/settings',
      ready: (p) => p.getByRole('button', { name: 'Save settings' }).waitFor(),
    },
    {
      name: 'feature-drawer',
      path: '/projects/shop/board?feature=3',
      ready: (p) => p.getByTestId('feature-drawer').waitFor(),
    },
  ];
  for (const theme of ['light', 'dark'] as const) {
    for (const pg of pages) {
      it(`${pg.name} (${theme})`, async () => {
        const { ctx, page, errors } = await open(theme);
        try {
          await page.goto(ui.link(pg.path));
          await pg.ready(page);
          await page.screenshot({ path: join(SHOTS, `${pg.name}-${theme}.png`) });
          expect(await seriousAxeViolations(page)).toEqual([]);
          expect(errors).toEqual([]);
        } finally {
          await ctx.close();
        }
      });
    }
  }
});

describe('journeys', () => {
  it('keyboard drag reprioritises Ready, and the order persists after a reload', async () => {
    const { ctx, page, errors } = await open();
    try {
      const before = readyOrder();
      expect(before.length).toBeGreaterThanOrEqual(3);
      const moved = before[2]!;
      await page.goto(ui.link(`/projects/shop/board`));
      // The card's own button is its one tab stop and what Space picks up (first: the drag overlay repeats the card).
      const handle = page
        .getByTestId(`card-${moved}`)
        .getByRole('button', { name: new RegExp(`^#${moved} `) })
        .first();
      await handle.focus();
      await page.keyboard.press('Space');
      await expect.poll(() => handle.getAttribute('aria-pressed')).toBe('true'); // picked up
      // The screen reader hears the pick-up and its instructions (not "is over" the card itself).
      const announced = () => page.locator('[id^="DndLiveRegion"]').textContent();
      await expect.poll(announced).toMatch(new RegExp(`^Picked up #${moved} .*Use the arrow keys`));
      await page.waitForTimeout(300);
      expect(await announced()).toMatch(/^Picked up /);
      // Each arrow moves over the next card up; the announcement says where it is.
      for (const over of [before[1]!, before[0]!]) {
        await page.keyboard.press('ArrowUp');
        await expect.poll(announced).toMatch(new RegExp(`is over #${over} `));
      }
      await page.keyboard.press('Space');
      const expected = [moved, ...before.filter((id) => id !== moved)];
      await expect.poll(readyOrder, { timeout: 10_000 }).toEqual(expected);
      // Space picked up and dropped: it did not also open the drawer (as a button's Space would); the focus stays.
      expect(await page.getByTestId('feature-drawer').count()).toBe(0);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-card-focus'))).toBe(String(moved));

      await page.reload();
      await page.getByTestId(`card-${moved}`).waitFor();
      const shown = await page
        .getByTestId('lane-ready')
        .locator('[data-feature-id]')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-feature-id'))));
      expect(shown).toEqual(expected);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('dragging a Passing card to Pending asks first, then re-opens it', async () => {
    const { ctx, page } = await open();
    try {
      await page.goto(ui.link(`/projects/shop/board`));
      const passing = page.getByTestId('lane-passing').locator('[data-feature-id]').first();
      await passing.waitFor({ timeout: 10_000 }).catch(async (err: unknown) => {
        await page.screenshot({ path: join(SHOTS, 'failed-passing-drag.png') });
        throw err;
      });
      const id = Number(await passing.getAttribute('data-feature-id'));
      // The mouse drags by the ⠿ grip.
      const handle = page.locator(`[data-grip="${id}"]`);
      const target = page.getByTestId('lane-blocked');
      // A real pointer drag: press, move in steps past the activation distance, release over Pending.
      const from = (await handle.boundingBox())!;
      const to = (await target.boundingBox())!;
      await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
      await page.mouse.down();
      await page.mouse.move(from.x + 30, from.y + 10, { steps: 5 });
      await page.mouse.move(to.x + to.width / 2, to.y + 20, { steps: 15 });
      await page.mouse.up();
      const dialog = page.getByRole('dialog', { name: `Re-open #${id}?` });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Re-open' }).click();
      await page
        .getByTestId('lane-ready')
        .or(page.getByTestId('lane-blocked'))
        .getByTestId(`card-${id}`)
        .first()
        .waitFor();
      const store = openProjectStore(projectPaths(shopDir));
      try {
        expect(store.features.get(id).status).toBe('pending');
      } finally {
        store.close();
      }
    } finally {
      await ctx.close();
    }
  });

  it('clicking a graph node opens its feature in the drawer, by deep link too', async () => {
    const { ctx, page, errors } = await open();
    try {
      await page.goto(ui.link(`/projects/shop/graph`));
      // The minimap draws every node, in its status colour.
      await expect.poll(() => page.locator('.react-flow__minimap-node').count()).toBe(24);
      expect(
        await page
          .locator('.react-flow__minimap-node')
          .first()
          .evaluate((el) => (el as SVGElement).style.fill),
      ).toMatch(/^var\(--color-st-/);
      await page.getByTestId('node-2').click();
      const drawer = page.getByTestId('feature-drawer');
      await drawer.waitFor();
      expect(page.url()).toMatch(/\/projects\/shop\/graph\?feature=2$/);
      expect(await page.getByRole('dialog').getByRole('heading').first().textContent()).toMatch(/^#2 /);
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'detached' });
      expect(page.url()).not.toMatch(/feature=/);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('a big backlog: each board column scrolls on its own below fixed headers, even with every card shown', async () => {
    const { ctx, page, errors } = await open();
    try {
      await page.goto(ui.link(`/projects/big/board`));
      await page.getByTestId('lane-failed').waitFor();
      const scroller = page.getByTestId('lane-ready').locator('xpath=..');
      await page
        .getByTestId('lane-ready')
        .getByRole('button', { name: /^Show \d+ more$/ })
        .click();
      await page.getByTestId('lane-ready').locator('[data-feature-id]').nth(150).waitFor();
      // The page itself is one window tall: the 350 pending cards scroll inside their column.
      expect(await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight)).toBeLessThanOrEqual(
        0,
      );
      // Its lanes keep their full height inside the scrolling column (they do not shrink and overlap).
      const ready = (await page.getByTestId('lane-ready').boundingBox())!;
      expect((await page.getByTestId('lane-blocked').boundingBox())!.y).toBeGreaterThanOrEqual(ready.y + ready.height);
      expect(ready.height).toBeGreaterThan(150 * 60);
      const scroll = await scroller.evaluate((el) => ({
        scrollHeight: el.scrollHeight,
        clientHeight: el.clientHeight,
      }));
      expect(scroll.scrollHeight).toBeGreaterThan(scroll.clientHeight * 5);
      await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      // Scrolled to its end, the column keeps its header, and the project's tabs stay on screen.
      expect((await page.locator('#col-pending').boundingBox())!.y).toBeGreaterThan(0);
      expect(await page.getByRole('navigation', { name: 'Project views' }).isVisible()).toBe(true);
      expect(
        (await page.getByTestId('lane-blocked').locator('[data-feature-id]').last().boundingBox())!.y,
      ).toBeLessThan(900);
      await page.screenshot({ path: join(SHOTS, 'board-big.png') });
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('a big graph opens readable on its first ranks, the minimap draws every node, and the fit button shows them all', async () => {
    const { ctx, page, errors } = await open();
    try {
      await page.goto(ui.link(`/projects/big/graph`));
      await page.getByTestId('node-1').waitFor();
      const zoom = () =>
        page
          .locator('.react-flow__viewport')
          .evaluate((el) => Number(/scale\(([\d.]+)\)/.exec((el as HTMLElement).style.transform)?.[1]));
      await expect.poll(() => page.locator('.react-flow__minimap-node').count()).toBe(500);
      await expect.poll(zoom).toBeGreaterThanOrEqual(0.6);
      expect(await page.locator('.react-flow__node').count()).toBeLessThan(150); // only what is on screen is rendered
      await page.screenshot({ path: join(SHOTS, 'graph-big.png') });
      await page.getByRole('button', { name: 'Fit View' }).click();
      await expect.poll(() => page.locator('.react-flow__node').count()).toBe(500);
      expect(await zoom()).toBeLessThan(0.6);
      // Every node lies inside the pane.
      const pane = (await page.getByTestId('graph').boundingBox())!;
      const outside = await page.locator('.react-flow__node').evaluateAll(
        (els, p) =>
          els.filter((e) => {
            const r = e.getBoundingClientRect();
            return r.left < p.x - 1 || r.top < p.y - 1 || r.right > p.x + p.width + 1 || r.bottom > p.y + p.height + 1;
          }).length,
        pane,
      );
      expect(outside).toBe(0);
      await page.screenshot({ path: join(SHOTS, 'graph-big-fit.png') });
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('the shortcut help opens with ? and the theme toggles with t', async () => {
    const { ctx, page } = await open('light');
    try {
      await page.goto(ui.link('/'));
      await page.getByTestId('project-shop').waitFor();
      await page.keyboard.press('?');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      await page.keyboard.press('Escape');
      await page.keyboard.press('t');
      expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
      await page.keyboard.press('2');
      expect(page.url()).toBe(`${ui.url}/`); // tab shortcuts act only inside a project
    } finally {
      await ctx.close();
    }
  });

  it('creates a project from the UI with the folder picker, then lands on its mission control', async () => {
    const { ctx, page, errors } = await open();
    try {
      mkdirSync(join(ui.tmp.dir, 'projects', 'picked'), { recursive: true });
      await page.goto(ui.link('/'));
      await page.getByRole('button', { name: '+ New project' }).click();
      const dialog = page.getByRole('dialog', { name: 'New project' });
      await dialog.getByLabel('Name').fill('recipes');
      await dialog.getByRole('button', { name: 'Browse…' }).click();
      const picker = dialog.getByTestId('folder-picker');
      // The picker opens in HOME (<tmp>/home): up once, then down into projects/picked.
      await expect.poll(() => picker.locator('code').textContent()).toBe(`${ui.tmp.dir}/home`);
      await picker.getByRole('button', { name: 'Up one folder' }).click();
      await expect.poll(() => picker.locator('code').textContent()).toBe(ui.tmp.dir);
      await picker.getByRole('button', { name: '📁 projects' }).click();
      await picker.getByRole('button', { name: '📁 picked' }).click();
      await expect.poll(() => picker.locator('code').textContent()).toBe(`${ui.tmp.dir}/projects/picked`);
      await picker.getByRole('button', { name: 'Use this folder' }).click();
      expect(await dialog.getByLabel(/Folder/).inputValue()).toBe(`${ui.tmp.dir}/projects/picked/recipes`);
      await dialog.getByRole('button', { name: 'Create project' }).click();
      await page.waitForURL(/\/projects\/recipes$/);
      await page.getByTestId('agent-0').waitFor();
      expect(await page.getByText(`${ui.tmp.dir}/projects/picked/recipes`).count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('the drawer edits a feature and shows a dependency cycle as an error without changing anything', async () => {
    const { ctx, page, errors } = await open();
    try {
      // Feature 2 depends on 1 in every seeded backlog (the first feature has no dependencies; the second can only
      // depend on it).
      await page.goto(ui.link(`/projects/shop/board?feature=1`));
      const drawer = page.getByTestId('feature-drawer');
      await drawer.waitFor();
      await drawer.getByLabel('Depends on feature #').fill('2');
      await drawer.getByRole('button', { name: 'Add dependency' }).click();
      expect(await drawer.getByRole('alert').textContent()).toMatch(/cycle/i);
      const store = openProjectStore(projectPaths(shopDir));
      try {
        expect(store.features.get(1).dependencies).toEqual([]);
      } finally {
        store.close();
      }

      // A passing feature is re-opened before it can be edited; a pending one edits directly.
      expect(await drawer.getByRole('button', { name: 'Edit' }).isDisabled()).toBe(true);
      const pendingId = readyOrder()[0]!;
      await page.goto(ui.link(`/projects/shop/board?feature=${pendingId}`));
      await drawer.waitFor();
      await drawer.getByRole('button', { name: 'Edit' }).click();
      const form = page.getByRole('dialog', { name: `Edit #${pendingId}` });
      await form.getByLabel('Description').fill('Shows every note, newest first.');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.waitFor({ state: 'detached' });
      await drawer.getByText('Shows every note, newest first.').waitFor();
      // The one refused request is the cycle (the browser logs every 4xx response).
      expect(errors).toEqual([
        'console: Failed to load resource: the server responded with a status of 409 (Conflict)',
      ]);
    } finally {
      await ctx.close();
    }
  });

  it('the page needs the token on loopback too: without it the prompt; the #token link lets it in, leaves the address bar, and only this tab keeps it', async () => {
    const token = randomBytes(32).toString('hex');
    const guarded = await startUiServer({ token });
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    try {
      seedProject(guarded, 'vault', { count: 3 });
      const page = await ctx.newPage();
      await page.goto(`${guarded.url}/projects/vault`);
      await page.getByRole('heading', { name: 'This server needs its token' }).waitFor();

      await page.goto(`${guarded.url}/#token=${token}`);
      await page.getByTestId('project-vault').waitFor();
      expect(page.url()).toBe(`${guarded.url}/`);
      // The live stream authenticates too (a browser cannot set headers on a WebSocket).
      await page.getByTestId('project-vault').click();
      await page.getByText('● live').waitFor();
      // Kept for the tab (a reload keeps it), never in localStorage.
      await page.reload();
      await page.getByText('● live').waitFor();
      expect(
        await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.getItem('autocoder.token') })),
      ).toEqual({ local: 0, session: token });
      // Another tab has not got it.
      const other = await ctx.newPage();
      await other.goto(`${guarded.url}/`);
      await other.getByRole('heading', { name: 'This server needs its token' }).waitFor();
    } finally {
      await ctx.close();
      await guarded.close();
    }
  });
});
