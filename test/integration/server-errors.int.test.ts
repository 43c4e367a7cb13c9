/**
 * Failed requests: the request id, the 5xx body naming it and the server log holding the cause (createApp with real
 * routes).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openStoreCache } from '../../src/db/store-location.js';
import { createLogger, silentLogger } from '../../src/logging/logger.js';
import { createApp } from '../../src/server/app.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';
import { createPreviewManager } from '../../src/preview/preview-manager.js';
import { createBrowserViews } from '../../src/browser-view/browser-views.js';

type ErrorBody = { error: { code: string; message: string; requestId?: string } };
type LoggedError = { type: string; message: string; stack: string };

let h: ApiHarness;
beforeEach(() => {
  h = apiHarness();
});
afterEach(() => h.cleanup());

const TOKEN = 'b'.repeat(64);

/** The API with one extra route that fails the way a bug does (a plain Error with a cause). */
function appWithFailingRoute() {
  const lines: string[] = [];
  const app = createApp(
    {
      env: { AUTOCODER_HOME: h.home, HOME: h.user },
      cwd: h.work,
      now: () => Date.now(),
      stores: openStoreCache({ AUTOCODER_HOME: h.home, HOME: h.user }),
      guard: { port: 8888, extraHosts: [], token: TOKEN, tokenFile: 'server-token', maxBodyBytes: 1_000 },
      browserViews: createBrowserViews(),
      previews: createPreviewManager(silentLogger()),
      launchRunner: () => ({ pid: 0 }),
      logger: createLogger({ write: (line) => void lines.push(line) }, { level: 'info' }),
    },
    [
      (a) =>
        a.get('/api/fails', () => {
          throw new Error('the list could not be built', { cause: new Error('disk quota exceeded') });
        }),
    ],
  );
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.request(`http://localhost:8888${path}`, {
      headers: { host: 'localhost:8888', authorization: `Bearer ${TOKEN}`, ...headers },
    });
  return { get, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('a request that fails on the server (500)', () => {
  it('answers with a body that names the request id, also sent as X-Request-Id, and no stack', async () => {
    const { get } = appWithFailingRoute();
    const res = await get('/api/fails');
    expect(res.status).toBe(500);
    const body = (await res.json()) as ErrorBody;
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toEqual({
      error: {
        code: 'INTERNAL',
        message: `internal error (request ${id}); the server log has the details`,
        requestId: id,
      },
    });
    expect(JSON.stringify(body)).not.toContain('disk quota');
  });

  it('is logged once at error with that id, the route, and the error with its stack and cause', async () => {
    const { get, logs } = appWithFailingRoute();
    const res = await get('/api/fails');
    const id = res.headers.get('x-request-id');
    const errors = logs().filter((r) => r.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: 'request failed',
      requestId: id,
      method: 'GET',
      path: '/api/fails',
      status: 500,
    });
    const err = errors[0]?.err as LoggedError;
    expect(err.type).toBe('Error');
    expect(err.message).toBe('the list could not be built: disk quota exceeded');
    expect(err.stack).toContain('server-errors.int.test.ts');
  });

  it('keeps a request id the client sent', async () => {
    const { get, logs } = appWithFailingRoute();
    const res = await get('/api/fails', { 'x-request-id': 'ui-7f3a' });
    expect(res.headers.get('x-request-id')).toBe('ui-7f3a');
    expect(((await res.json()) as ErrorBody).error.requestId).toBe('ui-7f3a');
    expect(logs().find((r) => r.level === 'error')?.requestId).toBe('ui-7f3a');
  });

  it('an AppError that maps to 500 (a project database that cannot be opened) keeps its message and names the id', async () => {
    const root = await h.createProject('alpha');
    const db = projectPaths(root).database;
    rmSync(db, { force: true });
    mkdirSync(db); // a folder where the database file should be
    const res = await h.request('GET', '/api/projects/alpha/features');
    expect(res.status).toBe(500);
    const id = res.headers.get('x-request-id');
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('IO_ERROR');
    expect(body.error.requestId).toBe(id);
    expect(body.error.message).toMatch(
      new RegExp(
        `^cannot open ${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .+ \\(request ${id}; the server log has the details\\)$`,
      ),
    );
    const logged = h.logs().filter((r) => r.level === 'error');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ requestId: id, path: '/api/projects/alpha/features', status: 500 });
    expect((logged[0]?.err as LoggedError).stack).toContain('connection.ts');
  });
});

describe('a request the client must fix (4xx)', () => {
  it('is not logged as an error; its body stays { code, message } and the id is in the header', async () => {
    const res = await h.request('GET', '/api/projects/nobody/features');
    expect(res.status).toBe(404);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.requestId).toBeUndefined();
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.logs().filter((r) => r.level === 'error')).toEqual([]);
    expect(h.logs().filter((r) => r.msg === 'request refused')).toEqual([
      expect.objectContaining({
        level: 'debug',
        status: 404,
        code: 'NOT_FOUND',
        requestId: res.headers.get('x-request-id'),
      }),
    ]);
  });

  it('every request is logged at debug with its id, route, status and duration', async () => {
    const res = await h.request('GET', '/api/health');
    const requests = h.logs().filter((r) => r.msg === 'request');
    expect(requests).toEqual([
      expect.objectContaining({
        level: 'debug',
        requestId: res.headers.get('x-request-id'),
        method: 'GET',
        path: '/api/health',
        status: 200,
        ms: expect.any(Number),
      }),
    ]);
  });
});
