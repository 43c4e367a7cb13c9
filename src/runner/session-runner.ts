import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentEvent, AgentRuntime, AgentSpec, SessionOutcome, TokenUsage } from '../agent/runtime.js';
import { ZERO_USAGE } from '../agent/runtime.js';
import type { Db } from '../db/connection.js';
import { appendEvent } from '../db/event-repo.js';
import type { SessionRepo } from '../db/session-repo.js';

/** Log lines in the events table are capped; the full text stays in the transcript. */
export const LOG_LINE_LIMIT = 2048;

export interface SessionContext {
  readonly db: Db;
  readonly sessions: SessionRepo;
  readonly runtime: AgentRuntime;
  readonly logsDir: string;
  readonly runId: string | null;
  readonly now: () => number;
  /** Applied to every text autocoder writes (events, transcript): masks known secrets. */
  readonly redact: (text: string) => string;
}

export interface SessionSummary {
  readonly sessionId: string;
  readonly outcome: SessionOutcome;
  readonly turns: number;
  readonly usage: TokenUsage;
  readonly costUsd: number;
  readonly error: string | null;
  readonly retryAt: number | null;
  /** Names of the Bash programs the agent ran, e.g. to know whether it opened a browser. */
  readonly commands: readonly string[];
}

export interface SessionPlan {
  readonly sessionId: string;
  readonly slot: number | null;
  readonly featureIds: readonly number[];
  readonly spec: AgentSpec;
}

const truncate = (text: string) => (text.length > LOG_LINE_LIMIT ? `${text.slice(0, LOG_LINE_LIMIT)}…` : text);

/**
 * Runs one agent session and records it: a `sessions` row, a JSONL transcript in
 * `.autocoder/logs/`, and `session.*` events for the live UI. A failing session is recorded,
 * never thrown.
 */
export async function runRecordedSession(ctx: SessionContext, plan: SessionPlan, signal: AbortSignal): Promise<SessionSummary> {
  mkdirSync(ctx.logsDir, { recursive: true });
  const transcript = join(ctx.logsDir, `${plan.sessionId}.jsonl`);
  ctx.sessions.start({
    id: plan.sessionId,
    runId: ctx.runId,
    slot: plan.slot,
    role: plan.spec.role,
    featureIds: plan.featureIds,
    model: plan.spec.model ?? null,
    transcriptPath: transcript,
  });
  const write = (entry: Record<string, unknown>) => appendFileSync(transcript, `${ctx.redact(JSON.stringify({ at: ctx.now(), ...entry }))}\n`);
  const log = (payload: Record<string, unknown>) =>
    appendEvent(ctx.db, {
      type: 'session.log',
      at: ctx.now(),
      runId: ctx.runId,
      sessionId: plan.sessionId,
      featureId: plan.featureIds[0] ?? null,
      slot: plan.slot,
      payload: JSON.parse(ctx.redact(JSON.stringify(payload))) as Record<string, unknown>,
    });

  write({ type: 'prompt', role: plan.spec.role, prompt: plan.spec.prompt });
  let finished: Extract<AgentEvent, { type: 'finished' }> | null = null;
  const commands: string[] = [];
  try {
    for await (const event of ctx.runtime.run(plan.spec, signal)) {
      write(event as unknown as Record<string, unknown>);
      switch (event.type) {
        case 'text':
          log({ kind: 'text', text: truncate(event.text) });
          break;
        case 'tool_call':
          if (event.name === 'Bash' && typeof event.input.command === 'string') commands.push(event.input.command);
          log({ kind: 'tool_call', tool: event.name, input: truncate(JSON.stringify(event.input)) });
          break;
        case 'tool_result':
          log({ kind: 'tool_result', isError: event.isError, text: truncate(event.text) });
          break;
        case 'retry':
          log({ kind: 'retry', attempt: event.attempt, status: event.status, error: event.error });
          break;
        case 'finished':
          finished = event;
          break;
        default:
          break;
      }
    }
  } catch (err: unknown) {
    // The runtime promises not to throw; if it does anyway the session is a failure, not a crash.
    finished = {
      type: 'finished',
      outcome: signal.aborted ? 'aborted' : 'error',
      turns: 0,
      usage: ZERO_USAGE,
      costUsd: 0,
      durationMs: 0,
      error: err instanceof Error ? err.message : String(err),
      retryAt: null,
    };
  }
  const end = finished ?? { outcome: 'error' as const, turns: 0, usage: ZERO_USAGE, costUsd: 0, error: 'the session ended without a result', retryAt: null };
  const error = end.error === null ? null : ctx.redact(end.error);
  ctx.sessions.end(plan.sessionId, {
    status: end.outcome === 'success' ? 'succeeded' : end.outcome === 'aborted' ? 'aborted' : 'failed',
    outcome: end.outcome,
    usage: { turns: end.turns, ...end.usage, costUsd: end.costUsd },
    error,
  });
  return { sessionId: plan.sessionId, outcome: end.outcome, turns: end.turns, usage: end.usage, costUsd: end.costUsd, error, retryAt: end.retryAt, commands };
}
