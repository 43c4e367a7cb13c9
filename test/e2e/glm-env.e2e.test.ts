import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { agentTestEnv } from '../support/agent-env.js';
import { cli, cliAsync } from '../support/cli-process.js';
import {
  codingSession,
  initializerSession,
  roleScript,
  SAMPLE_FEATURES,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { createSampleProject } from '../support/sample-project.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 240_000 });

const GLM_KEY = 'zhipu-key-e2e-7c1d9a3b5f';

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-glm-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(root, { recursive: true, force: true });
});

describe("the README's GLM example: AutoCoder-2's .env block in $AUTOCODER_HOME/.env", () => {
  it('sends every request to ANTHROPIC_BASE_URL with ANTHROPIC_AUTH_TOKEN, the models named by ANTHROPIC_DEFAULT_*_MODEL', async () => {
    // The scripted model server stands in for https://api.z.ai/api/anthropic.
    server = await startScriptedModelServer(
      roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }),
    );
    // Nothing about the provider in the real environment, and no model chosen: all of it comes from the file.
    const env = agentTestEnv(root, server.url);
    delete env.ANTHROPIC_BASE_URL;
    delete env.ANTHROPIC_API_KEY;
    delete env.AUTOCODER_MODEL;
    const home = env.AUTOCODER_HOME as string;
    mkdirSync(home, { recursive: true });
    const file = join(home, '.env');
    writeFileSync(
      file,
      [
        `ANTHROPIC_BASE_URL=${server.url}`,
        `ANTHROPIC_AUTH_TOKEN=${GLM_KEY}`,
        'API_TIMEOUT_MS=3000000',
        'ANTHROPIC_DEFAULT_SONNET_MODEL=glm-4.7',
        'ANTHROPIC_DEFAULT_OPUS_MODEL=glm-4.7',
        'ANTHROPIC_DEFAULT_HAIKU_MODEL=glm-4.5-air',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    chmodSync(file, 0o600);
    createSampleProject(root, env);

    const doctor = cli(['doctor'], env);
    expect(doctor.stdout).toContain(
      `${file} read: ANTHROPIC_BASE_URL, ANTHROPIC_AUTH_TOKEN, API_TIMEOUT_MS, ANTHROPIC_DEFAULT_SONNET_MODEL, ANTHROPIC_DEFAULT_OPUS_MODEL, ANTHROPIC_DEFAULT_HAIKU_MODEL`,
    );
    expect(doctor.stdout).not.toContain(GLM_KEY);

    const run = await cliAsync(['run', 'notes', '--max-iterations', '1'], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('The initializer created 4 features.');
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain(GLM_KEY);

    const messages = server.requests.filter((r) => r.path === '/v1/messages');
    expect(messages.length).toBeGreaterThan(0);
    expect(new Set(messages.map((r) => r.auth))).toEqual(new Set([`Bearer ${GLM_KEY}`]));
    // Claude Code's default model is its Sonnet (or Opus) alias: GLM-4.7 here; side calls use the Haiku alias.
    expect(new Set(messages.filter((r) => !r.sideCall).map((r) => r.model))).toEqual(new Set(['glm-4.7']));
    for (const r of messages.filter((m) => m.sideCall)) expect(['glm-4.7', 'glm-4.5-air']).toContain(r.model);
  });
});
