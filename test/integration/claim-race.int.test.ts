import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import { doubleClaims, runClaimRace, seedIndependentFeatures, type RaceResult } from '../support/claim-race.js';

const FEATURES = 10_000;
const WORKERS = 5;

describe('five processes claiming from one project database', () => {
  let root: string;
  let race: RaceResult;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'autocoder-claim-race-'));
    seedIndependentFeatures(root, FEATURES);
    race = await runClaimRace(root, WORKERS, 50_000);
  }, 58_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('hands out every feature exactly once across all workers', () => {
    const all = race.workers.flatMap((w) => w.claims);
    expect(all).toHaveLength(FEATURES);
    expect(doubleClaims(race)).toBe(0);
    expect(new Set(all.map((c) => c.id)).size).toBe(FEATURES);
    // Each claim was the first one on its feature.
    expect(all.every((c) => c.epoch === 1)).toBe(true);
    // The race was a race: more than one process got work (each worker's share is printed on failure).
    const shares = race.workers.map((w) => w.claims.length);
    expect(shares.filter((n) => n > 0).length, `claims per worker: ${shares.join(', ')}`).toBeGreaterThan(1);
  });

  it('leaves the database agreeing with what the workers reported', () => {
    const store = openProjectStore(projectPaths(root), { create: false });
    try {
      const rows = store.db.prepare('SELECT id, status, claim_epoch, claimed_by, attempts, claim_token FROM features ORDER BY id').all() as {
        id: number;
        status: string;
        claim_epoch: number;
        claimed_by: string | null;
        attempts: number;
        claim_token: string | null;
      }[];
      expect(rows).toHaveLength(FEATURES);
      expect(rows.filter((r) => r.status !== 'in_progress')).toEqual([]);
      expect(rows.filter((r) => r.claim_epoch !== 1 || r.attempts !== 1)).toEqual([]);
      expect(new Set(rows.map((r) => r.claim_token)).size).toBe(FEATURES);

      // The owner recorded on each row is the worker that reported claiming it.
      const reportedOwner = new Map<number, string>();
      for (const w of race.workers) for (const c of w.claims) reportedOwner.set(c.id, w.owner);
      expect(rows.filter((r) => r.claimed_by !== reportedOwner.get(r.id))).toEqual([]);

      const claimedEvents = store.db.prepare(`SELECT count(*) FROM events WHERE type = 'feature.claimed'`).pluck().get();
      expect(claimedEvents).toBe(FEATURES);
      expect(store.claims.claimNext('late-comer')).toBeNull();
    } finally {
      store.close();
    }
  });
});
