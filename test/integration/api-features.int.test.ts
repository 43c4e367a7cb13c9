/** The feature routes through createApp (app.request), on real project databases in temp folders. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FeatureBoardSchema,
  FeatureDetailSchema,
  FeatureGraphSchema,
  FeatureSchema,
  type FeatureDTO,
} from '../../src/shared/api.js';
import { refreshDurationEstimates } from '../../src/runner/duration-estimates.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';

let h: ApiHarness;
const F = '/api/projects/app/features';
const feature = (name: string, extra: Record<string, unknown> = {}) => ({
  category: 'core',
  name,
  description: `${name} works`,
  steps: ['open', 'check'],
  ...extra,
});

beforeEach(async () => {
  h = apiHarness();
  await h.createProject('app');
});
afterEach(() => h.cleanup());

async function create(name: string, extra: Record<string, unknown> = {}): Promise<FeatureDTO> {
  const res = await h.json<FeatureDTO>('POST', F, feature(name, extra));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return FeatureSchema.parse(res.body);
}

function lastEvent(): { type: string; featureId: number | null } {
  const store = h.store('app');
  try {
    const events = store.events.since(0, 10_000);
    return events.at(-1) as { type: string; featureId: number | null };
  } finally {
    store.close();
  }
}

/** Moves feature `id` into a status the way agents do (claims), for state-dependent checks. */
function setStatus(id: number, status: 'in_progress' | 'passing' | 'failed'): void {
  const store = h.store('app');
  try {
    if (status === 'failed') store.db.prepare('UPDATE features SET max_attempts = 1 WHERE id = ?').run(id);
    const { claim } = store.claims.claimFeature(id, 'session-1');
    if (status === 'passing') store.claims.markPassing(claim);
    if (status === 'failed') store.claims.markFailing(claim, 'broken');
  } finally {
    store.close();
  }
}

describe('feature board and detail', () => {
  it('groups features by status with blockedBy and ready', async () => {
    const a = await create('a');
    const b = await create('b', { dependencies: [a.id] });
    setStatus(a.id, 'passing');
    const c = await create('c', { dependencies: [b.id] });
    const res = await h.json('GET', F);
    expect(res.status).toBe(200);
    const board = FeatureBoardSchema.parse(res.body);
    expect(board.passing.map((f) => f.id)).toEqual([a.id]);
    expect(board.pending.map((f) => f.id).sort()).toEqual([b.id, c.id].sort());
    const bDto = board.pending.find((f) => f.id === b.id);
    const cDto = board.pending.find((f) => f.id === c.id);
    expect(bDto).toMatchObject({ blockedBy: [], ready: true, dependencies: [a.id] });
    expect(cDto).toMatchObject({ blockedBy: [b.id], ready: false });
    expect(board).toMatchObject({ in_progress: [], needs_input: [], failed: [] });
  });

  it('returns one feature with its sessions', async () => {
    const a = await create('a');
    const store = h.store('app');
    try {
      const sessions = store.sessions;
      sessions.start({
        id: 's1',
        runId: null,
        slot: 0,
        role: 'coding',
        featureIds: [a.id],
        model: 'm',
        transcriptPath: '/tmp/t.jsonl',
      });
      sessions.end('s1', {
        status: 'succeeded',
        outcome: 'passed',
        error: null,
        usage: {
          turns: 3,
          inputTokens: 100,
          outputTokens: 50,
          cacheReadTokens: 0,
          cacheCreationTokens: 0,
          costUsd: 0.25,
        },
      });
    } finally {
      store.close();
    }
    const res = await h.json('GET', `${F}/${a.id}`);
    expect(res.status).toBe(200);
    const detail = FeatureDetailSchema.parse(res.body);
    expect(detail.costUsd).toBeCloseTo(0.25);
    expect(detail.sessions).toEqual([
      expect.objectContaining({
        id: 's1',
        outcome: 'passed',
        inputTokens: 100,
        outputTokens: 50,
        transcriptPath: '/tmp/t.jsonl',
      }),
    ]);
  });

  it("carries the runner's duration estimates: 0 before any run, then the estimate and the path", async () => {
    const a = await create('a');
    const b = await create('b', { dependencies: [a.id] });
    const before = FeatureSchema.parse((await h.json('GET', `${F}/${a.id}`)).body);
    expect(before).toMatchObject({ estimateMs: 0, pathMs: 0 });
    const store = h.store('app');
    try {
      refreshDurationEstimates(store);
    } finally {
      store.close();
    }
    const board = FeatureBoardSchema.parse((await h.json('GET', F)).body);
    const [da, db] = [a.id, b.id].map((id) => board.pending.find((f) => f.id === id)!);
    expect(da!.estimateMs).toBeGreaterThan(0);
    expect(da!.pathMs).toBe(da!.estimateMs + db!.estimateMs);
  });

  it('answers 404 for an unknown feature or project and 400 for a malformed id', async () => {
    const missing = await h.request('GET', `${F}/999`);
    expect(missing.status).toBe(404);
    // People's wording: no next step in the agents' tool names (feature_get_stats…).
    expect(((await missing.json()) as { error: { message: string } }).error.message).toBe(
      'feature #999 does not exist',
    );
    expect((await h.request('GET', '/api/projects/nope/features')).status).toBe(404);
    const bad = await h.json<{ error: { code: string; details: { field: string } } }>('GET', `${F}/abc`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.field).toBe('id');
    expect((await h.request('GET', `${F}/0`)).status).toBe(400);
    expect((await h.request('GET', `${F}/99999999999999999999`)).status).toBe(400);
    expect((await h.request('GET', '/api/projects/Bad%20Name/features')).status).toBe(400);
  });

  it('serves /features/graph instead of reading "graph" as an id', async () => {
    const a = await create('a');
    await create('b', { dependencies: [a.id] });
    const res = await h.json('GET', `${F}/graph`);
    expect(res.status).toBe(200);
    const graph = FeatureGraphSchema.parse(res.body);
    expect(graph.nodes).toHaveLength(2);
    expect(graph.edges).toEqual([{ source: a.id, target: a.id + 1 }]);
  });
});

