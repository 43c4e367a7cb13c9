import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { PLACEHOLDER_MARK } from '../../src/projects/env-file.js';
import { createApp } from '../../src/server/app.js';
import { API_ROUTES } from '../../src/server/routes/index.js';
import { HumanInputListSchema, HumanInputResultSchema, type HumanInputRequestDTO } from '../../src/shared/human-input.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync, startCli } from '../support/cli-process.js';
import {
  assignedFeature,
  FEATURE_TOOL,
  initializerSession,
  landingCodingSession,
  reply,
  roleScript,
  startScriptedModelServer,
  supervisorSession,
  type PlannedFeature,
  type ScriptedModelServer,
  type Step,
} from '../support/fake-anthropic/index.js';
import { createSampleProject } from '../support/sample-project.js';
import { waitFor } from '../support/wait-for.js';

const SECRET = 'mk_sup_V4nB8qK2sD6wJ1';
const FEATURES: PlannedFeature[] = [
  { category: 'maps', name: 'Store map', description: 'Shows the store on a map (needs a maps API key).', steps: ['open the map'] },
  { category: 'core', name: 'Opening hours', description: 'Lists opening hours.', steps: ['see the hours'] },
];

let root: string;
let model: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-sup-'));
});
afterEach(async () => {
  await model?.close();
  model = undefined;
  rmSync(root, { recursive: true, force: true });
});

/** What feature 1's sessions saw once an answer existed: their prompts and `cat .env`. */
interface Seen {
  prompts: string[];
  envOutputs: string[];
}

/**
 * Feature 1 asks for a secret and a region first; once answered (the prompt says where the
 * secret went) it reads .env, writes a file of its own for this attempt, commits and lands.
 */
function codingScript(seen: Seen): Step {
  const landing = landingCodingSession();
  return (conv) => {
    if (assignedFeature(conv) !== 1) return landing(conv);
    if (!conv.prompt.includes('saved in .env as')) {
      if (conv.turn === 0) {
        return reply().tool(FEATURE_TOOL('feature_request_human_input'), {
          feature_id: 1,
          prompt: 'The store map needs a maps API key and the region to use.',
          fields: [
            { id: 'maps_key', label: 'Maps API key', type: 'secret' },
            { id: 'region', label: 'Region', type: 'select', options: ['us-east-1', 'eu-central-1'] },
          ],
        });
      }
      return reply().text('Asked for the key; ending this session.');
    }
    const attempt = seen.prompts.length;
    if (conv.turn === 0) seen.prompts.push(conv.prompt);
    switch (conv.turn) {
      case 0:
        return reply().tool('Bash', { command: 'cat .env' });
      case 1:
        seen.envOutputs.push(conv.lastToolResults[0]?.text ?? '');
        return reply().tool('Write', { file_path: `features/feature-1-attempt-${attempt}.txt`, content: 'feature 1 implemented\n' });
      case 2:
        return reply().tool('Bash', { command: 'git add -A && git commit -m "Feature #1"' });
      case 3:
        return reply().tool(FEATURE_TOOL('feature_mark_passing'), { feature_id: 1, evidence: 'map renders with the configured key' });
      default:
        return reply().text('Feature 1 landed.');
    }
  };
}

/** The real API app over the same registry as the CLI. */
function api(env: NodeJS.ProcessEnv) {
  const app = createApp(
    { env, cwd: root, now: () => Date.now(), guard: { port: 8888, extraHosts: [], token: null, maxBodyBytes: 1_000_000 }, launchRunner: () => ({ pid: 0 }) },
    API_ROUTES,
  );
  const responses: string[] = [];
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const res = await app.request(`http://localhost:8888${path}`, {
      method,
      headers: { host: 'localhost:8888', ...(text === undefined ? {} : { 'content-type': 'application/json', origin: 'http://localhost:8888', 'content-length': String(Buffer.byteLength(text)) }) },
      ...(text === undefined ? {} : { body: text }),
    });
    const raw = await res.text();
    responses.push(raw);
    return { status: res.status, json: JSON.parse(raw) as unknown };
  };
  return { call, responses };
}

function featureStatus(dir: string, id: number): string {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return store.features.get(id).status;
  } finally {
    store.close();
  }
}

