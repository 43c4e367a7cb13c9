import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ErrorCode } from '../domain/errors.js';
import type { Logger } from '../logging/logger.js';

/**
 * The one mapping from error codes to HTTP statuses. Bodies are `{ error: { code, message, details? } }` (and the
 * `requestId` of a 5xx), never a stack.
 */
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

/**
 * The error response of a failed request. A 5xx is logged with its cause (the stack and any
 * `cause` chain) under the request id, and the body names that id, so "what went wrong" can be
 * found in the server log; a 4xx is the client's to fix and is logged at debug only.
 */
export function errorResponse(c: Context, err: unknown, logger: Logger): Response {
  const requestId = c.get('requestId');
  const status = err instanceof AppError ? HTTP_STATUS[err.code] : 500;
  const where = { requestId, method: c.req.method, path: c.req.path, status };
  if (status >= 500) logger.error({ ...where, err }, 'request failed');
  else logger.debug({ ...where, code: err instanceof AppError ? err.code : undefined }, 'request refused');
  if (err instanceof AppError) {
    const body = err.toJSON();
    if (status < 500) return c.json({ error: body }, status);
    return c.json(
      {
        error: {
          ...body,
          message: `${body.message} (request ${requestId}; the server log has the details)`,
          requestId,
        },
      },
      status,
    );
  }
  return c.json(
    {
      error: {
        code: 'INTERNAL',
        message: `internal error (request ${requestId}); the server log has the details`,
        requestId,
      },
    },
    500,
  );
}
