import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore, type SqliteProjectStore } from '../../src/db/stores.js';
import { gitOk } from '../../src/git/git.js';
import type { AcceptanceCheck } from '../../src/shared/acceptance.js';
import { agentTestEnv } from '../support/agent-env.js';
import { seriousAxeViolations } from '../support/axe.js';
import { REPO_ROOT, startCli, type RunningCli } from '../support/cli-process.js';
import {
  assignedFeature,
  FEATURE_TOOL,
  reply,
  roleScript,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { freePort } from '../support/free-port.js';
import { gateCoder } from '../support/gate-backlog.js';
import { createSampleProject } from '../support/sample-project.js';
import { waitFor } from '../support/wait-for.js';
import { launchChromium, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// A real run (the real CLI, real Claude Code sessions against the scripted model, verifications in the jail) before
// the browser: minutes on a loaded 2-core machine.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 300_000 });

/**
 * #21 "a feature made to fail": a real run where the coder's work fails its frozen check with an assertion. The board
 * shows that assertion on the cards and in the drawer, the sessions say failed (never "success"), the feature waiting
 * for its retry says when, an agent's skip shows its blocker class and the board filters by it. Both themes, 1440 px
 * and 390 px, axe with no serious or critical violation.
 */
const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

const CHECK_SCRIPT = `const assert = require('node:assert');
const { readFileSync } = require('node:fs');
const id = process.argv[2];
assert.strictEqual(readFileSync(\`features/feature-\${id}.txt\`, 'utf8').trim(), \`feature \${id} implemented\`);
`;
const check = (id: number): AcceptanceCheck => ({
  kind: 'command',
  name: `feature ${id} says implemented`,
  run: `node checks/says-implemented.cjs ${id}`,
});
const ASSERTION = "AssertionError: Expected values to be strictly equal: + 'feature 1 todo' - 'feature 1 implemented'";

let ui: UiServer;
let model: ScriptedModelServer;
let browser: Browser;
let base: string;
let dir: string;
let runner: RunningCli | undefined;

function inspect<T>(fn: (store: SqliteProjectStore) => T): T {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // Under test-artifacts/: the verification jail empties the system's temp folder.
  base = mkdtempSync(join(ARTIFACTS, 'failures-ui-'));
  model = await startScriptedModelServer(
    roleScript({
      coding: (conv) => {
        const id = assignedFeature(conv) as number;
        if (id === 3)
          return conv.turn === 0
            ? reply().tool(FEATURE_TOOL('feature_skip'), {
                feature_id: 3,
                reason: 'Charging a card needs a Stripe test account: a person has to sign up for one.',
                blocker_type: 'external_service',
              })
            : reply().text('Skipped: it needs an account only a person can create.');
        // Features 1 and 2: the work is wrong ("todo"), so the frozen check's assertion fails, three times.
        return gateCoder((fid) => `feature ${fid} todo`)(conv);
      },
    }),
  );
  // A long backoff (the claim policy caps it at ten minutes): feature 1 waits for its retry while the browser looks.
  const env = agentTestEnv(base, model.url, {
    AUTOCODER_BASE_PORT: String((await freePort()) - 9),
    AUTOCODER_RETRY_BACKOFF_MS: String(30 * 60_000),
  });
  dir = join(base, 'notes');
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', dir]);
  createSampleProject(base, env);
  mkdirSync(join(dir, 'checks'));
  writeFileSync(join(dir, 'checks', 'says-implemented.cjs'), CHECK_SCRIPT);
  writeFileSync(join(dir, 'init.sh'), '#!/usr/bin/env bash\necho ready\n');
  chmodSync(join(dir, 'init.sh'), 0o755);
  gitOk(dir, ['add', '-A']);
  gitOk(dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'skeleton']);
  inspect((store) =>
    store.features.createBulk(
      [1, 2, 3].map((id) => ({
        category: id === 3 ? 'payments' : 'notes',
        name: ['Add a note', 'Rename a note', 'Charge a card'][id - 1]!,
        description: `feature ${id}`,
        steps: ['check its file'],
        acceptance: [check(id)],
        // Feature 2 has one attempt: it ends in Failed.
        ...(id === 2 ? { maxAttempts: 1 } : {}),
      })),
    ),
  );
  runner = startCli(['run', 'notes', '--regression-every', '0', '--concurrency', '1'], env);
  await waitFor(
    () =>
      inspect((store) => {
        const [f1, f2, f3] = [1, 2, 3].map((id) => store.features.get(id));
        return f1?.status === 'pending' && f1.attempts === 1 && f2?.status === 'failed' && f3?.skipCount === 1;
      }) ||
      (runner?.child.exitCode !== null
        ? (() => {
            throw new Error(`the run ended early:\n${runner?.output()}`);
          })()
        : false),
    180_000,
    'feature 1 to wait for its retry, feature 2 to fail and feature 3 to be skipped',
  );
  // The runner sleeps until the backoff ends: stop it, as Stop does.
  runner.child.kill('SIGTERM');
  await runner.exited;
  ui = await startUiServer();
  const imported = await fetch(`${ui.url}/api/projects/import`, {
    method: 'POST',
    headers: { ...ui.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'notes', path: dir }),
  });
  expect(imported.status, await imported.clone().text()).toBe(201);
  browser = await launchChromium();
});

