/**
 * Acceptance over the API (issue #16): feature DTOs carry the checks, their hash and the newest
 * verification's summary; a feature's verifications and their evidence files (nothing outside the
 * folder); disputes listed and decided by a person with the same effects as the tool path.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Verification } from '../../src/shared/acceptance.js';
import { DisputeListSchema, DisputeResultSchema, VerificationListSchema } from '../../src/shared/acceptance.js';
import {
  FeatureBoardSchema,
  FeatureDetailSchema,
  FeatureGraphSchema,
  FeatureSchema,
  type FeatureDTO,
} from '../../src/shared/api.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';

let h: ApiHarness;
const F = '/api/projects/app/features';
const CHECKS = [
  { kind: 'command', run: 'npm test' },
  { kind: 'browser', steps: [{ goto: '/' }, { expectText: 'Todos' }, { screenshot: 'home' }] },
];
const feature = (name: string, extra: Record<string, unknown> = {}) => ({
  category: 'core',
  name,
  description: `${name} works`,
  steps: ['open', 'check'],
  ...extra,
});
// A real 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

beforeEach(async () => {
  h = apiHarness();
  await h.createProject('app');
});
afterEach(() => h.cleanup());

function withStore<T>(fn: (store: ReturnType<ApiHarness['store']>) => T): T {
  const store = h.store('app');
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** Records a finished verification of `featureId` with evidence files, as the engine does. */
function verify(featureId: number, id: string, at: number, passed: boolean): Verification {
  return withStore((store) => {
    const evidenceDir = `.autocoder/evidence/feature-${featureId}/${id}`;
    const abs = join(store.paths.root, evidenceDir);
    mkdirSync(abs, { recursive: true });
    const base: Verification = {
      id,
      featureId,
      commit: 'a'.repeat(40),
      trigger: 'landing',
      status: 'running',
      sessionId: null,
      startedAt: at,
      endedAt: null,
      evidenceDir,
      checks: [],
      error: null,
    };
    store.verifications.start(base);
    const checks = [
      {
        featureId,
        index: 0,
        kind: 'command' as const,
        name: null,
        passed: true,
        durationMs: 5,
        output: 'ok',
        failure: null,
        evidence: [],
      },
      {
        featureId,
        index: 1,
        kind: 'browser' as const,
        name: null,
        passed,
        durationMs: 900,
        output: passed ? '' : 'expectText "Todos": not visible',
        failure: passed ? null : 'step 2 failed',
        evidence: ['2-home.png', 'trace-2.zip'],
      },
    ];
    writeFileSync(join(abs, '2-home.png'), PNG);
    writeFileSync(join(abs, 'trace-2.zip'), 'PK\u0003\u0004zip');
    writeFileSync(join(abs, 'app.log'), 'listening on 5100\n');
    const done = { ...base, status: passed ? ('passed' as const) : ('failed' as const), endedAt: at + 1_000, checks };
    writeFileSync(join(abs, 'result.json'), JSON.stringify(done));
    return store.verifications.finish(done);
  });
}

