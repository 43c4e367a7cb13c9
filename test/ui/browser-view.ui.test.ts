import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { agentTestEnv } from '../support/agent-env.js';
import { seriousAxeViolations } from '../support/axe.js';
import { cliAsync, REPO_ROOT, type CliResult } from '../support/cli-process.js';
import {
  FEATURE_TOOL,
  assignedFeature,
  initializerSession,
  isCoding,
  reply,
  roleScript,
  sequence,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { freePort } from '../support/free-port.js';
import { createSampleProject } from '../support/sample-project.js';
import { launchChromium, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';
import { waitFor } from '../support/wait-for.js';

// A whole run with the real Claude Code binary, the agent's Chromium and the test's Chromium on a 2-core machine.
vi.setConfig({ testTimeout: 300_000 });

/**
 * "Watch browser" in mission control during a real run: the scripted coding agent starts its app and opens it with
 * `playwright-cli` (the real Claude Code binary runs the command), then waits; a person opens mission control in
 * Chromium, watches that slot's browser and sees the agent's page; the view stops when they stop watching and when
 * the session ends, and nothing of it is left running.
 */
let root: string;
let model: ScriptedModelServer | undefined;
let ui: UiServer;
let browser: Browser;
let run: Promise<CliResult> | undefined;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'ac-bview-'));
  ui = await startUiServer();
  browser = await launchChromium();
});

afterEach(async () => {
  await browser.close();
  await run;
  await model?.close();
  await ui.close();
  rmSync(root, { recursive: true, force: true });
  // The run's end (its sessions, their browser and app) after a failure, and closing the server.
}, 180_000);

