/**
 * AutoCoder-2's harness `.env` here: `$AUTOCODER_HOME/.env` (mode 0600) is read as the user's environment for
 * autocoder, the seed's variables in it do what they did there, and an app project's own `.env` configures nothing.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import type { Env } from '../../src/config/env.js';
import { projectPaths } from '../../src/config/paths.js';
import { cliInProcess, createSampleProjectInProcess, scriptedCliEnv } from '../support/cli-in-process.js';
import {
  codingSession,
  initializerSession,
  roleScript,
  SAMPLE_FEATURES,
  supervisorSession,
} from '../support/fake-anthropic/index.js';
import { MAPS_FEATURES, mapsCodingSession, newSeen } from '../support/maps-input-scenario.js';
import { ScriptedRuntime } from '../support/scripted-runtime.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

// Whole scripted runs in this process (git, worktrees, SQLite): seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });

const SUPERVISOR_MODEL = 'claude-seed-supervisor-9';

let root: string;
let hooks: WebhookReceiver | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-seed-env-'));
});
afterEach(async () => {
  await hooks?.close();
  hooks = undefined;
  rmSync(root, { recursive: true, force: true });
});

function writeEnvFile(path: string, lines: readonly string[], mode = 0o600): void {
  writeFileSync(path, `${lines.join('\n')}\n`, { mode });
  chmodSync(path, mode);
}

const homeEnvPath = (env: Env) => join(env.AUTOCODER_HOME as string, '.env');

/** The maps scenario: feature 1 asks for a key and a region; a supervisor (when on) answers with placeholders. */
function mapsRuntime(): ScriptedRuntime {
  return new ScriptedRuntime(
    roleScript({
      initializer: initializerSession(MAPS_FEATURES),
      coding: mapsCodingSession(newSeen()),
      other: supervisorSession(() => 'eu-west-1'),
    }),
  );
}

function sessionsOf(dir: string): [string, string | null][] {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return store.sessions.list().map((s) => [s.role, s.model]);
  } finally {
    store.close();
  }
}

interface Doctor {
  checks: { id: string; ok: boolean; detail: string; fix: string | null }[];
}

