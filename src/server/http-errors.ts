import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ErrorCode } from '../domain/errors.js';

/** The one mapping from error codes to HTTP statuses. Bodies are `{ error: { code, message, details? } }`, never a stack. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, ContentfulStatusCode>> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  DUPLICATE: 409,
  DEPENDENCY_CYCLE: 409,
  INVALID_TRANSITION: 409,
  CLAIM_LOST: 409,
  CONFIRMATION_REQUIRED: 409,
  SCHEMA_TOO_NEW: 422,
  DB_CORRUPT: 422,
  IO_ERROR: 500,
  INTERNAL: 500,
};

export function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof AppError) {
    return c.json({ error: err.toJSON() }, HTTP_STATUS[err.code]);
  }
  return c.json({ error: { code: 'INTERNAL', message: 'internal error; see the server log' } }, 500);
}
