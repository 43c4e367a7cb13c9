import { describe, expect, it } from 'vitest';
import {
  EVENT_TOPICS,
  EVENT_TYPES,
  EventSchema,
  FEATURE_EVENT_TYPES,
  isOfTopic,
  readEventBody,
  RUN_EVENT_TYPES,
  ServerMessageSchema,
  type StoredEvent,
} from './events.js';

const meta = { id: 7, at: 1, runId: null, sessionId: null, featureId: 3, slot: null };

describe('the event catalogue', () => {
  it('gives every type the topic its name says, so the live messages follow the catalogue', () => {
    expect(Object.keys(EVENT_TOPICS).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      const prefix = type.split('.')[0];
      const expected =
        prefix === 'spec' ||
        prefix === 'settings' ||
        prefix === 'checkpoint' ||
        prefix === 'finding' ||
        prefix === 'design'
          ? 'project'
          : prefix === 'acceptance' || prefix === 'verification'
            ? 'feature'
            : prefix;
      expect(EVENT_TOPICS[type], type).toBe(expected);
    }
    // A feature's checks and their verifications are news about that feature (its card changes).
    expect(FEATURE_EVENT_TYPES).toEqual(EVENT_TYPES.filter((t) => /^(feature|acceptance|verification)\./.test(t)));
    expect(FEATURE_EVENT_TYPES).toEqual(
      expect.arrayContaining([
        'acceptance.disputed',
        'acceptance.decided',
        'verification.started',
        'verification.finished',
      ]),
    );
    expect(RUN_EVENT_TYPES).toEqual(EVENT_TYPES.filter((t) => t.startsWith('run.')));
  });

  it('reads a known row typed, keeping only what its type declares', () => {
    const body = readEventBody('feature.failed', {
      reason: 'tests fail',
      attempts: 2,
      final: false,
      status: 'pending',
      extra: 'x',
    });
    expect(body).toEqual({
      type: 'feature.failed',
      payload: { reason: 'tests fail', attempts: 2, final: false, status: 'pending' },
    });
    expect(readEventBody('feature.skipped', { reason: null, by: 'human' })).toEqual({
      type: 'feature.skipped',
      payload: { reason: null, by: 'human' },
    });
  });

  it('reads a row of an unknown type, or whose payload does not fit, as unknown, never throwing', () => {
    expect(readEventBody('design.gallery_opened', { number: 1 })).toEqual({
      type: 'unknown',
      storedType: 'design.gallery_opened',
      problem: '"design.gallery_opened" is not an event type this version of autocoder knows',
      payload: { number: 1 },
    });
    const bad = readEventBody('run.waiting', { until: 'soon' });
    expect(bad).toMatchObject({ type: 'unknown', storedType: 'run.waiting', payload: { until: 'soon' } });
    expect(bad.type === 'unknown' && bad.problem).toBe(
      'its payload does not match "run.waiting": until: Invalid input: expected number, received string; reason: Invalid input: expected string, received undefined',
    );
    expect(readEventBody('feature.created', ['not', 'an', 'object'])).toMatchObject({
      type: 'unknown',
      payload: { value: ['not', 'an', 'object'] },
    });
    expect(readEventBody('session.log', { kind: 'shout', text: 'hi' })).toMatchObject({
      type: 'unknown',
      storedType: 'session.log',
    });
  });

  it('narrows a stored event by topic', () => {
    const known: StoredEvent = { ...meta, ...readEventBody('feature.passed', { status: 'passing' }) };
    const unknown: StoredEvent = { ...meta, ...readEventBody('feature.passed', {}) };
    expect(isOfTopic(known, 'feature')).toBe(true);
    expect(isOfTopic(known, 'run')).toBe(false);
    expect(isOfTopic(unknown, 'feature')).toBe(false);
  });
});

describe('the wire forms of events', () => {
  it('the API event schema takes known events and unknown ones, and refuses a known type with a wrong payload', () => {
    expect(EventSchema.safeParse({ ...meta, type: 'feature.passed', payload: { status: 'passing' } }).success).toBe(
      true,
    );
    expect(
      EventSchema.safeParse({ ...meta, type: 'unknown', storedType: 'x.y', problem: 'p', payload: { a: 1 } }).success,
    ).toBe(true);
    expect(EventSchema.safeParse({ ...meta, type: 'feature.passed', payload: { status: 'done' } }).success).toBe(false);
    expect(EventSchema.safeParse({ ...meta, type: 'x.y', payload: {} }).success).toBe(false);
  });

  it('live messages name only event types of their own topic', () => {
    const update = { type: 'feature_update', id: 1, at: 1, featureId: 1, status: 'passing', name: 'n' };
    expect(ServerMessageSchema.safeParse({ ...update, eventType: 'feature.passed' }).success).toBe(true);
    expect(ServerMessageSchema.safeParse({ ...update, eventType: 'run.started' }).success).toBe(false);
    expect(ServerMessageSchema.safeParse({ ...update, eventType: 'feature.passed', status: 'done' }).success).toBe(
      false,
    );
    const raw = { type: 'event', ...meta, payload: { a: 1 } };
    expect(
      ServerMessageSchema.safeParse({ ...raw, eventType: 'unknown', storedType: 'x.y', problem: 'p' }).success,
    ).toBe(true);
    expect(ServerMessageSchema.safeParse({ ...raw, eventType: 'x.y' }).success).toBe(false);
  });
});
