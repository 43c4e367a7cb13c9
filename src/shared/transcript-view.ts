import { toolCallLine, toolInputDetail, toolResultLine } from './tool-call-text.js';

/**
 * A session's transcript (its JSONL entries, as the transcript route pages them) read as a conversation: the prompt the
 * agent was given, its messages, each tool call as one line with its result folded under it, retries and the end.
 * Pure, so the web view and any other reader show the same conversation.
 */

export interface ToolTurn {
  readonly kind: 'tool';
  readonly at: number | null;
  /** The call as one line (`Write src/a.js (+3 lines)`). */
  readonly line: string;
  /** The whole input, shown on demand. */
  readonly input: string;
  /** Its result, once the transcript has it (a call the session ended during has none). */
  readonly result: { readonly line: string; readonly text: string; readonly isError: boolean } | null;
}

export type ConversationItem =
  | { readonly kind: 'prompt'; readonly at: number | null; readonly role: string; readonly text: string }
  | { readonly kind: 'started'; readonly at: number | null; readonly model: string }
  | { readonly kind: 'message'; readonly at: number | null; readonly text: string }
  | ToolTurn
  | { readonly kind: 'notice'; readonly at: number | null; readonly text: string; readonly tone: 'warn' | 'info' }
  | { readonly kind: 'finished'; readonly at: number | null; readonly text: string; readonly ok: boolean }
  /** An entry this reader does not know: its type and its fields, on demand. */
  | { readonly kind: 'other'; readonly at: number | null; readonly label: string; readonly detail: string };

type Entry = Readonly<Record<string, unknown>>;

const s = (e: Entry, key: string): string | null => (typeof e[key] === 'string' ? e[key] : null);
const n = (e: Entry, key: string): number | null =>
  typeof e[key] === 'number' && Number.isFinite(e[key]) ? e[key] : null;

const OUTCOME: Record<string, string> = {
  success: 'Session finished',
  max_turns: 'Session stopped: it used all its turns',
  max_budget: 'Session stopped: it reached its budget',
  error: 'Session failed',
  aborted: 'Session stopped',
  rate_limited: 'Session stopped: the provider’s rate limit',
  // What the runner records when a session ended normally but its feature did not pass (runner/session-verdict.ts).
  feature_failed: 'Session failed: the feature did not pass',
  skipped: 'Session failed: it skipped the feature',
  looping: 'Session stopped: it was going round in circles',
};

function finishedText(e: Entry): string {
  const outcome = s(e, 'outcome') ?? 'unknown';
  const parts = [OUTCOME[outcome] ?? `Session ended (${outcome})`];
  const turns = n(e, 'turns');
  const cost = n(e, 'costUsd');
  const ms = n(e, 'durationMs');
  const facts = [
    turns === null ? null : `${turns} ${turns === 1 ? 'turn' : 'turns'}`,
    ms === null ? null : `${Math.round(ms / 1000)} s`,
    cost === null ? null : `$${cost.toFixed(4)}`,
  ].filter((f) => f !== null);
  if (facts.length > 0) parts.push(` · ${facts.join(' · ')}`);
  const error = s(e, 'error');
  if (error) parts.push(`: ${error}`);
  return parts.join('');
}

/** Folds transcript entries into conversation items; a result joins the call it answers (by call id). */
export function transcriptConversation(entries: readonly Entry[]): ConversationItem[] {
  const items: ConversationItem[] = [];
  const calls = new Map<string, { index: number; tool: string }>();
  for (const e of entries) {
    const at = n(e, 'at');
    switch (e['type']) {
      case 'prompt':
        items.push({ kind: 'prompt', at, role: s(e, 'role') ?? 'agent', text: s(e, 'prompt') ?? '' });
        break;
      case 'started':
        items.push({ kind: 'started', at, model: s(e, 'model') ?? 'an unnamed model' });
        break;
      case 'text':
        items.push({ kind: 'message', at, text: s(e, 'text') ?? '' });
        break;
      case 'tool_call': {
        const tool = s(e, 'name') ?? 'tool';
        const id = s(e, 'id');
        if (id !== null) calls.set(id, { index: items.length, tool });
        items.push({
          kind: 'tool',
          at,
          line: toolCallLine(tool, e['input']),
          input: toolInputDetail(e['input']),
          result: null,
        });
        break;
      }
      case 'tool_result': {
        const text = s(e, 'text') ?? '';
        const isError = e['isError'] === true;
        const call = calls.get(s(e, 'id') ?? '');
        const item = call ? items[call.index] : undefined;
        if (call && item?.kind === 'tool') {
          items[call.index] = { ...item, result: { line: toolResultLine(text, isError, call.tool), text, isError } };
        } else {
          // A result whose call is on an earlier page (or missing): shown on its own, folded.
          items.push({
            kind: 'tool',
            at,
            line: 'Result of an earlier call',
            input: '',
            result: { line: toolResultLine(text, isError), text, isError },
          });
        }
        break;
      }
      case 'retry':
        items.push({
          kind: 'notice',
          at,
          tone: 'warn',
          text: `Retry ${n(e, 'attempt') ?? ''}${n(e, 'status') === null ? '' : ` (HTTP ${n(e, 'status')})`}: ${s(e, 'error') ?? ''}`,
        });
        break;
      case 'rate_limit': {
        const resets = n(e, 'resetsAt');
        items.push({
          kind: 'notice',
          at,
          tone: e['rejected'] === true ? 'warn' : 'info',
          text: `${e['rejected'] === true ? 'Rate limited' : 'Close to the rate limit'}${resets === null ? '' : `; resets at ${new Date(resets).toISOString()}`}`,
        });
        break;
      }
      case 'finished':
        items.push({ kind: 'finished', at, ok: e['outcome'] === 'success', text: finishedText(e) });
        break;
      default: {
        const { at: _at, type, ...rest } = e;
        items.push({
          kind: 'other',
          at,
          label: typeof type === 'string' ? type : 'entry',
          detail: JSON.stringify(rest, null, 2),
        });
      }
    }
  }
  return items;
}
