import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from '@shared/events';
import { changesMetrics, throttle } from './live';

describe('changesMetrics', () => {
  const msg = (m: Record<string, unknown>) => m as unknown as ServerMessage;
  it('is true for feature, run, session (agent), progress and snapshot messages and other stored events', () => {
    for (const type of ['feature_update', 'run_status', 'agent_update', 'progress', 'snapshot'])
      expect(changesMetrics(msg({ type })), type).toBe(true);
    expect(changesMetrics(msg({ type: 'event', eventType: 'verification.finished' }))).toBe(true);
  });
  it('is false for log lines, session.log events and pongs', () => {
    expect(changesMetrics(msg({ type: 'log' }))).toBe(false);
    expect(changesMetrics(msg({ type: 'pong' }))).toBe(false);
    expect(changesMetrics(msg({ type: 'event', eventType: 'session.log' }))).toBe(false);
  });
});

describe('throttle', () => {
  afterEach(() => void vi.useRealTimers());

  it('calls at once, then at most once per window however many requests arrive', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const t = throttle(fn, 2_000);
    t.request();
    expect(fn).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 10; i++) t.request();
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_999);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    // The burst inside the window gives exactly one trailing call.
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(10_000);
    expect(fn).toHaveBeenCalledTimes(2);
    // Quiet long enough: the next request runs at once again.
    t.request();
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('cancel drops a pending trailing call', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const t = throttle(fn, 2_000);
    t.request();
    t.request();
    t.cancel();
    vi.advanceTimersByTime(5_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