describe('creating features', () => {
  it('creates one and records the event', async () => {
    const a = await create('a', { priority: 5 });
    expect(a).toMatchObject({ name: 'a', priority: 5, status: 'pending', steps: ['open', 'check'] });
    expect(lastEvent()).toMatchObject({ type: 'feature.created', featureId: a.id });
  });

  it('refuses a duplicate with 409', async () => {
    await create('a');
    const res = await h.json<{ error: { code: string } }>('POST', F, feature('a'));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('DUPLICATE');
  });

  it.each([
    ['missing field', { category: 'c', description: 'd', steps: [] }, 'name'],
    ['wrong type', { ...feature('x'), steps: 'one step' }, 'steps'],
    ['unknown field', { ...feature('x'), passes: true }, 'passes'],
    ['empty name', { ...feature('x'), name: '   ' }, 'name'],
    ['fractional priority', { ...feature('x'), priority: 1.5 }, 'priority'],
  ])('400 with the field for %s', async (_label, input, field) => {
    const res = await h.json<{ error: { code: string; details: { field: string } } }>('POST', F, input);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field } });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('400 for invalid JSON and for a dependency that does not exist', async () => {
    const raw = await h.request('POST', F, '{"category": ');
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: { details: { field: string } } }).error.details.field).toBe('body');
    expect((await h.request('POST', F, feature('x', { dependencies: [42] }))).status).toBe(400);
  });

  it('creates in bulk with dependsOnIndices and reports duplicates', async () => {
    await create('existing');
    const res = await h.json<{ created: FeatureDTO[]; duplicates: { index: number; existingId: number }[] }>(
      'POST',
      `${F}/bulk`,
      {
        features: [feature('one'), feature('two', { dependsOnIndices: [0] }), feature('existing')],
      },
    );
    expect(res.status).toBe(201);
    expect(res.body.created.map((f) => f.name)).toEqual(['one', 'two']);
    expect(res.body.created[1]?.dependencies).toEqual([res.body.created[0]?.id]);
    expect(res.body.duplicates).toEqual([{ index: 2, name: 'existing', existingId: 1 }]);
    expect(lastEvent().type).toBe('feature.bulk_created');
  });

  it('refuses a bulk item that depends on a later index, and an empty list', async () => {
    const later = await h.json<{ error: { details: { field: string } } }>('POST', `${F}/bulk`, {
      features: [feature('one', { dependsOnIndices: [1] }), feature('two')],
    });
    expect(later.status).toBe(400);
    expect(later.body.error.details.field).toBe('features');
    const empty = await h.json<{ error: { details: { field: string } } }>('POST', `${F}/bulk`, { features: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.field).toBe('features');
  });
});

