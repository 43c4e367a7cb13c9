import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import { PLACEHOLDER_MARK } from '../../src/config/env-file.js';
import { answerAsSupervisor, answerHumanInput } from '../../src/projects/human-input.js';
import type { HumanInputField } from '../../src/shared/human-input.js';
import { agentTestEnv } from '../support/agent-env.js';
import { seriousAxeViolations } from '../support/axe.js';
import { cliAsync, REPO_ROOT } from '../support/cli-process.js';
import {
  initializerSession,
  roleScript,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { autocoderFiles, MAPS_FEATURES, mapsCodingSession, newSeen } from '../support/maps-input-scenario.js';
import { createSampleProject } from '../support/sample-project.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// Drives Debian's Chromium against a real server: a journey can take over a minute on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

/**
 * Issue #8, "the same through the UI form": a real coding session (the real Claude Code binary
 * against the scripted model) asks for a secret and a value; the browser shows the feature as
 * Needs input and the Inbox badge as 1, live; the form refuses an empty required field without
 * sending anything; the answer puts the feature back in Pending; the next session gets the value
 * in its prompt and the secret in .env (0600), which appears in no API response and not in the DB.
 */
const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');
const SECRET = 'mk_ui_inbox_W4kP9sT2vB7q';
/** Every API response body the page received, for the secret search. */
function recordApiResponses(page: Page): () => Promise<string[]> {
  const bodies: Promise<string>[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) bodies.push(r.text().catch(() => ''));
  });
  return () => Promise.all(bodies);
}

let ui: UiServer;
let browser: Browser;
let model: ScriptedModelServer | undefined;

beforeEach(async () => {
  ui = await startUiServer();
  browser = await launchChromium();
});
afterEach(async () => {
  await browser?.close();
  await model?.close();
  model = undefined;
  await ui?.close();
});

