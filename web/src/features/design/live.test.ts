import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@shared/events';
import { changesDesign } from './live';

const msg = (m: Record<string, unknown>) => m as unknown as ServerMessage;

describe('changesDesign', () => {
  it('is true for design events, a feature passing and a resync snapshot', () => {
    for (const eventType of ['design.iteration_started', 'design.iteration_finished', 'design.finding_dismissed'])
      expect(changesDesign(msg({ type: 'event', eventType })), eventType).toBe(true);
    expect(changesDesign(msg({ type: 'feature_update', eventType: 'feature.passed' }))).toBe(true);
    expect(changesDesign(msg({ type: 'snapshot' }))).toBe(true);
  });
  it('is false for checkpoint events, other feature changes, progress, logs and pongs', () => {
    for (const eventType of ['checkpoint.finished', 'finding.dismissed', 'verification.finished'])
      expect(changesDesign(msg({ type: 'event', eventType })), eventType).toBe(false);
    expect(changesDesign(msg({ type: 'feature_update', eventType: 'feature.claimed' }))).toBe(false);
    for (const type of ['progress', 'log', 'pong', 'run_status', 'agent_update'])
      expect(changesDesign(msg({ type })), type).toBe(false);
  });
});
