import { randomBytes } from 'node:crypto';

export type ContentBlock =
  { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface Reply {
  readonly content: ContentBlock[];
  readonly usage: Usage;
}

export const DEFAULT_USAGE: Usage = {
  input_tokens: 1200,
  output_tokens: 80,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

/** Builds one assistant message: `reply().text('…').tool('Bash', { command: 'ls' })`. */
export class ReplyBuilder implements Reply {
  readonly content: ContentBlock[] = [];
  usage: Usage = { ...DEFAULT_USAGE };

  text(text: string): this {
    this.content.push({ type: 'text', text });
    return this;
  }

  tool(name: string, input: Record<string, unknown>): this {
    this.content.push({ type: 'tool_use', id: `toolu_${randomBytes(10).toString('hex')}`, name, input });
    return this;
  }

  tokens(usage: Partial<Usage>): this {
    this.usage = { ...this.usage, ...usage };
    return this;
  }
}

export function reply(): ReplyBuilder {
  return new ReplyBuilder();
}

const stopReason = (r: Reply) => (r.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');

export function messageJson(r: Reply, model: string): Record<string, unknown> {
  return {
    id: `msg_${randomBytes(10).toString('hex')}`,
    type: 'message',
    role: 'assistant',
    model,
    content: r.content,
    stop_reason: stopReason(r),
    stop_sequence: null,
    usage: r.usage,
  };
}

/** The server-sent events of a streamed message, in the shape Claude Code accepts. */
export function sseEvents(r: Reply, model: string): string[] {
  const events: string[] = [];
  const emit = (type: string, data: Record<string, unknown>) =>
    events.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  const msg = messageJson(r, model);
  emit('message_start', {
    message: { ...msg, content: [], stop_reason: null, usage: { ...r.usage, output_tokens: 1 } },
  });
  emit('ping', {});
  r.content.forEach((block, index) => {
    if (block.type === 'text') {
      emit('content_block_start', { index, content_block: { type: 'text', text: '' } });
      emit('content_block_delta', { index, delta: { type: 'text_delta', text: block.text } });
    } else {
      emit('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      emit('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    emit('content_block_stop', { index });
  });
  emit('message_delta', {
    delta: { stop_reason: stopReason(r), stop_sequence: null },
    usage: { output_tokens: r.usage.output_tokens },
  });
  emit('message_stop', {});
  return events;
}
