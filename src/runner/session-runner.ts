import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentEvent, AgentRuntime, AgentSpec, SessionOutcome, TokenUsage } from '../agent/runtime.js';
import { ZERO_USAGE } from '../agent/runtime.js';
import type { EventPort, SessionPort } from '../db/ports.js';
import type { SessionLogPayload } from '../shared/events.js';
import type { BrowserLocator } from '../shared/browser-view.js';
import { toolCallLine } from '../shared/tool-call-text.js';
import { redactJson, redactThenTruncate, type Redactor } from '../security/redactor.js';
import {
  LOOPING_OUTCOME,
  NO_PROGRESS_TURN_LIMIT,
  noProgressDetector,
  REPEATED_CALL_LIMIT,
  repeatedCallDetector,
} from '../domain/loops.js';
import { redactThenKeepEnd } from '../verify/output.js';
import { timePhase, type PhaseRecorder } from './phases.js';
import type { FEATURE_FAILED_OUTCOME, SessionVerdict, SKIPPED_OUTCOME } from './session-verdict.js';

/**
 * Log lines in the events table are capped (after masking): a tool's output keeps its end, the rest its start; the
 * full text stays in the transcript.
 */
export const LOG_LINE_LIMIT = 2048;

export interface SessionContext {
  readonly events: EventPort;
  readonly sessions: SessionPort;
  readonly runtime: AgentRuntime;
  readonly logsDir: string;
  readonly runId: string | null;
  readonly now: () => number;
  /** Applied to every text autocoder writes (events, transcript, the session's error): masks known secrets. */
  readonly redact: Redactor;
  /** Told the time of the database and event writes and of the runtime's start (`bench session`). */
  readonly phases?: PhaseRecorder;
}

export interface SessionSummary {
  readonly sessionId: string;
  /**
   * The runtime's outcome, or `looping`: the runner ended it for going round in circles (see domain/loops.ts), or
   * what the plan's `judge` made of a normal end (a coding session whose feature did not pass: session-verdict.ts).
   */
  readonly outcome: SessionOutcome | typeof LOOPING_OUTCOME | typeof FEATURE_FAILED_OUTCOME | typeof SKIPPED_OUTCOME;
  readonly turns: number;
  readonly usage: TokenUsage;
  readonly costUsd: number;
  readonly error: string | null;
  readonly retryAt: number | null;
  /** Names of the Bash programs the agent ran, e.g. to know whether it opened a browser. */
  readonly commands: readonly string[];
  /** Why the watchdog aborted the session (no activity for too long, or over its time limit); null otherwise. */
  readonly stalled: string | null;
  /** Why the session was ended as looping (one tool call repeated, or turns without progress); null otherwise. */
  readonly looping: string | null;
}

export interface SessionPlan {
  readonly sessionId: string;
  /** Where the session's browser is found once it opens one (the live browser view); recorded with the session. */
  readonly browser?: BrowserLocator;
  readonly slot: number | null;
  readonly featureIds: readonly number[];
  readonly spec: AgentSpec;
  /** The watchdog: abort after `idleMs` without any agent event, or after `maxMs` in all. */
  readonly limits?: { readonly idleMs: number; readonly maxMs: number };
  /**
   * Judges how the session ended before it is recorded (a coding session: did its feature pass?), so the row, the
   * `session.ended` event and the summary all say what happened; without it the runtime's outcome is recorded.
   */
  readonly judge?: (ended: SessionVerdict) => SessionVerdict;
  /** Told after each tool call's result (a coding session pushes its branch when a commit moved it: #20). */
  readonly onToolResult?: () => void;
}

const minutes = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

/**
 * Runs one agent session and records it: a `sessions` row, a JSONL transcript in
 * `.autocoder/logs/`, and `session.*` events for the live UI. A failing session is recorded,
 * never thrown.
 */
