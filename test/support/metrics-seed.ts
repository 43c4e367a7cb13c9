import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../../src/config/env.js';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore, openRegistry } from '../../src/db/stores.js';

/**
 * Registers project `alpha` under `<root>/work/alpha` (project setting metrics.hourlyRateUsd 150), its store written
 * through the ports: run_1 lands #1 ($0.75) and fails #2 ($0.50), run_2 runs a testing session ($0.125).
 */
export function seedMetricsProject(root: string, env: Env): void {
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
