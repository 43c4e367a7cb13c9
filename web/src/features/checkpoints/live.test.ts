import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@shared/events';
import { changesCheckpoints } from './live';

const msg = (m: Record<string, unknown>) => m as unknown as ServerMessage;

describe('changesCheckpoints', () => {
  it('is true for checkpoint and finding events, a feature passing and a resync snapshot', () => {
    for (const eventType of ['checkpoint.started', 'checkpoint.finished', 'checkpoint.critical', 'finding.dismissed'])
      expect(changesCheckpoints(msg({ type: 'event', eventType })), eventType).toBe(true);
    expect(changesCheckpoints(msg({ type: 'feature_update', eventType: 'feature.passed' }))).toBe(true);
    expect(changesCheckpoints(msg({ type: 'snapshot' }))).toBe(true);
  });
  it('is false for other events, other feature changes, progress, logs and pongs', () => {
    expect(changesCheckpoints(msg({ type: 'event', eventType: 'verification.finished' }))).toBe(false);
    expect(changesCheckpoints(msg({ type: 'feature_update', eventType: 'feature.claimed' }))).toBe(false);
    for (const type of ['progress', 'log', 'pong', 'run_status', 'agent_update'])
      expect(changesCheckpoints(msg({ type })), type).toBe(false);
  });
});
