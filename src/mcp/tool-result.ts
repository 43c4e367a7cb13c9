import { AppError, errorMessage } from '../domain/errors.js';

/** The MCP CallToolResult shape our handlers return (kept structural to avoid coupling to one SDK). */
export interface ToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  isError?: boolean;
}

export function ok(value: unknown): ToolResult {
  return { content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }] };
}

/** A failure the agent can act on: the message says what went wrong and what to do next. */
export function toolError(message: string): ToolResult {
  return { content: [{ type: 'text', text: `Error: ${message}` }], isError: true };
}

export function fromError(err: unknown): ToolResult {
  if (err instanceof AppError)
    return toolError(err.agentHint ? `${err.message}.\nNext: ${err.agentHint}.` : err.message);
  return toolError(`internal error: ${errorMessage(err)}. Report this; do not retry the same call in a loop.`);
}
