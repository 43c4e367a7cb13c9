import { afterEach, beforeEach, expect, it } from 'vitest';
import { openTempProject, type TempProject } from '../support/tmp.js';

let p: TempProject;
beforeEach(() => {
  p = openTempProject();
});
afterEach(() => p.cleanup());

it('records the commit being landed under the claim, and clears it when the feature passes', () => {
  const f = p.store.features.create({ category: 'c', name: 'n', description: '', steps: [] });
  const claimed = p.store.claims.claimNext('run/ses')!;
  expect(p.store.claims.recordLanding(claimed.claim, 'abc123')).toBe(true);
  expect(p.store.features.get(f.id).landingCommit).toBe('abc123');
  p.store.claims.markPassing(claimed.claim, { commit: 'abc123' });
  expect(p.store.features.get(f.id).landingCommit).toBeNull();
  // A claim that is gone records nothing.
  expect(p.store.claims.recordLanding(claimed.claim, 'def456')).toBe(false);
  expect(p.store.features.get(f.id).landingCommit).toBeNull();
});

it('keeps a recorded landing across a lost runner (the next run reads it)', () => {
  const f = p.store.features.create({ category: 'c', name: 'n', description: '', steps: [] });
  const claimed = p.store.claims.claimNext('run_dead/ses')!;
  p.store.claims.recordLanding(claimed.claim, 'abc123');
  p.store.claims.releaseOwnedBy('run_dead/', 'recovered');
  expect(p.store.features.get(f.id)).toMatchObject({ status: 'pending', landingCommit: 'abc123' });
});
