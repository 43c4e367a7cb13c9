import { describe, expect, it } from 'vitest';
import type { FeatureDTO } from '@shared/api';
import type { AcceptanceCheck, VerificationSummary } from '@shared/acceptance';
import { cardVerification } from './verification-view';

const CHECKS: AcceptanceCheck[] = [{ kind: 'command', run: 'node --test' }];

function feature(over: Partial<FeatureDTO>): FeatureDTO {
  return {
    id: 1,
    priority: 0,
    category: 'c',
    name: 'f',
    description: '',
    steps: [],
    status: 'passing',
    dependencies: [],
    blockedBy: [],
    ready: false,
    attempts: 1,
    maxAttempts: 3,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    notes: '',
    blockerType: null,
    blockerNote: null,
    skipCount: 0,
    estimateMs: 0,
    pathMs: 0,
    passedAt: 1,
    updatedAt: 0,
    acceptance: CHECKS,
    acceptanceHash: 'h',
    verificationId: null,
    verification: null,
    failureReason: null,
    retryAt: null,
    skipClass: null,
    ...over,
  };
}

const summary = (over: Partial<VerificationSummary>): VerificationSummary => ({
  id: 'ver_1',
  status: 'passed',
  trigger: 'landing',
  commit: 'abc1234def',
  startedAt: 1,
  endedAt: 2,
  checks: 3,
  passed: 3,
  screenshot: '1-added.png',
  failure: null,
  ...over,
});

describe('cardVerification', () => {
  it('is "verified" with the count, the commit and the screenshot for a passing feature whose newest verification passed', () => {
    expect(cardVerification(feature({ verification: summary({}) }))).toEqual({
      kind: 'verified',
      checks: 3,
      verificationId: 'ver_1',
      commit: 'abc1234def',
      screenshot: '1-added.png',
    });
  });

  it('is "not verified" for a feature without checks, whatever its status and history', () => {
    for (const status of ['pending', 'in_progress', 'needs_input', 'passing', 'failed'] as const)
      expect(cardVerification(feature({ status, acceptance: null, verification: summary({}) }))).toEqual({
        kind: 'not_verified',
        why: 'no acceptance checks',
      });
  });

  it('says why a passing feature is not verified: never verified, failed, or could not run', () => {
    expect(cardVerification(feature({}))).toEqual({ kind: 'not_verified', why: 'it passed without a verification' });
    expect(
      cardVerification(feature({ verification: summary({ status: 'failed', passed: 1, failure: 'tests: exit 1' }) })),
    ).toEqual({ kind: 'not_verified', why: 'its last verification failed: tests: exit 1' });
    expect(cardVerification(feature({ verification: summary({ status: 'error', failure: null }) }))).toEqual({
      kind: 'not_verified',
      why: 'its last verification could not run',
    });
  });

  it('gives the failure line on in-progress, failed and pending cards, nothing on waiting ones', () => {
    const v = summary({ status: 'failed', failure: 'a todo is added: text "Buy milk" not visible' });
    for (const status of ['in_progress', 'failed', 'pending'] as const)
      expect(cardVerification(feature({ status, verification: v }))).toEqual({
        kind: 'failing',
        line: 'Verification failed: a todo is added: text "Buy milk" not visible',
      });
    expect(cardVerification(feature({ status: 'needs_input', verification: v }))).toBeNull();
    expect(
      cardVerification(feature({ status: 'failed', verification: summary({ status: 'error', failure: 'no app' }) })),
    ).toEqual({ kind: 'failing', line: 'Verification could not run: no app' });
    // A passed verification on a feature that is no longer passing (re-opened) says nothing on the card.
    expect(cardVerification(feature({ status: 'pending', verification: summary({}) }))).toBeNull();
  });

  it('shows a running verification on passing and in-progress cards', () => {
    const running = summary({ status: 'running', endedAt: null });
    expect(cardVerification(feature({ verification: running }))).toEqual({ kind: 'verifying' });
    expect(cardVerification(feature({ status: 'in_progress', verification: running }))).toEqual({ kind: 'verifying' });
    expect(cardVerification(feature({ status: 'pending', verification: running }))).toBeNull();
  });
});