it(
  'a session asks for a secret and a value → Needs input, badge 1 → the UI form (empty required field refused) → Pending → the next session has both',
  { timeout: 300_000 },
  async () => {
    const seen = newSeen();
    model = await startScriptedModelServer(
      roleScript({ initializer: initializerSession(MAPS_FEATURES), coding: mapsCodingSession(seen) }),
    );
    // The CLI shares the server's registry (AUTOCODER_HOME), so the page sees what the runner writes.
    const env = agentTestEnv(ui.tmp.dir, model.url, {
      AUTOCODER_HOME: ui.env['AUTOCODER_HOME'] as string,
      HOME: ui.env['HOME'] as string,
    });
    const { dir } = createSampleProject(ui.tmp.dir, env);

    const ctx = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    const page = await ctx.newPage();
    const errors = watchPageErrors(page);
    const responses = recordApiResponses(page);
    await page.goto(ui.link(`/projects/notes/board`));
    await page.getByRole('link', { name: /^Inbox/ }).waitFor();
    expect(await page.getByTestId('inbox-badge').count()).toBe(0);

    // Run 1 (the real binary): feature 1 asks and waits, feature 2 passes; the open page follows live.
    const first = await cliAsync(['run', 'notes', '--yolo', '--no-wait-for-input'], env);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('Nothing can proceed: 1/2 pass; 1 wait for a human answer.');
    await page.getByTestId('lane-needs_input').getByTestId('card-1').waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.getByTestId('inbox-badge').textContent(), { timeout: 30_000 })
      .toMatch(/^1\s*open request$/);
    await page.screenshot({ path: join(SHOTS, 'inbox-board-needs-input.png') });

    // Dark theme: the inbox with both fields refused (nothing filled in), axe-clean.
    const dark = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      colorScheme: 'dark',
      reducedMotion: 'reduce',
    });
    const darkPage = await dark.newPage();
    const darkErrors = watchPageErrors(darkPage);
    // Mission control says a question waits and leads to the inbox.
    await darkPage.goto(ui.link(`/projects/notes`));
    await darkPage
      .getByTestId('waiting-for-answers')
      .getByText('A question from the agents waits for your answer')
      .waitFor();
    await darkPage.screenshot({ path: join(SHOTS, 'mission-control-waiting-dark.png') });
    expect(await seriousAxeViolations(darkPage)).toEqual([]);
    await darkPage.getByRole('link', { name: 'Answer in the Inbox' }).click();
    await darkPage.waitForURL(/\/projects\/notes\/inbox$/);
    await darkPage.getByRole('button', { name: 'Send answer' }).click();
    await darkPage.getByText('2 fields need attention. Nothing was sent.').waitFor();
    expect(await darkPage.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await darkPage.screenshot({ path: join(SHOTS, 'inbox-errors-dark.png'), fullPage: true });
    expect(await seriousAxeViolations(darkPage)).toEqual([]);
    expect(darkErrors).toEqual([]);
    await dark.close();

    // The card links to its request; the inbox brings it into view with the focus on it.
    await page.getByTestId('card-1').getByRole('link', { name: 'Answer in the inbox →' }).click();
    await page.waitForURL(/\/projects\/notes\/inbox#request-for-1$/);
    await page.getByRole('form', { name: 'Answer for feature #1' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('request-for-1');
    expect(await page.getByText('The store map needs a maps API key and the region to use.').count()).toBe(1);
    const secretInput = page.getByLabel(/^Maps API key/);
    expect(await secretInput.getAttribute('type')).toBe('password');
    expect(await secretInput.getAttribute('autocomplete')).toBe('off');
    expect(await page.getByLabel(/^Region/).getAttribute('placeholder')).toBe('eu-west-1');
    expect(await page.getByText(/Saved to the project's \.env as MAPS_KEY/).count()).toBe(1);

    // With the keyboard: the region, Enter → the empty secret is refused and gets the focus; nothing is sent.
    await page.getByLabel(/^Region/).fill('eu-west-1');
    await page.getByLabel(/^Region/).press('Enter');
    await page.getByText('One field needs attention. Nothing was sent.').waitFor();
    expect(await secretInput.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await secretInput.getAttribute('aria-describedby')) ?? '';
    expect(
      await page.evaluate(
        (ids) =>
          ids
            .split(' ')
            .map((id) => document.getElementById(id)?.textContent ?? '')
            .join(' | '),
        describedBy,
      ),
    ).toContain('Required');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('password');
    const store = openProjectStore(projectPaths(dir), { create: false });
    try {
      const [open] = store.humanInput.list({ status: 'open' });
      expect(open).toMatchObject({ featureId: 1, status: 'open' });
      expect(store.features.get(1).status).toBe('needs_input');
      expect(existsSync(join(dir, '.env'))).toBe(false);
    } finally {
      store.close();
    }
    await page.screenshot({ path: join(SHOTS, 'inbox-errors-light.png'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Type the secret where the focus is, Enter: answered, the request leaves the list, the badge goes.
    await page.keyboard.type(SECRET);
    await page.keyboard.press('Enter');
    await page.getByText(/Answered: #1 Store map is back in Pending, first in line/).waitFor();
    await page.getByTestId('inbox-empty').waitFor();
    await expect.poll(() => page.getByTestId('inbox-badge').count()).toBe(0);
    const history = page.getByTestId('inbox-history');
    expect(await history.getByTestId('answered-by').textContent()).toBe('answered by human');
    expect(await history.textContent()).toContain('eu-west-1');
    expect(await history.textContent()).toContain('MAPS_KEY');
    expect(await page.content()).not.toContain(SECRET);
    await page.screenshot({ path: join(SHOTS, 'inbox-answered-light.png'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);

    // The board: feature 1 is Pending again (ready, first in line).
    await page.getByRole('link', { name: 'Board' }).click();
    await page.getByTestId('lane-ready').getByTestId('card-1').waitFor();

    // Run 2: feature 1 comes back with the value in its prompt and the secret in .env.
    const second = await cliAsync(['run', 'notes', '--yolo'], env);
    expect(second.stderr).toBe('');
    expect(second.stdout).toContain('All 2 features pass.');
    expect(seen.prompts[0]).toContain('region = "eu-west-1"');
    expect(seen.prompts[0]).toContain('secret maps_key saved in .env as MAPS_KEY');
    expect(seen.prompts[0]).not.toContain(SECRET);
    expect(seen.envOutputs[0]).toContain(`MAPS_KEY=${SECRET}`);
    await page.getByTestId('lane-passing').getByTestId('card-1').waitFor({ timeout: 30_000 });

    // No trace of the secret in what the browser received, nor in autocoder's files (DB checkpointed).
    const all = await fetch(`${ui.url}/api/projects/notes/human-input?status=all`, { headers: ui.auth }).then((r) =>
      r.text(),
    );
    expect(all).toContain('MAPS_KEY');
    for (const body of [all, ...(await responses())]) expect(body).not.toContain(SECRET);
    const check = openProjectStore(projectPaths(dir), { create: false });
    try {
      check.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      check.close();
    }
    for (const file of autocoderFiles(dir))
      expect(readFileSync(file).toString('latin1').includes(SECRET), file).toBe(false);
    expect(errors).toEqual([]);
    await ctx.close();
  },
);

const EVERY_TYPE: HumanInputField[] = [
  { id: 'region', label: 'Region', type: 'text', required: true, placeholder: 'eu-west-1' },
  {
    id: 'notes',
    label: 'Notes for the agent',
    type: 'textarea',
    required: false,
    help: 'Anything the agent should know.',
  },
  { id: 'maps_key', label: 'Maps API key', type: 'secret', required: true, help: 'console → credentials' },
  { id: 'plan', label: 'Plan', type: 'select', required: true, options: ['free', 'pro', 'team'] },
  { id: 'country', label: 'Country', type: 'select', required: false, options: ['DE', 'FR', 'IT', 'NL', 'PL', 'SE'] },
  { id: 'sandbox', label: 'Use the sandbox account', type: 'boolean', required: false },
  { id: 'zoom', label: 'Default zoom', type: 'number', required: true, placeholder: '12' },
];

it(
  'every field type, in both themes, answered with the keyboard alone; a supervisor answer is labelled',
  { timeout: 120_000 },
  async () => {
    const { dir } = seedProject(ui, 'shop', { count: 1 });
    const store = openProjectStore(projectPaths(dir), { create: false });
    let requestId: string;
    try {
      store.features.createBulk([
        {
          category: 'ui',
          name: 'Currency display',
          description: 'Prices in the shop currency.',
          steps: ['see prices'],
          priority: 1,
          dependsOnIndices: [],
        },
      ]);
      const a = store.claims.claimNext('ses_ui');
      const b = store.claims.claimNext('ses_ui');
      if (!a || !b) throw new Error('two features should be ready');
      requestId = store.humanInput.request(a.claim, {
        kind: 'fields',
        prompt: 'The map needs a key and a few choices.',
        fields: EVERY_TYPE,
      }).request.id;
      const asked = store.humanInput.request(b.claim, {
        kind: 'questions',
        prompt: 'Which currency?',
        fields: [
          {
            id: 'q1',
            label: 'Which currency should prices use?',
            type: 'select',
            required: true,
            options: ['EUR', 'USD'],
          },
        ],
      });
      answerHumanInput(store, asked.request.id, { q1: 'EUR' }, { by: 'supervisor' });
    } finally {
      store.close();
    }

    for (const theme of ['dark', 'light'] as const) {
      const ctx = await browser.newContext({
        viewport: { width: 1400, height: 1100 },
        colorScheme: theme,
        reducedMotion: 'reduce',
      });
      const page = await ctx.newPage();
      const errors = watchPageErrors(page);
      // From the board by its shortcut, 5.
      await page.goto(ui.link(`/projects/shop/board`));
      await page.getByTestId('card-1').waitFor();
      await page.keyboard.press('4');
      await page.waitForURL(/\/projects\/shop\/inbox$/);
      await page.getByRole('form', { name: /Answer for feature #/ }).waitFor();
      expect(await page.getByTestId('inbox-badge').textContent()).toMatch(/^1/);
      expect(await page.getByTestId('inbox-history').getByTestId('answered-by').textContent()).toBe(
        'answered by supervisor',
      );

      // Empty form, sent with the keyboard: every required field is refused, the first one focused.
      await page.getByRole('button', { name: 'Send answer' }).focus();
      await page.keyboard.press('Enter');
      await page.getByText('4 fields need attention. Nothing was sent.').waitFor();
      expect(
        await page.evaluate(
          () =>
            document.activeElement?.getAttribute('aria-label') ??
            (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent,
        ),
      ).toMatch(/^Region/);
      expect(await page.getByRole('radiogroup', { name: /Plan/ }).getAttribute('aria-invalid')).toBe('true');
      await page.screenshot({ path: join(SHOTS, `inbox-every-type-errors-${theme}.png`), fullPage: true });
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      if (theme === 'dark') {
        await ctx.close();
        continue;
      }

      // Keyboard only: type, Tab, arrows for the radios, a letter for the drop-down, Space for the checkbox, Enter.
      await page.keyboard.type('eu-west-1');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Use the EU tiles.');
      await page.keyboard.press('Tab');
      await page.keyboard.type(SECRET);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('free');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Tab');
      await page.keyboard.press('f');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      await page.keyboard.type('14');
      await page.keyboard.press('Enter');
      await page.getByText(/Answered: #1 .* is back in Pending/).waitFor();
      await page.getByTestId('inbox-empty').waitFor();
      await page.screenshot({ path: join(SHOTS, `inbox-every-type-answered-${theme}.png`), fullPage: true });
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(await page.content()).not.toContain(SECRET);
      expect(errors).toEqual([]);
      await ctx.close();
    }

    const check = openProjectStore(projectPaths(dir), { create: false });
    try {
      expect(check.humanInput.get(requestId)).toMatchObject({
        status: 'answered',
        answeredBy: 'human',
        answer: {
          region: 'eu-west-1',
          notes: 'Use the EU tiles.',
          plan: 'pro',
          country: 'FR',
          sandbox: true,
          zoom: 14,
        },
        secretKeys: { maps_key: 'MAPS_KEY' },
      });
    } finally {
      check.close();
    }
    expect(readFileSync(join(dir, '.env'), 'utf8')).toContain(`MAPS_KEY=${SECRET}`);
  },
);

it(
  'a supervisor answer: reasons and the placeholder shown, overridden through the form (both themes, axe), the feature re-opens with the real secret',
  { timeout: 120_000 },
  async () => {
    const { dir } = seedProject(ui, 'shop', { count: 1 });
    const TOKEN = 'tok_ui_override_Hq72Nc';
    const reasons = {
      currency: 'The spec sells to shops in Germany.',
      plan: 'Pro is the cheapest plan with API access.',
      api_token: 'Only a human has the real token.',
    };
    const store = openProjectStore(projectPaths(dir), { create: false });
    let requestId: string;
    try {
      const claimed = store.claims.claimNext('ses_ui');
      if (!claimed) throw new Error('a feature should be ready');
      requestId = store.humanInput.request(claimed.claim, {
        kind: 'fields',
        prompt: 'The shop needs a payment token, a currency and a plan.',
        fields: [
          { id: 'api_token', label: 'API token', type: 'secret', required: true, env: 'SHOP_TOKEN' },
          { id: 'currency', label: 'Currency', type: 'text', required: true },
          { id: 'plan', label: 'Plan', type: 'select', required: true, options: ['free', 'pro', 'team'] },
        ],
      }).request.id;
      answerAsSupervisor(store, requestId, { currency: 'EUR', plan: 'pro' }, reasons);
      // The work built on the supervisor's answer passed.
      const again = store.claims.claimNext('ses_ui');
      if (!again) throw new Error('the answered feature should be ready');
      store.claims.markPassing(again.claim);
    } finally {
      store.close();
    }
    expect(readFileSync(join(dir, '.env'), 'utf8')).toContain(PLACEHOLDER_MARK);

    for (const theme of ['dark', 'light'] as const) {
      const ctx = await browser.newContext({
        viewport: { width: 1400, height: 1000 },
        colorScheme: theme,
        reducedMotion: 'reduce',
      });
      const page = await ctx.newPage();
      const errors = watchPageErrors(page);
      await page.goto(ui.link(`/projects/shop/inbox`));
      const item = page.locator(`[data-request-id="${requestId}"]`);
      await item.getByTestId('answered-by').waitFor();
      expect(await item.getByTestId('supervisor-reason').allTextContents()).toEqual([
        `Why: ${reasons.currency}`,
        `Why: ${reasons.plan}`,
        `Why: ${reasons.api_token}`,
      ]);
      expect(await item.getByTestId('placeholder').isVisible()).toBe(true);
      expect(await item.textContent()).toMatch(
        /development placeholder\s*is in \.env as SHOP_TOKEN, not a real credential/,
      );

      // Keyboard: the Override button opens the form with the focus in its first field (the token).
      await page.getByRole('button', { name: /^Override the supervisor's answer for feature #1/ }).focus();
      await page.keyboard.press('Enter');
      const form = page.getByRole('form', { name: "Override the supervisor's answer for feature #1" });
      await form.waitFor();
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('password');
      expect(await form.getByLabel(/^Currency/).inputValue()).toBe('EUR');
      expect(await form.getByRole('radio', { name: 'pro' }).isChecked()).toBe(true);

      // Sent without the token: refused in the browser, nothing sent.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await form.getByText('One field needs attention. Nothing was sent.').waitFor();
      await page.screenshot({ path: join(SHOTS, `inbox-override-form-${theme}.png`), fullPage: true });
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      if (theme === 'dark') {
        await ctx.close();
        continue;
      }

      await form.getByLabel(/^API token/).fill(TOKEN);
      await form.getByLabel(/^Currency/).fill('CHF');
      await form.getByRole('button', { name: 'Send override' }).click();
      await page.getByText(/Overridden: #1 .* is back in Pending, first in line/).waitFor();
      await form.waitFor({ state: 'detached' });
      await item.getByTestId('overridden-by').waitFor();
      expect(await item.getByRole('button', { name: /Override/ }).count()).toBe(0);
      expect(await item.textContent()).toMatch(/was in \.env as SHOP_TOKEN, since replaced/);
      // The link leads to the human's answer, which says what it overrides.
      await item.getByTestId('overridden-by').click();
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-request-id')))
        .not.toBe(requestId);
      const mine = page.locator(':focus');
      expect(await mine.getByTestId('answered-by').textContent()).toBe('answered by human');
      expect(await mine.getByTestId('overrides').textContent()).toBe('overrides the supervisor’s answer');
      expect(await page.content()).not.toContain(TOKEN);
      await page.screenshot({ path: join(SHOTS, `inbox-overridden-${theme}.png`), fullPage: true });
      expect(await seriousAxeViolations(page)).toEqual([]);

      // The board: the feature is Pending again.
      await page.getByRole('link', { name: 'Board' }).click();
      await page.getByTestId('lane-ready').getByTestId('card-1').waitFor();
      expect(errors).toEqual([]);
      await ctx.close();
    }

    const check = openProjectStore(projectPaths(dir), { create: false });
    try {
      const overridden = check.humanInput.get(requestId);
      expect(overridden.overriddenBy).toMatch(/^hir_/);
      expect(check.humanInput.get(overridden.overriddenBy ?? '')).toMatchObject({
        answeredBy: 'human',
        overrides: requestId,
        answer: { currency: 'CHF', plan: 'pro' },
      });
      expect(check.features.get(1).status).toBe('pending');
    } finally {
      check.close();
    }
    const env = readFileSync(join(dir, '.env'), 'utf8');
    expect(env).toContain(`SHOP_TOKEN=${TOKEN}`);
    expect(env).not.toContain(PLACEHOLDER_MARK);
  },
);
