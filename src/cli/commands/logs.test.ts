import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../db/event-repo.js';
import { formatEvent } from './logs.js';

const event = (type: string, payload: Record<string, unknown>): StoredEvent => ({ id: 1, at: Date.UTC(2026, 0, 1), type, runId: 'run_1', sessionId: null, featureId: null, slot: 0, payload });

describe('formatEvent', () => {
  it('labels runs and sessions on the demo model as scripted, not AI', () => {
    expect(formatEvent(event('run.started', { pid: 1, settings: { model: 'demo' } }))).toMatch(/"model":"demo".*\(demo model: scripted, no AI\)$/);
    expect(formatEvent(event('session.started', { role: 'coding', model: 'demo' }))).toMatch(/\(demo model: scripted, no AI\)$/);
  });

  it('adds no label for other models or for the agent’s own lines', () => {
    expect(formatEvent(event('session.started', { role: 'coding', model: 'claude-sonnet-4-5' }))).not.toContain('scripted');
    expect(formatEvent(event('session.log', { kind: 'text', text: 'model demo', model: 'demo' }))).not.toContain('scripted');
  });
});
