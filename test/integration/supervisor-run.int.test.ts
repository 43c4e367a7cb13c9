import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { PLACEHOLDER_MARK } from '../../src/config/env-file.js';
import {
  HumanInputListSchema,
  HumanInputResultSchema,
  type HumanInputField,
  type HumanInputRequestDTO,
} from '../../src/shared/human-input.js';
import {
  cliInProcess,
  createSampleProjectInProcess,
  scriptedCliEnv,
  startCliInProcess,
} from '../support/cli-in-process.js';
import { initializerSession, roleScript, supervisorSession } from '../support/fake-anthropic/index.js';
import { apiCaller, MAPS_FEATURES, mapsCodingSession, newSeen } from '../support/maps-input-scenario.js';
import { ScriptedRuntime } from '../support/scripted-runtime.js';
import { waitFor } from '../support/wait-for.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 120_000 });

const SECRET = 'mk_sup_V4nB8qK2sD6wJ1';
/** Feature 1 asks for the key and a choice of region. */
const REGION_CHOICE: Partial<HumanInputField>[] = [
  { id: 'maps_key', label: 'Maps API key', type: 'secret' },
  { id: 'region', label: 'Region', type: 'select', options: ['us-east-1', 'eu-central-1'] },
];

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-sup-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function featureStatus(dir: string, id: number): string {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return store.features.get(id).status;
  } finally {
    store.close();
  }
}

