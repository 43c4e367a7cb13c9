/**
 * A shared project (#20) in mission control and on the Projects page, in Debian's Chromium against a real server:
 * a shared run at work says who works it (the workers online, as `autocoder status` says it) or warns that no live
 * worker does, updated as a worker registers; a run that is not shared shows nothing of it (and never asks for the
 * workers); a project's card names its git remote as text; the New project dialog has the remote field and shows
 * the server's refusal of a remote (no PostgreSQL here) under it. Both themes, without serious accessibility
 * violations.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openProjectStore, openRegistry } from '../../src/compose.js';
import { openRegistry as openRegistryAt } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import { REMOTE_SETTING } from '../../src/projects/shared-project.js';
import { sharedRunWorkersLine } from '../../src/shared/workers.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { seriousAxeViolations } from '../support/axe.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

vi.setConfig({ testTimeout: 120_000 });

const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');
const THEMES = ['light', 'dark'] as const;
const REMOTE = 'ssh://git@forge.example/team/shop.git';
const REFUSED = 'console: Failed to load resource: the server responded with a status of 400 (Bad Request)';

let ui: UiServer;
let browser: Browser;

/**
 * Records an active run of `project` as its runner would: this process stands in for the runner (this host, this pid:
 * activeRun judges a run of its own host by its process), `shared` adds the marker a shared run's runner records.
 */
function activeRun(dir: string, id: string, shared: boolean): void {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    store.runs.start({
      id,
      pid: process.pid,
      host: hostname(),
      incarnation: 'ui',
      settings: { concurrency: 2, ...(shared ? { sharedRun: true } : {}) },
    });
    store.runs.setStatus(id, 'running');
    store.runs.heartbeat(id);
  } finally {
    store.close();
  }
}

/** Registers a worker as of `at` (its heartbeat then), as a worker process would on the shared store. */
function worker(name: string, at: number): void {
  const reg = openRegistryAt(ui.env, { now: () => at });
  try {
    reg.registry.registerWorker({ name, host: `${name.split('-')[0]}.lan`, pid: 5000 + name.length, slots: 2 });
    reg.registry.workerHeartbeat(name, 5000 + name.length, []);
  } finally {
    reg.close();
  }
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ui = await startUiServer();
  activeRun(seedProject(ui, 'shop', { count: 6, passing: 1 }).dir, 'run_shared', true);
  activeRun(seedProject(ui, 'solo', { count: 3 }).dir, 'run_solo', false);
  // What `autocoder new shop --remote …` records (JSON text in the registry's project settings).
  const reg = openRegistry(ui.env);
  try {
    reg.registry.setProjectSetting('shop', REMOTE_SETTING, JSON.stringify(REMOTE));
  } finally {
    reg.close();
  }
  // A worker that went quiet ten minutes ago: offline, it works nothing and is not counted.
  worker('laptop-9', Date.now() - 600_000);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await ui?.close();
});

