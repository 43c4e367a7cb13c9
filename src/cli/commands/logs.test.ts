import { describe, expect, it } from 'vitest';
import { readEventBody, type StoredEvent } from '../../shared/events.js';
import { formatEvent } from './logs.js';

/** A stored row, read the way the event log reads it (typed, or `unknown`). */
const event = (type: string, payload: Record<string, unknown>): StoredEvent => ({
  id: 1,
  at: Date.UTC(2026, 0, 1),
  runId: 'run_1',
  sessionId: null,
  featureId: null,
  slot: 0,
  ...readEventBody(type, payload),
});

describe('formatEvent', () => {
  it('labels runs and sessions on the demo model as scripted, not AI', () => {
    expect(formatEvent(event('run.started', { pid: 1, settings: { model: 'demo' } }))).toMatch(
      /"model":"demo".*\(demo model: scripted, no AI\)$/,
    );
    expect(formatEvent(event('session.started', { role: 'coding', model: 'demo', featureIds: [] }))).toMatch(
      /\(demo model: scripted, no AI\)$/,
    );
  });

  it('adds no label for other models or for the agent’s own lines', () => {
    expect(
      formatEvent(event('session.started', { role: 'coding', model: 'claude-sonnet-4-5', featureIds: [] })),
    ).not.toContain('scripted');
    expect(formatEvent(event('session.log', { kind: 'text', text: 'model demo' }))).toBe(
      '2026-01-01T00:00:00.000Z  session.log       slot 0  #-  model demo',
    );
  });

  it('shows a row of a type this version does not know as unknown, with its stored type and payload', () => {
    const line = formatEvent(event('review.finding', { severity: 'warning' }));
    expect(line).toBe(
      '2026-01-01T00:00:00.000Z  unknown           slot 0  #-  {"severity":"warning"}  (unreadable event "review.finding": "review.finding" is not an event type this version of autocoder knows)',
    );
  });

  it('shows a known type whose payload does not fit as unknown, naming the field', () => {
    const line = formatEvent(event('feature.passed', { status: 'done' }));
    expect(line).toMatch(
      /^\S+ {2}unknown {11}slot 0 {2}#- {2}\{"status":"done"\} {2}\(unreadable event "feature\.passed": its payload does not match "feature\.passed": status: /,
    );
  });
});
