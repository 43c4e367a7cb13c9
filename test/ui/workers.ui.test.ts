/**
 * Mission control's Workers panel (#20) in Debian's Chromium against a real server: the processes working runs, as
 * the registry keeps them — online with the features they work on (named, linked to the feature's drawer), offline
 * once their heartbeat is older than the limit (their features no longer shown as theirs), stopped — in both themes,
 * without serious accessibility violations. A registry without workers shows no panel.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openRegistry } from '../../src/db/stores.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { seriousAxeViolations } from '../support/axe.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

vi.setConfig({ testTimeout: 120_000 });

const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');

let ui: UiServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ui = await startUiServer();
  seedProject(ui, 'shop', { count: 6, passing: 1, inProgress: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await ui?.close();
});

/** Registers a worker as of `at` (its heartbeat then), with these features. */
function worker(name: string, at: number, current: { featureId: number; slot: number }[], stop = false): void {
  const reg = openRegistry(ui.env, { now: () => at });
  try {
    reg.registry.registerWorker({ name, host: `${name.split('-')[0]}.lan`, pid: 4000 + name.length, slots: 3 });
    reg.registry.workerHeartbeat(
      name,
      4000 + name.length,
      current.map((f) => ({ project: 'shop', ...f })),
    );
    if (stop) reg.registry.stopWorker(name, 4000 + name.length);
  } finally {
    reg.close();
  }
}

describe('the Workers panel', () => {
  it('is absent while no worker has registered', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(ui.link('/'));
      await page.getByTestId('project-shop').waitFor();
      expect(await page.getByRole('region', { name: /Workers/ }).count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('lists online, offline and stopped workers with heartbeat age and current features', async () => {
    const now = Date.now();
    worker('build-1', now, [
      { featureId: 2, slot: 0 },
      { featureId: 3, slot: 1 },
    ]);
    worker('build-2', now - 120_000, [{ featureId: 4, slot: 0 }]);
    worker('laptop-7', now - 600_000, [], true);
    for (const theme of ['light', 'dark'] as const) {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: theme });
      const page = await ctx.newPage();
      const errors = watchPageErrors(page);
      try {
        await page.goto(ui.link('/'));
        const panel = page.getByRole('region', { name: /Workers/ });
        await panel.getByTestId('worker-build-1').waitFor();
        expect(await panel.getByRole('heading').textContent()).toBe('Workers 1 online');
        const online = panel.getByTestId('worker-build-1');
        expect(await online.textContent()).toMatch(/build-1Online.*build\.lan3\d+ s ago/);
        const links = online.getByRole('link');
        expect(await links.count()).toBe(2);
        expect(await links.first().getAttribute('href')).toBe('/projects/shop/board?feature=2');
        expect(await links.first().textContent()).toMatch(/^shop #2 \S/); // with the feature's name
        // Offline: quiet for two minutes; its feature is not shown as its own.
        const offline = panel.getByTestId('worker-build-2');
        expect(await offline.textContent()).toMatch(/Offline.*2 min ago—$/);
        expect(await panel.getByTestId('worker-laptop-7').textContent()).toMatch(/Stopped/);
        await page.screenshot({ path: join(SHOTS, `workers-${theme}.png`), fullPage: true });
        expect(await seriousAxeViolations(page)).toEqual([]);
        // A feature link opens the board with the feature's drawer.
        await links.first().click();
        await page.getByTestId('feature-drawer').waitFor();
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    }
  });
});
