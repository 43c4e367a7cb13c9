/** Text of an event payload value: strings as they are, anything else as JSON. */
export function payloadText(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
}

/**
 * The line one `session.log` event shows (agent text, a tool call, a tool result or a retry).
 * `arrows` marks calls with → and results with ← for plain-text output.
 */
export function sessionLogText(payload: Record<string, unknown>, options: { arrows?: boolean } = {}): string {
  const call = options.arrows ? '→ ' : '';
  const result = options.arrows ? '← ' : '';
  switch (payload.kind) {
    case 'text':
      return payloadText(payload.text);
    case 'tool_call':
      return `${call}${payloadText(payload.tool)} ${payloadText(payload.input)}`.trim();
    case 'tool_result':
      return `${result}${payload.isError === true ? 'error: ' : ''}${payloadText(payload.text)}`;
    case 'retry':
      return `retry ${payloadText(payload.attempt)} (${payloadText(payload.status)}): ${payloadText(payload.error)}`;
    default:
      return payloadText(payload.text ?? payload);
  }
}
