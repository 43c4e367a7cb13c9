/**
 * Failures a person can read, through the API (createApp on real project databases): a failed feature's one-line
 * reason, a waiting feature's retry time, a skipped feature's blocker class (set by a person too, validated), the
 * sessions' recorded outcomes, and which verifications a later attempt superseded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VerificationListSchema, type CheckResult } from '../../src/shared/acceptance.js';
import { FeatureBoardSchema, FeatureDetailSchema, FeatureSchema, type FeatureDTO } from '../../src/shared/api.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';

let h: ApiHarness;
const F = '/api/projects/app/features';
const CHECK = { kind: 'command', name: 'tests pass', run: 'npm test' };

beforeEach(async () => {
  h = apiHarness();
  await h.createProject('app');
});
afterEach(() => h.cleanup());

async function create(name: string, extra: Record<string, unknown> = {}): Promise<FeatureDTO> {
  const res = await h.json<FeatureDTO>('POST', F, {
    category: 'core',
    name,
    description: name,
    steps: ['x'],
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return FeatureSchema.parse(res.body);
}

async function detail(id: number) {
  const res = await h.json('GET', `${F}/${id}`);
  expect(res.status).toBe(200);
  return FeatureDetailSchema.parse(res.body);
}

const failingCheck: CheckResult = {
  featureId: 1,
  index: 0,
  kind: 'command',
  name: 'tests pass',
  passed: false,
  durationMs: 40,
  output: 'not ok 1 - adds a todo\n  error: |-\n    Expected values to be strictly equal:\n\n    3 !== 4\n# fail 1\n',
  failure: 'exit code 1, expected 0',
  evidence: [],
};

/** One attempt as the runner records it: a session claims, a verification fails, the claim is marked failing. */
function failedAttempt(id: number, session: string): string {
  const store = h.store('app');
  try {
    store.sessions.start({
      id: session,
      runId: null,
      slot: 0,
      role: 'coding',
      featureIds: [id],
      model: null,
      transcriptPath: `${session}.jsonl`,
    });
    const { claim } = store.claims.claimFeature(id, session);
    const started = { id: `ver_${session}`, featureId: id, commit: `c_${session}`, trigger: 'landing' as const };
    const v = {
      ...started,
      status: 'running' as const,
      sessionId: session,
      startedAt: Date.now(),
      endedAt: null,
      evidenceDir: `.autocoder/evidence/feature-${id}/ver_${session}`,
      checks: [],
      error: null,
    };
    store.verifications.start(v);
    store.verifications.finish({ ...v, status: 'failed', endedAt: Date.now(), checks: [failingCheck] });
    store.claims.markFailing(claim, 'the session ended without marking the feature passing');
    store.sessions.end(session, {
      status: 'failed',
      outcome: 'feature_failed',
      usage: { turns: 3, inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0.01 },
      error: 'the session ended without marking the feature passing',
    });
    return v.id;
  } finally {
    store.close();
  }
}

describe('a failed attempt, through the API', () => {
  it('gives the reason in one line (the failing check and its assertion), the retry time, and the failed session', async () => {
    const a = await create('add todos', { acceptance: [CHECK] });
    failedAttempt(a.id, 'ses_1');
    const f = await detail(a.id);
    expect(f).toMatchObject({ status: 'pending', attempts: 1, ready: false });
    expect(f.failureReason).toBe(
      'tests pass: adds a todo — Expected values to be strictly equal: 3 !== 4 (exit code 1, expected 0)',
    );
    // The claim's backoff (the scheduler's gate), in the future.
    expect(f.retryAt).toBeGreaterThan(Date.now());
    const board = FeatureBoardSchema.parse((await h.json('GET', F)).body);
    expect(board.pending[0]).toMatchObject({ id: a.id, retryAt: f.retryAt, failureReason: f.failureReason });
    expect(f.sessions).toMatchObject([{ id: 'ses_1', status: 'failed', outcome: 'feature_failed' }]);
  });

  it('a feature never tried has no reason and no retry time', async () => {
    const a = await create('fresh', { acceptance: [CHECK] });
    expect(await detail(a.id)).toMatchObject({ failureReason: null, retryAt: null, skipClass: null });
  });

  it("marks the verifications of an attempt a later one superseded as outdated; the newest attempt's are current", async () => {
    const a = await create('add todos', { acceptance: [CHECK] });
    const first = failedAttempt(a.id, 'ses_1');
    let list = VerificationListSchema.parse((await h.json('GET', `${F}/${a.id}/verifications`)).body);
    expect(list.outdated).toEqual([]);
    // Make the backoff pass, then a second attempt: the first's verification is superseded.
    const store = h.store('app');
    try {
      store.db.prepare('UPDATE features SET run_after = 0 WHERE id = ?').run(a.id);
    } finally {
      store.close();
    }
    const second = failedAttempt(a.id, 'ses_2');
    // The times as a run makes them, to the millisecond: each attempt began before its verification ended.
    const timed = h.store('app');
    try {
      const at = (table: string, column: string, id: string, t: number) =>
        timed.db.prepare(`UPDATE ${table} SET ${column} = ? WHERE id = ?`).run(t, id);
      at('sessions', 'started_at', 'ses_1', 1_000);
      at('verifications', 'ended_at', first, 2_000);
      at('sessions', 'started_at', 'ses_2', 3_000);
      at('verifications', 'ended_at', second, 4_000);
    } finally {
      timed.close();
    }
    list = VerificationListSchema.parse((await h.json('GET', `${F}/${a.id}/verifications`)).body);
    expect(list.verifications.map((v) => v.id)).toEqual([second, first]);
    expect(list.outdated).toEqual([first]);
  });
});

describe('skipped features and their blocker class', () => {
  it('a person skips with a class: the card data says it, with the reason as the blocker note', async () => {
    const a = await create('payments');
    const res = await h.json<FeatureDTO>('POST', `${F}/${a.id}/skip`, {
      reason: 'needs a Stripe account',
      blockerType: 'external_service',
    });
    expect(res.status).toBe(200);
    expect(FeatureSchema.parse(res.body)).toMatchObject({
      skipClass: 'external_service',
      blockerType: 'external_service',
      blockerNote: 'needs a Stripe account',
    });
  });

  it('an older skip without a class reads as "unclassified"', async () => {
    const a = await create('later');
    expect((await h.json<FeatureDTO>('POST', `${F}/${a.id}/skip`, { reason: 'later' })).body.skipClass).toBe(
      'unclassified',
    );
  });

  it('refuses a class that is not one, naming the field', async () => {
    const a = await create('x');
    const res = await h.json<{ error: { code: string; message: string } }>('POST', `${F}/${a.id}/skip`, {
      blockerType: 'weather',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/blockerType/);
    expect((await detail(a.id)).skipCount).toBe(0);
  });
});
