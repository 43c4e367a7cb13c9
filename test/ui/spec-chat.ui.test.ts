import { mkdirSync, readFileSync, realpathSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { specChatStarter } from '../../src/cli/commands/spec.js';
import { openRegistry } from '../../src/db/stores.js';
import { createDemoProject } from '../../src/demo/create-demo-project.js';
import { DEMO_INTERVIEW_TOPICS } from '../../src/demo/demo-spec-interview.js';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import { validateAppSpec } from '../../src/spec/validate-app-spec.js';
import { agentTestEnv } from '../support/agent-env.js';
import { seriousAxeViolations } from '../support/axe.js';
import { REPO_ROOT } from '../support/cli-process.js';
import {
  isSpecChat,
  reply,
  SPEC_INTERVIEW_QUESTIONS,
  specInterviewSession,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { launchChromium, watchPageErrors } from '../support/ui-fixture.js';

// Drives Debian's Chromium against a real server: a journey can take over a minute on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

/**
 * The new-project flow's "Write the spec with Claude": the real server on 127.0.0.1, the real
 * Claude Code binary against the scripted interview, in Debian Chromium.
 */
const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');
const ANSWERS = ['A recipe box for a family', 'Parents and kids; no admin', 'Keep the defaults'];

let root: string;
let model: ScriptedModelServer | undefined;
let server: RunningServer | undefined;
let browser: Browser | undefined;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'ac-ui-spec-')));
  mkdirSync(SHOTS, { recursive: true });
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await server?.close();
  server = undefined;
  await model?.close();
  model = undefined;
  rmSync(root, { recursive: true, force: true });
});

it('creates a project, then writes its spec in the chat panel', async () => {
  const interview = specInterviewSession({ featureCount: 25 });
  model = await startScriptedModelServer((conv) =>
    isSpecChat(conv) ? interview(conv) : reply().text('not a spec chat'),
  );
  const env = agentTestEnv(root, model.url, { AUTOCODER_PROJECTS_DIR: join(root, 'projects') });
  server = await startServer({
    env,
    cwd: root,
    host: '127.0.0.1',
    port: 0,
    launchRunner: () => ({ pid: -1 }),
    specChat: specChatStarter(env),
  });
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchPageErrors(page);
  await page.goto(server.uiUrl);
  await page.getByRole('button', { name: '+ New project' }).click();
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await dialog.getByLabel('Name').fill('recipes');
  await dialog.getByLabel('Write the spec with Claude after creating the project').check();
  await dialog.getByRole('button', { name: 'Create and write the spec' }).click();

  const chat = page.getByRole('dialog', { name: 'Write the spec of recipes with Claude' });
  const answer = chat.getByLabel('Your answer');
  for (const [i, question] of SPEC_INTERVIEW_QUESTIONS.entries()) {
    await chat.getByText(question).waitFor({ timeout: 60_000 });
    await chat.getByText('Your turn').waitFor({ timeout: 60_000 });
    if (i === 1) await page.screenshot({ path: join(SHOTS, 'spec-chat-interview.png') });
    await answer.fill(ANSWERS[i]!);
    await answer.press('Enter');
    await chat
      .getByRole('listitem')
      .filter({ hasText: `You: ${ANSWERS[i]!}` })
      .waitFor();
  }
  await chat
    .getByRole('status')
    .getByText(/Spec saved — about 25 features/)
    .waitFor({ timeout: 60_000 });
  await chat.getByText('The draft had 1 problem; Claude is fixing it.').waitFor();
  // The chat ends after Claude's last word; the answer box goes away.
  await chat.getByText('Your spec is saved.').waitFor({ timeout: 60_000 });
  await chat.getByText('Done', { exact: true }).waitFor();
  expect(await answer.count()).toBe(0);
  await page.screenshot({ path: join(SHOTS, 'spec-chat-written.png') });
  expect(await seriousAxeViolations(page)).toEqual([]);

  const spec = readFileSync(join(root, 'projects', 'recipes', '.autocoder', 'app_spec.txt'), 'utf8');
  expect(validateAppSpec(spec)).toMatchObject({ ok: true, projectName: 'recipes', featureCount: 25 });
  expect(spec).toContain(`<overview>${ANSWERS[0]}</overview>`);

  await chat.getByRole('button', { name: 'Open the project' }).click();
  await page.waitForURL(/\/projects\/recipes$/);
  expect(errors).toEqual([]);
});

it("rewrites a demo project's spec from Settings with the demo model (no credentials)", async () => {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(root, 'home'),
    AUTOCODER_HOME: join(root, 'autocoder-home'),
    AUTOCODER_PROJECTS_DIR: join(root, 'projects'),
    AUTOCODER_DEMO_PACE_MS: '0',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const reg = openRegistry(env);
  let dir: string;
  try {
    dir = createDemoProject(reg.registry, env, { cwd: root }).path;
  } finally {
    reg.close();
  }
  server = await startServer({
    env,
    cwd: root,
    host: '127.0.0.1',
    port: 0,
    launchRunner: () => ({ pid: -1 }),
    specChat: specChatStarter(env),
  });
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchPageErrors(page);
  await page.goto(`${server.url}/projects/demo/settings#token=${server.token}`);
  await page.getByRole('button', { name: 'Write it with Claude…' }).click();
  const chat = page.getByRole('dialog', { name: 'Write the spec of demo with Claude' });
  const answers = [
    'A packing list for trips',
    'Travellers',
    'ok',
    'trips have items',
    'add an item, tick it off, reuse a list',
    'I pack for one trip with it',
  ];
  for (const [i, topic] of DEMO_INTERVIEW_TOPICS.entries()) {
    await chat.getByText(topic.question).waitFor({ timeout: 60_000 });
    await chat.getByText('Your turn').waitFor({ timeout: 60_000 });
    if (i === 0) expect(await chat.getByText('Model: demo model: scripted, no AI').count()).toBe(1);
    await chat.getByLabel('Your answer').fill(answers[i]!);
    await chat.getByLabel('Your answer').press('Enter');
    await chat
      .getByRole('listitem')
      .filter({ hasText: `You: ${answers[i]!}` })
      .waitFor();
  }
  await chat
    .getByRole('status')
    .getByText(/Spec saved — about 12 features/)
    .waitFor({ timeout: 60_000 });
  await chat.getByText('Done', { exact: true }).waitFor({ timeout: 60_000 });
  await page.screenshot({ path: join(SHOTS, 'spec-chat-demo-settings.png') });
  await chat.getByRole('button', { name: 'Close' }).click();
  // The editor shows the new spec.
  await page.waitForFunction(
    () =>
      (document.getElementById('spec-text') as HTMLTextAreaElement | null)?.value.includes(
        'A packing list for trips',
      ) === true,
    undefined,
    { timeout: 30_000 },
  );
  expect(validateAppSpec(readFileSync(join(dir, '.autocoder', 'app_spec.txt'), 'utf8'))).toMatchObject({
    ok: true,
    projectName: 'demo',
    featureCount: 12,
  });
  expect(errors).toEqual([]);
});
