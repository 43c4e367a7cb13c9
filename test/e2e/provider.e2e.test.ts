import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
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
vi.setConfig({ testTimeout: 120_000 });

const TOKEN = 'tok-compatible-e2e-5f3a9c1d7b2e';
const INIT_MODEL = 'glm-4.6-planner';
const CODING_MODEL = 'kimi-k2-coder';

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-provider-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(root, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('provider compatible and models per role, set through autocoder config', () => {
  it('sends each role its configured model with the stored token, and the token is written nowhere', async () => {
    server = await startScriptedModelServer(
      roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }),
    );
    // No provider variables in the environment: the endpoint, token and models come from the config only.
    const env = agentTestEnv(root, server.url);
    delete env.ANTHROPIC_BASE_URL;
    delete env.ANTHROPIC_API_KEY;
    delete env.AUTOCODER_MODEL;
    const { dir } = createSampleProject(root, env);
    for (const [key, value] of [
      ['provider', 'compatible'],
      ['baseUrl', server.url],
      ['authToken', TOKEN],
      ['defaultModel', 'claude-sonnet-4-5'],
      ['model.initializer', INIT_MODEL],
      ['model.coding', CODING_MODEL],
    ]) {
      const set = cli(['config', 'set', key as string, value as string], env);
      expect(set.stderr).toBe('');
      expect(set.stdout).not.toContain(TOKEN);
    }
    const doctor = JSON.parse(cli(['doctor', '--json'], env).stdout) as {
      checks: { id: string; ok: boolean; detail: string }[];
    };
    expect(doctor.checks.find((c) => c.id === 'credentials')).toMatchObject({
      ok: true,
      detail: `provider compatible at ${server.url}`,
    });

    const run = await cliAsync(['run', 'notes', '--max-iterations', '2'], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('The initializer created 4 features.');
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain(TOKEN);

    // What the model server saw: the role's model on every main-loop request, the token as a bearer.
    const main = server.requests.filter((r) => r.path === '/v1/messages' && !r.sideCall);
    const initializer = main.filter((r) => r.toolNames.includes('mcp__features__feature_create_bulk'));
    const coding = main.filter((r) => r.toolNames.includes('mcp__features__feature_mark_passing'));
    expect(initializer.length).toBeGreaterThan(0);
    expect(coding.length).toBeGreaterThan(0);
    expect(new Set(initializer.map((r) => r.model))).toEqual(new Set([INIT_MODEL]));
    expect(new Set(coding.map((r) => r.model))).toEqual(new Set([CODING_MODEL]));
    expect(new Set(server.requests.filter((r) => r.path === '/v1/messages').map((r) => r.auth))).toEqual(
      new Set([`Bearer ${TOKEN}`]),
    );

    // What autocoder recorded: the model per session, and never the token.
    const store = openProjectStore(projectPaths(dir), { create: false });
    let transcripts: string[];
    try {
      const sessions = store.sessions.list();
      expect(sessions.map((s) => [s.role, s.model])).toEqual([
        ['initializer', INIT_MODEL],
        ['coding', CODING_MODEL],
        ['coding', CODING_MODEL],
      ]);
      transcripts = sessions.map((s) => s.transcriptPath as string);
      const events = store.db.prepare('SELECT type, payload FROM events').all() as { type: string; payload: string }[];
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) expect(e.payload).not.toContain(TOKEN);
    } finally {
      store.close();
    }
    const b64 = Buffer.from(TOKEN).toString('base64').replace(/=+$/, '');
    const written = [
      ...filesUnder(dir),
      ...filesUnder(join(root, 'autocoder-home')).filter((f) => !f.endsWith('secrets.env')),
      ...transcripts,
    ];
    expect(transcripts.length).toBe(3);
    for (const file of written) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(TOKEN)), `${file} holds the token`).toBe(false);
      expect(bytes.includes(Buffer.from(b64)), `${file} holds the token in base64`).toBe(false);
    }
    expect(readFileSync(join(root, 'autocoder-home', 'secrets.env'), 'utf8')).toContain(TOKEN);
  }, 300_000);
});
