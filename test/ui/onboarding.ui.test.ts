import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openRegistry } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { createProject } from '../../src/projects/projects.js';
import { RunStatusSchema, DEMO_MODEL, type RunStartRequest } from '../../src/shared/runs.js';
import { VALID_SPEC } from '../support/api-app.js';
import { seriousAxeViolations } from '../support/axe.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { STOP_DEMO_RUN_MS, stopDemoRun } from '../support/demo-run.js';
import { launchChromium, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// Drives Debian's Chromium against a real server; the first journey runs the real runner and Claude Code.
vi.setConfig({ testTimeout: 240_000 });

const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');
const VIEWS = [
  { theme: 'light', width: 1440, height: 900 },
  { theme: 'dark', width: 1440, height: 900 },
  { theme: 'light', width: 390, height: 844 },
  { theme: 'dark', width: 390, height: 844 },
] as const;

let ui: UiServer | undefined;
let browser: Browser;

beforeEach(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});

afterEach(async () => {
  await browser.close();
  if (ui) {
    // A run the test left behind stops before its folder goes.
    await stopDemoRun(ui, 'shop');
    await ui.close();
  }
  ui = undefined;
}, STOP_DEMO_RUN_MS);

async function open(server: UiServer, view: (typeof VIEWS)[number], path: string) {
  const ctx = await browser.newContext({
    viewport: { width: view.width, height: view.height },
    colorScheme: view.theme,
    reducedMotion: 'reduce',
  });
  const page = await ctx.newPage();
  const errors = watchPageErrors(page);
  await page.goto(server.link(path));
  return { ctx, page, errors };
}

const runStatus = async (server: UiServer, project: string) =>
  RunStatusSchema.parse(
    await (await fetch(`${server.url}/api/projects/${project}/agent/status`, { headers: server.auth })).json(),
  );

/** The browser logs the 409 naming the existing demo project (how the page learns to ask); nothing else may fail. */
const ASKED = 'console: Failed to load resource: the server responded with a status of 409 (Conflict)';

const bodyText = (page: Page) => page.evaluate(() => document.body.innerText);

describe('a real project without credentials', () => {
  it('the run’s failure reads as autocoder’s guidance (never "/login"); the Start dialog says what is missing, links to Settings and runs the demo model from there', async () => {
    const server = await startUiServer();
    ui = server;
    const dir = join(server.tmp.dir, 'projects', 'shop');
    const reg = openRegistry(server.env);
    try {
      createProject(reg.registry, { name: 'shop', dir, cwd: server.tmp.dir, env: server.env });
    } finally {
      reg.close();
    }
    writeFileSync(projectPaths(dir).spec, VALID_SPEC);

    // Started without the dialog (as a script or `autocoder run` would): the real runner and the real Claude Code,
    // which has no credentials and says "Not logged in · Please run /login".
    const started = await fetch(`${server.url}/api/projects/shop/agent/start`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ yolo: true } satisfies RunStartRequest),
    });
    expect(started.status).toBe(202);
    await expect
      .poll(async () => (await runStatus(server, 'shop')).lastEndReason, { timeout: 120_000, interval: 250 })
      .toMatch(/no model credentials/);
    const failed = await runStatus(server, 'shop');
    expect(failed.lastEndReason).not.toContain('/login');
    expect(failed.lastEndReason).toContain('Settings');

    for (const view of VIEWS) {
      const { ctx, page, errors } = await open(server, view, '/projects/shop');
      const tag = `onboarding-no-credentials-${view.width}-${view.theme}`;
      await page.getByTestId('agent-0').waitFor();
      if (view.width === 1440 && view.theme === 'light') {
        // The failed session's words on mission control are autocoder's.
        await page
          .getByText(/Claude Code has no model credentials/)
          .first()
          .waitFor();
        await page.screenshot({ path: join(SHOTS, `${tag}-mission-control.png`), fullPage: true });
      }
      expect(await bodyText(page)).not.toContain('/login');

      await page.getByRole('button', { name: /Start agents/ }).click();
      const panel = page.getByTestId('missing-credentials');
      await panel.waitFor();
      expect(await panel.innerText()).toMatch(/No model credentials found, so every agent session would fail/);
      expect(await page.getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(true);
      expect(await bodyText(page)).not.toContain('/login');
      await page.screenshot({ path: join(SHOTS, `${tag}-start-dialog.png`) });
      expect(await seriousAxeViolations(page)).toEqual([]);

      if (view.width === 1440 && view.theme === 'light') {
        // The link leads to the global provider settings.
        await panel.getByRole('link', { name: /Settings › Model provider/ }).click();
        await page.waitForURL(/\/settings#provider$/);
        await page.getByRole('heading', { name: 'Model provider and models' }).waitFor();
        await page.screenshot({ path: join(SHOTS, 'onboarding-global-settings-1440-light.png'), fullPage: true });
        expect(await seriousAxeViolations(page)).toEqual([]);
      }
      if (view.width === 390 && view.theme === 'dark') {
        // Run with the demo model from here: a real run of the demo model starts.
        await panel.getByRole('button', { name: 'Run with the demo model' }).click();
        await panel.waitFor({ state: 'detached' });
        await expect
          .poll(async () => runStatus(server, 'shop'), { timeout: 60_000, interval: 250 })
          .toMatchObject({ status: 'running', settings: { model: DEMO_MODEL } });
      }
      expect(errors).toEqual([]);
      await ctx.close();
    }
  });
});

