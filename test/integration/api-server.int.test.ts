/** Guards, setup checks, the filesystem browser, OpenAPI and the agent-control routes, through createApp. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsListResponseSchema, SetupStatusSchema } from '../../src/shared/api.js';
import { RunStatusSchema } from '../../src/shared/runs.js';
import { ROUTE_DOCS } from '../../src/server/routes/openapi.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';

let h: ApiHarness;
type ErrorBody = { error: { code: string; message: string; details?: { field?: string } } };

beforeEach(() => {
  h = apiHarness();
});
afterEach(() => h.cleanup());

describe('guards', () => {
  it('answers health with security headers', async () => {
    const res = await h.request('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'healthy' });
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('refuses a foreign Host (DNS rebinding)', async () => {
    expect((await h.request('GET', '/api/projects', undefined, { host: 'evil.example:8888' })).status).toBe(403);
  });

  it('refuses a foreign Origin on POST', async () => {
    const res = await h.request('POST', '/api/projects', { name: 'x' }, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
  });

  it('refuses a text/plain body with 415', async () => {
    const res = await h.request('POST', '/api/projects', JSON.stringify({ name: 'x' }), {
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(415);
  });

  it('refuses an oversized body with 413', async () => {
    const big = JSON.stringify({ name: 'x', spec: 'a'.repeat(1_100_000) });
    const res = await h.request('POST', '/api/projects', big, { 'content-length': String(Buffer.byteLength(big)) });
    expect(res.status).toBe(413);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await h.json<ErrorBody>('GET', '/api/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});

describe('setup status', () => {
  it('reports each check with id, ok, detail and fix', async () => {
    const res = await h.json('GET', '/api/setup/status');
    expect(res.status).toBe(200);
    const status = SetupStatusSchema.parse(res.body);
    expect(status.checks.map((c) => c.id)).toEqual(['claude_code', 'credentials', 'git', 'chromium', 'sandbox']);
    // The harness passes no credentials and a HOME without ~/.claude.
    expect(status.checks.find((c) => c.id === 'credentials')).toMatchObject({
      ok: false,
      fix: expect.stringContaining('ANTHROPIC_API_KEY'),
    });
    expect(status.checks.find((c) => c.id === 'git')?.ok).toBe(true);
    expect(status.ok).toBe(false);
  });
});

describe('filesystem browser', () => {
  beforeEach(() => {
    for (const d of ['projects', 'b-dir', '.hidden', '.ssh', '.aws', '.config/gcloud', '.config/app'])
      mkdirSync(join(h.user, d), { recursive: true });
    writeFileSync(join(h.user, 'a-file.txt'), 'x');
    writeFileSync(join(h.user, '.netrc'), 'secret');
  });

  it('lists HOME by default: folders first, hidden and secret entries left out', async () => {
    const res = await h.json('GET', '/api/filesystem/list');
    expect(res.status).toBe(200);
    const list = FsListResponseSchema.parse(res.body);
    expect(list.path).toBe(h.user);
    expect(list.parent).toBe(h.root);
    expect(list.entries).toEqual([
      { name: 'b-dir', isDir: true },
      { name: 'projects', isDir: true },
      { name: 'a-file.txt', isDir: false },
    ]);
  });

  it('shows hidden entries with showHidden=true but never secrets', async () => {
    const list = FsListResponseSchema.parse(
      (await h.json('GET', `/api/filesystem/list?path=${encodeURIComponent(h.user)}&showHidden=true`)).body,
    );
    const names = list.entries.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['.hidden', '.config']));
    for (const secret of ['.ssh', '.aws', '.netrc']) expect(names).not.toContain(secret);
    const config = FsListResponseSchema.parse(
      (await h.json('GET', `/api/filesystem/list?path=${encodeURIComponent(join(h.user, '.config'))}&showHidden=true`))
        .body,
    );
    expect(config.entries.map((e) => e.name)).toEqual(['app']);
  });

  it('hides autocoder home from its parent listing', async () => {
    const list = FsListResponseSchema.parse(
      (await h.json('GET', `/api/filesystem/list?path=${encodeURIComponent(h.root)}`)).body,
    );
    expect(list.entries.map((e) => e.name)).toEqual(['user', 'work']);
  });

  it.each([
    ['a .. segment', (u: string) => `${u}/../user`],
    ['an encoded dot', (u: string) => `${u}/%2e%2e`],
    ['a NUL', (u: string) => `${u}\u0000x`],
    ['a UNC path', () => '\\\\server\\share'],
    ['a // path', () => '//server/share'],
    ['a relative path', () => 'relative/dir'],
  ])('400 for %s', async (_label, make) => {
    const res = await h.json<ErrorBody>('GET', `/api/filesystem/list?path=${encodeURIComponent(make(h.user))}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details?.field).toBe('path');
  });

  it('400 for the literal traversal in the raw query too', async () => {
    expect((await h.request('GET', `/api/filesystem/list?path=${h.user}/../user`)).status).toBe(400);
    expect((await h.request('GET', `/api/filesystem/list?path=${h.user}/%252e%252e`)).status).toBe(400);
  });

  it.each(['.ssh', '.aws', '.config/gcloud'])('403 for the secret folder %s', async (secret) => {
    expect(
      (await h.request('GET', `/api/filesystem/list?path=${encodeURIComponent(join(h.user, secret))}`)).status,
    ).toBe(403);
  });

  it('403 for autocoder home and for a symlink into a secret folder', async () => {
    expect((await h.request('GET', `/api/filesystem/list?path=${encodeURIComponent(h.home)}`)).status).toBe(403);
    symlinkSync(join(h.user, '.ssh'), join(h.user, 'innocent'));
    expect(
      (await h.request('GET', `/api/filesystem/list?path=${encodeURIComponent(join(h.user, 'innocent'))}`)).status,
    ).toBe(403);
  });

  it('404 for a missing folder and 400 for a file', async () => {
    expect(
      (await h.request('GET', `/api/filesystem/list?path=${encodeURIComponent(join(h.user, 'missing'))}`)).status,
    ).toBe(404);
    expect(
      (await h.request('GET', `/api/filesystem/list?path=${encodeURIComponent(join(h.user, 'a-file.txt'))}`)).status,
    ).toBe(400);
  });
});

describe('openapi', () => {
  it('documents every route the app registers, with request and response schemas', async () => {
    const res = await h.json<{
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    }>('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const registered = h.app.routes
      .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`);
    const documented = Object.entries(res.body.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    expect(new Set(documented)).toEqual(new Set(registered));
    expect(res.body.paths['/api/projects']?.post?.requestBody).toBeDefined();
    expect(res.body.paths['/api/projects/{name}/features/{id}']?.patch?.responses['200']).toBeDefined();
    expect(ROUTE_DOCS.length).toBe(registered.length);
  });
});

describe('agent control', () => {
  beforeEach(async () => {
    await h.createProject('todo');
  });

  it('reports a stopped project', async () => {
    const res = await h.json('GET', '/api/projects/todo/agent/status');
    expect(res.status).toBe(200);
    expect(RunStatusSchema.parse(res.body)).toMatchObject({
      status: 'stopped',
      runId: null,
      pid: null,
      agents: [],
      pauseRequested: false,
    });
  });

  it('starts a run through the launcher (202)', async () => {
    const res = await h.json('POST', '/api/projects/todo/agent/start', { model: 'claude-sonnet-4-5', yolo: true });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'starting', pid: 0 });
    expect(h.launches).toHaveLength(1);
    expect(h.launches[0]?.[0].name).toBe('todo');
    expect(h.launches[0]?.[1]).toEqual({ model: 'claude-sonnet-4-5', yolo: true });
  });

  it('passes parallel settings to the runner, and refuses concurrency 6 or a testing ratio of 4 naming the field', async () => {
    const res = await h.json('POST', '/api/projects/todo/agent/start', { concurrency: 3, testingRatio: 1 });
    expect(res.status).toBe(202);
    expect(h.launches[0]?.[1]).toEqual({ concurrency: 3, testingRatio: 1 });
    for (const [field, body] of [
      ['concurrency', { concurrency: 6 }],
      ['testingRatio', { testingRatio: 4 }],
    ] as const) {
      const bad = await h.json<ErrorBody>('POST', '/api/projects/todo/agent/start', body);
      expect(bad.status).toBe(400);
      expect(bad.body.error.details?.field).toBe(field);
    }
    expect(h.launches).toHaveLength(1);
  });

  it('refuses to start while a run is active (409)', async () => {
    h.fakeActiveRun('todo');
    expect((await h.request('POST', '/api/projects/todo/agent/start', {})).status).toBe(409);
    expect(h.launches).toEqual([]);
    expect(RunStatusSchema.parse((await h.json('GET', '/api/projects/todo/agent/status')).body)).toMatchObject({
      status: 'running',
      pid: process.pid,
      runId: 'run-1',
    });
  });

  it('pause with no run is a 409; resume answers the status', async () => {
    expect((await h.request('POST', '/api/projects/todo/agent/pause')).status).toBe(409);
    expect((await h.request('POST', '/api/projects/todo/agent/stop')).status).toBe(409);
    const resume = await h.json('POST', '/api/projects/todo/agent/resume');
    expect(resume.status).toBe(200);
    RunStatusSchema.parse(resume.body);
  });

  it('404 for an unknown project', async () => {
    expect((await h.request('POST', '/api/projects/nope/agent/start', {})).status).toBe(404);
  });
});
