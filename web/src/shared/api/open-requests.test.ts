import { describe, expect, it } from 'vitest';
import type { Dispute } from '@shared/acceptance';
import type { HumanInputRequestDTO } from '@shared/human-input';
import { inboxCount } from './open-requests';

const request = (id: string, disputeId: string | null = null): HumanInputRequestDTO => ({
  id,
  featureId: 1,
  featureName: null,
  sessionId: null,
  kind: 'fields',
  prompt: 'p',
  fields: [],
  status: 'open',
  answeredBy: null,
  answer: null,
  secretKeys: {},
  reason: null,
  createdAt: 0,
  answeredAt: null,
  reasons: {},
  placeholderKeys: [],
  overrides: null,
  overriddenBy: null,
  disputeId,
});
const dispute = (id: string, requestId: string | null): Dispute => ({
  id,
  featureId: 1,
  featureName: null,
  sessionId: null,
  requestId,
  reason: 'r',
  proposed: [{ kind: 'command', run: 'true' }],
  previous: null,
  status: 'open',
  decidedBy: null,
  decisionReason: null,
  hashBefore: null,
  hashAfter: null,
  createdAt: 0,
  decidedAt: null,
});

describe('inboxCount (the Inbox badge)', () => {
  it('counts a dispute once, through its open request, and says how many are disputes', () => {
    expect(inboxCount([request('hir_1'), request('hir_2', 'dsp_1')], [dispute('dsp_1', 'hir_2')])).toEqual({
      total: 2,
      disputes: 1,
    });
  });

  it('counts an open dispute whose request is not open (or missing) on its own', () => {
    expect(inboxCount([request('hir_1')], [dispute('dsp_1', null), dispute('dsp_2', 'hir_gone')])).toEqual({
      total: 3,
      disputes: 2,
    });
    // The disputes list not loaded yet: a dispute request still counts as one.
    expect(inboxCount([request('hir_2', 'dsp_1')], [])).toEqual({ total: 1, disputes: 1 });
    expect(inboxCount([], [])).toEqual({ total: 0, disputes: 0 });
  });
});
