/**
 * The runner orders its claims by the estimated path it computes from the project's history (issue #23, durations):
 * `runProject` with the scripted runtime on a project whose earlier sessions say one category takes far longer.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SqliteProjectStore } from '../../src/db/stores.js';
import { gitOk } from '../../src/git/git.js';
import { landingCodingSession, roleScript } from '../support/fake-anthropic/index.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';

vi.setConfig({ testTimeout: 60_000 });

const MIN = 60_000;
const USAGE = { turns: 1, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0 };

let project: ScriptedProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

/**
 * A previous run's history: three "slow" features whose sessions took 40 minutes and three "fast" ones of 2 minutes
 * (recorded through the stores, then dated back: the history is what the run finds, not what it makes).
 */
function seedHistory(store: SqliteProjectStore): void {
  let n = 0;
  for (const [category, minutes] of [
    ['slow', 40],
    ['fast', 2],
  ] as const) {
    for (let i = 0; i < 3; i++) {
      const id = store.features.create({
        category,
        name: `earlier ${category} ${i}`,
        description: 'x',
        steps: ['s'],
      }).id;
      const sessionId = `ses_history_${++n}`;
      const { claim } = store.claims.claimFeature(id, `run_old/${sessionId}`);
      store.sessions.start({
        id: sessionId,
        runId: null,
        slot: 0,
        role: 'coding',
        featureIds: [id],
        model: null,
        transcriptPath: '/dev/null',
      });
      store.claims.markPassing(claim);
      const ended = store.sessions.end(sessionId, {
        status: 'succeeded',
        outcome: 'success',
        usage: USAGE,
        error: null,
      });
      store.db
        .prepare('UPDATE sessions SET started_at = ? WHERE id = ?')
        .run(ended.endedAt! - minutes * MIN, sessionId);
    }
  }
}

describe('the runner schedules by estimated duration', () => {
  it('claims the feature on the longest estimated path first, though another unblocks more', async () => {
    const p = (project = scriptedProject(roleScript({ coding: landingCodingSession() })));
    const { a, b } = p.inspect((store) => {
      seedHistory(store);
      const make = (category: string, name: string, dependencies: number[] = []) =>
        store.features.create({ category, name, description: name, steps: ['it works'], dependencies }).id;
      const a = make('slow', 'A');
      make('slow', 'after A', [a]);
      const b = make('fast', 'B');
      make('fast', 'after B 1', [b]);
      make('fast', 'after B 2', [b]);
      // Without estimates B goes first: it unblocks two features, A one.
      expect(store.features.ready(1)[0]!.id).toBe(b);
      return { a, b };
    });

    gitOk(p.dir, [
      '-c',
      'user.name=Test',
      '-c',
      'user.email=test@example.test',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'start',
    ]);
    const result = await p.run({ concurrency: 1, yolo: true });
    expect(result.status).toBe('finished');
    const order = p
      .inspect((store) => store.sessions.list())
      .filter((s) => s.role === 'coding' && s.runId !== null)
      .map((s) => s.featureIds[0]);
    // A first; after it, the sessions of this run (a second each, not 40 minutes) are history too and decide the rest.
    expect(order[0]).toBe(a);
    expect([...order].sort((x, y) => x! - y!)).toEqual([a, a + 1, b, b + 1, b + 2]);
    p.inspect((store) => expect(store.features.list().every((f) => f.status === 'passing')).toBe(true));
  });
});