export async function runRecordedSession(
  ctx: SessionContext,
  plan: SessionPlan,
  signal: AbortSignal,
): Promise<SessionSummary> {
  const phases = ctx.phases;
  const transcript = join(ctx.logsDir, `${plan.sessionId}.jsonl`);
  timePhase(phases, 'db-writes', () => {
    mkdirSync(ctx.logsDir, { recursive: true });
    ctx.sessions.start({
      id: plan.sessionId,
      runId: ctx.runId,
      slot: plan.slot,
      role: plan.spec.role,
      featureIds: plan.featureIds,
      model: plan.spec.model ?? null,
      transcriptPath: transcript,
      ...(plan.browser ? { browser: plan.browser } : {}),
    });
  });
  const write = (entry: Record<string, unknown>) =>
    appendFileSync(transcript, `${JSON.stringify(redactJson(ctx.redact, { at: ctx.now(), ...entry }))}\n`);
  // Mask first, then cut: a key straddling the cut would otherwise leave its first part unmatched.
  const clip = (text: string) => redactThenTruncate(ctx.redact, text, LOG_LINE_LIMIT);
  // A tool's output explains itself at its end (the failing test, the last error): keep the end, saying what was cut.
  const clipOutput = (text: string) => redactThenKeepEnd(ctx.redact, text, LOG_LINE_LIMIT);
  const log = (payload: SessionLogPayload) =>
    ctx.events.append({
      type: 'session.log',
      at: ctx.now(),
      runId: ctx.runId,
      sessionId: plan.sessionId,
      featureId: plan.featureIds[0] ?? null,
      slot: plan.slot,
      payload: redactJson(ctx.redact, payload),
    });

  timePhase(phases, 'event-writes', () => write({ type: 'prompt', role: plan.spec.role, prompt: plan.spec.prompt }));
  let finished: Extract<AgentEvent, { type: 'finished' }> | null = null;
  const commands: string[] = [];
  // Which tool each result answers (by call id), so the feed can tell our own tools' results from others'.
  const toolOf = new Map<string, string>();
  // The watchdog aborts a session that hangs (a dead child, a command waiting forever).
  const started = ctx.now();
  let lastActivity = started;
  // Calls of the session's own feature tools under way: the runner itself works then (a landing verifies the commit,
  // which may take longer than the idle limit), so the agent is not idle, it is waiting for us.
  const ownCalls = new Set<string>();
  const ownTool = `mcp__${plan.spec.mcpServerName}__`;
  let stalled: string | null = null;
  let looping: string | null = null;
  const repeats = repeatedCallDetector();
  const idleTurns = noProgressDetector();
  const inner = new AbortController();
  // Paying for another turn cannot help: end the session before it.
  const endAsLooping = (why: string) => {
    looping = why;
    log({ kind: 'retry', attempt: 0, status: null, error: `aborted by the runner: ${why}` });
    inner.abort();
  };
  const forward = () => inner.abort();
  if (signal.aborted) inner.abort();
  else signal.addEventListener('abort', forward, { once: true });
  const limits = plan.limits;
  const watchdog = limits
    ? setInterval(
        () => {
          const now = ctx.now();
          if (ownCalls.size === 0 && now - lastActivity >= limits.idleMs)
            stalled = `no agent activity for ${minutes(now - lastActivity)} (stalled)`;
          else if (now - started >= limits.maxMs)
            stalled = `the session ran longer than its limit of ${minutes(limits.maxMs)}`;
          else return;
          log({ kind: 'retry', attempt: 0, status: null, error: `aborted by the watchdog: ${stalled}` });
          inner.abort();
        },
        Math.max(50, Math.min(5_000, Math.floor(limits.idleMs / 4))),
      )
    : null;
  // The runtime's start (MCP server, Claude Code spawn) until its init message, when timed.
  let runtimeCalled = phases === undefined ? null : performance.now();
  try {
    for await (const event of ctx.runtime.run(plan.spec, inner.signal)) {
      if (phases !== undefined && runtimeCalled !== null && event.type === 'started') {
        phases.record('spawn-to-init', performance.now() - runtimeCalled);
        runtimeCalled = null;
      }
      const written = phases === undefined ? 0 : performance.now();
      lastActivity = ctx.now();
      write(event as unknown as Record<string, unknown>);
      switch (event.type) {
        case 'text':
          log({ kind: 'text', text: clip(event.text) });
          break;
        case 'tool_call':
          toolOf.set(event.id, event.name);
          if (event.name.startsWith(ownTool)) ownCalls.add(event.id);
          if (event.name === 'Bash' && typeof event.input.command === 'string') commands.push(event.input.command);
          // The readable line is made from the whole input (a long Write keeps its line count), then masked.
          log({
            kind: 'tool_call',
            tool: event.name,
            input: clip(JSON.stringify(event.input)),
            line: clip(toolCallLine(event.name, event.input)),
          });
          idleTurns.call(event.id, event.name, event.input);
          if (looping === null && repeats.see(event.name, event.input))
            endAsLooping(`the same ${event.name} call with the same arguments ${REPEATED_CALL_LIMIT} times in a row`);
          break;
        case 'tool_result':
          ownCalls.delete(event.id);
          log({
            kind: 'tool_result',
            isError: event.isError,
            text: clipOutput(event.text),
            ...(toolOf.has(event.id) ? { tool: toolOf.get(event.id)! } : {}),
          });
          plan.onToolResult?.();
          if (looping === null && idleTurns.result(event.id, event.isError, event.text))
            endAsLooping(`${NO_PROGRESS_TURN_LIMIT} turns in a row without a file change or a new tool result`);
          break;
        case 'retry':
          log({ kind: 'retry', attempt: event.attempt, status: event.status, error: clip(event.error) });
          break;
        case 'finished':
          finished = event;
          break;
        default:
          break;
      }
      phases?.record('event-writes', performance.now() - written);
    }
  } catch (err: unknown) {
    // The runtime promises not to throw; if it does anyway the session is a failure, not a crash.
    finished = {
      type: 'finished',
      outcome: inner.signal.aborted ? 'aborted' : 'error',
      turns: 0,
      usage: ZERO_USAGE,
      costUsd: 0,
      durationMs: 0,
      error: err instanceof Error ? err.message : String(err),
      retryAt: null,
    };
  }
  if (watchdog) clearInterval(watchdog);
  signal.removeEventListener('abort', forward);
  const end = finished ?? {
    outcome: 'error' as const,
    turns: 0,
    usage: ZERO_USAGE,
    costUsd: 0,
    error: 'the session ended without a result',
    retryAt: null,
  };
  const ended: SessionVerdict = {
    outcome: looping !== null ? LOOPING_OUTCOME : end.outcome,
    error: looping !== null ? looping : stalled !== null ? stalled : end.error === null ? null : ctx.redact(end.error),
  };
  // A stalled session is a failure of its own (the watchdog's), whatever the runtime said after the abort.
  const judged = plan.judge && stalled === null ? plan.judge(ended) : ended;
  const outcome = judged.outcome as SessionSummary['outcome'];
  const error = judged.error === null ? null : ctx.redact(judged.error);
  timePhase(phases, 'db-writes', () =>
    ctx.sessions.end(plan.sessionId, {
      status: outcome === 'success' ? 'succeeded' : outcome === 'aborted' ? 'aborted' : 'failed',
      outcome,
      usage: { turns: end.turns, ...end.usage, costUsd: end.costUsd },
      error,
    }),
  );
  return {
    sessionId: plan.sessionId,
    outcome,
    turns: end.turns,
    usage: end.usage,
    costUsd: end.costUsd,
    error,
    retryAt: end.retryAt,
    commands,
    stalled,
    looping,
  };
}
