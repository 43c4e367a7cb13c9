import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync } from '../support/cli-process.js';
import {
  codingSession,
  initializerSession,
  isCoding,
  roleScript,
  SAMPLE_FEATURES,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import type { ReplyBuilder } from '../../src/model-server/reply.js';
import { createSampleProject } from '../support/sample-project.js';

// Drives the real Claude Code binary against a scripted model that reports token usage: over a minute on a loaded
// 2-core machine.
vi.setConfig({ testTimeout: 240_000 });

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-budget-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(root, { recursive: true, force: true });
});

/** Input tokens of each coding turn: Claude Code prices them, so a coding session costs tens of cents. */
const EXPENSIVE = 30_000;

describe('budgets with the real Claude Code binary', () => {
  it('run --max-cost below the backlog: the run stops by itself, fewer features pass, within the budget, exit code 6', async () => {
    const coding = codingSession();
    const initializer = roleScript({ initializer: initializerSession(SAMPLE_FEATURES) });
    server = await startScriptedModelServer((conv) =>
      isCoding(conv) ? (coding(conv) as ReplyBuilder).tokens({ input_tokens: EXPENSIVE }) : initializer(conv),
    );
    const env = agentTestEnv(root, server.url);
    const { dir, created } = createSampleProject(root, env);
    expect(created.stderr).toBe('');

    const budget = 0.9;
    const run = await cliAsync(['run', 'notes', '--max-cost', String(budget)], env);
    expect(run.stdout).toMatch(
      /Budget reached: \$[\d.]+ of the \$0\.90\d* run budget \(--max-cost \/ budget\.runUsd\)/,
    );
    expect(run.status).toBe(6);

    const store = openProjectStore(projectPaths(dir), { create: false });
    try {
      const runs = store.runs.list();
      const last = runs.at(-1);
      const sessions = store.sessions.list({ runId: last?.id ?? '' });
      const coded = sessions.filter((s) => s.role === 'coding');
      const cost = store.sessions.costOfRun(last?.id ?? '');
      const passing = store.features.stats().passing;
      expect(passing).toBeGreaterThan(0);
      expect(passing).toBeLessThan(4);
      // Each coding session cost something (the model server reported usage) and was held to its reservation.
      for (const s of coded) expect(s.costUsd).toBeGreaterThan(0.1);
      // Within the budget plus one session's shortfall (the turn that crossed a reservation).
      const largest = Math.max(...coded.map((s) => s.costUsd));
      expect(cost).toBeLessThanOrEqual(budget + largest);
      expect(store.budget.use({ runId: last?.id ?? '' }).reservedUsd).toBe(0);
      expect(last?.endReason).toMatch(/^Budget reached/);
    } finally {
      store.close();
    }
  });
});
