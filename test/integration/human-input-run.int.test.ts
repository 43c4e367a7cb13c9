import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import { gitOk } from '../../src/git/git.js';
import { FeatureBoardSchema } from '../../src/shared/api.js';
import { HumanInputListSchema, HumanInputResultSchema } from '../../src/shared/human-input.js';
import { cliInProcess, createSampleProjectInProcess, scriptedCliEnv } from '../support/cli-in-process.js';
import { initializerSession, roleScript } from '../support/fake-anthropic/index.js';
import {
  apiCaller,
  autocoderFiles,
  MAPS_FEATURES,
  mapsCodingSession,
  newSeen,
} from '../support/maps-input-scenario.js';
import { ScriptedRuntime } from '../support/scripted-runtime.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 120_000 });

/** The secret a human gives; long and unique, so any trace of it is found. */
const SECRET = 'mk_e2e_Q7vT3zW9pL2xR8';
let root: string;
let hooks: WebhookReceiver | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-hir-'));
});
afterEach(async () => {
  await hooks?.close();
  hooks = undefined;
  rmSync(root, { recursive: true, force: true });
});

// `autocoder run`, `answer` and `status` in this process with the scripted runtime instead of Claude Code; the API
// through the real app.
describe('human input gates end to end', () => {
  it.each(['api', 'cli'] as const)(
    'a session asks for a secret and a value; the other feature proceeds; the answer (%s) unblocks it; the next session gets both; the secret leaves no trace',
    async (via) => {
      const seen = newSeen();
      const runtime = new ScriptedRuntime(
        roleScript({
          initializer: initializerSession(MAPS_FEATURES),
          coding: mapsCodingSession(seen, { evidence: `the map reads MAPS_KEY=${SECRET} from .env` }),
        }),
      );
      const receiver = (hooks = await startWebhookReceiver());
      const env = scriptedCliEnv(root, {
        AUTOCODER_WEBHOOKS: JSON.stringify([{ url: `${receiver.url}/hook`, events: ['feature.needs_input'] }]),
      });
      const { dir } = await createSampleProjectInProcess(root, env);

      // Run 1: feature 1 asks and waits; feature 2 passes meanwhile; the run ends waiting for a human.
      const first = await cliInProcess(['run', 'notes', '--yolo', '--no-wait-for-input'], env, { runtime });
      expect(first.stderr).toBe('');
      expect(first.stdout).toMatch(
        /Slot 0: feature #1 waits for a human answer \(request (hir_[0-9a-f]+): npx autocoder answer notes hir_[0-9a-f]+\)/,
      );
      expect(first.stdout).toContain('feature #2 is now passing');
      expect(first.stdout).toContain('Nothing can proceed: 1/2 pass; 1 wait for a human answer.');
      const requestId = /request (hir_[0-9a-f]+)/.exec(first.stdout)?.[1] as string;

      const status = await cliInProcess(['status', 'notes', '--json'], env);
      expect(JSON.parse(status.stdout)).toMatchObject({ total: 2, passing: 1, needs_input: 1 });
      const { call, responses } = apiCaller(env, root);
      const board = FeatureBoardSchema.parse((await call('GET', '/api/projects/notes/features')).json);
      expect(board.needs_input.map((f) => f.id)).toEqual([1]);
      const inbox = HumanInputListSchema.parse((await call('GET', '/api/projects/notes/human-input')).json);
      expect(inbox.requests).toMatchObject([
        {
          id: requestId,
          featureId: 1,
          status: 'open',
          fields: [
            { id: 'maps_key', type: 'secret' },
            { id: 'region', type: 'text' },
          ],
        },
      ]);
      expect(receiver.hits.map((h) => h.body)).toMatchObject([
        {
          event: 'feature.needs_input',
          project: 'notes',
          featureId: 1,
          requestId,
          prompt: expect.stringContaining('maps API key'),
        },
      ]);

      // The answer: bad input first (nothing changes), then the real one.
      const answers = { maps_key: SECRET, region: 'eu-west-1' };
      let cliOutput = '';
      if (via === 'api') {
        expect(
          (await call('POST', '/api/projects/notes/features/1/human-input', { answers: { region: 'eu-west-1' } }))
            .status,
        ).toBe(400);
        const answered = await call('POST', '/api/projects/notes/features/1/human-input', { requestId, answers });
        expect(answered.status).toBe(200);
        expect(HumanInputResultSchema.parse(answered.json)).toMatchObject({
          request: { status: 'answered', secretKeys: { maps_key: 'MAPS_KEY' } },
          feature: { status: 'pending' },
        });
        expect((await call('POST', '/api/projects/notes/features/1/human-input', { requestId, answers })).status).toBe(
          409,
        );
      } else {
        const missing = await cliInProcess(['answer', 'notes', requestId, '--field', 'region=eu-west-1'], env);
        expect(missing.status).toBe(2);
        const answered = await cliInProcess(
          ['answer', 'notes', requestId, '--field', `maps_key=${SECRET}`, '--field', 'region=eu-west-1'],
          env,
        );
        expect(answered.status, answered.stderr).toBe(0);
        const twice = await cliInProcess(
          ['answer', 'notes', requestId, '--field', `maps_key=${SECRET}`, '--field', 'region=eu-west-1'],
          env,
        );
        expect(twice.status).toBe(4);
        cliOutput = [missing, answered, twice].map((r) => r.stdout + r.stderr).join('\n');
      }
      expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);

      // Run 2: feature 1 comes back first, with the value in its prompt and the secret in .env.
      const second = await cliInProcess(['run', 'notes', '--yolo'], env, { runtime });
      expect(second.stderr).toBe('');
      expect(second.stdout).toContain('All 2 features pass.');
      expect(seen.prompts[0]).toContain('region = "eu-west-1"');
      expect(seen.prompts[0]).toContain('secret maps_key saved in .env as MAPS_KEY');
      expect(seen.prompts[0]).not.toContain(SECRET);
      expect(seen.envOutputs[0]).toContain(`MAPS_KEY=${SECRET}`);
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