describe('a shared run in mission control', () => {
  it('warns that no live worker works it while none is online', async () => {
    for (const theme of THEMES) {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: theme });
      const page = await ctx.newPage();
      const errors = watchPageErrors(page);
      try {
        await page.goto(ui.link('/projects/shop'));
        const notice = page.getByRole('status').filter({ hasText: 'No live worker' });
        await notice.waitFor();
        expect(await notice.getAttribute('data-testid')).toBe('shared-run-workers');
        expect(await notice.innerText()).toContain(sharedRunWorkersLine([]));
        expect(await page.getByTestId('run-state').getAttribute('data-state')).toBe('running');
        await page.screenshot({ path: join(SHOTS, `shared-run-no-worker-${theme}.png`) });
        expect(await seriousAxeViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    }
  });

  it('names the workers online, updated while the page is open as one registers', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
    const page = await ctx.newPage();
    const errors = watchPageErrors(page);
    try {
      await page.goto(ui.link('/projects/shop'));
      const notice = page.getByTestId('shared-run-workers');
      await page.locator('[data-testid="shared-run-workers"][data-online="0"]').waitFor();
      worker('build-1', Date.now());
      // The notice polls the workers every 5 s: the next answer names the new one.
      await page.locator('[data-testid="shared-run-workers"][data-online="1"]').waitFor({ timeout: 15_000 });
      expect(await notice.getAttribute('role')).toBe('status');
      expect(await notice.innerText()).toContain('Shared run: 1 worker online (build-1).');
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
    for (const theme of THEMES) {
      const themed = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: theme });
      const shot = await themed.newPage();
      try {
        await shot.goto(ui.link('/projects/shop'));
        await shot.locator('[data-testid="shared-run-workers"][data-online="1"]').waitFor();
        await shot.screenshot({ path: join(SHOTS, `shared-run-workers-${theme}.png`) });
        expect(await seriousAxeViolations(shot)).toEqual([]);
      } finally {
        await themed.close();
      }
    }
  });

  it('shows nothing of it for a run that is not shared, and does not ask for the workers', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const asked: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/workers') asked.push(r.url());
    });
    try {
      await page.goto(ui.link('/projects/solo'));
      await page.locator('[data-testid="run-state"][data-state="running"]').waitFor();
      await page.getByTestId('agent-1').waitFor();
      expect(await page.getByTestId('shared-run-workers').count()).toBe(0);
      expect(await page.getByText(/No live worker|Shared run:/).count()).toBe(0);
      expect(asked).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('a shared project on the Projects page', () => {
  it('names its remote on its card, as text; the New project dialog has the remote field and shows its refusal', async () => {
    for (const theme of THEMES) {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: theme });
      const page = await ctx.newPage();
      const errors = watchPageErrors(page);
      try {
        await page.goto(ui.link('/'));
        const card = page.getByTestId('project-shop');
        const remote = card.getByTestId('project-remote');
        await remote.waitFor();
        expect(await remote.innerText()).toBe(`Shared through ${REMOTE}`);
        expect(await remote.locator('a').count()).toBe(0);
        expect(await page.getByTestId('project-solo').getByTestId('project-remote').count()).toBe(0);
        await page.screenshot({ path: join(SHOTS, `shared-project-card-${theme}.png`) });
        expect(await seriousAxeViolations(page)).toEqual([]);

        await page.getByRole('button', { name: '+ New project' }).click();
        const dialog = page.getByRole('dialog', { name: 'New project' });
        const field = dialog.getByLabel('Git remote (shared projects)');
        await field.waitFor();
        expect(await field.getAttribute('aria-describedby')).not.toBeNull();
        const hint = await page.locator(`[id="${await field.getAttribute('aria-describedby')}"]`).innerText();
        expect(hint).toContain("needs a PostgreSQL store; a bare repository's path, ssh or https URL");
        await dialog.getByLabel('Name').fill(`shared-${theme}`);
        await field.fill('/srv/git/shop.git');
        await dialog.getByRole('button', { name: 'Create project' }).click();
        // This server has no PostgreSQL: the refusal shows under the remote field, which is marked invalid.
        await dialog.locator('input[aria-invalid="true"]').waitFor();
        expect(await field.getAttribute('aria-invalid')).toBe('true');
        const described = (await field.getAttribute('aria-describedby'))!.split(' ');
        const error = await page.locator(`[id="${described.at(-1)}"]`).innerText();
        expect(error).toContain('shares a project between machines through PostgreSQL');
        expect(await dialog.getByRole('alert').count()).toBe(1);
        await page.screenshot({ path: join(SHOTS, `shared-project-dialog-${theme}.png`) });
        expect(await seriousAxeViolations(page)).toEqual([]);
        // The refusal is a 400 the dialog handles: Chromium logs the refused request, and nothing else goes wrong.
        expect(errors).toEqual([REFUSED]);
      } finally {
        await ctx.close();
      }
    }
  });

  it('sends the remote only when it is filled in', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const bodies: unknown[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/projects') bodies.push(r.postDataJSON());
    });
    try {
      await page.goto(ui.link('/'));
      await page.getByRole('button', { name: '+ New project' }).click();
      const dialog = page.getByRole('dialog', { name: 'New project' });
      await dialog.getByLabel('Name').fill('local');
      await dialog.getByLabel('Git remote (shared projects)').fill('   ');
      await dialog.getByRole('button', { name: 'Create project' }).click();
      await page.waitForURL((url) => url.pathname === '/projects/local');
      expect(bodies).toEqual([{ name: 'local' }]);
    } finally {
      await page.close();
    }
  });
});
