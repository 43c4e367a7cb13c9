/**
 * A read-only view of one Messages API request, so a scripted model can decide its next reply
 * from the conversation alone (the server keeps no state: Claude Code retries requests, and
 * several sessions may talk to one server at once).
 */
export interface ToolResultView {
  readonly toolUseId: string;
  /** Name of the tool_use this result answers ('' if the call is not in the history). */
  readonly name: string;
  readonly input: Record<string, unknown>;
  readonly isError: boolean;
  readonly text: string;
}

export interface Conversation {
  readonly model: string;
  readonly system: string;
  readonly toolNames: readonly string[];
  /** Number of assistant messages so far: 0 for the first model call of a session. */
  readonly turn: number;
  /** The text of the first user message (the session's prompt). */
  readonly prompt: string;
  readonly toolResults: readonly ToolResultView[];
  /** The tool results in the last user message (answers to the previous turn's calls). */
  readonly lastToolResults: readonly ToolResultView[];
  /** A request with no tools: a side call (titles, summaries), not the main agent loop. */
  readonly isSideCall: boolean;
  readonly stream: boolean;
  readonly raw: Record<string, unknown>;
}

interface Block {
  type?: string;
  text?: string;
  id?: string;
  name?: string;
  input?: Record<string, unknown>;
  tool_use_id?: string;
  is_error?: boolean;
  content?: unknown;
}

interface Message {
  role?: string;
  content?: string | Block[];
}

const blocksOf = (m: Message): Block[] =>
  typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? m.content : [];

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b: Block) => (typeof b.text === 'string' ? b.text : '')).join('\n');
  return '';
}

export function readConversation(body: Record<string, unknown>): Conversation {
  const messages = (Array.isArray(body.messages) ? body.messages : []) as Message[];
  const tools = (Array.isArray(body.tools) ? body.tools : []) as { name?: string }[];
  const calls = new Map<string, { name: string; input: Record<string, unknown> }>();
  const results: ToolResultView[] = [];
  let lastResults: ToolResultView[] = [];
  for (const m of messages) {
    const blocks = blocksOf(m);
    if (m.role === 'assistant') {
      for (const b of blocks)
        if (b.type === 'tool_use' && b.id) calls.set(b.id, { name: b.name ?? '', input: b.input ?? {} });
    } else if (m.role === 'user') {
      const here = blocks
        .filter((b) => b.type === 'tool_result')
        .map((b) => {
          const call = calls.get(b.tool_use_id ?? '');
          return {
            toolUseId: b.tool_use_id ?? '',
            name: call?.name ?? '',
            input: call?.input ?? {},
            isError: b.is_error === true,
            text: textOf(b.content),
          };
        });
      results.push(...here);
      if (here.length > 0) lastResults = here;
    }
  }
  const firstUser = messages.find((m) => m.role === 'user');
  const system = Array.isArray(body.system) ? textOf(body.system) : typeof body.system === 'string' ? body.system : '';
  return {
    model: typeof body.model === 'string' ? body.model : '',
    system,
    toolNames: tools.map((t) => t.name ?? ''),
    turn: messages.filter((m) => m.role === 'assistant').length,
    prompt: firstUser
      ? blocksOf(firstUser)
          .map((b) => (b.type === 'text' ? (b.text ?? '') : ''))
          .join('\n')
      : '',
    toolResults: results,
    lastToolResults: lastResults,
    isSideCall: tools.length === 0,
    stream: body.stream === true,
    raw: body,
  };
}