const SERVER_JS = `const http = require('node:http');
http.createServer((req, res) => { res.setHeader('content-type', 'text/html'); res.end('<!doctype html><title>Tiny notes</title><body style="margin:0;font:48px sans-serif;background:#1d4ed8;color:#fff"><h1 style="padding:40px">Tiny notes</h1><button style="font-size:32px;margin:0 40px">Add note</button></body>'); })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

const initSh = (serverFile: string) => `#!/usr/bin/env bash
nohup node ${serverFile} > server.log 2>&1 &
for i in $(seq 1 100); do curl -s "http://127.0.0.1:$PORT/" > /dev/null && break; sleep 0.1; done
echo "app ready on http://localhost:$PORT"
`;

it('shows the page a running agent opened with playwright-cli, live, only while someone watches', async () => {
  const port = await freePort();
  const serverFile = `server-${randomBytes(6).toString('hex')}.js`;
  const portOf = (prompt: string) => /listen on port (\d+)/.exec(prompt)?.[1] ?? 'missing';
  // The turn after `playwright-cli open` waits for the test: the agent's browser stays open on its page meanwhile.
  const HOLD_TURN = 6;
  let reachedHold!: () => void;
  const atHold = new Promise<void>((resolve) => (reachedHold = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const coding = sequence([
    () => reply().tool('Write', { file_path: serverFile, content: SERVER_JS }),
    () => reply().tool('Read', { file_path: 'init.sh' }),
    () => reply().tool('Write', { file_path: 'init.sh', content: initSh(serverFile) }),
    () => reply().tool('Bash', { command: 'chmod +x init.sh' }),
    () => reply().tool('Bash', { command: './init.sh' }),
    (c) => reply().tool('Bash', { command: `playwright-cli open http://localhost:${portOf(c.prompt)}` }),
    () => reply().tool('Bash', { command: 'playwright-cli snapshot' }),
    () => reply().tool('Bash', { command: 'git add -A && git commit -m "Feature #1: page"' }),
    (c) =>
      reply().tool(FEATURE_TOOL('feature_mark_passing'), {
        feature_id: assignedFeature(c),
        evidence: 'snapshot shows the heading',
      }),
  ]);
  const roles = roleScript({
    initializer: initializerSession([
      {
        category: 'ui',
        name: 'Home page',
        description: 'Shows the heading.',
        steps: ['Open the home page', 'See "Tiny notes"'],
        // The gate starts the committed app with ./init.sh on its own port and checks the page.
        acceptance: [
          {
            kind: 'http',
            name: 'home page',
            method: 'GET',
            path: '/',
            expect: { status: 200, bodyIncludes: 'Tiny notes' },
          },
        ],
      },
    ]),
    coding,
  });
  model = await startScriptedModelServer(async (conv) => {
    if (isCoding(conv) && conv.turn === HOLD_TURN) {
      reachedHold();
      await released;
    }
    return roles(conv);
  });
  const env = agentTestEnv(root, model.url, {
    AUTOCODER_BASE_PORT: String(port),
    // The UI server's registry: the run shows up in its mission control.
    AUTOCODER_HOME: ui.env['AUTOCODER_HOME'] ?? '',
  });
  const { dir } = createSampleProject(root, env);
  run = cliAsync(['run', 'notes'], env);
  // Released whatever happens next, so the run can end and the folders go.
  try {
    await Promise.race([
      atHold,
      run.then((r) => {
        throw new Error(`the run ended before the agent opened its browser:\n${r.stdout}\n${r.stderr}`);
      }),
    ]);

    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 }, reducedMotion: 'reduce' });
    const page = await ctx.newPage();
    const errors = watchPageErrors(page);
    await page.goto(ui.link('/projects/notes'));
    const card = page.getByTestId('agent-0');
    await card.getByRole('button', { name: /^#1 Home page/ }).waitFor();
    // Nobody watches yet: nothing is captured.
    expect(ui.server.browserViews()).toEqual({ sessions: 0, captures: 0 });

    const watch = card.getByRole('button', { name: 'Watch browser' });
    await watch.focus();
    await page.keyboard.press('Enter');
    const shot = card.getByRole('img', { name: /browser: Tiny notes at http:\/\/localhost:\d+\// });
    await shot.waitFor({ timeout: 60_000 });
    const controls = await card.getByRole('button', { name: 'Stop watching' }).getAttribute('aria-controls');
    expect(await page.locator(`#${controls ?? 'none'}`).getAttribute('data-testid')).toBe('browser-view');
    expect(await card.getByTestId('browser-view').getAttribute('data-state')).toBe('watching');
    expect(ui.server.browserViews()).toEqual({ sessions: 1, captures: 1 });
    // The frame is the agent's page (a JPEG of the blue page), drawn at the page's size.
    expect(await shot.getAttribute('src')).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    expect(Number(await shot.getAttribute('width'))).toBeGreaterThan(0);
    // Reduced motion: the live marker does not pulse.
    const marker = card.getByTestId('browser-view').locator('[aria-hidden="true"]');
    expect(await marker.evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
    await page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'ui', 'mission-control-browser-view.png') });
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Stop watching: the last watcher is gone, so is the capture.
    await card.getByRole('button', { name: 'Stop watching' }).click();
    await card.getByTestId('browser-view').waitFor({ state: 'detached' });
    await waitFor(() => ui.server.browserViews().captures === 0, 15_000, 'the capture to stop');
    expect(ui.server.browserViews()).toEqual({ sessions: 0, captures: 0 });

    // Watch again, then let the session finish: the view ends with it and nothing is left connected.
    await card.getByRole('button', { name: 'Watch browser' }).click();
    await shot.waitFor({ timeout: 60_000 });
    release();
    await card.getByTestId('browser-view').waitFor({ state: 'detached', timeout: 120_000 });
    await waitFor(
      () => ui.server.browserViews().sessions === 0 && ui.server.browserViews().captures === 0,
      30_000,
      'the watch and its capture to end with the session',
    );
    expect(ui.server.browserViews()).toEqual({ sessions: 0, captures: 0 });
    expect(errors).toEqual([]);
    await ctx.close();
  } finally {
    release();
  }
  const result = await run;
  expect(result.stdout).toContain('All 1 features pass.');
  expect(result.status).toBe(0);
  // The app the agent started ended with its session; so did its browser.
  expect(spawnSync('pgrep', ['-f', '--', serverFile], { encoding: 'utf8' }).stdout.trim()).toBe('');
  const store = openProjectStore(projectPaths(dir), { create: false });
  const [session] = store.sessions.list({ featureId: 1 });
  store.close();
  const sessionTag = `ac-${(session?.id ?? '').slice(-12)}`;
  const leftovers = () =>
    execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(sessionTag));
  await waitFor(
    () => leftovers().length === 0,
    15_000,
    `no process of session ${sessionTag} (${leftovers().join(' | ')})`,
  );
});