describe('a run that needs answers', { timeout: 300_000 }, () => {
  it('without a supervisor: the run waits, says how to answer, and goes on by itself once answered', async () => {
    const seen: Seen = { prompts: [], envOutputs: [] };
    model = await startScriptedModelServer(roleScript({ initializer: initializerSession(FEATURES), coding: codingScript(seen) }));
    const env = agentTestEnv(root, model.url);
    const { dir } = createSampleProject(root, env);

    const running = startCli(['run', 'notes', '--yolo'], env);
    const waiting = await waitFor(() => /Waiting for 1 human answer .*autocoder answer notes (hir_[0-9a-f]+)/.exec(running.output())?.[1], 120_000, 'the run to wait for an answer');
    // Feature 2 went on meanwhile; the run is still up.
    expect(running.output()).toContain('feature #2 is now passing');
    expect(featureStatus(dir, 1)).toBe('needs_input');
    const answered = await cliAsync(['answer', 'notes', waiting, '--field', `maps_key=${SECRET}`, '--field', 'region=eu-central-1'], env);
    expect(answered.status, answered.stderr).toBe(0);

    const exit = await running.exited;
    expect(exit.code, running.output()).toBe(0);
    expect(running.output()).toContain('All 2 features pass.');
    expect(seen.prompts[0]).toContain('region = "eu-central-1"');
    expect(seen.envOutputs[0]).toContain(`MAPS_KEY=${SECRET}`);
    expect(running.output()).not.toContain(SECRET);
  });

  it.each(['api', 'cli'] as const)(
    'supervisor mode: the run completes with no human; the answer is listed with its reason; a human override (%s) re-opens the feature with the real value',
    async (via) => {
      const seen: Seen = { prompts: [], envOutputs: [] };
      model = await startScriptedModelServer(
        roleScript({ initializer: initializerSession(FEATURES), coding: codingScript(seen), other: supervisorSession((_request, field) => (field === 'region' ? 'us-east-1' : 'x')) }),
      );
      const env = agentTestEnv(root, model.url, { AUTOCODER_SUPERVISOR: '1' });
      const { dir } = createSampleProject(root, env);

      const first = await cliAsync(['run', 'notes', '--yolo'], env);
      expect(first.status, first.stdout + first.stderr).toBe(0);
      expect(first.stdout).toContain('All 2 features pass.');
      expect(first.stdout).toMatch(/Slot 1 \(supervisor\): answered hir_[0-9a-f]+ for feature #1; development placeholders in \.env: MAPS_KEY\./);
      // The coding agent built against a marked placeholder, and its notes say so.
      const envFile = readFileSync(join(dir, '.env'), 'utf8');
      expect(envFile).toMatch(new RegExp(`^${PLACEHOLDER_MARK.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*\\nMAPS_KEY=dev-placeholder-maps-key-[0-9a-f]{8}$`, 'm'));
      expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
      expect(seen.prompts[0]).toContain('region = "us-east-1" (reason: the spec implies us-east-1 for region)');
      expect(seen.prompts[0]).toContain('DEVELOPMENT PLACEHOLDER');
      expect(seen.envOutputs[0]).toMatch(/MAPS_KEY=dev-placeholder-maps-key-/);

      // Listed: CLI and API.
      const listed = await cliAsync(['inbox', 'notes', '--supervisor'], env);
      expect(listed.stdout).toContain('answered by the supervisor');
      expect(listed.stdout).toContain('region = "us-east-1"  (why: the spec implies us-east-1 for region)');
      expect(listed.stdout).toContain('maps_key: development placeholder in .env as MAPS_KEY');
      const { call, responses } = api(env);
      const all = HumanInputListSchema.parse((await call('GET', '/api/projects/notes/human-input?status=all')).json).requests;
      const supervised = all.find((r) => r.answeredBy === 'supervisor') as HumanInputRequestDTO;
      expect(supervised).toMatchObject({ featureId: 1, status: 'answered', answer: { region: 'us-east-1' }, reasons: { region: 'the spec implies us-east-1 for region' }, placeholderKeys: ['MAPS_KEY'], overriddenBy: null });
      expect(featureStatus(dir, 1)).toBe('passing');

      // Bad overrides change nothing.
      const answers = { maps_key: SECRET, region: 'eu-central-1' };
      expect((await call('POST', '/api/projects/notes/human-input/hir_0000/override', { answers })).status).toBe(404);
      expect((await call('POST', `/api/projects/notes/human-input/${supervised.id}/override`, { answers: { region: 'eu-central-1' } })).status).toBe(400);
      expect((await call('POST', `/api/projects/notes/human-input/${supervised.id}/override`, { answers: { ...answers, region: 'mars-1' } })).status).toBe(400);
      expect((await call('POST', `/api/projects/notes/features/1/human-input`, { requestId: supervised.id, answers })).status).toBe(409);
      expect(featureStatus(dir, 1)).toBe('passing');
      expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(envFile);

      // The override.
      if (via === 'api') {
        const overridden = await call('POST', `/api/projects/notes/human-input/${supervised.id}/override`, { answers });
        expect(overridden.status).toBe(200);
        expect(HumanInputResultSchema.parse(overridden.json)).toMatchObject({ request: { answeredBy: 'human', overrides: supervised.id, answer: { region: 'eu-central-1' } }, feature: { id: 1, status: 'pending' } });
        expect((await call('POST', `/api/projects/notes/human-input/${supervised.id}/override`, { answers })).status).toBe(409);
      } else {
        const overridden = await cliAsync(['answer', 'notes', supervised.id, '--override', '--field', `maps_key=${SECRET}`, '--field', 'region=eu-central-1'], env);
        expect(overridden.status, overridden.stderr).toBe(0);
        expect(overridden.stdout).toContain(`Overrode the supervisor's answer to ${supervised.id}`);
        const twice = await cliAsync(['answer', 'notes', supervised.id, '--override', '--field', `maps_key=${SECRET}`, '--field', 'region=eu-central-1'], env);
        expect(twice.status).toBe(4);
        expect(overridden.stdout + twice.stdout + twice.stderr).not.toContain(SECRET);
      }
      expect(featureStatus(dir, 1)).toBe('pending');
      const after = readFileSync(join(dir, '.env'), 'utf8');
      expect(after).toContain(`MAPS_KEY=${SECRET}`);
      expect(after).not.toContain(PLACEHOLDER_MARK);

      // The next run redoes feature 1 with the human's values.
      const second = await cliAsync(['run', 'notes', '--yolo'], env);
      expect(second.status, second.stdout + second.stderr).toBe(0);
      expect(second.stdout).toContain('All 2 features pass.');
      expect(seen.prompts[1]).toContain('a human overrode the supervisor\'s answer');
      expect(seen.prompts[1]).toContain('region = "eu-central-1"');
      expect(seen.envOutputs[1]).toContain(`MAPS_KEY=${SECRET}`);
      const listedAfter = HumanInputListSchema.parse((await call('GET', '/api/projects/notes/human-input?status=all')).json).requests;
      expect(listedAfter.find((r) => r.id === supervised.id)?.overriddenBy).toMatch(/^hir_/);
      for (const r of responses) expect(r).not.toContain(SECRET);
      expect([first.stdout, second.stdout].join('\n')).not.toContain(SECRET);
    },
  );
});
