import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync } from '../support/cli-process.js';
import {
  assignedFeature,
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
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import { MetricsSchema } from '../../src/shared/metrics.js';
import { HumanInputRequestSchema } from '../../src/shared/human-input.js';

// Drives the real Claude Code binary against a scripted model that reports token usage: over a minute on a loaded
// 2-core machine.
vi.setConfig({ testTimeout: 240_000 });

let root: string;
let server: ScriptedModelServer | undefined;
let api: RunningServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-budget-'));
});

afterEach(async () => {
  await api?.close();
  api = undefined;
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
    let sessionCosts: { id: string; costUsd: number }[];
    try {
      sessionCosts = store.sessions.list({}).map((s) => ({ id: s.id, costUsd: s.costUsd }));
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

    // The metrics API's total is the sum of the recorded sessions (the initializer's included), and so is the CLI's.
    api = await startServer({ env, cwd: root, host: '127.0.0.1', port: 0, launchRunner: () => ({ pid: -1 }) });
    const res = await fetch(`${api.url.replace(/\/$/, '')}/api/projects/notes/metrics`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(res.status).toBe(200);
    const metrics = MetricsSchema.parse(await res.json());
    const sum = sessionCosts.reduce((total, s) => total + s.costUsd, 0);
    expect(sum).toBeGreaterThan(budget / 2);
    expect(metrics.cost.total.sessions).toBe(sessionCosts.length);
    expect(metrics.cost.total.costUsd).toBeCloseTo(sum, 9);
    expect(metrics.sessions.map((s) => [s.id, s.costUsd]).sort()).toEqual(
      sessionCosts.map((s) => [s.id, s.costUsd]).sort(),
    );
    const cli = await cliAsync(['metrics', 'notes', '--json'], env);
    expect(cli.status).toBe(0);
    expect(MetricsSchema.parse(JSON.parse(cli.stdout)).cost.total.costUsd).toBeCloseTo(sum, 9);
  });
});

describe('loops with the real Claude Code binary', () => {
  it('a feature failing the same way twice goes to the Inbox with the evidence instead of a third attempt', async () => {
    const attempts = new Map<number, number>();
    // Feature #1 never gets marked passing: each attempt ends the same way.
    const coding = codingSession({ pass: (id) => id !== 1 });
    const initializer = roleScript({ initializer: initializerSession(SAMPLE_FEATURES) });
    server = await startScriptedModelServer((conv) => {
      if (!isCoding(conv)) return initializer(conv);
      const id = assignedFeature(conv) ?? 0;
      if (conv.turn === 0) attempts.set(id, (attempts.get(id) ?? 0) + 1);
      return coding(conv);
    });
    const env = agentTestEnv(root, server.url);
    const { dir, created } = createSampleProject(root, env);
    expect(created.stderr).toBe('');

    const run = await cliAsync(['run', 'notes', '--no-wait-for-input'], env);
    expect(run.stdout).toMatch(/Feature #1 failed the same way twice in a row/);
    // Every other feature waits on #1: two attempts at it, then nothing (no third attempt was paid for).
    expect([...attempts]).toEqual([[1, 2]]);

    const inbox = await cliAsync(['inbox', 'notes', '--json'], env);
    expect(inbox.status).toBe(0);
    const requests = HumanInputRequestSchema.array().parse(
      (JSON.parse(inbox.stdout) as { requests: unknown }).requests,
    );
    expect(requests).toHaveLength(1);
    expect(requests[0]?.featureId).toBe(1);
    expect(requests[0]?.prompt).toBe(
      'Feature #1 "Create a note" failed the same way twice in a row, so it is not tried again until you answer.\n' +
        'Attempt before last: the session ended without marking the feature passing\n' +
        'Last attempt: the session ended without marking the feature passing',
    );
    const store = openProjectStore(projectPaths(dir), { create: false });
    try {
      expect(store.features.get(1).status).toBe('needs_input');
      expect(store.sessions.list({}).filter((s) => s.role === 'coding')).toHaveLength(2);
    } finally {
      store.close();
    }
  });
});
