import type { AgentView, LogLine, Progress, ServerMessage } from '@shared/events';
import type { RunStatus } from '@shared/runs';

/**
 * The live state of one project as the WebSocket tells it, folded by a pure reducer so the
 * resume rules can be unit-tested: the snapshot replaces progress, run and agents; log lines
 * are kept once per event id (a resumed connection replays what the snapshot may already hold);
 * `lastEventId` is the cursor a reconnect resumes from.
 */
export const MAX_LOG_LINES = 400;

export interface AgentSlotView extends AgentView {
  /** When the latest update arrived (ms); null when it came from a snapshot. */
  readonly at: number | null;
}

export interface StreamState {
  readonly connected: boolean;
  /** Set once a snapshot arrived; the UI shows a skeleton before. */
  readonly synced: boolean;
  readonly lastEventId: number;
  readonly progress: Progress | null;
  readonly run: RunStatus | null;
  readonly agents: ReadonlyMap<number, AgentSlotView>;
  readonly log: readonly LogLine[];
}

export const initialStreamState: StreamState = {
  connected: false,
  synced: false,
  lastEventId: 0,
  progress: null,
  run: null,
  agents: new Map(),
  log: [],
};

function mergeLog(log: readonly LogLine[], lines: readonly LogLine[]): readonly LogLine[] {
  if (lines.length === 0) return log;
  const known = new Set(log.map((l) => l.id));
  const fresh = lines.filter((l) => !known.has(l.id));
  if (fresh.length === 0) return log;
  const merged = [...log, ...fresh];
  // Lines come in id order except across a reconnect (snapshot lines, then replayed ones).
  const newestKnown = log.length > 0 ? log[log.length - 1]!.id : -1;
  if (fresh.some((l) => l.id < newestKnown)) merged.sort((a, b) => a.id - b.id);
  return merged.length > MAX_LOG_LINES ? merged.slice(merged.length - MAX_LOG_LINES) : merged;
}

export function reduceStream(state: StreamState, msg: ServerMessage): StreamState {
  switch (msg.type) {
    case 'snapshot':
      return {
        ...state,
        synced: true,
        lastEventId: Math.max(state.lastEventId, msg.lastEventId),
        progress: msg.progress,
        run: msg.run,
        agents: new Map(msg.agents.map((a) => [a.slot, { ...a, at: null }])),
        log: mergeLog(state.log, msg.recentLog),
      };
    case 'pong':
      return state;
    case 'progress': {
      const { type: _t, id, ...progress } = msg;
      return { ...state, lastEventId: Math.max(state.lastEventId, id), progress };
    }
    case 'run_status':
      return { ...state, lastEventId: Math.max(state.lastEventId, msg.id), run: msg.run };
    case 'agent_update': {
      const { type: _t, id, at, ...view } = msg;
      const agents = new Map(state.agents);
      const prev = agents.get(view.slot);
      // A state change without a new thought keeps the last thought on the card.
      agents.set(view.slot, {
        ...view,
        thought: view.thought ?? (prev?.sessionId === view.sessionId ? prev.thought : undefined),
        at,
      });
      return { ...state, lastEventId: Math.max(state.lastEventId, id), agents };
    }
    case 'log': {
      const { type: _t, ...line } = msg;
      return { ...state, lastEventId: Math.max(state.lastEventId, msg.id), log: mergeLog(state.log, [line]) };
    }
    case 'feature_update':
    case 'event':
      return { ...state, lastEventId: Math.max(state.lastEventId, msg.id) };
  }
}

/** Log lines of one agent session, newest last. */
export function logOf(state: StreamState, sessionId: string): LogLine[] {
  return state.log.filter((l) => l.sessionId === sessionId);
}

/**
 * The lines a slot's card shows: its agent's session when one is known (running, or ended while the page watched),
 * else the newest session the log holds for that slot, so a reload after a run still shows what each slot did last.
 */
export function slotLog(log: readonly LogLine[], slot: number, sessionId: string | null): LogLine[] {
  const session = sessionId ?? log.findLast((l) => l.slot === slot && l.sessionId !== null)?.sessionId ?? null;
  return session === null ? [] : log.filter((l) => l.sessionId === session);
}
