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

/** Sends one request with the server token; a network failure is an ApiError (status 0). */
async function send(method: Method, path: string, body: unknown, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = serverToken();
  if (token) headers['authorization'] = `Bearer ${token}`;
  try {
    return await fetch(apiBase + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(
      0,
      'NETWORK',
      `the server cannot be reached (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

/** The ApiError of a response that is not ok, with the server's message when its body says one. */
function failure(res: Response, json: unknown): ApiError {
  // No token, or not this server's: the app asks for it (see App and TokenPrompt).
  if (res.status === 401) markTokenRejected();
  const parsed = ErrorBodySchema.safeParse(json);
  if (parsed.success)
    return new ApiError(res.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.details);
  return new ApiError(res.status, 'HTTP_ERROR', `the server answered ${res.status}`);
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
  const res = await send(method, path, body, 'application/json');
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', `the server answered ${res.status} with something that is not JSON`);
  }
  if (!res.ok) throw failure(res, json);
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

/** The JSON of an error body, or null when it is not JSON (the status alone then says what went wrong). */
function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null; // not JSON: failure() falls back to the status
  }
}

/**
 * Fetches a file the API serves (an evidence screenshot, a trace, a log) as bytes. A page cannot
 * put the token on an `<img src>` or a link, so files come through here (images are then shown
 * from a `data:` URL, downloads saved from a blob).
 */
export async function apiFile(path: string): Promise<Blob> {
  const res = await send('GET', path, undefined, '*/*');
  if (!res.ok) throw failure(res, parseOrNull(await res.text()));
  return res.blob();
}

/**
 * Opens a response the server streams (server-sent events): a page cannot put the token on an EventSource, so the
 * stream comes through fetch, which does. Aborting `signal` closes it (and, on the server, ends what it fed).
 */
export async function apiStream(path: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  const token = serverToken();
  if (token) headers['authorization'] = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(apiBase + path, { method: 'GET', headers, signal });
  } catch (err) {
    throw new ApiError(
      0,
      'NETWORK',
      `the server cannot be reached (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (!res.ok) throw failure(res, parseOrNull(await res.text()));
  if (!res.body) throw new ApiError(res.status, 'BAD_RESPONSE', `the server answered ${path} without a body`);
  return res.body;
}

export const enc = encodeURIComponent;
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
