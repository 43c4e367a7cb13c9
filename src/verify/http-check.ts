import type { HttpCheck } from '../shared/acceptance.js';
import type { Redactor } from '../security/redactor.js';
import type { CheckOutcome } from './command-check.js';
import { seconds } from './command-check.js';
import { httpFailure } from './expectations.js';
import { keepEnd } from './output.js';
import { timeLimit } from './bounded.js';

/** The most of a response body read (and matched); the rest is dropped. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Redirects followed on the app's own origin; one to anywhere else is not followed at all. */
const MAX_REDIRECTS = 5;

export interface HttpRun {
  /** `http://127.0.0.1:<port>`: the only origin requests go to. */
  readonly origin: string;
  readonly timeoutMs: number;
  readonly redact: Redactor;
  readonly outputChars: number;
}

/**
 * An HTTP check: the request goes to the app on the verification port (method, headers, a JSON
 * body), within its time limit; redirects are followed only on the app's origin. `expect`
 * decides on the status (default 2xx), the body text and the JSON (a subset match).
 */
export async function runHttpCheck(check: HttpCheck, run: HttpRun, signal: AbortSignal): Promise<CheckOutcome> {
  const started = Date.now();
  const limiter = timeLimit(run.timeoutMs, signal);
  const limit = limiter.signal;
  const lines: string[] = [];
  const done = (failure: string | null): CheckOutcome => {
    limiter.clear();
    return outcome(failure);
  };
  const outcome = (failure: string | null): CheckOutcome => ({
    passed: failure === null,
    output: keepEnd(run.redact(lines.join('\n')), run.outputChars),
    failure: failure === null ? null : run.redact(failure),
    durationMs: Date.now() - started,
    evidence: [],
  });
  if (check.body !== undefined && (check.method === 'GET' || check.method === 'HEAD')) {
    lines.push(`${check.method} ${check.path}`);
    return done(`a ${check.method} request cannot carry a body; use POST, PUT or PATCH, or drop "body"`);
  }
  let url = new URL(check.path, run.origin);
  let method: string = check.method;
  let body = check.body === undefined ? undefined : JSON.stringify(check.body);
  const headers: Record<string, string> = {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...check.headers,
  };
  try {
    for (let redirects = 0; ; redirects += 1) {
      const res = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        redirect: 'manual',
        signal: limit,
      });
      const where = `${url.pathname}${url.search}`;
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location !== null) {
        const next = new URL(location, url);
        lines.push(`${method} ${where} → ${res.status} ${res.statusText}, location: ${location}`);
        await res.body?.cancel();
        if (next.origin !== run.origin) {
          lines.push(`(not followed: ${next.origin} is not the app's origin)`);
          return done(httpFailure(check.expect, { status: res.status, body: '' }));
        }
        if (redirects >= MAX_REDIRECTS) return done(`more than ${MAX_REDIRECTS} redirects`);
        // As browsers do: 303 (and 301/302 after a POST) turn into a GET without a body.
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        url = next;
        continue;
      }
      const { text, cut } = await readBody(res);
      lines.push(
        `${method} ${where} → ${res.status} ${res.statusText}${res.headers.get('content-type') ? ` (${res.headers.get('content-type')})` : ''}`,
      );
      if (text.length > 0) lines.push(text);
      if (cut) lines.push(`[… the body goes on; only its first ${MAX_BODY_BYTES} bytes were read]`);
      return done(httpFailure(check.expect, { status: res.status, body: text }));
    }
  } catch (err: unknown) {
    lines.push(`${method} ${url.pathname}${url.search}`);
    if (signal.aborted) return done('the verification was aborted during the request');
    if (limit.aborted) return done(`no answer within ${seconds(run.timeoutMs)}`);
    const cause =
      err instanceof Error && err.cause instanceof Error
        ? err.cause.message
        : err instanceof Error
          ? err.message
          : String(err);
    return done(`the request failed: ${cause}`);
  }
}

/** The body as text, at most MAX_BODY_BYTES of it (`cut` when there was more). */
async function readBody(res: Response): Promise<{ text: string; cut: boolean }> {
  if (res.body === null) return { text: '', cut: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let cut = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      cut = true;
      await reader.cancel();
      break;
    }
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES)), cut };
}