describe('features with acceptance checks', () => {
  it('creates a feature with checks (frozen with their hash, exported read-only) or without (not verified)', async () => {
    const res = await h.json<FeatureDTO>('POST', F, feature('todos', { acceptance: CHECKS }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const created = FeatureSchema.parse(res.body);
    expect(created).toMatchObject({
      acceptance: CHECKS,
      acceptanceHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      verificationId: null,
      verification: null,
    });
    const root = withStore((s) => s.paths.root);
    const exported = JSON.parse(readFileSync(join(root, '.autocoder/acceptance/feature-1.json'), 'utf8')) as object;
    expect(exported).toMatchObject({ featureId: 1, acceptanceHash: created.acceptanceHash, acceptance: CHECKS });

    const plain = await h.json<FeatureDTO>('POST', F, feature('plain'));
    expect(plain.body).toMatchObject({ acceptance: null, acceptanceHash: null, verification: null });
    const bulk = await h.json<{ created: FeatureDTO[] }>('POST', `${F}/bulk`, {
      features: [feature('x', { acceptance: [CHECKS[0]] }), feature('y')],
    });
    expect(bulk.status).toBe(201);
    expect(bulk.body.created.map((f) => f.acceptance)).toEqual([[CHECKS[0]], null]);
  });

  it('refuses bad checks with a 400 naming the item, the check and the field; nothing is created', async () => {
    const bad = await h.json<{ error: { message: string; details: { field: string } } }>('POST', `${F}/bulk`, {
      features: [
        feature('ok', { acceptance: CHECKS }),
        feature('bad', { acceptance: [CHECKS[0], { kind: 'http', path: 'api' }] }),
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.field).toBe('features[1].acceptance[1].path');
    expect(bad.body.error.message).toContain('features[1].acceptance[1].path: must be a path on the app');
    const css = await h.json<{ error: { message: string } }>(
      'POST',
      F,
      feature('css', { acceptance: [{ kind: 'browser', steps: [{ click: { css: '.save' } }] }] }),
    );
    expect(css.status).toBe(400);
    expect(css.body.error.message).toContain('acceptance[0].steps[0].click: unknown key "css"');
    const board = FeatureBoardSchema.parse((await h.json('GET', F)).body);
    expect(Object.values(board).flat()).toEqual([]);
  });

  it('shows the newest verification on the card and in the detail: status, counts, the first screenshot', async () => {
    await h.json('POST', F, feature('todos', { acceptance: CHECKS }));
    verify(1, 'ver_old', 1_000, false);
    verify(1, 'ver_new', 2_000, true);
    const board = FeatureBoardSchema.parse((await h.json('GET', F)).body);
    expect(board.pending[0]?.verification).toEqual({
      id: 'ver_new',
      status: 'passed',
      trigger: 'landing',
      commit: 'a'.repeat(40),
      startedAt: 2_000,
      endedAt: 3_000,
      checks: 2,
      passed: 2,
      screenshot: '2-home.png',
      failure: null,
    });
    const detail = FeatureDetailSchema.parse((await h.json('GET', `${F}/1`)).body);
    expect(detail.verification).toMatchObject({ id: 'ver_new', passed: 2 });
    const list = VerificationListSchema.parse((await h.json('GET', `${F}/1/verifications`)).body);
    expect(list.verifications.map((v) => [v.id, v.status, v.checks.filter((c) => c.passed).length])).toEqual([
      ['ver_new', 'passed', 2],
      ['ver_old', 'failed', 1],
    ]);
    expect((await h.json('GET', `${F}/99/verifications`)).status).toBe(404);
  });

  it('the graph says of each node how many checks it has and whether its pass is verified', async () => {
    await h.json('POST', F, feature('verified', { acceptance: CHECKS }));
    await h.json('POST', F, feature('failed last', { acceptance: CHECKS }));
    await h.json('POST', F, feature('no checks'));
    await h.json('POST', F, feature('pending', { acceptance: CHECKS }));
    verify(1, 'ver_1', 1_000, true);
    verify(2, 'ver_2', 1_000, true);
    verify(2, 'ver_3', 2_000, false);
    withStore((store) => {
      for (const id of [1, 2, 3]) store.claims.markPassing(store.claims.claimFeature(id, 's').claim);
    });
    const graph = FeatureGraphSchema.parse((await h.json('GET', `${F}/graph`)).body);
    expect(graph.nodes.map(({ id, status, checks, verified }) => ({ id, status, checks, verified }))).toEqual([
      { id: 1, status: 'passing', checks: CHECKS.length, verified: true },
      { id: 2, status: 'passing', checks: CHECKS.length, verified: false },
      { id: 3, status: 'passing', checks: 0, verified: false },
      { id: 4, status: 'pending', checks: CHECKS.length, verified: false },
    ]);
  });
});

describe('evidence files', () => {
  beforeEach(async () => {
    await h.json('POST', F, feature('todos', { acceptance: CHECKS }));
    await h.json('POST', F, feature('other', { acceptance: CHECKS }));
    verify(1, 'ver_a', 1_000, true);
    verify(2, 'ver_b', 1_000, true);
  });

  it('serves the files of the folder with their content types', async () => {
    const png = await h.request('GET', `${F}/1/verifications/ver_a/files/2-home.png`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await png.arrayBuffer()).equals(PNG)).toBe(true);
    const json = await h.request('GET', `${F}/1/verifications/ver_a/files/result.json`);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await json.json()) as { id: string }).id).toBe('ver_a');
    const log = await h.request('GET', `${F}/1/verifications/ver_a/files/app.log`);
    expect(log.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await log.text()).toBe('listening on 5100\n');
    const zip = await h.request('GET', `${F}/1/verifications/ver_a/files/trace-2.zip`);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect(zip.headers.get('content-disposition')).toBe('attachment');
  });

  it('serves nothing outside the folder: traversal, encoded traversal, symlinks out, another feature, unknown files', async () => {
    const root = withStore((s) => s.paths.root);
    const dir = join(root, '.autocoder/evidence/feature-1/ver_a');
    writeFileSync(join(root, 'secret.txt'), 'TOP-SECRET-CONTENT');
    symlinkSync(join(root, 'secret.txt'), join(dir, 'link.txt'));
    symlinkSync(join(root, '.autocoder'), join(dir, 'data'));
    const refused = [
      `${F}/1/verifications/ver_a/files/../../../../secret.txt`,
      `${F}/1/verifications/ver_a/files/..%2f..%2f..%2f..%2fsecret.txt`,
      `${F}/1/verifications/ver_a/files/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt`,
      `${F}/1/verifications/ver_a/files/link.txt`,
      `${F}/1/verifications/ver_a/files/data/autocoder.db`,
      `${F}/1/verifications/ver_a/files/nothing.png`,
      `${F}/1/verifications/ver_b/files/result.json`,
      `${F}/1/verifications/ver_zz/files/result.json`,
    ];
    for (const path of refused) {
      const res = await h.request('GET', path);
      expect([404, 400], path).toContain(res.status);
      expect(await res.text(), path).not.toContain('TOP-SECRET-CONTENT');
    }
  });
});

