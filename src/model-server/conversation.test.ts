import { describe, it, expect } from 'vitest';
import { readConversation } from './conversation.js';

const TOOLS = [{ name: 'Bash' }, { name: 'Read' }, { name: 'mcp__features__feature_mark_passing' }];

describe('readConversation', () => {
  it('reads the first request of a session', () => {
    const conv = readConversation({
      model: 'claude-sonnet-4-5',
      system: 'You are a coder.',
      tools: TOOLS,
      stream: true,
      messages: [{ role: 'user', content: 'Build feature #1' }],
    });
    expect(conv.model).toBe('claude-sonnet-4-5');
    expect(conv.system).toBe('You are a coder.');
    expect(conv.toolNames).toEqual(['Bash', 'Read', 'mcp__features__feature_mark_passing']);
    expect(conv.turn).toBe(0);
    expect(conv.prompt).toBe('Build feature #1');
    expect(conv.toolResults).toEqual([]);
    expect(conv.lastToolResults).toEqual([]);
    expect(conv.isSideCall).toBe(false);
    expect(conv.stream).toBe(true);
  });

  it('joins the system prompt given as an array of text blocks', () => {
    const conv = readConversation({
      system: [
        { type: 'text', text: 'You are Claude Code.' },
        { type: 'text', text: 'Work autonomously.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [],
    });
    expect(conv.system).toBe('You are Claude Code.\nWork autonomously.');
  });

  it('takes the prompt from the text blocks of the first user message only', () => {
    const conv = readConversation({
      tools: TOOLS,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '<system-reminder>ctx</system-reminder>' },
            { type: 'text', text: 'Do the task' },
          ],
        },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'later message' },
      ],
    });
    expect(conv.prompt).toBe('<system-reminder>ctx</system-reminder>\nDo the task');
    expect(conv.prompt).not.toContain('later message');
  });

  it('counts assistant messages as turns and pairs tool results with their calls across messages', () => {
    const conv = readConversation({
      tools: TOOLS,
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looking around' },
            { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
            { type: 'tool_use', id: 'toolu_2', name: 'Read', input: { file_path: '/p/a.ts' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.ts\nb.ts' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              is_error: true,
              content: [
                { type: 'text', text: 'EACCES' },
                { type: 'text', text: 'denied' },
              ],
            },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'toolu_3', name: 'mcp__features__feature_mark_passing', input: { feature_id: 1 } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_3', content: [{ type: 'text', text: '{"ok":true}' }] },
            { type: 'text', text: 'note' },
          ],
        },
      ],
    });
    expect(conv.turn).toBe(2);
    expect(conv.toolResults).toEqual([
      { toolUseId: 'toolu_1', name: 'Bash', input: { command: 'ls' }, isError: false, text: 'a.ts\nb.ts' },
      { toolUseId: 'toolu_2', name: 'Read', input: { file_path: '/p/a.ts' }, isError: true, text: 'EACCES\ndenied' },
      {
        toolUseId: 'toolu_3',
        name: 'mcp__features__feature_mark_passing',
        input: { feature_id: 1 },
        isError: false,
        text: '{"ok":true}',
      },
    ]);
    expect(conv.lastToolResults).toEqual([
      {
        toolUseId: 'toolu_3',
        name: 'mcp__features__feature_mark_passing',
        input: { feature_id: 1 },
        isError: false,
        text: '{"ok":true}',
      },
    ]);
  });

  it('keeps the last tool results when a later user message has none', () => {
    const conv = readConversation({
      tools: TOOLS,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'done' }] },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'continue' },
      ],
    });
    expect(conv.lastToolResults.map((r) => r.toolUseId)).toEqual(['t1']);
  });

  it("names a result '' when its call is not in the history", () => {
    const conv = readConversation({
      tools: TOOLS,
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'gone', content: 'x' }] }],
    });
    expect(conv.toolResults).toEqual([{ toolUseId: 'gone', name: '', input: {}, isError: false, text: 'x' }]);
  });

  it('is a side call when the request has no tools', () => {
    expect(readConversation({ messages: [{ role: 'user', content: 'title?' }] }).isSideCall).toBe(true);
    expect(readConversation({ tools: [], messages: [] }).isSideCall).toBe(true);
    expect(readConversation({ tools: [{ name: 'Bash' }], messages: [] }).isSideCall).toBe(false);
  });

  it('tolerates a body with missing or malformed fields', () => {
    const conv = readConversation({ messages: 'nope', system: 42, model: 7, stream: 'yes' });
    expect(conv).toMatchObject({
      model: '',
      system: '',
      turn: 0,
      prompt: '',
      toolNames: [],
      stream: false,
      isSideCall: true,
    });
  });

  it('keeps the raw body', () => {
    const body = { messages: [], output_config: { format: { type: 'json_schema' } } };
    expect(readConversation(body).raw).toBe(body);
  });
});
