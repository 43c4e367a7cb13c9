/**
 * The one error type of autocoder. Every failure that crosses a boundary (CLI, MCP, HTTP)
 * carries a stable code; each edge maps codes to its own form (exit code, isError result,
 * HTTP status) in exactly one place.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'DUPLICATE',
  'DEPENDENCY_CYCLE',
  'INVALID_TRANSITION',
  'CLAIM_LOST',
  /** A change that widens what agents may do was sent without `confirm`. */
  'CONFIRMATION_REQUIRED',
  'SCHEMA_TOO_NEW',
  'DB_CORRUPT',
  'IO_ERROR',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /**
   * What an agent should do next, in its own terms (tool names): added to the message only where the model reads it
   * (MCP tool results), never where a person does (HTTP, CLI, the web UI).
   */
  readonly agentHint: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown; agentHint?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
    this.agentHint = options.agentHint;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** A readable message for anything thrown; never a stack trace. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
