import type { SessionLogPayload } from './events.js';
import { toolCallLine, toolInputDetail, toolResultLine } from './tool-call-text.js';

/**
 * The line one `session.log` event shows (agent text, a tool call as one line, a tool result folded to its first
 * line, or a retry). `arrows` marks calls with → and results with ← for plain-text output.
 */
export function sessionLogText(payload: SessionLogPayload, options: { arrows?: boolean } = {}): string {
  const call = options.arrows ? '→ ' : '';
  const result = options.arrows ? '← ' : '';
  switch (payload.kind) {
    case 'text':
      return payload.text;
    case 'tool_call':
      return `${call}${payload.line ?? toolCallLine(payload.tool, payload.input)}`;
    case 'tool_result':
      return `${result}${toolResultLine(payload.text, payload.isError, payload.tool)}`;
    case 'retry':
      return `retry ${payload.attempt} (${payload.status === null ? '' : payload.status}): ${payload.error}`;
  }
}

/** What a log line folds, for whoever opens it: a call's whole input, a result's whole text (none for the rest). */
export function sessionLogDetail(payload: SessionLogPayload): string | undefined {
  if (payload.kind === 'tool_call') return toolInputDetail(payload.input);
  if (payload.kind === 'tool_result') return payload.text.trim() === '' ? undefined : payload.text;
  return undefined;
}
