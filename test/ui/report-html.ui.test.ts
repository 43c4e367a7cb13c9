import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seriousAxeViolations } from '../support/axe.js';
import { cliInProcess } from '../support/cli-in-process.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { HOSTILE_NAME, seedReportCheckpoints, seedReportProject } from '../support/report-seed.js';
import { launchChromium, watchPageErrors } from '../support/ui-fixture.js';

// Debian's Chromium on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');
const CHARTS = ['chart-burn-up', 'chart-cost', 'chart-durations', 'chart-models'];

let root: string;
let file: string;
let browser: Browser;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ac-report-ui-'));
  const env = { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH };
  // With checkpoints, so the Checkpoints section's tables are looked at and checked with axe too.
  seedReportCheckpoints(seedReportProject(root, env).dir);
  file = join(root, 'beta-report.html');
  const res = await cliInProcess(['report', 'beta', '--format', 'html', '--out', file], env);
  expect(res.status, res.stderr).toBe(0);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

/**
 * Opens the report from disk with every network request aborted, recording each request the page makes and every
 * dialog it opens (an injected script would open one).
 */
async function open(colorScheme: 'light' | 'dark'): Promise<{
  page: Page;
  requests: string[];
  dialogs: string[];
  errors: string[];
}> {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, colorScheme });
  await ctx.route(
    (url) => url.protocol !== 'file:',
    (route) => route.abort(),
  );
  const page = await ctx.newPage();
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const errors = watchPageErrors(page);
  await page.goto(pathToFileURL(file).href);
  await page.waitForLoadState('load');
  return { page, requests, dialogs, errors };
}

describe('the HTML report opened from disk in Chromium', () => {
  it('loads nothing from anywhere, runs nothing, and shows the four charts with size', async () => {
    const { page, requests, dialogs, errors } = await open('light');
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.locator('script, img, link, iframe').count()).toBe(0);
    // The hostile feature name is text on the page, in the backlog and the dispute.
    expect(await page.getByRole('cell', { name: HOSTILE_NAME, exact: true }).count()).toBe(1);
    expect(await page.getByText(HOSTILE_NAME).count()).toBeGreaterThanOrEqual(2);
    for (const id of CHARTS) {
      const chart = page.locator(`svg#${id}`);
      await expect.poll(() => chart.isVisible()).toBe(true);
      const box = await chart.boundingBox();
      expect(box?.width, id).toBeGreaterThan(200);
      expect(box?.height, id).toBeGreaterThan(50);
      expect(await chart.locator('path, rect').count(), id).toBeGreaterThan(0);
    }
    // The checkpoints and the open findings, worst first, as tables with headers.
    expect(await page.locator('table#checkpoints tbody tr').count()).toBe(2);
    const findings = page.locator('table#open-findings tbody tr td:first-child');
    expect(await findings.allTextContents()).toEqual(['critical', 'major', 'info']);
    expect(await page.getByRole('columnheader', { name: 'Fix features' }).count()).toBe(1);
    const burnUp = await page.locator('svg#chart-burn-up path.area').boundingBox();
    expect(burnUp?.width).toBeGreaterThan(100);
    await page.screenshot({ path: join(SHOTS, 'report-html.png'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('in dark mode: dark background, no serious accessibility problem; printed: black on white', async () => {
    const { page, errors } = await open('dark');
    const colours = () =>
      page.evaluate(() => {
        const s = getComputedStyle(document.body);
        return { bg: s.backgroundColor, fg: s.color };
      });
    expect(await colours()).toEqual({ bg: 'rgb(15, 20, 25)', fg: 'rgb(230, 237, 243)' });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.emulateMedia({ media: 'print' });
    expect(await colours()).toEqual({ bg: 'rgb(255, 255, 255)', fg: 'rgb(0, 0, 0)' });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
