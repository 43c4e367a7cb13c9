import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cliInProcess, createSampleProjectInProcess, scriptedCliEnv } from '../support/cli-in-process.js';
import { codingSession, initializerSession, roleScript, SAMPLE_FEATURES } from '../support/fake-anthropic/index.js';
import { ScriptedRuntime } from '../support/scripted-runtime.js';
import { startWebhookReceiver, type WebhookReceiver, type Hit } from '../support/webhook-receiver.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let runtime: ScriptedRuntime;
let hooks: WebhookReceiver | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-hooks-'));
});

afterEach(async () => {
  await hooks?.close();
  hooks = undefined;
  rmSync(root, { recursive: true, force: true });
});

/**
 * The project, and `autocoder run notes` in this process with the scripted runtime (the webhook settings come from
 * `env` as in a real run).
 */
async function setup(extraEnv: Record<string, string>) {
  runtime = new ScriptedRuntime(
    roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }),
  );
  const env = scriptedCliEnv(root, { AUTOCODER_WEBHOOK_RETRY_MS: '20', ...extraEnv });
  await createSampleProjectInProcess(root, env);
  return { env, run: () => cliInProcess(['run', 'notes'], env, { runtime }) };
}

const progressOf = (hits: readonly Hit[]) =>
  hits.filter((h) => h.path === '/n8n' && h.status === 200).map((h) => h.body as Record<string, unknown>[]);

describe('autocoder run with progress webhooks', () => {
  it('posts an n8n test_progress payload per passed feature and a JSON run.finished', async () => {
    const receiver = (hooks = await startWebhookReceiver());
    const { run: runNotes } = await setup({
      PROGRESS_N8N_WEBHOOK_URL: `${receiver.url}/n8n`,
      AUTOCODER_WEBHOOKS: JSON.stringify([{ url: `${receiver.url}/json`, events: ['run.finished', 'run.failed'] }]),
    });
    const run = await runNotes();
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('All 4 features pass.');
    expect(run.status).toBe(0);

    const progress = progressOf(receiver.hits);
    expect(progress).toHaveLength(4);
    progress.forEach((body, i) => {
      expect(body).toHaveLength(1);
      expect(body[0]).toMatchObject({
        event: 'test_progress',
        passing: i + 1,
        total: 4,
        percentage: (i + 1) * 25,
        project: 'notes',
      });
      expect(Number.isNaN(Date.parse(String(body[0]?.timestamp)))).toBe(false);
    });
    // One per feature, in the order they landed (the runner claims by estimated path: #3 and #4 in either order).
    expect(progress.map((b) => b[0]?.feature_id).slice(0, 2)).toEqual([1, 2]);
    expect(progress.map((b) => Number(b[0]?.feature_id)).sort()).toEqual([1, 2, 3, 4]);
    expect(receiver.hits.filter((h) => h.path === '/json').map((h) => h.body)).toEqual([
      expect.objectContaining({
        event: 'run.finished',
        project: 'notes',
        passing: 4,
        total: 4,
        percentage: 100,
        status: 'finished',
        reason: 'All 4 features pass.',
      }),
    ]);
  });

  it('retries a receiver that refuses each first attempt: the run completes and every payload arrives, in order', async () => {
    const receiver = (hooks = await startWebhookReceiver((_path, body, seen) => {
      const passing = (body as { passing: number }[])[0]?.passing;
      return seen.some((h) => (h.body as { passing: number }[])[0]?.passing === passing) ? 200 : 500;
    }));
    const { run: runNotes } = await setup({ PROGRESS_N8N_WEBHOOK_URL: `${receiver.url}/n8n` });
    const run = await runNotes();
    expect(run.stdout).toContain('All 4 features pass.');
    expect(run.stdout).not.toContain('Webhook');
    expect(run.status).toBe(0);
    expect(receiver.hits.map((h) => [(h.body as { passing: number }[])[0]?.passing, h.status])).toEqual([
      [1, 500],
      [1, 200],
      [2, 500],
      [2, 200],
      [3, 500],
      [3, 200],
      [4, 500],
      [4, 200],
    ]);
    expect(progressOf(receiver.hits).map((b) => b[0]?.passing)).toEqual([1, 2, 3, 4]);
  });

  it('refuses to start with a webhook that is not http(s)', async () => {
    const { run: runNotes } = await setup({ AUTOCODER_WEBHOOKS: JSON.stringify([{ url: 'ftp://files.example/x' }]) });
    const run = await runNotes();
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/invalid webhook AUTOCODER_WEBHOOKS\[0\]: url: must be an http:\/\/ or https:\/\/ URL/);
    expect(runtime.sessions).toHaveLength(0);
  });

  it('reports a receiver that never takes the payload, and still finishes the run', async () => {
    const receiver = (hooks = await startWebhookReceiver(() => 503));
    const { run: runNotes } = await setup({
      PROGRESS_N8N_WEBHOOK_URL: `${receiver.url}/n8n`,
      AUTOCODER_WEBHOOK_RETRY_MS: '1',
    });
    const run = await runNotes();
    expect(run.stdout).toContain('All 4 features pass.');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Webhook ${receiver.url} did not take feature.passed (5 attempt(s)): HTTP 503.`);
    expect(receiver.hits).toHaveLength(20);
  });
});
