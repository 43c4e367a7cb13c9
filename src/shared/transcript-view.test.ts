import { describe, expect, it } from 'vitest';
import { transcriptConversation } from './transcript-view.js';

const AT = 1_700_000_000_000;

describe('transcriptConversation', () => {
  it('reads a session as prompt, messages, one-line calls with their results folded under them, and its end', () => {
    const items = transcriptConversation([
      { at: AT, type: 'prompt', role: 'coding', prompt: 'Build feature #3' },
      { at: AT + 1, type: 'started', model: 'claude-sonnet-4-5', tools: ['Bash'] },
      { at: AT + 2, type: 'text', text: 'I will add the module.' },
      { at: AT + 3, type: 'tool_call', id: 't1', name: 'Write', input: { file_path: 'src/add.js', content: 'a\nb\n' } },
      {
        at: AT + 4,
        type: 'tool_call',
        id: 't2',
        name: 'mcp__features__feature_mark_passing',
        input: { feature_id: 3 },
      },
      { at: AT + 5, type: 'tool_result', id: 't1', isError: false, text: 'File created' },
      {
        at: AT + 6,
        type: 'tool_result',
        id: 't2',
        isError: true,
        text: 'Error: not committed; call feature_mark_passing again',
      },
      { at: AT + 7, type: 'retry', attempt: 1, status: 529, error: 'overloaded' },
      { at: AT + 8, type: 'finished', outcome: 'success', turns: 4, costUsd: 0.0123, durationMs: 12_400, error: null },
    ]);
    expect(items).toEqual([
      { kind: 'prompt', at: AT, role: 'coding', text: 'Build feature #3' },
      { kind: 'started', at: AT + 1, model: 'claude-sonnet-4-5' },
      { kind: 'message', at: AT + 2, text: 'I will add the module.' },
      {
        kind: 'tool',
        at: AT + 3,
        line: 'Write src/add.js (+2 lines)',
        input: 'file_path: src/add.js\ncontent:\n  a\n  b',
        result: { line: 'saved', text: 'File created', isError: false },
      },
      {
        kind: 'tool',
        at: AT + 4,
        line: 'Marks feature #3 passing',
        input: 'feature_id: 3',
        result: {
          line: 'refused (the reason is in the details)',
          text: 'Error: not committed; call feature_mark_passing again',
          isError: true,
        },
      },
      { kind: 'notice', at: AT + 7, tone: 'warn', text: 'Retry 1 (HTTP 529): overloaded' },
      { kind: 'finished', at: AT + 8, ok: true, text: 'Session finished · 4 turns · 12 s · $0.0123' },
    ]);
  });

  it('says how a session that did not succeed ended, with its error', () => {
    const [item] = transcriptConversation([{ type: 'finished', outcome: 'error', turns: 1, error: 'spawn failed' }]);
    expect(item).toEqual({ kind: 'finished', at: null, ok: false, text: 'Session failed · 1 turn: spawn failed' });
    const [judged] = transcriptConversation([{ type: 'finished', outcome: 'feature_failed', error: 'check failed' }]);
    expect(judged).toEqual({
      kind: 'finished',
      at: null,
      ok: false,
      text: 'Session failed: the feature did not pass: check failed',
    });
  });

  it('keeps a result whose call is not in these entries, and a call the session ended during', () => {
    const items = transcriptConversation([
      { type: 'tool_result', id: 'gone', isError: false, text: 'line 1\nline 2' },
      { type: 'tool_call', id: 'open', name: 'Bash', input: { command: 'npm test' } },
    ]);
    expect(items).toEqual([
      {
        kind: 'tool',
        at: null,
        line: 'Result of an earlier call',
        input: '',
        result: { line: 'line 1 (+1 more line)', text: 'line 1\nline 2', isError: false },
      },
      { kind: 'tool', at: null, line: 'Bash npm test', input: 'command: npm test', result: null },
    ]);
  });

  it('shows an entry it does not know by its type, its fields on demand', () => {
    expect(transcriptConversation([{ at: AT, type: 'compaction', tokens: 5 }, { unparsed: 'not json' }])).toEqual([
      { kind: 'other', at: AT, label: 'compaction', detail: '{\n  "tokens": 5\n}' },
      { kind: 'other', at: null, label: 'entry', detail: '{\n  "unparsed": "not json"\n}' },
    ]);
  });

  it('tells a rate limit that stopped the session from a warning', () => {
    const items = transcriptConversation([
      { type: 'rate_limit', resetsAt: Date.UTC(2026, 0, 1, 12), rejected: true },
      { type: 'rate_limit', resetsAt: null, rejected: false },
    ]);
    expect(items).toEqual([
      { kind: 'notice', at: null, tone: 'warn', text: 'Rate limited; resets at 2026-01-01T12:00:00.000Z' },
      { kind: 'notice', at: null, tone: 'info', text: 'Close to the rate limit' },
    ]);
  });
});
