import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { gitOk } from '../../src/git/git.js';
import { createApp } from '../../src/server/app.js';
import { API_ROUTES } from '../../src/server/routes/index.js';
import { FeatureBoardSchema } from '../../src/shared/api.js';
import { HumanInputListSchema, HumanInputResultSchema } from '../../src/shared/human-input.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync } from '../support/cli-process.js';
import {
  assignedFeature,
  FEATURE_TOOL,
  initializerSession,
  landingCodingSession,
  reply,
  roleScript,
  startScriptedModelServer,
  type PlannedFeature,
  type ScriptedModelServer,
  type Step,
} from '../support/fake-anthropic/index.js';
import { createSampleProject } from '../support/sample-project.js';

/** The secret a human gives; long and unique, so any trace of it is found. */
const SECRET = 'mk_e2e_Q7vT3zW9pL2xR8';
const FEATURES: PlannedFeature[] = [
  { category: 'maps', name: 'Store map', description: 'Shows the store on a map (needs a maps API key).', steps: ['open the map'] },
  { category: 'core', name: 'Opening hours', description: 'Lists opening hours.', steps: ['see the hours'] },
];

let root: string;
let model: ScriptedModelServer | undefined;
let hooks: Server | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-hir-'));
});
afterEach(async () => {
  await model?.close();
  model = undefined;
  if (hooks) {
    hooks.closeAllConnections();
    await new Promise((resolve) => hooks?.close(resolve));
    hooks = undefined;
  }
  rmSync(root, { recursive: true, force: true });
});

/** What the scripted agent of feature 1 saw when it came back after the answer. */
interface Seen {
  prompt: string;
  envOutput: string;
}

/**
 * Feature 1's first session asks for a secret and a plain value, then ends; its next session
 * (the prompt says the secret was saved) runs `cat .env`, writes, commits and lands. Feature 2
 * is implemented normally meanwhile.
 */
function codingScript(seen: Seen): Step {
  const landing = landingCodingSession();
  return (conv) => {
    if (assignedFeature(conv) !== 1) return landing(conv);
    if (!conv.prompt.includes('saved in .env as')) {
      if (conv.turn === 0) {
        return reply()
          .text('The maps API needs a key I do not have.')
          .tool(FEATURE_TOOL('feature_request_human_input'), {
            feature_id: 1,
            prompt: 'The store map needs a maps API key and the region to use.',
            fields: [
              { id: 'maps_key', label: 'Maps API key', type: 'secret', help: 'console → credentials' },
              { id: 'region', label: 'Region', type: 'text', placeholder: 'eu-west-1' },
            ],
          });
      }
      return reply().text('Asked a human for the key; ending this session.');
    }
    seen.prompt = conv.prompt;
    switch (conv.turn) {
      case 0:
        return reply().tool('Bash', { command: 'cat .env' });
      case 1:
        seen.envOutput = conv.lastToolResults[0]?.text ?? '';
        return reply().tool('Write', { file_path: 'features/feature-1.txt', content: 'feature 1 implemented\n' });
      case 2:
        return reply().tool('Bash', { command: 'git add -A && git commit -m "Feature #1"' });
      case 3:
        // A careless agent quotes the secret in its evidence: it must be masked before it is stored.
        return reply().tool(FEATURE_TOOL('feature_mark_passing'), { feature_id: 1, evidence: `the map reads MAPS_KEY=${SECRET} from .env` });
      default:
        return reply().text('Feature 1 landed.');
    }
  };
}