describe('Try the demo', () => {
  it('twice leaves one demo project: the second time asks, runs it again, or replaces it with a fresh copy after confirming', async () => {
    const launched: string[] = [];
    const server = await startUiServer({
      launchRunner: (project) => {
        launched.push(project.name);
        return { pid: -1 };
      },
    });
    ui = server;
    // The first time creates the demo project and starts it.
    const first = await open(server, VIEWS[0], '/');
    await first.page
      .getByRole('button', { name: /Try the demo/ })
      .first()
      .click();
    await first.page.waitForURL(/\/projects\/demo$/);
    expect(launched).toEqual(['demo']);
    expect(first.errors).toEqual([]);
    await first.ctx.close();

    for (const view of VIEWS) {
      const { ctx, page, errors } = await open(server, view, '/');
      const tag = `onboarding-try-demo-${view.width}-${view.theme}`;
      await page
        .getByRole('button', { name: /Try the demo/ })
        .first()
        .click();
      const dialog = page.getByRole('dialog', { name: 'The demo project exists' });
      await dialog.waitFor();
      await page.screenshot({ path: join(SHOTS, `${tag}-choice.png`) });
      expect(await seriousAxeViolations(page)).toEqual([]);
      const before = launched.length;
      if (view.theme === 'light') {
        await dialog.getByRole('button', { name: 'Run it again' }).click();
      } else {
        await dialog.getByRole('button', { name: 'A fresh copy…' }).click();
        const confirm = page.getByRole('dialog', { name: 'Replace demo with a fresh copy?' });
        await confirm.waitFor();
        await page.screenshot({ path: join(SHOTS, `${tag}-confirm-fresh.png`) });
        expect(await seriousAxeViolations(page)).toEqual([]);
        await confirm.getByRole('button', { name: 'Replace it' }).click();
      }
      await page.waitForURL(/\/projects\/demo$/);
      expect(launched.length).toBe(before + 1);
      await page.goto(server.link('/'));
      await page.getByTestId('project-demo').waitFor();
      expect(await page.getByRole('list', { name: 'Projects' }).getByRole('listitem').count()).toBe(1);
      expect(errors).toEqual([ASKED]);
      await ctx.close();
    }
    expect(launched).toEqual(['demo', 'demo', 'demo', 'demo', 'demo']);
  });
});

describe('the New project dialog', () => {
  it('checks the spec as it is typed and shows the name’s and the spec’s problems together; Insert template fills a valid spec', async () => {
    const server = await startUiServer();
    ui = server;
    for (const view of [VIEWS[0], VIEWS[3]]) {
      const { ctx, page, errors } = await open(server, view, '/');
      const tag = `onboarding-new-project-${view.width}-${view.theme}`;
      await page.getByRole('button', { name: /New project/ }).click();
      const dialog = page.getByRole('dialog', { name: 'New project' });
      await dialog.getByLabel('Name').fill('My App');
      await dialog.getByLabel(/App spec/).fill('<project_specification>\n  <overview>half a spec</overview>\n');
      // Both, as typed, before anything is sent.
      await dialog.getByText(/The app spec has \d+ problems?/).waitFor();
      await dialog.getByText(/lowercase letters/).waitFor();
      expect(await dialog.getByText(/line \d+:/).count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(SHOTS, `${tag}-problems.png`) });
      expect(await seriousAxeViolations(page)).toEqual([]);

      await dialog.getByLabel(/App spec/).fill('');
      await dialog.getByRole('button', { name: 'Insert template' }).click();
      await dialog.getByText(/^Valid spec/).waitFor();
      expect(await dialog.getByLabel(/App spec/).inputValue()).toContain('<project_specification>');
      await page.screenshot({ path: join(SHOTS, `${tag}-template.png`) });
      expect(errors).toEqual([]);
      await ctx.close();
    }
  });
});
