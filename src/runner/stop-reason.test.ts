import { describe, it, expect } from 'vitest';
import type { Feature } from '../db/ports.js';
import { describeStall } from './stop-reason.js';

const NOW = 1_700_000_000_000;
let nextId = 1;

function feature(overrides: Partial<Feature> = {}): Feature {
  const id = nextId++;
  return {
    id,
    priority: id,
    category: 'core',
    name: `feature ${id}`,
    description: 'does a thing',
    steps: ['check it'],
    status: 'pending',
    dependencies: [],
    attempts: 0,
    maxAttempts: 3,
    runAfter: 0,
    unblocks: 0,
    estimateMs: 0,
    pathMs: 0,
    skipCount: 0,
    blockerType: null,
    blockerNote: null,
    blockedSince: null,
    claimEpoch: 0,
    claimedBy: null,
    leaseExpiresAt: null,
    heartbeatAt: null,
    branch: null,
    landingCommit: null,
    verify: null,
    acceptance: null,
    acceptanceHash: null,
    verificationId: null,
    evidence: [],
    notes: '',
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
    costUsd: 0,
    createdAt: NOW - 1000,
    updatedAt: NOW - 1000,
    startedAt: null,
    passedAt: null,
    lastVerifiedAt: null,
    ...overrides,
  };
}

describe('describeStall', () => {
  it('is done when every feature passes', () => {
    expect(describeStall([feature({ status: 'passing' }), feature({ status: 'passing' })], NOW)).toEqual({
      kind: 'done',
      total: 2,
    });
  });

  it('waits until the earliest backoff ends', () => {
    const stall = describeStall(
      [
        feature({ status: 'passing' }),
        feature({ status: 'pending', attempts: 1, runAfter: NOW + 60_000 }),
        feature({ status: 'pending', attempts: 2, runAfter: NOW + 5_000 }),
        feature({ status: 'pending', attempts: 1, runAfter: NOW + 30_000 }),
      ],
      NOW,
    );
    expect(stall.kind).toBe('wait');
    if (stall.kind !== 'wait') return;
    expect(stall.until).toBe(NOW + 5_000);
    expect(stall.reason).toContain('3 feature(s)');
  });

  it('does not wait for a backoff that already ended', () => {
    const stall = describeStall(
      [feature({ status: 'pending', attempts: 1, runAfter: NOW }), feature({ status: 'failed', attempts: 3 })],
      NOW,
    );
    expect(stall.kind).toBe('stuck');
  });

  it('does not wait for a pending feature whose attempts are used up', () => {
    const stall = describeStall(
      [feature({ status: 'pending', attempts: 3, maxAttempts: 3, runAfter: NOW + 10_000 })],
      NOW,
    );
    expect(stall.kind).toBe('stuck');
  });

  it('is stuck when failed features block the pending ones, with the counts', () => {
    const stall = describeStall(
      [
        feature({ status: 'passing' }),
        feature({ status: 'failed', attempts: 3 }),
        feature({ status: 'failed', attempts: 3 }),
        feature({ status: 'pending', dependencies: [2] }),
        feature({ status: 'pending', dependencies: [3] }),
        feature({ status: 'pending', dependencies: [3] }),
      ],
      NOW,
    );
    expect(stall).toEqual({
      kind: 'stuck',
      reason: '1/6 pass; 2 failed after all attempts, 3 pending feature(s) are blocked by those',
    });
  });

  it('counts features waiting for a human answer and those claimed elsewhere', () => {
    const stall = describeStall(
      [
        feature({ status: 'needs_input' }),
        feature({ status: 'needs_input' }),
        feature({ status: 'in_progress', claimedBy: 'run_x/ses_y' }),
        feature({ status: 'pending', dependencies: [1] }),
      ],
      NOW,
    );
    expect(stall.kind).toBe('stuck');
    if (stall.kind !== 'stuck') return;
    expect(stall.reason).toBe(
      '0/4 pass; 1 still claimed by another session, 2 wait for a human answer, 1 pending feature(s) are blocked by those',
    );
  });

  it('waits for features other processes hold under a live lease instead of ending the run (#20)', () => {
    const features = [
      feature({ status: 'passing' }),
      feature({ status: 'in_progress', claimedBy: 'run_x/ses_y', leaseExpiresAt: NOW + 1 }),
    ];
    expect(describeStall(features, NOW)).toEqual({
      kind: 'elsewhere',
      reason: '1/2 pass; 1 in progress in other sessions',
    });
    // Once the lease has expired nobody works it: the reaper takes it back, and it is no reason to wait.
    expect(describeStall(features, NOW + 1).kind).toBe('stuck');
  });

  it('without local slots, a ready feature is left to the workers; a blocked one is not', () => {
    const done = feature({ status: 'passing' });
    const ready = feature({ status: 'pending', dependencies: [done.id] });
    expect(describeStall([done, ready], NOW, { localSlots: false })).toEqual({
      kind: 'elsewhere',
      reason: '1/2 pass; 1 ready for the workers',
    });
    const failed = feature({ status: 'failed', attempts: 3 });
    const blocked = feature({ status: 'pending', dependencies: [failed.id] });
    expect(describeStall([failed, blocked], NOW, { localSlots: false }).kind).toBe('stuck');
  });

  it('prefers waiting for a backoff over declaring the run stuck', () => {
    const stall = describeStall(
      [feature({ status: 'failed', attempts: 3 }), feature({ status: 'pending', attempts: 1, runAfter: NOW + 1 })],
      NOW,
    );
    expect(stall).toMatchObject({ kind: 'wait', until: NOW + 1 });
  });
});