// `autocoder run` and the answering commands in this process, with the scripted runtime instead of Claude Code.
describe('a run that needs answers', () => {
  it('without a supervisor: the run waits, says how to answer, and goes on by itself once answered', async () => {
    const seen = newSeen();
    const runtime = new ScriptedRuntime(
      roleScript({
        initializer: initializerSession(MAPS_FEATURES),
        coding: mapsCodingSession(seen, { fields: REGION_CHOICE }),
      }),
    );
    const env = scriptedCliEnv(root);
    const { dir } = await createSampleProjectInProcess(root, env);

    const running = startCliInProcess(['run', 'notes', '--yolo'], env, { runtime });
    const waiting = await waitFor(
      () => /Waiting for 1 human answer .*autocoder answer notes (hir_[0-9a-f]+)/.exec(running.output())?.[1],
      30_000,
      'the run to wait for an answer',
    );
    // Feature 2 went on meanwhile; the run is still up.
    expect(running.output()).toContain('feature #2 is now passing');
    expect(featureStatus(dir, 1)).toBe('needs_input');
    const answered = await cliInProcess(
      ['answer', 'notes', waiting, '--field', `maps_key=${SECRET}`, '--field', 'region=eu-central-1'],
      env,
    );
    expect(answered.status, answered.stderr).toBe(0);

    const exit = await running.done;
    expect(exit.status, running.output()).toBe(0);
    expect(running.output()).toContain('All 2 features pass.');
    expect(seen.prompts[0]).toContain('region = "eu-central-1"');
    expect(seen.envOutputs[0]).toContain(`MAPS_KEY=${SECRET}`);
    expect(running.output()).not.toContain(SECRET);
  });

  it.each(['api', 'cli'] as const)(
    'supervisor mode: the run completes with no human; the answer is listed with its reason; a human override (%s) re-opens the feature with the real value',
    async (via) => {
      const seen = newSeen();
      const runtime = new ScriptedRuntime(
        roleScript({
          initializer: initializerSession(MAPS_FEATURES),
          coding: mapsCodingSession(seen, { fields: REGION_CHOICE }),
          other: supervisorSession((_request, field) => (field === 'region' ? 'us-east-1' : 'x')),
        }),
      );
      const env = scriptedCliEnv(root, { AUTOCODER_SUPERVISOR: '1' });
      const { dir } = await createSampleProjectInProcess(root, env);

      const first = await cliInProcess(['run', 'notes', '--yolo'], env, { runtime });
      expect(first.status, first.stdout + first.stderr).toBe(0);
      expect(first.stdout).toContain('All 2 features pass.');
      expect(first.stdout).toMatch(
        /Slot 1 \(supervisor\): answered hir_[0-9a-f]+ for feature #1; development placeholders in \.env: MAPS_KEY\./,
      );
      // The coding agent built against a marked placeholder, and its notes say so.
      const envFile = readFileSync(join(dir, '.env'), 'utf8');
      expect(envFile).toMatch(
        new RegExp(
          `^${PLACEHOLDER_MARK.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*\\nMAPS_KEY=dev-placeholder-maps-key-[0-9a-f]{8}$`,
          'm',
        ),
      );
      expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
      expect(seen.prompts[0]).toContain('region = "us-east-1" (reason: the spec implies us-east-1 for region)');
      expect(seen.prompts[0]).toContain('DEVELOPMENT PLACEHOLDER');
      expect(seen.envOutputs[0]).toMatch(/MAPS_KEY=dev-placeholder-maps-key-/);

      // Listed: CLI and API.
      const listed = await cliInProcess(['inbox', 'notes', '--supervisor'], env);
      expect(listed.stdout).toContain('answered by the supervisor');
      expect(listed.stdout).toContain('region = "us-east-1"  (why: the spec implies us-east-1 for region)');
      expect(listed.stdout).toContain('maps_key: development placeholder in .env as MAPS_KEY');
      const { call, responses } = apiCaller(env, root);
      const all = HumanInputListSchema.parse(
        (await call('GET', '/api/projects/notes/human-input?status=all')).json,
      ).requests;
      const supervised = all.find((r) => r.answeredBy === 'supervisor') as HumanInputRequestDTO;
      expect(supervised).toMatchObject({
        featureId: 1,
        status: 'answered',
        answer: { region: 'us-east-1' },
        reasons: { region: 'the spec implies us-east-1 for region' },
        placeholderKeys: ['MAPS_KEY'],
        overriddenBy: null,
      });
      expect(featureStatus(dir, 1)).toBe('passing');

      // Bad overrides change nothing.
      const answers = { maps_key: SECRET, region: 'eu-central-1' };
      expect((await call('POST', '/api/projects/notes/human-input/hir_0000/override', { answers })).status).toBe(404);
      expect(
        (
          await call('POST', `/api/projects/notes/human-input/${supervised.id}/override`, {
            answers: { region: 'eu-central-1' },
          })
        ).status,
      ).toBe(400);
      expect(
        (
          await call('POST', `/api/projects/notes/human-input/${supervised.id}/override`, {
            answers: { ...answers, region: 'mars-1' },
          })
        ).status,
      ).toBe(400);
      expect(
        (await call('POST', `/api/projects/notes/features/1/human-input`, { requestId: supervised.id, answers }))
          .status,
      ).toBe(409);
      expect(featureStatus(dir, 1)).toBe('passing');
      expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(envFile);

      // The override.
      if (via === 'api') {
        const overridden = await call('POST', `/api/projects/notes/human-input/${supervised.id}/override`, { answers });
        expect(overridden.status).toBe(200);
        expect(HumanInputResultSchema.parse(overridden.json)).toMatchObject({
          request: { answeredBy: 'human', overrides: supervised.id, answer: { region: 'eu-central-1' } },
          feature: { id: 1, status: 'pending' },
        });
        expect(
          (await call('POST', `/api/projects/notes/human-input/${supervised.id}/override`, { answers })).status,
        ).toBe(409);
      } else {
        const overridden = await cliInProcess(
          [
            'answer',
            'notes',
            supervised.id,
            '--override',
            '--field',
            `maps_key=${SECRET}`,
            '--field',
            'region=eu-central-1',
          ],
          env,
        );
        expect(overridden.status, overridden.stderr).toBe(0);
        expect(overridden.stdout).toContain(`Overrode the supervisor's answer to ${supervised.id}`);
        const twice = await cliInProcess(
          [
            'answer',
            'notes',
            supervised.id,
            '--override',
            '--field',
            `maps_key=${SECRET}`,
            '--field',
            'region=eu-central-1',
          ],
          env,
        );
        expect(twice.status).toBe(4);
        expect(overridden.stdout + twice.stdout + twice.stderr).not.toContain(SECRET);
      }
      expect(featureStatus(dir, 1)).toBe('pending');
      const after = readFileSync(join(dir, '.env'), 'utf8');
      expect(after).toContain(`MAPS_KEY=${SECRET}`);
      expect(after).not.toContain(PLACEHOLDER_MARK);

      // The next run redoes feature 1 with the human's values.
      const second = await cliInProcess(['run', 'notes', '--yolo'], env, { runtime });
      expect(second.status, second.stdout + second.stderr).toBe(0);
      expect(second.stdout).toContain('All 2 features pass.');
      expect(seen.prompts[1]).toContain("a human overrode the supervisor's answer");
      expect(seen.prompts[1]).toContain('region = "eu-central-1"');
      expect(seen.envOutputs[1]).toContain(`MAPS_KEY=${SECRET}`);
      const listedAfter = HumanInputListSchema.parse(
        (await call('GET', '/api/projects/notes/human-input?status=all')).json,
      ).requests;
      expect(listedAfter.find((r) => r.id === supervised.id)?.overriddenBy).toMatch(/^hir_/);
      for (const r of responses) expect(r).not.toContain(SECRET);
      expect([first.stdout, second.stdout].join('\n')).not.toContain(SECRET);
    },
  );
});
