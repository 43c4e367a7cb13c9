import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { bearerToken, tokenMatches } from './server-token.js';

export interface GuardOptions {
  /** The port the server listens on (Host and Origin must name it). */
  readonly port: number;
  /** Extra host names accepted besides loopback (when bound to another address). */
  readonly extraHosts: readonly string[];
  /** Required as `Authorization: Bearer <token>` on every `/api` request but health, loopback included. */
  readonly token: string;
  /** Where the token is kept, named in 401 answers. */
  readonly tokenFile: string;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Host names (with the port) this server answers to; anything else may be DNS rebinding. */
export function allowedHosts(o: GuardOptions): Set<string> {
  return new Set([...LOOPBACK, ...o.extraHosts].map((h) => `${h}:${o.port}`));
}

export function allowedOrigins(o: GuardOptions): Set<string> {
  return new Set([...allowedHosts(o)].map((h) => `http://${h}`));
}

/** True when the Origin header is absent (non-browser client) or names this server exactly. */
export function originAllowed(origin: string | undefined, o: GuardOptions): boolean {
  return origin === undefined || allowedOrigins(o).has(origin);
}

/**
 * Who sent a request, for the record of settings changes: `ui` when it carries this server's
 * own Origin (the web UI in a browser), `api` otherwise. A label, not a proof: any client
 * holding the token can send that header.
 */
export function requestOrigin(origin: string | undefined, o: GuardOptions): 'ui' | 'api' {
  return origin !== undefined && allowedOrigins(o).has(origin) ? 'ui' : 'api';
}

/** Everything but the liveness check and the static UI (which must load to read `#token=`) needs the token. */
export function needsToken(method: string, path: string): boolean {
  const read = method === 'GET' || method === 'HEAD';
  if (path === '/api/health') return !read;
  return path.startsWith('/api') || path.startsWith('/ws') || !read;
}

/** The 401 text of the API and the WebSocket: where the token is and how to open the UI with it. */
export function unauthorizedMessage(o: GuardOptions): string {
  return `this server needs its token: send "Authorization: Bearer <token>" with the token from ${o.tokenFile}; open the web UI with the http://127.0.0.1:${o.port}/#token=… link that \`autocoder serve\` prints at every start (or paste the token when the page asks)`;
}

/**
 * Safe defaults for a local control plane: refuse foreign Host headers (DNS rebinding),
 * requests without the server token (loopback included: agents run on this machine),
 * foreign Origins on state-changing requests, non-JSON bodies and oversized bodies; send CSP,
 * frame-ancestors 'none' and no-referrer.
 */
export function securityGuards(o: GuardOptions): MiddlewareHandler {
  const hosts = allowedHosts(o);
  const limitBody = bodyLimit({
    maxSize: o.maxBodyBytes,
    onError: (c) =>
      c.json({ error: { code: 'TOO_LARGE', message: `request bodies are limited to ${o.maxBodyBytes} bytes` } }, 413),
  });
  return async (c, next) => {
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!hosts.has(host.toLowerCase())) {
      return c.json(
        {
          error: {
            code: 'FORBIDDEN_HOST',
            message: `Host "${host}" is not this server; open it as http://localhost:${o.port}`,
          },
        },
        403,
      );
    }
    if (needsToken(c.req.method, c.req.path) && !tokenMatches(bearerToken(c.req.header('authorization')), o.token)) {
      c.header('WWW-Authenticate', 'Bearer realm="autocoder"');
      return c.json({ error: { code: 'UNAUTHORIZED', message: unauthorizedMessage(o) } }, 401);
    }
    if (UNSAFE.has(c.req.method)) {
      if (!originAllowed(c.req.header('origin'), o)) {
        return c.json({ error: { code: 'FORBIDDEN_ORIGIN', message: 'cross-origin requests are not accepted' } }, 403);
      }
      const hasBody =
        Number(c.req.header('content-length') ?? '0') > 0 || c.req.header('transfer-encoding') !== undefined;
      if (hasBody && !/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
        return c.json(
          { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send request bodies as application/json' } },
          415,
        );
      }
      // bodyLimit counts streamed (chunked) bodies too, not just the declared length.
      const refused = await limitBody(c, next);
      if (refused instanceof Response) c.res = refused;
    } else {
      await next();
    }
    c.header(
      'Content-Security-Policy',
      "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; font-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Content-Type-Options', 'nosniff');
    return undefined;
  };
}
