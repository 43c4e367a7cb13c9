import { describe, it, expect } from 'vitest';
import { DEFAULT_USAGE, messageJson, reply, ReplyBuilder, sseEvents } from './reply.js';

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

function parseEvents(events: string[]): SseEvent[] {
  return events.map((raw) => {
    const m = /^event: ([a-z_]+)\ndata: (.*)\n\n$/s.exec(raw);
    if (!m?.[1] || m[2] === undefined) throw new Error(`malformed SSE event: ${JSON.stringify(raw)}`);
    return { event: m[1], data: JSON.parse(m[2]) as Record<string, unknown> };
  });
}

describe('ReplyBuilder', () => {
  it('collects text and tool_use blocks in order with unique tool ids', () => {
    const r = reply().text('hi').tool('Bash', { command: 'ls' }).tool('Read', { file_path: 'a' });
    expect(r).toBeInstanceOf(ReplyBuilder);
    expect(r.content.map((b) => b.type)).toEqual(['text', 'tool_use', 'tool_use']);
    const ids = r.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^toolu_[0-9a-f]+$/);
  });

  it('starts from the default usage and merges token overrides', () => {
    expect(reply().usage).toEqual(DEFAULT_USAGE);
    const r = reply().tokens({ output_tokens: 7 }).tokens({ cache_read_input_tokens: 100 });
    expect(r.usage).toEqual({ ...DEFAULT_USAGE, output_tokens: 7, cache_read_input_tokens: 100 });
    expect(DEFAULT_USAGE.output_tokens).toBe(80);
  });
});

describe('messageJson', () => {
  it('has the Messages API shape with end_turn for text only', () => {
    const r = reply().text('done');
    const m = messageJson(r, 'claude-x');
    expect(m).toEqual({
      id: expect.stringMatching(/^msg_[0-9a-f]+$/) as unknown,
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [{ type: 'text', text: 'done' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: DEFAULT_USAGE,
    });
  });

  it('stops with tool_use when any block is a tool call', () => {
    expect(messageJson(reply().text('a').tool('Bash', {}), 'm').stop_reason).toBe('tool_use');
    expect(messageJson(reply(), 'm').stop_reason).toBe('end_turn');
  });
});

describe('sseEvents', () => {
  it('streams message_start, ping, a start/delta/stop per block, message_delta and message_stop', () => {
    const r = reply().text('Hello').tool('Bash', { command: 'ls -la' }).tokens({ output_tokens: 42 });
    const events = parseEvents(sseEvents(r, 'claude-x'));
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const e of events) expect(e.data.type).toBe(e.event);

    const start = events[0]?.data.message as Record<string, unknown>;
    expect(start).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [],
      stop_reason: null,
    });

    expect(events[2]?.data).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    });
    expect(events[3]?.data).toEqual({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'Hello' },
    });
    expect(events[4]?.data).toEqual({ type: 'content_block_stop', index: 0 });

    const tool = r.content[1];
    if (tool?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(events[5]?.data).toEqual({
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: tool.id, name: 'Bash', input: {} },
    });
    const delta = events[6]?.data.delta as { type: string; partial_json: string };
    expect(delta.type).toBe('input_json_delta');
    expect(JSON.parse(delta.partial_json)).toEqual({ command: 'ls -la' });
    expect(events[7]?.data).toEqual({ type: 'content_block_stop', index: 1 });

    expect(events[8]?.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 42 },
    });
  });

  it('ends a text-only message with end_turn', () => {
    const events = parseEvents(sseEvents(reply().text('bye'), 'm'));
    const delta = events.find((e) => e.event === 'message_delta')?.data.delta as { stop_reason: string };
    expect(delta.stop_reason).toBe('end_turn');
    expect(events).toHaveLength(2 + 3 + 2);
  });
});
