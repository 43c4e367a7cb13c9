import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore, openRegistry } from '../../src/db/stores.js';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import { MetricsSchema } from '../../src/shared/metrics.js';

let root: string;
let server: RunningServer;
let env: Record<string, string | undefined>;

/** A registered project whose store holds two runs and four sessions of a real claim → pass → fail history. */
function seed(): void {
  const dir = join(root, 'work', 'alpha');
  mkdirSync(dir, { recursive: true });
  const reg = openRegistry(env);
  try {
    reg.registry.add('alpha', dir);
    reg.registry.setProjectSetting('alpha', 'ui.metrics.hourlyRateUsd', '150');
  } finally {
    reg.close();
  }
  const store = openProjectStore(projectPaths(dir), { create: true });
  try {
    const a = store.features.create({ category: 'c', name: 'Login', description: '', steps: [] });
    const b = store.features.create({ category: 'c', name: 'Signup', description: '', steps: [] });
    store.runs.start({ id: 'run_1', pid: 1, host: 'h', incarnation: 'i1', settings: { regressionEvery: 3 } });
    const usage = (costUsd: number) => ({
      turns: 2,
      inputTokens: 100,
      outputTokens: 10,
      cacheReadTokens: 5,
      cacheCreationTokens: 1,
      costUsd,
    });
    const work = (owner: string, featureId: number) => {
      const claimed = store.claims.claimFeature(featureId, owner);
      const id = owner.split('/')[1] as string;
      const runId = owner.split('/')[0] as string;
      store.sessions.start({
        id,
        runId,
        slot: 0,
        role: 'coding',
        featureIds: [featureId],
        model: 'opus',
        transcriptPath: join(dir, `${id}.jsonl`),
      });
      return { claim: claimed.claim, id };
    };
    const one = work('run_1/ses_1', a.id);
    store.claims.markPassing(one.claim);
    store.sessions.end(one.id, { status: 'succeeded', outcome: 'success', usage: usage(0.75), error: null });
    const two = work('run_1/ses_2', b.id);
    store.claims.markFailing(two.claim, 'tests fail');
    store.sessions.end(two.id, { status: 'failed', outcome: 'error', usage: usage(0.5), error: 'boom' });
    store.runs.end('run_1', 'finished', 'done');
    store.runs.start({ id: 'run_2', pid: 1, host: 'h', incarnation: 'i2', settings: {} });
    store.sessions.start({
      id: 'ses_3',
      runId: 'run_2',
      slot: 0,
      role: 'testing',
      featureIds: [a.id],
      model: 'haiku',
      transcriptPath: join(dir, 'ses_3.jsonl'),
    });
    store.sessions.end('ses_3', { status: 'succeeded', outcome: 'success', usage: usage(0.125), error: null });
    store.runs.end('run_2', 'finished', 'done');
  } finally {
    store.close();
  }
}

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.token}` } });
  return { status: res.status, body: await res.json() };
}

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'ac-metrics-'));
  env = { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH };
  seed();
  server = await startServer({ env, cwd: root, host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('GET /api/projects/:name/metrics', () => {
  it('returns the schema; the total cost is the sum of the sessions; the ROI names its assumptions', async () => {
    const res = await get('/api/projects/alpha/metrics');
    expect(res.status).toBe(200);
    const m = MetricsSchema.parse(res.body);
    expect(m.sessions.map((s) => s.costUsd)).toEqual([0.75, 0.5, 0.125]);
    expect(m.cost.total.costUsd).toBe(m.sessions.reduce((sum, s) => sum + s.costUsd, 0));
    expect(m.cost.total).toMatchObject({
      sessions: 3,
      inputTokens: 300,
      outputTokens: 30,
      cacheReadTokens: 15,
      cacheCreationTokens: 3,
    });
    expect(m.progress).toMatchObject({ total: 2, passing: 1, landings: 1, featuresLanded: 1, firstPassRate: 1 });
    expect(m.progress.regressionCoverage.regressionEvery).toBe(5);
    expect(m.cost.wasted).toMatchObject({ costUsd: 0.5, sessions: 1 });
    expect(m.cost.byModel.map((r) => r.key)).toEqual(['opus', 'haiku']);
    expect(m.roi).toMatchObject({
      assumptions: {
        hoursPerFeature: 2,
        hourlyRateUsd: 150,
        source: { hoursPerFeature: 'default', hourlyRateUsd: 'project' },
      },
      hoursSaved: 2,
      valueUsd: 300,
      costUsd: 1.375,
    });
  });

  it('?run= restricts to that run', async () => {
    const m = MetricsSchema.parse((await get('/api/projects/alpha/metrics?run=run_1')).body);
    expect(m.runId).toBe('run_1');
    expect(m.cost.total.costUsd).toBe(1.25);
    expect(m.progress.regressionCoverage.regressionEvery).toBe(3);
    const two = MetricsSchema.parse((await get('/api/projects/alpha/metrics?run=run_2')).body);
    expect(two.cost.total.costUsd).toBe(0.125);
    expect(two.progress.landings).toBe(0);
  });

  it('400 on a bad or unknown run, 404 on an unknown project', async () => {
    const bad = await get('/api/projects/alpha/metrics?run=..%2Fx');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('run');
    const unknown = await get('/api/projects/alpha/metrics?run=run_9');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('no run \\"run_9\\"');
    expect((await get('/api/projects/alpha/metrics?bogus=1')).status).toBe(400);
    expect((await get('/api/projects/nobody/metrics')).status).toBe(404);
  });
});
