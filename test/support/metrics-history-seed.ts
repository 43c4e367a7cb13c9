import { join } from 'node:path';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore } from '../../src/db/stores.js';
import { seedProject, type UiServer } from './ui-fixture.js';

/**
 * A project with a few hours of history, for pictures of the Metrics page: 12 features, two runs on a clock that moves
 * minutes between steps (so the time charts have a shape), coding sessions on two models with testing sessions
 * between them, failed attempts that are retried (wasted spend), and one question a person answered. Written through
 * the store's ports, as the runner writes it.
 */
export function seedMetricsHistory(ui: UiServer, name: string): { dir: string } {
  const { dir } = seedProject(ui, name, { count: 0 });
  // The history ends about an hour ago: every time is on the store's clock, the backlog's creation too.
  let t = Date.now() - 9 * 3_600_000;
  const store = openProjectStore(projectPaths(dir), { create: false, clock: { now: () => t } });
  const minutes = (m: number) => void (t += m * 60_000);
  let n = 0;
  const usage = (costUsd: number) => ({
    turns: 8,
    inputTokens: 40_000,
    outputTokens: 6_000,
    cacheReadTokens: 120_000,
    cacheCreationTokens: 9_000,
    costUsd,
  });
  const session = (runId: string, role: string, model: string, featureIds: number[], id = `ses_${++n}`) => {
    store.sessions.start({
      id,
      runId,
      slot: 0,
      role,
      featureIds,
      model,
      transcriptPath: join(dir, `${id}.jsonl`),
    });
    return id;
  };
  try {
    store.features.createBulk(
      [
        'List',
        'Create',
        'Edit',
        'Delete',
        'Search',
        'Filter',
        'Sort',
        'Export',
        'Import',
        'Share',
        'Tag',
        'Archive',
      ].map((verb, i) => ({
        category: 'functional',
        name: `${verb} notes`,
        description: `Feature ${i + 1}.`,
        steps: ['Open the app', 'Do it'],
        priority: i,
        dependsOnIndices: i > 0 && i % 2 === 0 ? [i - 1] : [],
      })),
    );
    minutes(20);
    const runs: [string, number][] = [
      ['run_morning', 7],
      ['run_afternoon', 4],
    ];
    for (const [runId, features] of runs) {
      store.runs.start({ id: runId, pid: 1, host: 'h', incarnation: runId, settings: { regressionEvery: 3 } });
      for (let i = 0; i < features; i++) {
        const model = i % 3 === 2 ? 'claude-sonnet-4-5' : 'claude-opus-4-1';
        // The runner claims, then starts the session on the feature it claimed.
        let id = `ses_${++n}`;
        let claimed = store.claims.claimNext(`${runId}/${id}`);
        if (!claimed) break;
        const featureId = claimed.claim.featureId;
        session(runId, 'coding', model, [featureId], id);
        minutes(6 + ((i * 7) % 11));
        if (i % 4 === 1) {
          // A failed attempt: its cost is wasted; the feature is retried by a new session.
          store.claims.markFailing(claimed.claim, 'tests fail');
          store.sessions.end(id, { status: 'failed', outcome: 'error', usage: usage(0.42), error: 'tests fail' });
          minutes(2);
          id = session(runId, 'coding', model, [featureId]);
          const again = store.claims.claimFeature(featureId, `${runId}/${id}`);
          claimed = { ...claimed, claim: again.claim };
          minutes(9);
        }
        if (runId === 'run_afternoon' && i === 1) {
          // The agent asks a person; the answer comes 25 minutes later and the feature is claimed again.
          const { request } = store.humanInput.request(claimed.claim, {
            kind: 'fields',
            prompt: 'Which payment provider?',
            fields: [{ id: 'provider', label: 'Provider', type: 'text', required: true }],
          });
          store.sessions.end(id, { status: 'succeeded', outcome: 'needs_input', usage: usage(0.18), error: null });
          minutes(25);
          store.humanInput.answer(request.id, { values: { provider: 'stripe' }, secretKeys: {}, by: 'human' });
          id = session(runId, 'coding', model, [featureId]);
          claimed = { ...claimed, claim: store.claims.claimFeature(featureId, `${runId}/${id}`).claim };
          minutes(7);
        }
        store.claims.markPassing(claimed.claim);
        store.sessions.end(id, {
          status: 'succeeded',
          outcome: 'success',
          usage: usage(model.includes('opus') ? 0.9 + i * 0.05 : 0.35),
          error: null,
        });
        if (i % 3 === 2) {
          const testing = session(runId, 'testing', 'claude-haiku-4-5', [featureId]);
          minutes(3);
          store.sessions.end(testing, { status: 'succeeded', outcome: 'success', usage: usage(0.06), error: null });
        }
        minutes(1);
      }
      store.runs.end(runId, 'finished', 'done');
      minutes(90);
    }
  } finally {
    store.close();
  }
  return { dir };
}