async function startReceiver(): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  hooks = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as unknown);
      res.end();
    });
  });
  await new Promise<void>((resolve) => hooks?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`, bodies };
}

/** The real API app over the same registry as the CLI; every response text is kept for the secret search. */
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

/** Every file autocoder writes for the project except the worktrees' checkouts: the database (WAL included), logs, transcripts. */
function autocoderFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (full === join(dir, '.autocoder', 'worktrees')) continue;
      if (statSync(full).isDirectory()) visit(full);
      else out.push(full);
    }
  };
  visit(join(dir, '.autocoder'));
  return out;
}

describe('human input gates end to end', { timeout: 300_000 }, () => {
  it.each(['api', 'cli'] as const)(
    'a session asks for a secret and a value; the other feature proceeds; the answer (%s) unblocks it; the next session gets both; the secret leaves no trace',
    async (via) => {
      const seen: Seen = { prompt: '', envOutput: '' };
      model = await startScriptedModelServer(roleScript({ initializer: initializerSession(FEATURES), coding: codingScript(seen) }));
      const receiver = await startReceiver();
      const env = agentTestEnv(root, model.url, { AUTOCODER_WEBHOOKS: JSON.stringify([{ url: `${receiver.url}/hook`, events: ['feature.needs_input'] }]) });
      const { dir } = createSampleProject(root, env);

      // Run 1: feature 1 asks and waits; feature 2 passes meanwhile; the run ends waiting for a human.
      const first = await cliAsync(['run', 'notes', '--yolo', '--no-wait-for-input'], env);
      expect(first.stderr).toBe('');
      expect(first.stdout).toMatch(/Slot 0: feature #1 waits for a human answer \(request (hir_[0-9a-f]+): autocoder answer notes hir_[0-9a-f]+\)/);
      expect(first.stdout).toContain('feature #2 is now passing');
      expect(first.stdout).toContain('Nothing can proceed: 1/2 pass; 1 wait for a human answer.');
      const requestId = /request (hir_[0-9a-f]+)/.exec(first.stdout)?.[1] as string;

      const status = await cliAsync(['status', 'notes', '--json'], env);
      expect(JSON.parse(status.stdout)).toMatchObject({ total: 2, passing: 1, needs_input: 1 });
      const { call, responses } = api(env);
      const board = FeatureBoardSchema.parse((await call('GET', '/api/projects/notes/features')).json);
      expect(board.needs_input.map((f) => f.id)).toEqual([1]);
      const inbox = HumanInputListSchema.parse((await call('GET', '/api/projects/notes/human-input')).json);
      expect(inbox.requests).toMatchObject([{ id: requestId, featureId: 1, status: 'open', fields: [{ id: 'maps_key', type: 'secret' }, { id: 'region', type: 'text' }] }]);
      expect(receiver.bodies).toMatchObject([{ event: 'feature.needs_input', project: 'notes', featureId: 1, requestId, prompt: expect.stringContaining('maps API key') }]);

      // The answer: bad input first (nothing changes), then the real one.
      const answers = { maps_key: SECRET, region: 'eu-west-1' };
      let cliOutput = '';
      if (via === 'api') {
        expect((await call('POST', '/api/projects/notes/features/1/human-input', { answers: { region: 'eu-west-1' } })).status).toBe(400);
        const answered = await call('POST', '/api/projects/notes/features/1/human-input', { requestId, answers });
        expect(answered.status).toBe(200);
        expect(HumanInputResultSchema.parse(answered.json)).toMatchObject({ request: { status: 'answered', secretKeys: { maps_key: 'MAPS_KEY' } }, feature: { status: 'pending' } });
        expect((await call('POST', '/api/projects/notes/features/1/human-input', { requestId, answers })).status).toBe(409);
      } else {
        const missing = await cliAsync(['answer', 'notes', requestId, '--field', 'region=eu-west-1'], env);
        expect(missing.status).toBe(2);
        const answered = await cliAsync(['answer', 'notes', requestId, '--field', `maps_key=${SECRET}`, '--field', 'region=eu-west-1'], env);
        expect(answered.status, answered.stderr).toBe(0);
        const twice = await cliAsync(['answer', 'notes', requestId, '--field', `maps_key=${SECRET}`, '--field', 'region=eu-west-1'], env);
        expect(twice.status).toBe(4);
        cliOutput = [missing, answered, twice].map((r) => r.stdout + r.stderr).join('\n');
      }
      expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);

      // Run 2: feature 1 comes back first, with the value in its prompt and the secret in .env.
      const second = await cliAsync(['run', 'notes', '--yolo'], env);
      expect(second.stderr).toBe('');
      expect(second.stdout).toContain('All 2 features pass.');
      expect(seen.prompt).toContain('region = "eu-west-1"');
      expect(seen.prompt).toContain('secret maps_key saved in .env as MAPS_KEY');
      expect(seen.prompt).not.toContain(SECRET);
      expect(seen.envOutput).toContain(`MAPS_KEY=${SECRET}`);
      const worktreeEnv = join(dir, '.autocoder', 'worktrees', 'slot-0', '.env');
      expect(existsSync(worktreeEnv)).toBe(true);
      expect(statSync(worktreeEnv).mode & 0o777).toBe(0o600);

      // No trace of the secret: database (checkpointed), events, logs, transcripts, runner output, API responses, git.
      const store = openProjectStore(projectPaths(dir), { create: false });
      try {
        store.db.pragma('wal_checkpoint(TRUNCATE)');
        const events = store.db.prepare('SELECT payload FROM events').pluck().all() as string[];
        expect(events.join('\n')).not.toContain(SECRET);
        // The agent did see it (cat .env): that tool result is in the transcript and the events, masked.
        expect(events.some((p) => p.includes('MAPS_KEY=«redacted»'))).toBe(true);
        expect(store.features.get(1).status).toBe('passing');
        expect(JSON.stringify(store.features.get(1).evidence)).toContain('MAPS_KEY=«redacted» from .env');
      } finally {
        store.close();
      }
      const files = autocoderFiles(dir);
      expect(files.some((f) => f.endsWith('.jsonl'))).toBe(true);
      expect(files.some((f) => f.endsWith('autocoder.db'))).toBe(true);
      for (const file of files) expect(readFileSync(file).toString('latin1').includes(SECRET), file).toBe(false);
      expect([first.stdout, second.stdout, status.stdout, cliOutput].join('\n')).not.toContain(SECRET);
      for (const r of responses) expect(r).not.toContain(SECRET);
      expect(gitOk(dir, ['log', '--all', '-p']).includes(SECRET)).toBe(false);
      expect(gitOk(dir, ['status', '--porcelain']).trim()).toBe('');
    },
  );
});
