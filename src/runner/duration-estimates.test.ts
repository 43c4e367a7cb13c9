import { afterEach, describe, expect, it } from 'vitest';
import type { SessionStatus } from '../db/ports.js';
import { FakeClock, openTempProject, type TempProject } from '../../test/support/tmp.js';
import { refreshDurationEstimates } from './duration-estimates.js';

const MIN = 60_000;
const USAGE = { turns: 1, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0 };

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

function open(): { project: TempProject; clock: FakeClock } {
  const clock = new FakeClock();
  project = openTempProject({ clock });
  return { project, clock };
}

let sessionNo = 0;

/** One coding session on `featureId` lasting `minutes`: claimed, worked, then passed (or failed) and ended. */
function session(
  p: TempProject,
  clock: FakeClock,
  featureId: number,
  minutes: number,
  end: { pass: boolean; status?: SessionStatus; outcome?: string; role?: string } = { pass: true },
): void {
  const { claims, sessions } = p.store;
  const id = `ses_${++sessionNo}`;
  const { claim } = claims.claimFeature(featureId, `run/${id}`);
  sessions.start({
    id,
    runId: null,
    slot: 0,
    role: end.role ?? 'coding',
    featureIds: [featureId],
    model: null,
    transcriptPath: '/dev/null',
  });
  clock.advance(minutes * MIN);
  if (end.pass) claims.markPassing(claim);
  else claims.markFailing(claim, 'checks failed');
  sessions.end(id, {
    status: end.status ?? (end.pass ? 'succeeded' : 'failed'),
    outcome: end.outcome ?? 'success',
    usage: USAGE,
    error: null,
  });
}

/**
 * History: three finished "slow" features (40 min each) and three "fast" ones (2 min). Pending: A (slow) with one
 * slow dependent, and B (fast) with two fast dependents. B unblocks more, so the order without estimates takes B;
 * by estimated path A's chain (about 80 min) is far longer than B's (about 6 min).
 */
function seed(p: TempProject, clock: FakeClock): { a: number; b: number } {
  const { features } = p.store;
  const make = (category: string, name: string, dependencies: number[] = []) =>
    features.create({ category, name, description: name, steps: ['it works'], dependencies }).id;
  for (let i = 0; i < 3; i++) session(p, clock, make('slow', `done slow ${i}`), 40);
  for (let i = 0; i < 3; i++) session(p, clock, make('fast', `done fast ${i}`), 2);
  // A first: only `unblocks` (not the id) puts B before it.
  const a = make('slow', 'A');
  make('slow', 'A dependent', [a]);
  const b = make('fast', 'B');
  make('fast', 'B dependent 1', [b]);
  make('fast', 'B dependent 2', [b]);
  return { a, b };
}

describe('duration estimates on the real claim path', () => {
  it('claimNext takes the feature on the longer estimated path, which the unblocks order would have left for later', () => {
    const { project: p, clock } = open();
    const { a, b } = seed(p, clock);
    expect(p.store.features.ready(1)[0]!.id).toBe(b); // before any estimate: unblocks decides

    const refreshed = refreshDurationEstimates(p.store);
    expect(refreshed.features).toBe(5);
    const fa = p.store.features.get(a);
    const fb = p.store.features.get(b);
    expect(fa.estimateMs).toBeGreaterThan(4 * fb.estimateMs);
    expect(fa.pathMs).toBeGreaterThan(fa.estimateMs);
    expect(fa.pathMs).toBeGreaterThan(fb.pathMs);
    expect(p.store.features.get(a + 1).pathMs).toBe(p.store.features.get(a + 1).estimateMs);
    // Finished features hold nothing up.
    expect(p.store.features.get(1).estimateMs).toBe(0);

    // A refresh with nothing new changes no row.
    expect(refreshDurationEstimates(p.store).changed).toBe(0);
    expect(p.store.claims.claimNext('run/ses_next')!.feature.id).toBe(a);
    // The claim used one of A's attempts: fewer retries left, a shorter expected slot time.
    refreshDurationEstimates(p.store);
    expect(p.store.features.get(a).estimateMs).toBeLessThan(fa.estimateMs);
  });

  it('explicit priorities still win over the estimated path', () => {
    const { project: p, clock } = open();
    const { b } = seed(p, clock);
    p.store.features.update(b, { priority: -1 });
    refreshDurationEstimates(p.store);
    expect(p.store.claims.claimNext('run/ses_next')!.feature.id).toBe(b);
  });

  it('with the history ignored (the prior only), equal step counts order by chain length, then unblocks', () => {
    const { project: p, clock } = open();
    const { a, b } = seed(p, clock);
    refreshDurationEstimates(p.store, { history: 'ignore' });
    // A's chain and B's are both two features long: the tie goes to B, which unblocks more.
    expect(p.store.features.get(b).pathMs).toBe(p.store.features.get(a).pathMs);
    expect(p.store.claims.claimNext('run/ses_next')!.feature.id).toBe(b);
  });

  it('a dependency added after the estimate counts at the next refresh', () => {
    const { project: p, clock } = open();
    const { a, b } = seed(p, clock);
    refreshDurationEstimates(p.store);
    const extra = p.store.features.create({
      category: 'slow',
      name: 'B dependent 3',
      description: 'x',
      steps: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p'],
      dependencies: [b],
    });
    refreshDurationEstimates(p.store);
    expect(p.store.features.get(b).pathMs).toBeGreaterThan(p.store.features.get(a).pathMs);
    expect(p.store.features.get(extra.id).estimateMs).toBeGreaterThan(p.store.features.get(a).estimateMs);
    expect(p.store.claims.claimNext('run/ses_next')!.feature.id).toBe(b);
  });

  it('the history is finished coding sessions: not aborted, not rate-limited, not other roles; passed or not', () => {
    const { project: p, clock } = open();
    const make = (name: string) =>
      p.store.features.create({ category: 'core', name, description: name, steps: ['one', 'two'] }).id;
    const passed = make('passed');
    const failed = make('failed');
    const aborted = make('aborted');
    const limited = make('limited');
    const testing = make('testing');
    session(p, clock, passed, 7);
    session(p, clock, failed, 3, { pass: false });
    session(p, clock, aborted, 5, { pass: false, status: 'aborted', outcome: 'aborted' });
    session(p, clock, limited, 5, { pass: false, outcome: 'rate_limited' });
    session(p, clock, testing, 5, { pass: true, role: 'testing' });
    expect(p.store.sessions.durationHistory()).toEqual([
      { featureId: passed, category: 'core', steps: 2, durationMs: 7 * MIN, passed: true },
      { featureId: failed, category: 'core', steps: 2, durationMs: 3 * MIN, passed: false },
    ]);
  });
});