describe('editing and deleting', () => {
  it('patches a pending feature and records feature.updated', async () => {
    const a = await create('a');
    const res = await h.json<FeatureDTO>('PATCH', `${F}/${a.id}`, { name: 'renamed', priority: 7, steps: ['x'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'renamed', priority: 7, steps: ['x'], description: 'a works' });
    expect(lastEvent()).toMatchObject({ type: 'feature.updated', featureId: a.id });
  });

  it('refuses to patch into a duplicate name, an empty patch, and an unknown feature', async () => {
    const a = await create('a');
    await create('b');
    expect((await h.request('PATCH', `${F}/${a.id}`, { name: 'b' })).status).toBe(409);
    expect((await h.request('PATCH', `${F}/${a.id}`, {})).status).toBe(400);
    expect((await h.request('PATCH', `${F}/999`, { name: 'z' })).status).toBe(404);
  });

  it.each(['in_progress', 'passing'] as const)('refuses to patch a feature that is %s', async (status) => {
    const a = await create('a');
    setStatus(a.id, status);
    const res = await h.json<{ error: { code: string } }>('PATCH', `${F}/${a.id}`, { name: 'z' });
    expect(res.status).toBe(409);
  });

  it('deletes a feature and removes it from its dependents', async () => {
    const a = await create('a');
    const b = await create('b', { dependencies: [a.id] });
    const res = await h.json('DELETE', `${F}/${a.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: a.id, name: 'a' });
    expect(lastEvent()).toMatchObject({ type: 'feature.deleted', featureId: a.id });
    const after = await h.json<FeatureDTO>('GET', `${F}/${b.id}`);
    expect(after.body.dependencies).toEqual([]);
    expect((await h.request('DELETE', `${F}/${a.id}`)).status).toBe(404);
  });

  it('refuses to delete a feature in progress', async () => {
    const a = await create('a');
    setStatus(a.id, 'in_progress');
    expect((await h.request('DELETE', `${F}/${a.id}`)).status).toBe(409);
  });
});

describe('human actions: skip, retry, reopen', () => {
  it('skip sends a pending feature to the back of the queue', async () => {
    const a = await create('a');
    await create('b', { priority: 10 });
    const res = await h.json<FeatureDTO>('POST', `${F}/${a.id}/skip`, { reason: 'later' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ priority: 11, skipCount: 1, status: 'pending' });
    expect(res.body.notes).toMatch(/later/);
    expect(lastEvent()).toMatchObject({ type: 'feature.skipped', featureId: a.id });
    expect((await h.request('POST', `${F}/${a.id}/skip`)).status).toBe(200);
  });

  it.each(['in_progress', 'passing'] as const)('skip refuses a feature that is %s', async (status) => {
    const a = await create('a');
    setStatus(a.id, status);
    expect((await h.request('POST', `${F}/${a.id}/skip`, {})).status).toBe(409);
  });

  it('skip refuses a wrong reason type', async () => {
    const a = await create('a');
    const res = await h.json<{ error: { details: { field: string } } }>('POST', `${F}/${a.id}/skip`, { reason: 42 });
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('reason');
  });

  it('retry gives a failed feature fresh attempts; refused otherwise', async () => {
    const a = await create('a');
    expect((await h.request('POST', `${F}/${a.id}/retry`)).status).toBe(409);
    setStatus(a.id, 'failed');
    const res = await h.json<FeatureDTO>('POST', `${F}/${a.id}/retry`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'pending', attempts: 0, ready: true });
    expect(lastEvent()).toMatchObject({ type: 'feature.retried', featureId: a.id });
    expect((await h.request('POST', `${F}/999/retry`)).status).toBe(404);
  });

  it('reopen moves a passing feature back to pending; refused otherwise', async () => {
    const a = await create('a');
    expect((await h.request('POST', `${F}/${a.id}/reopen`)).status).toBe(409);
    setStatus(a.id, 'passing');
    const res = await h.json<FeatureDTO>('POST', `${F}/${a.id}/reopen`, { reason: 'the button is gone' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'pending', passedAt: null, attempts: 0 });
    expect(lastEvent()).toMatchObject({ type: 'feature.reopened', featureId: a.id });
  });
});

describe('dependencies', () => {
  it('adds, removes and replaces dependencies', async () => {
    const a = await create('a');
    const b = await create('b');
    const c = await create('c');
    const added = await h.json<FeatureDTO>('POST', `${F}/${c.id}/dependencies/${a.id}`);
    expect(added.status).toBe(200);
    expect(added.body.dependencies).toEqual([a.id]);
    expect((await h.request('POST', `${F}/${c.id}/dependencies/${a.id}`)).status).toBe(409);
    const replaced = await h.json<FeatureDTO>('PUT', `${F}/${c.id}/dependencies`, { dependencyIds: [a.id, b.id] });
    expect(replaced.body.dependencies).toEqual([a.id, b.id]);
    expect(lastEvent()).toMatchObject({ type: 'feature.dependencies_changed', featureId: c.id });
    const removed = await h.json<FeatureDTO>('DELETE', `${F}/${c.id}/dependencies/${a.id}`);
    expect(removed.body.dependencies).toEqual([b.id]);
    expect((await h.request('DELETE', `${F}/${c.id}/dependencies/${a.id}`)).status).toBe(404);
  });

  it('refuses a cycle with 409 and the cycle in details, changing nothing', async () => {
    const a = await create('a');
    const b = await create('b', { dependencies: [a.id] });
    const c = await create('c', { dependencies: [b.id] });
    const res = await h.json<{ error: { code: string; details: { cycle: number[] } } }>(
      'PUT',
      `${F}/${a.id}/dependencies`,
      { dependencyIds: [c.id] },
    );
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('DEPENDENCY_CYCLE');
    expect(res.body.error.details.cycle).toEqual([a.id, c.id, b.id, a.id]);
    expect((await h.json<FeatureDTO>('GET', `${F}/${a.id}`)).body.dependencies).toEqual([]);
    expect((await h.request('POST', `${F}/${a.id}/dependencies/${b.id}`)).status).toBe(409);
  });

  it('refuses self-dependencies, unknown ids, too many and wrong types', async () => {
    const a = await create('a');
    const self = await h.json<{ error: { details: { field: string } } }>('POST', `${F}/${a.id}/dependencies/${a.id}`);
    expect(self.status).toBe(400);
    expect(self.body.error.details.field).toBe('dep');
    expect((await h.request('POST', `${F}/${a.id}/dependencies/77`)).status).toBe(400);
    const many = await h.json<{ error: { details: { field: string } } }>('PUT', `${F}/${a.id}/dependencies`, {
      dependencyIds: Array.from({ length: 21 }, (_, i) => i + 2),
    });
    expect(many.status).toBe(400);
    expect(many.body.error.details.field).toBe('dependencyIds');
    const wrong = await h.json<{ error: { details: { field: string } } }>('PUT', `${F}/${a.id}/dependencies`, {
      dependencyIds: ['1'],
    });
    expect(wrong.body.error.details.field).toBe('dependencyIds[0]');
    expect((await h.request('PUT', `${F}/999/dependencies`, { dependencyIds: [] })).status).toBe(404);
  });
});
