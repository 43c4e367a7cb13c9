import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import type { SessionLogPayload } from '../../src/shared/events.js';
import { projectPaths } from '../../src/config/paths.js';
import { REPO_ROOT } from '../support/cli-process.js';
import { seriousAxeViolations } from '../support/axe.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// Drives Debian's Chromium against a real server: a journey can take over a minute on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

/**
 * Mission control with parallel agents: a run recorded with 3 coding slots, 1 testing slot and
 * the supervisor (rows written as the runner writes them; this process stands in for the
 * runner's pid) shows five agent cards with their states, features and thoughts, live.
 */
let ui: UiServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  ui = await startUiServer();
  dir = seedProject(ui, 'shop', { count: 12, passing: 3 }).dir;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await ui?.close();
});

it('shows one card per slot (coding and testing), each with its state, feature and last thought, updated live', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchPageErrors(page);
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    store.runs.start({
      id: 'run_ui',
      pid: process.pid,
      host: hostname(),
      incarnation: 'x',
      settings: { concurrency: 3, testingRatio: 1, yolo: false, supervisor: true },
    });
    await page.goto(ui.link(`/projects/shop`));
    for (const slot of [0, 1, 2, 3, 4]) await page.getByTestId(`agent-${slot}`).waitFor();
    expect(await page.getByText('testing agent').count()).toBe(1);
    expect(await page.getByText(/coding agent · slot/).count()).toBe(3);
    // Supervisor mode: the slot after the testing ones answers the agents' questions.
    expect(await page.getByTestId('agent-4').textContent()).toMatch(/supervisor agent.*Waiting for questions/);

    const sessions = store.sessions;
    const work: { slot: number; feature: number; payload: SessionLogPayload }[] = [
      { slot: 0, feature: 4, payload: { kind: 'text', text: 'Adding the tags table first.' } },
      { slot: 1, feature: 5, payload: { kind: 'tool_call', tool: 'Bash', input: '{"command":"npm test"}' } },
      { slot: 2, feature: 6, payload: { kind: 'tool_call', tool: 'Write', input: '{"file_path":"src/x.ts"}' } },
      { slot: 3, feature: 1, payload: { kind: 'text', text: 'Re-verifying feature 1 on main.' } },
    ];
    for (const w of work) {
      const id = `ses_ui_${w.slot}`;
      sessions.start({
        id,
        runId: 'run_ui',
        slot: w.slot,
        role: w.slot === 3 ? 'testing' : 'coding',
        featureIds: [w.feature],
        model: null,
        transcriptPath: join(dir, '.autocoder', 'logs', `${id}.jsonl`),
      });
      store.events.append({
        type: 'session.log',
        at: Date.now(),
        runId: 'run_ui',
        sessionId: id,
        featureId: w.feature,
        slot: w.slot,
        payload: w.payload,
      });
    }
    await expect.poll(() => page.getByTestId('agent-0').getAttribute('data-state')).toBe('thinking');
    await expect.poll(() => page.getByTestId('agent-1').getAttribute('data-state')).toBe('testing');
    await expect.poll(() => page.getByTestId('agent-2').getAttribute('data-state')).toBe('working');
    expect(await page.getByTestId('agent-0').textContent()).toContain('Adding the tags table first.');
    expect(await page.getByTestId('agent-3').textContent()).toContain('#1');
    expect(await page.getByTestId('agent-1').getByRole('list').textContent()).toContain('npm test');

    // Pause: draining while sessions run.
    store.runs.setStatus('run_ui', 'draining');
    await page.locator('[data-testid="run-state"][data-state="draining"]').waitFor();
    await page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'ui', 'mission-control-parallel.png') });
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    store.close();
    await page.close();
  }
});
