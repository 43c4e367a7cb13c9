import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@shared/events';
import { initialStreamState, MAX_LOG_LINES, reduceStream, slotLog, type StreamState } from './stream-state';

const progress = { total: 2, passing: 0, in_progress: 0, needs_input: 0, failed: 0, pending: 2, percentage: 0 };
const run = {
  status: 'running' as const,
  runId: 'r',
  pid: 1,
  startedAt: 1,
  settings: {},
  pauseRequested: false,
  agents: [],
  lastEndReason: null,
};
const line = (id: number, text = `l${id}`) => ({
  id,
  at: id,
  sessionId: 's',
  featureId: 1,
  slot: 0,
  kind: 'text',
  text,
});
const fold = (msgs: ServerMessage[], from: StreamState = initialStreamState) => msgs.reduce(reduceStream, from);

describe('reduceStream', () => {
  it('a snapshot sets everything and the cursor', () => {
    const s = fold([
      {
        type: 'snapshot',
        progress,
        run,
        agents: [{ slot: 0, sessionId: 's', featureId: 1, state: 'working' }],
        recentLog: [line(3)],
        lastEventId: 5,
      },
    ]);
    expect(s.synced).toBe(true);
    expect(s.lastEventId).toBe(5);
    expect(s.agents.get(0)?.state).toBe('working');
    expect(s.log.map((l) => l.id)).toEqual([3]);
  });

  it('a resumed connection does not duplicate log lines the client already had, and keeps them ordered', () => {
    const before = fold([
      { type: 'snapshot', progress, run, agents: [], recentLog: [line(1), line(2)], lastEventId: 2 },
    ]);
    const after = fold(
      [
        {
          type: 'snapshot',
          progress,
          run,
          agents: [],
          recentLog: [line(1), line(2), line(3), line(4)],
          lastEventId: 4,
        },
        { type: 'log', ...line(3) },
        { type: 'log', ...line(4) },
        { type: 'log', ...line(5) },
      ],
      before,
    );
    expect(after.log.map((l) => l.id)).toEqual([1, 2, 3, 4, 5]);
    expect(after.lastEventId).toBe(5);
  });

  it('an agent state change without a thought keeps the last thought of the same session', () => {
    const s = fold([
      {
        type: 'agent_update',
        id: 1,
        at: 1,
        slot: 0,
        sessionId: 's',
        featureId: 1,
        state: 'thinking',
        thought: 'Reading the spec',
      },
      { type: 'agent_update', id: 2, at: 2, slot: 0, sessionId: 's', featureId: 1, state: 'working' },
    ]);
    expect(s.agents.get(0)).toMatchObject({ state: 'working', thought: 'Reading the spec', at: 2 });
    const next = fold(
      [{ type: 'agent_update', id: 3, at: 3, slot: 0, sessionId: 't', featureId: 2, state: 'working' }],
      s,
    );
    expect(next.agents.get(0)?.thought).toBeUndefined();
  });

  it('progress and run status follow their messages; the log is capped', () => {
    const lines: ServerMessage[] = Array.from({ length: MAX_LOG_LINES + 50 }, (_, i) => ({
      type: 'log',
      ...line(i + 1),
    }));
    const s = fold([
      ...lines,
      { type: 'progress', id: 9999, ...progress, passing: 1 },
      { type: 'run_status', id: 10000, at: 1, eventType: 'run.finished', run: { ...run, status: 'stopped' } },
    ]);
    expect(s.log).toHaveLength(MAX_LOG_LINES);
    expect(s.log[0]!.id).toBe(51);
    expect(s.progress?.passing).toBe(1);
    expect(s.run?.status).toBe('stopped');
    expect(s.lastEventId).toBe(10000);
  });
});

describe('slotLog', () => {
  const at = (id: number, sessionId: string | null, slot: number | null) => ({ ...line(id), sessionId, slot });
  const log = [at(1, 'a', 0), at(2, 'b', 1), at(3, 'a', 0), at(4, null, null), at(5, 'c', 0), at(6, 'b', 1)];

  it('is the known agent session’s lines', () => {
    expect(slotLog(log, 0, 'a').map((l) => l.id)).toEqual([1, 3]);
  });

  it('without a known agent (a reload after the run), the newest session of that slot', () => {
    expect(slotLog(log, 0, null).map((l) => l.id)).toEqual([5]);
    expect(slotLog(log, 1, null).map((l) => l.id)).toEqual([2, 6]);
    expect(slotLog(log, 2, null)).toEqual([]);
  });
});
