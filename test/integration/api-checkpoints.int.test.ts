import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CheckpointDetailResponseSchema,
  CheckpointListResponseSchema,
  CheckpointStartResponseSchema,
  FindingDetailResponseSchema,
  FindingSchema,
  FindingsResponseSchema,
} from '../../src/shared/checkpoints.js';
import { takeCheckpointRequest } from '../../src/projects/run-control.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';
import { seedCheckpoints, type SeededCheckpoints } from '../support/checkpoint-seed.js';

let h: ApiHarness;
let seeded: SeededCheckpoints;

beforeEach(async () => {
  h = apiHarness();
  await h.createProject('alpha');
  await h.createProject('empty');
  const store = h.store('alpha');
  try {
    seeded = seedCheckpoints(store);
  } finally {
    store.close();
  }
});
afterEach(() => h.cleanup());

const ids = (findings: readonly { id: string }[]) => findings.map((f) => f.id);

describe('GET /api/projects/:name/checkpoints', () => {
  it('lists the checkpoints oldest first with their counts, new and resolved findings and fix features', async () => {
    const res = await h.json('GET', '/api/projects/alpha/checkpoints');
    expect(res.status).toBe(200);
    const { checkpoints } = CheckpointListResponseSchema.parse(res.body);
    expect(checkpoints.map((c) => [c.n, c.trigger, c.status])).toEqual([
      [1, 'interval', 'finished'],
      [2, 'manual', 'finished'],
    ]);
    expect(checkpoints[0]).toMatchObject({
      counts: { critical: 1, major: 0, minor: 2, info: 0 },
      newFindings: 3,
      resolvedFindings: 0,
      fixFeatureIds: [seeded.fixFeatureId],
      costUsd: 0.42,
    });
    expect(checkpoints[1]).toMatchObject({
      counts: { critical: 1, major: 1, minor: 0, info: 1 },
      newFindings: 1,
      resolvedFindings: 1,
    });
    expect(checkpoints[1]!.facts.map((f) => f.status)).toEqual(['passed', 'failed', 'skipped', 'error', 'passed']);
  });

  it('an empty project has none; an unknown project is a 404', async () => {
    expect(CheckpointListResponseSchema.parse((await h.json('GET', '/api/projects/empty/checkpoints')).body)).toEqual({
      checkpoints: [],
    });
    expect((await h.json('GET', '/api/projects/nobody/checkpoints')).status).toBe(404);
  });
});

describe('GET /api/projects/:name/checkpoints/:n', () => {
  it('returns the checkpoint, the findings seen in it and those it resolved', async () => {
    const one = CheckpointDetailResponseSchema.parse((await h.json('GET', '/api/projects/alpha/checkpoints/1')).body);
    expect(one.checkpoint.n).toBe(1);
    expect(ids(one.findings).sort()).toEqual(ids([seeded.sqlInjection, seeded.untyped, seeded.bundle]).sort());
    expect(one.resolved).toEqual([]);
    const two = CheckpointDetailResponseSchema.parse((await h.json('GET', '/api/projects/alpha/checkpoints/2')).body);
    // Worst first: the critical one leads.
    expect(ids(two.findings)).toEqual(ids([seeded.sqlInjection, seeded.untyped, seeded.deadExport]));
    expect(ids(two.resolved)).toEqual([seeded.bundle.id]);
    expect(two.resolved[0]).toMatchObject({ status: 'resolved', resolvedIn: 2 });
    expect(two.checkpoint.reviews.find((r) => r.agent === 'performance')).toMatchObject({ status: 'incomplete' });
  });

  it('404 for a checkpoint that does not exist, 400 naming n for one that cannot', async () => {
    const missing = await h.json<{ error: { message: string } }>('GET', '/api/projects/alpha/checkpoints/3');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('no checkpoint 3');
    for (const bad of ['0', 'abc', '-1', '1.5', '99999999999']) {
      const res = await h.json<{ error: { message: string; details?: { field?: string } } }>(
        'GET',
        `/api/projects/alpha/checkpoints/${bad}`,
      );
      expect(res.status, bad).toBe(400);
      expect(res.body.error.details?.field).toBe('n');
    }
    expect((await h.json('GET', '/api/projects/nobody/checkpoints/1')).status).toBe(404);
  });
});

describe('GET /api/projects/:name/findings', () => {
  it('lists every finding worst first, and filters by status, agent and severity', async () => {
    const all = FindingsResponseSchema.parse((await h.json('GET', '/api/projects/alpha/findings')).body).findings;
    expect(ids(all)).toEqual(ids([seeded.sqlInjection, seeded.untyped, seeded.bundle, seeded.deadExport]));
    const get = async (q: string) =>
      ids(FindingsResponseSchema.parse((await h.json('GET', `/api/projects/alpha/findings?${q}`)).body).findings);
    expect(await get('status=resolved')).toEqual([seeded.bundle.id]);
    expect(await get('status=open')).toEqual(ids([seeded.sqlInjection, seeded.untyped, seeded.deadExport]));
    expect(await get('agent=code')).toEqual(ids([seeded.untyped, seeded.deadExport]));
    expect(await get('severity=critical')).toEqual([seeded.sqlInjection.id]);
    expect(await get('agent=code&severity=info&status=open')).toEqual([seeded.deadExport.id]);
    expect(await get('status=dismissed')).toEqual([]);
  });

  it('400 naming the field for a bad value or an unknown parameter', async () => {
    for (const [q, field] of [
      ['status=closed', 'status'],
      ['agent=style', 'agent'],
      ['severity=high', 'severity'],
      ['colour=red', 'colour'],
    ] as const) {
      const res = await h.json<{ error: { message: string; details?: { field?: string } } }>(
        'GET',
        `/api/projects/alpha/findings?${q}`,
      );
      expect(res.status, q).toBe(400);
      expect(res.body.error.details?.field, q).toBe(field);
      expect(res.body.error.message, q).toContain(field);
    }
  });
});

