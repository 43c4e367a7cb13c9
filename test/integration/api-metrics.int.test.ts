import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import { MetricsSchema } from '../../src/shared/metrics.js';
import { seedMetricsProject } from '../support/metrics-seed.js';

let root: string;
let server: RunningServer;
let env: Record<string, string | undefined>;

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.token}` } });
  return { status: res.status, body: await res.json() };
}

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'ac-metrics-'));
  env = { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH };
  seedMetricsProject(root, env);
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