describe('$AUTOCODER_HOME/.env with the seed variables', () => {
  it('configures the run: ENABLE_SUPERVISORY_AGENT, SUPERVISORY_AGENT_MODEL and PROGRESS_N8N_WEBHOOK_URL from it', async () => {
    const receiver = (hooks = await startWebhookReceiver());
    const env = scriptedCliEnv(root);
    mkdirSync(env.AUTOCODER_HOME as string, { recursive: true });
    writeEnvFile(homeEnvPath(env), [
      '# the AutoCoder-2 harness .env, moved here',
      'ENABLE_SUPERVISORY_AGENT=true',
      `SUPERVISORY_AGENT_MODEL=${SUPERVISOR_MODEL}`,
      `PROGRESS_N8N_WEBHOOK_URL=${receiver.url}/n8n`,
    ]);
    const { dir } = await createSampleProjectInProcess(root, env);

    const run = await cliInProcess(['run', 'notes', '--yolo'], env, { runtime: mapsRuntime() });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('All 2 features pass.');
    expect(run.stdout).toMatch(/Slot 1 \(supervisor\): answered hir_[0-9a-f]+ for feature #1/);
    // Only the supervisor role got the seed's supervisor model; the others keep the general one.
    const sessions = sessionsOf(dir);
    expect(sessions.filter(([role]) => role === 'supervisor')).toEqual([['supervisor', SUPERVISOR_MODEL]]);
    expect(new Set(sessions.filter(([role]) => role !== 'supervisor').map(([, m]) => m))).toEqual(
      new Set(['claude-sonnet-4-5']),
    );
    const progress = receiver.hits.filter((h) => h.path === '/n8n' && h.status === 200);
    expect(progress.map((h) => (h.body as { passing: number }[])[0]?.passing)).toEqual([1, 2]);

    // doctor names the file and the keys it gave, never a value.
    const doctor = await cliInProcess(['doctor', '--json'], env);
    const check = (JSON.parse(doctor.stdout) as Doctor).checks.find((c) => c.id === 'env_file');
    expect(check).toEqual({
      id: 'env_file',
      ok: true,
      detail: `${homeEnvPath(env)} read: ENABLE_SUPERVISORY_AGENT, SUPERVISORY_AGENT_MODEL, PROGRESS_N8N_WEBHOOK_URL`,
      fix: null,
    });
    expect(doctor.stdout).not.toContain(SUPERVISOR_MODEL);
    expect(doctor.stdout).not.toContain(receiver.url);
  });

  it("the app project's own .env configures nothing: no supervisor, no webhook, a warning naming the keys", async () => {
    const receiver = (hooks = await startWebhookReceiver());
    const env = scriptedCliEnv(root);
    const { dir } = await createSampleProjectInProcess(root, env);
    writeEnvFile(join(dir, '.env'), [
      'ENABLE_SUPERVISORY_AGENT=true',
      `SUPERVISORY_AGENT_MODEL=${SUPERVISOR_MODEL}`,
      'AUTOCODER_SUPERVISOR=1',
      `PROGRESS_N8N_WEBHOOK_URL=${receiver.url}/n8n`,
    ]);

    const run = await cliInProcess(['run', 'notes', '--yolo', '--no-wait-for-input'], env, { runtime: mapsRuntime() });
    expect(run.stderr).toContain(
      "Warning: Ignored AUTOCODER_SUPERVISOR, ENABLE_SUPERVISORY_AGENT, SUPERVISORY_AGENT_MODEL in the project's .env",
    );
    // Feature 1 waits for a person: nobody supervised it.
    expect(run.stdout).not.toContain('(supervisor)');
    expect(sessionsOf(dir).map(([role]) => role)).not.toContain('supervisor');
    const store = openProjectStore(projectPaths(dir), { create: false });
    try {
      expect(store.features.get(1).status).toBe('needs_input');
      expect(store.runs.list()[0]?.settings).toMatchObject({ supervisor: false });
    } finally {
      store.close();
    }
    expect(receiver.hits).toEqual([]);
  });

  it('is refused when others may read it, with the fix; only doctor still runs, and shows it as failed', async () => {
    const env = scriptedCliEnv(root);
    await createSampleProjectInProcess(root, env);
    writeEnvFile(homeEnvPath(env), ['ANTHROPIC_AUTH_TOKEN=glm-secret-token-123'], 0o644);

    const refused = await cliInProcess(['run', 'notes'], env, { runtime: mapsRuntime() });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(
      `error: permissions 0644 for ${homeEnvPath(env)} are too open: it may hold credentials and configures autocoder, so it must be readable by you only. Fix: chmod 600 ${homeEnvPath(env)}\n`,
    );
    expect((await cliInProcess(['list'], env)).status).toBe(2);

    const doctor = await cliInProcess(['doctor', '--json'], env);
    expect((JSON.parse(doctor.stdout) as Doctor).checks.find((c) => c.id === 'env_file')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('are too open'),
      fix: `chmod 600 ${homeEnvPath(env)} (or remove it)`,
    });
    expect(doctor.stdout).not.toContain('glm-secret-token-123');

    chmodSync(homeEnvPath(env), 0o600);
    expect((await cliInProcess(['list'], env)).status).toBe(0);
  });
});

describe('PLAYWRIGHT_HEADLESS=false in a run', () => {
  const runWith = async (extra: Record<string, string>) => {
    const env = scriptedCliEnv(root, { PLAYWRIGHT_HEADLESS: 'false', ...extra });
    const { dir } = await createSampleProjectInProcess(root, env);
    const runtime = new ScriptedRuntime(
      roleScript({ initializer: initializerSession(SAMPLE_FEATURES.slice(0, 1)), coding: codingSession() }),
    );
    const run = await cliInProcess(['run', 'notes', '--yolo'], env, { runtime });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, '.playwright', 'cli.config.json'), 'utf8')) as {
      browser: { launchOptions: { headless: boolean } };
    };
    return {
      dir,
      headless: config.browser.launchOptions.headless,
      sessionEnvs: runtime.sessions.map((s) => s.spec.env),
    };
  };

  it('with a display: the browser config is headed and the sessions get the display', async () => {
    const { headless, sessionEnvs } = await runWith({ DISPLAY: ':99', XAUTHORITY: join(root, '.Xauthority') });
    expect(headless).toBe(false);
    expect(sessionEnvs.length).toBeGreaterThan(0);
    for (const env of sessionEnvs) expect(env).toMatchObject({ DISPLAY: ':99', XAUTHORITY: join(root, '.Xauthority') });
  });

  it('without one: headless, the runner log says why, and no display variable reaches a session', async () => {
    const { dir, headless, sessionEnvs } = await runWith({});
    expect(headless).toBe(true);
    expect(readFileSync(join(dir, '.autocoder', 'logs', 'runner.log'), 'utf8')).toContain(
      'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)',
    );
    for (const env of sessionEnvs) expect(env.DISPLAY).toBeUndefined();
  });
});