describe('GET /api/projects/:name/findings/:id', () => {
  it('returns the finding with its history: each checkpoint that saw it with the severity it had there', async () => {
    const res = FindingDetailResponseSchema.parse(
      (await h.json('GET', `/api/projects/alpha/findings/${seeded.untyped.id}`)).body,
    );
    expect(res.finding).toMatchObject({ seenCount: 2, firstCheckpoint: 1, lastCheckpoint: 2, severity: 'major' });
    expect(res.sightings.map((s) => [s.checkpoint, s.severity])).toEqual([
      [1, 'minor'],
      [2, 'major'],
    ]);
    const fixed = FindingDetailResponseSchema.parse(
      (await h.json('GET', `/api/projects/alpha/findings/${seeded.sqlInjection.id}`)).body,
    );
    expect(fixed.finding.fixFeatureId).toBe(seeded.fixFeatureId);
  });

  it('404 for an unknown or malformed id', async () => {
    expect((await h.json('GET', '/api/projects/alpha/findings/fnd_0123456789ab')).status).toBe(404);
    expect((await h.json('GET', '/api/projects/alpha/findings/..%2Fetc')).status).toBe(404);
    expect((await h.json('GET', `/api/projects/empty/findings/${seeded.untyped.id}`)).status).toBe(404);
  });
});

describe('POST /api/projects/:name/findings/:id/dismiss', () => {
  const path = () => `/api/projects/alpha/findings/${seeded.deadExport.id}/dismiss`;

  it('dismisses with the reason (kept), the list and the detail say so; a second dismissal is a 409', async () => {
    const res = await h.json('POST', path(), { reason: '  Used by the plugin loader through a dynamic import. ' });
    expect(res.status).toBe(200);
    expect(FindingSchema.parse(res.body)).toMatchObject({
      id: seeded.deadExport.id,
      status: 'dismissed',
      dismissedReason: 'Used by the plugin loader through a dynamic import.',
    });
    const dismissed = FindingsResponseSchema.parse(
      (await h.json('GET', '/api/projects/alpha/findings?status=dismissed')).body,
    );
    expect(ids(dismissed.findings)).toEqual([seeded.deadExport.id]);
    const again = await h.json<{ error: { message: string } }>('POST', path(), { reason: 'once more' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('dismissed already');
  });

  it('400 naming the field without a reason, with a blank one or an unknown field; 404 for an unknown finding', async () => {
    for (const [body, field] of [
      [{}, 'reason'],
      [{ reason: '   ' }, 'reason'],
      [{ reason: 'x'.repeat(1001) }, 'reason'],
      [{ reason: 'ok', status: 'open' }, 'status'],
    ] as const) {
      const res = await h.json<{ error: { details?: { field?: string } } }>('POST', path(), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details?.field).toBe(field);
    }
    expect((await h.json('POST', '/api/projects/alpha/findings/fnd_00/dismiss', { reason: 'x' })).status).toBe(404);
    const unchanged = FindingDetailResponseSchema.parse(
      (await h.json('GET', `/api/projects/alpha/findings/${seeded.deadExport.id}`)).body,
    );
    expect(unchanged.finding.status).toBe('open');
  });
});

describe('POST /api/projects/:name/checkpoints (on demand)', () => {
  it('with no run active: starts a detached `autocoder checkpoint` with the reviewers asked for (202, its pid)', async () => {
    const res = await h.json('POST', '/api/projects/empty/checkpoints', { agents: ['security'] });
    expect(res.status).toBe(202);
    expect(CheckpointStartResponseSchema.parse(res.body)).toEqual({ queued: false, runId: null, pid: 4242 });
    expect(h.checkpointLaunches.map(([project, agents]) => [project.name, agents])).toEqual([['empty', ['security']]]);
    // No body: the settings' reviewers.
    expect((await h.request('POST', '/api/projects/empty/checkpoints', {})).status).toBe(202);
    expect(h.checkpointLaunches.at(-1)?.[1]).toBeUndefined();
  });

  it('with a run active: asks it (the request file names the reviewers); nothing is launched', async () => {
    h.fakeActiveRun('empty');
    const res = await h.json('POST', '/api/projects/empty/checkpoints', { agents: ['code', 'performance'] });
    expect(res.status).toBe(202);
    expect(CheckpointStartResponseSchema.parse(res.body)).toMatchObject({ queued: true, pid: null });
    const store = h.store('empty');
    try {
      expect(takeCheckpointRequest(store.paths)).toEqual(['code', 'performance']);
      // Taken: the file is gone.
      expect(takeCheckpointRequest(store.paths)).toBeNull();
    } finally {
      store.close();
    }
    expect(h.checkpointLaunches).toEqual([]);
  });

  it('refuses while a checkpoint runs (409) and an unknown reviewer (400 naming the field)', async () => {
    const store = h.store('empty');
    try {
      store.checkpoints.start({
        runId: null,
        trigger: 'manual',
        commit: 'a'.repeat(40),
        previousCommit: null,
        agents: ['code'],
        passing: 0,
      });
    } finally {
      store.close();
    }
    expect((await h.json('POST', '/api/projects/empty/checkpoints', {})).status).toBe(409);
    const bad = await h.json<{ error: { details?: { field?: string } } }>('POST', '/api/projects/empty/checkpoints', {
      agents: ['style'],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('agents');
    expect(h.checkpointLaunches).toEqual([]);
  });
});
