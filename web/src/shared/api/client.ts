import type { z } from 'zod';
import { ErrorBodySchema } from '@shared/api';
import { markTokenRejected, serverToken } from './token';

/** An HTTP error from the API, with the server's code and message (or a network failure). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** The request field the server blamed, when it named one. */
  get field(): string | undefined {
    const f = this.details?.['field'];
    return typeof f === 'string' ? f : undefined;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Where the API lives: this page's origin (''), or a server URL when the client runs outside a page (component tests).
 */
let apiBase = '';
export function setApiBase(base: string): void {
  apiBase = base.replace(/\/$/, '');
}

/**
 * Calls the API and parses the response with the shared schema: a response of the wrong shape
 * is an error here, never a cast. Error bodies become ApiError with the server's message.
 */
export async function api<S extends z.ZodType>(
  schema: S,
  method: Method,
  path: string,
  body?: unknown,
): Promise<z.infer<S>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = serverToken();
  if (token) headers['authorization'] = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(apiBase + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(
      0,
      'NETWORK',
      `the server cannot be reached (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', `the server answered ${res.status} with something that is not JSON`);
  }
  if (!res.ok) {
    // No token, or not this server's: the app asks for it (see App and TokenPrompt).
    if (res.status === 401) markTokenRejected();
    const parsed = ErrorBodySchema.safeParse(json);
    if (parsed.success)
      throw new ApiError(res.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.details);
    throw new ApiError(res.status, 'HTTP_ERROR', `the server answered ${res.status}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      res.status,
      'BAD_RESPONSE',
      `unexpected response from ${path}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  return parsed.data;
}

export const enc = encodeURIComponent;
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
