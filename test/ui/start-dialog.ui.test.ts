import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { RunStartRequest } from '../../src/shared/runs.js';
import { seriousAxeViolations } from '../support/axe.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// Drives Debian's Chromium against a real server: seconds, but a loaded 2-core machine can stretch them.
vi.setConfig({ testTimeout: 120_000 });

const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');

const REFUSED = 'console: Failed to load resource: the server responded with a status of 400 (Bad Request)';

let ui: UiServer;
let browser: Browser;
/** What each start request asked the runner for (the launcher is replaced: no run starts). */
let launched: RunStartRequest[];

beforeEach(async () => {
  mkdirSync(SHOTS, { recursive: true });
  launched = [];
  ui = await startUiServer({
    launchRunner: (_project, request) => {
      launched.push(request);
      return { pid: -1 };
    },
    // A real model run needs credentials: without them the dialog offers the demo model instead of Start.
    env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-not-real-0123456789' },
  });
  browser = await launchChromium();
});

afterEach(async () => {
  await browser.close();
  await ui.close();
});

it('the Start dialog sends the run and feature budgets; a budget of $0 is refused under its field and nothing starts', async () => {
  seedProject(ui, 'shop', { count: 4 });
  for (const colorScheme of ['light', 'dark'] as const) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
    const page = await ctx.newPage();
    const before = launched.length;
    const errors = watchPageErrors(page);
    await page.goto(ui.link('/projects/shop'));
    await page.getByRole('button', { name: /Start agents/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Start agents' });
    const runBudget = dialog.getByLabel('Budget for this run (USD)');
    const featureBudget = dialog.getByLabel('Budget per feature (USD)');

    // $0 is no budget: the server's rule, shown where it applies; nothing is launched.
    await runBudget.fill('0');
    await dialog.getByRole('button', { name: 'Start' }).click();
    await dialog.getByText('the run budget must be more than $0').waitFor();
    expect(await runBudget.getAttribute('aria-invalid')).toBe('true');
    expect(launched).toHaveLength(before);
    await page.screenshot({ path: join(SHOTS, `start-dialog-budget-error-${colorScheme}.png`) });
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Text that is no amount is refused the same way.
    await runBudget.fill('12');
    await featureBudget.fill('two');
    await dialog.getByRole('button', { name: 'Start' }).click();
    await dialog.getByText('the feature budget must be an amount in US dollars, e.g. 20 or 2.50').waitFor();
    expect(launched).toHaveLength(before);

    await runBudget.fill('$12.50');
    await featureBudget.fill('1.5');
    await dialog.getByRole('button', { name: 'Start' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(launched.at(-1)).toMatchObject({ maxCostUsd: 12.5, maxFeatureCostUsd: 1.5 });
    // The browser logs each refused request (the two 400s above); nothing else went wrong.
    expect(errors).toEqual(Array<string>(2).fill(REFUSED));
    await ctx.close();
  }
  expect(launched).toHaveLength(2);
});