describe('disputes', () => {
  /** A coding session's dispute, as the tool records it. */
  function dispute(featureId: number, proposed: unknown[] = [{ kind: 'command', run: 'npm run check' }]) {
    return withStore((store) => {
      const { claim } = store.claims.claimFeature(featureId, 'run/ses_1');
      return store.disputes.open(claim, { reason: 'the test script is called check', proposed: proposed as never })
        .dispute;
    });
  }

  beforeEach(async () => {
    await h.json('POST', F, feature('todos', { acceptance: CHECKS }));
    await h.json('POST', F, feature('other', { acceptance: CHECKS }));
  });

  it('lists open disputes; accepting replaces the checks (new hash, export rewritten), back first in line', async () => {
    const d = dispute(1);
    const open = DisputeListSchema.parse((await h.json('GET', '/api/projects/app/disputes')).body);
    expect(open.disputes.map((x) => [x.id, x.featureName, x.status])).toEqual([[d.id, 'todos', 'open']]);
    const before = FeatureSchema.parse((await h.json('GET', `${F}/1`)).body);
    expect(before.status).toBe('needs_input');

    const res = await h.json('POST', `/api/projects/app/disputes/${d.id}/accept`, { reason: 'right' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const decided = DisputeResultSchema.parse(res.body);
    expect(decided.dispute).toMatchObject({ status: 'accepted', decidedBy: 'human', decisionReason: 'right' });
    expect(decided.feature).toMatchObject({ id: 1, status: 'pending' });
    expect(decided.feature.acceptanceHash).not.toBe(before.acceptanceHash);
    expect(decided.feature.acceptanceHash).toBe(decided.dispute.hashAfter);
    const root = withStore((s) => s.paths.root);
    const exported = JSON.parse(readFileSync(join(root, '.autocoder/acceptance/feature-1.json'), 'utf8')) as object;
    expect(exported).toMatchObject({
      acceptance: [{ kind: 'command', run: 'npm run check' }],
      acceptanceHash: decided.dispute.hashAfter,
    });
    expect(DisputeListSchema.parse((await h.json('GET', '/api/projects/app/disputes')).body).disputes).toEqual([]);
    const all = DisputeListSchema.parse((await h.json('GET', '/api/projects/app/disputes?status=all')).body);
    expect(all.disputes.map((x) => x.status)).toEqual(['accepted']);
    // A second decision changes nothing.
    const again = await h.json('POST', `/api/projects/app/disputes/${d.id}/reject`, { reason: 'no' });
    expect(again.status).toBe(409);
  });

  it('rejecting needs a reason and keeps the checks; bad ids and bodies are 4xx naming the field', async () => {
    const d = dispute(2);
    const noReason = await h.json<{ error: { details: { field: string } } }>(
      'POST',
      `/api/projects/app/disputes/${d.id}/reject`,
      {},
    );
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.field).toBe('reason');
    const extra = await h.json('POST', `/api/projects/app/disputes/${d.id}/accept`, { force: true });
    expect(extra.status).toBe(400);
    expect((await h.json('POST', '/api/projects/app/disputes/dsp_ffffffffffff/accept', {})).status).toBe(404);
    expect((await h.json('POST', '/api/projects/app/disputes/../accept', {})).status).toBe(404);
    expect((await h.json('GET', '/api/projects/app/disputes?status=maybe')).status).toBe(400);
    const hash = FeatureSchema.parse((await h.json('GET', `${F}/2`)).body).acceptanceHash;

    const res = await h.json('POST', `/api/projects/app/disputes/${d.id}/reject`, { reason: 'the spec says npm test' });
    const decided = DisputeResultSchema.parse(res.body);
    expect(decided.dispute).toMatchObject({
      status: 'rejected',
      decisionReason: 'the spec says npm test',
      hashAfter: hash,
    });
    const after = FeatureSchema.parse((await h.json('GET', `${F}/2`)).body);
    expect(after).toMatchObject({ status: 'pending', acceptanceHash: hash });
    expect(after.notes).toContain('the spec says npm test');
  });

  it('a dispute shows in the Inbox as a request, and answering it there decides the dispute', async () => {
    const d = dispute(1);
    const inbox = (
      await h.json<{ requests: { id: string; disputeId: string | null }[] }>('GET', '/api/projects/app/human-input')
    ).body;
    expect(inbox.requests).toEqual([expect.objectContaining({ id: d.requestId, disputeId: d.id })]);
    const res = await h.json('POST', `${F}/1/human-input`, { answers: { decision: 'reject', reason: 'keep them' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const decided = DisputeListSchema.parse((await h.json('GET', '/api/projects/app/disputes?status=all')).body);
    expect(decided.disputes[0]).toMatchObject({ id: d.id, status: 'rejected', decisionReason: 'keep them' });
  });
});
