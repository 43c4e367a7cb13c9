import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { seriousAxeViolations } from '../support/axe.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';
import { randomBytes } from 'node:crypto';

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
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
});

async function open(theme: 'light' | 'dark' = 'light'): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: theme, reducedMotion: 'reduce' });
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
    { name: 'settings', path: '/projects/shop/settings', ready: (p) => p.getByRole('button', { name: 'Save settings' }).waitFor() },
    { name: 'feature-drawer', path: '/projects/shop/board?feature=3', ready: (p) => p.getByTestId('feature-drawer').waitFor() },
  ];
  for (const theme of ['light', 'dark'] as const) {
    for (const pg of pages) {
      it(`${pg.name} (${theme})`, async () => {
        const { ctx, page, errors } = await open(theme);
        try {
          await page.goto(ui.url + pg.path);
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
      await page.goto(`${ui.url}/projects/shop/board`);
      const handle = page.getByRole('button', { name: new RegExp(`^Move #${moved} `) });
      await handle.focus();
      await page.keyboard.press('Space');
      await expect.poll(() => handle.getAttribute('aria-pressed')).toBe('true'); // picked up
      // Each arrow moves over the next card up; the screen-reader announcement says where it is.
      const announced = () => page.locator('[id^="DndLiveRegion"]').textContent();
      for (const over of [before[1]!, before[0]!]) {
        await page.keyboard.press('ArrowUp');
        await expect.poll(announced).toMatch(new RegExp(`is over #${over} `));
      }
      await page.keyboard.press('Space');
      const expected = [moved, ...before.filter((id) => id !== moved)];
      await expect.poll(readyOrder, { timeout: 10_000 }).toEqual(expected);

      await page.reload();
      await page.getByTestId(`card-${moved}`).waitFor();
      const shown = await page.getByTestId('lane-ready').locator('[data-feature-id]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-feature-id'))));
      expect(shown).toEqual(expected);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('dragging a Passing card to Pending asks first, then re-opens it', async () => {
    const { ctx, page } = await open();
    try {
      await page.goto(`${ui.url}/projects/shop/board`);
      const passing = page.getByTestId('lane-passing').locator('[data-feature-id]').first();
      await passing.waitFor({ timeout: 10_000 }).catch(async (err: unknown) => {
        await page.screenshot({ path: join(SHOTS, 'failed-passing-drag.png') });
        throw err;
      });
      const id = Number(await passing.getAttribute('data-feature-id'));
      const handle = page.getByRole('button', { name: new RegExp(`^Move #${id} `) });
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
      await page.getByTestId('lane-ready').or(page.getByTestId('lane-blocked')).getByTestId(`card-${id}`).first().waitFor();
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
      await page.goto(`${ui.url}/projects/shop/graph`);
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

  it('the shortcut help opens with ? and the theme toggles with t', async () => {
    const { ctx, page } = await open('light');
    try {
      await page.goto(`${ui.url}/`);
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
      await page.goto(`${ui.url}/`);
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
      // Feature 2 depends on 1 in every seeded backlog (the first feature has no dependencies; the second can only depend on it).
      await page.goto(`${ui.url}/projects/shop/board?feature=1`);
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
      await page.goto(`${ui.url}/projects/shop/board?feature=${pendingId}`);
      await drawer.waitFor();
      await drawer.getByRole('button', { name: 'Edit' }).click();
      const form = page.getByRole('dialog', { name: `Edit #${pendingId}` });
      await form.getByLabel('Description').fill('Shows every note, newest first.');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.waitFor({ state: 'detached' });
      await drawer.getByText('Shows every note, newest first.').waitFor();
      // The one refused request is the cycle (the browser logs every 4xx response).
      expect(errors).toEqual(['console: Failed to load resource: the server responded with a status of 409 (Conflict)']);
    } finally {
      await ctx.close();
    }
  });

  it('a server that needs its token: the page asks for it, and the #token link lets it in and leaves the address bar', async () => {
    const token = randomBytes(32).toString('hex');
    const guarded = await startUiServer({ token });
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    try {
      seedProject(guarded, 'vault', { count: 3 });
      const page = await ctx.newPage();
      await page.goto(`${guarded.url}/`);
      await page.getByRole('heading', { name: 'This server needs its token' }).waitFor();

      await page.goto(`${guarded.url}/#token=${token}`);
      await page.getByTestId('project-vault').waitFor();
      expect(page.url()).toBe(`${guarded.url}/`);
      // The live stream authenticates too (a browser cannot set headers on a WebSocket).
      await page.getByTestId('project-vault').click();
      await page.getByText('● live').waitFor();
    } finally {
      await ctx.close();
      await guarded.close();
    }
  });
});