afterAll(async () => {
  if (runner && runner.child.exitCode === null) runner.child.kill('SIGKILL');
  await browser?.close();
  await ui?.close();
  await model?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

it('the run recorded what happened: failed sessions with why, the assertion in the notes, the retry time', () => {
  inspect((store) => {
    for (const id of [1, 2]) {
      const [session] = store.sessions.list({ featureId: id });
      expect(session, `feature ${id}`).toMatchObject({ status: 'failed', outcome: 'feature_failed' });
      expect(session?.error).toContain('3 verifications failed in one session');
    }
    expect(store.sessions.list({ featureId: 3 })[0]).toMatchObject({ status: 'failed', outcome: 'skipped' });
    expect(store.features.get(1).notes).toContain(ASSERTION);
    // The claim policy caps the backoff at ten minutes.
    expect(store.features.get(1).runAfter).toBeGreaterThan(Date.now() + 5 * 60_000);
  });
});

async function board(page: Page): Promise<void> {
  await page.goto(ui.link('/projects/notes/board'));
  await page.getByTestId('card-1').waitFor();
}

for (const theme of ['light', 'dark'] as const) {
  for (const viewport of [
    { width: 1440, height: 900, label: '1440' },
    { width: 390, height: 844, label: '390' },
  ]) {
    it(`a failing feature reads at a glance on the board and in the drawer (${theme}, ${viewport.label} px)`, async () => {
      const ctx = await browser.newContext({
        viewport: { width: viewport.width, height: viewport.height },
        colorScheme: theme,
        reducedMotion: 'reduce',
      });
      const page = await ctx.newPage();
      const errors = watchPageErrors(page);
      try {
        await board(page);
        const failed = page.getByTestId('lane-failed').getByTestId('card-2');
        expect(await failed.getByTestId('failure-reason').textContent()).toBe(
          `✗ feature 2 says implemented: ${ASSERTION.replaceAll('1', '2')} (exit code 1, expected 0)`,
        );
        const waiting = page.getByTestId('card-1');
        expect(await waiting.getByTestId('retry-at').textContent()).toMatch(/^retry at \d{1,2}:\d{2}:\d{2}( [AP]M)?$/);
        expect(await waiting.getByTestId('failure-reason').textContent()).toContain(ASSERTION);
        expect(await page.getByTestId('card-3').getByTestId('skip-class').textContent()).toBe(
          'skipped · External service',
        );
        await waiting.scrollIntoViewIfNeeded();
        await page.screenshot({
          path: join(SHOTS, `failures-board-${theme}-${viewport.label}.png`),
          fullPage: viewport.width < 500,
        });
        expect(await seriousAxeViolations(page)).toEqual([]);

        // The drawer: the reason, the retry, the sessions that failed (never "success").
        await waiting.getByRole('button', { name: /^#1\s*Add a note$/ }).click();
        const drawer = page.getByTestId('feature-drawer');
        expect(await drawer.getByTestId('drawer-failure-reason').textContent()).toContain(ASSERTION);
        expect(await drawer.getByTestId('drawer-retry-at').textContent()).toMatch(
          /^Attempt 2 of 3: retry at \d{1,2}:\d{2}:\d{2}( [AP]M)? \(in \d+m \d+s\)$/,
        );
        const outcome = drawer.getByTestId('session-outcome');
        await outcome.first().waitFor();
        expect(await outcome.count()).toBe(1);
        expect(await outcome.first().textContent()).toMatch(/^failed: the feature did not pass3 verifications failed/);
        expect(await drawer.textContent()).not.toMatch(/\bsuccess\b/);
        await drawer.getByTestId('verification').first().waitFor();
        await page.screenshot({ path: join(SHOTS, `failures-drawer-${theme}-${viewport.label}.png`) });
        expect(await seriousAxeViolations(page)).toEqual([]);
        await page.keyboard.press('Escape');

        // The board filters by blocker class: only the skipped feature is left.
        await page.getByTestId('skip-filter').selectOption('external_service');
        await page.getByTestId('card-1').waitFor({ state: 'detached' });
        expect(await page.locator('[data-testid^="card-"]').count()).toBe(1);
        await page.screenshot({ path: join(SHOTS, `failures-filter-${theme}-${viewport.label}.png`) });
        expect(await seriousAxeViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    });
  }
}
