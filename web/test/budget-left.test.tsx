// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore } from '../../src/db/stores.js';
import { RunStatusSchema } from '../../src/shared/runs.js';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { BudgetLeft } from '../src/app/BudgetLeft';

// A real server with a project database; the status the header reads comes from its API.
vi.setConfig({ testTimeout: 30_000 });

describe("the header's budget line against the real server", () => {
  let ui: UiServer;
  let dir: string;
  beforeEach(async () => {
    ui = await startUiServer();
    dir = seedProject(ui, 'shop', { count: 1 }).dir;
  });
  afterEach(async () => {
    cleanup();
    await ui.close();
  });

  /** Records a run (this process stands in for its runner, so it counts as active) with one session of `costUsd`. */
  function recordRun(settings: Record<string, unknown>, costUsd: number, end = false): void {
    const store = openProjectStore(projectPaths(dir), { create: false });
    try {
      store.runs.start({ id: 'run_1', pid: process.pid, host: hostname(), incarnation: 'inc', settings });
      store.sessions.start({
        id: 'ses_1',
        runId: 'run_1',
        slot: 0,
        role: 'coding',
        featureIds: [1],
        model: null,
        transcriptPath: '/t',
      });
      store.sessions.end('ses_1', {
        status: 'succeeded',
        outcome: 'success',
        usage: { turns: 1, inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd },
        error: null,
      });
      if (end) store.runs.end('run_1', 'finished', 'done');
    } finally {
      store.close();
    }
  }

  const status = async () => {
    const res = await fetch(`${ui.url}/api/projects/shop/agent/status`, { headers: ui.auth });
    return RunStatusSchema.parse(await res.json());
  };

  it('an active run with --max-cost: what is left of it, from the status API', async () => {
    recordRun({ maxCostUsd: 5 }, 1.25);
    const { budget } = await status();
    expect(budget).toEqual({ scope: 'run', limitUsd: 5, spentUsd: 1.25, leftUsd: 3.75 });
    render(<BudgetLeft budget={budget} />);
    expect(screen.getByTestId('budget-left').textContent).toBe('Budget left $3.75 of the $5.00 run budget');
  });

  it('no active run: the daily budget, in the warning colour once 80 % is used', async () => {
    recordRun({ maxCostUsd: 5, dailyBudgetUsd: 2 }, 1.7, true);
    const { budget } = await status();
    expect(budget).toMatchObject({ scope: 'day', limitUsd: 2, leftUsd: expect.closeTo(0.3, 6) as number });
    render(<BudgetLeft budget={budget} />);
    const line = screen.getByTestId('budget-left');
    expect(line.textContent).toBe('Budget left $0.30 of the $2.00 daily budget');
    expect(line.querySelector('span')?.className).toContain('text-st-input');
  });

  it('no budget set: no line', async () => {
    recordRun({}, 1, true);
    expect((await status()).budget).toBeNull();
    const { container } = render(<BudgetLeft budget={null} />);
    expect(container.textContent).toBe('');
  });
});
