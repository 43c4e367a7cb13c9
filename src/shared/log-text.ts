import type { SessionLogPayload } from './events.js';

/**
 * The line one `session.log` event shows (agent text, a tool call, a tool result or a retry).
 * `arrows` marks calls with → and results with ← for plain-text output.
 */
export function sessionLogText(payload: SessionLogPayload, options: { arrows?: boolean } = {}): string {
  const call = options.arrows ? '→ ' : '';
  const result = options.arrows ? '← ' : '';
  switch (payload.kind) {
    case 'text':
      return payload.text;
    case 'tool_call':
      return `${call}${payload.tool} ${payload.input}`.trim();
    case 'tool_result':
      return `${result}${payload.isError ? 'error: ' : ''}${payload.text}`;
    case 'retry':
      return `retry ${payload.attempt} (${payload.status === null ? '' : payload.status}): ${payload.error}`;
  }
}
