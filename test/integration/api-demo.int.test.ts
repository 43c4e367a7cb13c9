/**
 * POST /api/demo through createApp (app.request) with a temp AUTOCODER_HOME and HOME; the launcher is recorded, not
 * spawned.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { DEMO_SPEC } from '../../src/demo/demo-spec.js';
import { DemoResponseSchema, ProjectSettingsSchema, SpecResponseSchema } from '../../src/shared/api.js';
import { DEMO_MODEL } from '../../src/shared/runs.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';

// Starts real servers, git repositories or jails: slower than a unit test on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });

let h: ApiHarness;
type ErrorBody = { error: { code: string; message: string; details?: { field?: string } } };

beforeEach(() => {
  h = apiHarness();
});
afterEach(() => h.cleanup());

describe('POST /api/demo', () => {
  it('creates the demo project in ~/autocoder-projects with the demo spec and settings, and starts its run with the demo model (201)', async () => {
    const res = await h.json('POST', '/api/demo', {});
    expect(res.status).toBe(201);
    const demo = DemoResponseSchema.parse(res.body);
    const dir = join(h.user, 'autocoder-projects', 'demo');
    expect(demo.project).toMatchObject({
      name: 'demo',
      path: dir,
      exists: true,
      hasSpec: true,
      stats: { total: 0, passing: 0 },
    });
    expect(demo.run).toMatchObject({
      status: 'starting',
      pid: 0,
      runId: null,
      agents: [],
      settings: { model: DEMO_MODEL },
    });
    expect(readFileSync(projectPaths(dir).spec, 'utf8')).toBe(DEMO_SPEC);
    expect(existsSync(join(dir, '.git'))).toBe(true);

    // Started the way the Start button starts a run, with the demo model.
    expect(h.launches).toHaveLength(1);
    expect(h.launches[0]?.[0]).toMatchObject({ name: 'demo', paths: { root: dir } });
    expect(h.launches[0]?.[1]).toEqual({ model: DEMO_MODEL, yolo: true });

    // Start pressed later (no model in the request) runs the demo model again: it is the project's default.
    const settings = ProjectSettingsSchema.parse((await h.json('GET', '/api/projects/demo/settings')).body);
    expect(settings).toMatchObject({ defaultModel: DEMO_MODEL, yolo: true });
    const spec = SpecResponseSchema.parse((await h.json('GET', '/api/projects/demo/spec')).body);
    expect(spec.check?.ok).toBe(true);
  });

  it('a second Try the demo names the existing demo project (409, field reuse) and creates nothing', async () => {
    await h.json('POST', '/api/demo', {});
    const res = await h.json<ErrorBody & { error: { details?: { project?: string } } }>('POST', '/api/demo', {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(res.body.error.details).toMatchObject({ field: 'reuse', project: 'demo' });
    expect(res.body.error.message).toContain('run it again');
    expect(h.launches).toHaveLength(1);
    const list = (await h.json<{ projects: { name: string }[] }>('GET', '/api/projects')).body.projects;
    expect(list.map((p) => p.name)).toEqual(['demo']);
  });

  it('reuse "again" runs the same demo project again (200); with its run active it starts nothing', async () => {
    const first = DemoResponseSchema.parse((await h.json('POST', '/api/demo', {})).body);
    expect(first.outcome).toBe('created');
    const again = await h.json('POST', '/api/demo', { reuse: 'again' });
    expect(again.status).toBe(200);
    const body = DemoResponseSchema.parse(again.body);
    expect(body).toMatchObject({ outcome: 'again', project: { name: 'demo', path: first.project.path } });
    expect(body.run).toMatchObject({ status: 'starting', runId: null, settings: { model: DEMO_MODEL } });
    expect(h.launches.map(([p, r]) => [p.name, r])).toEqual([
      ['demo', { model: DEMO_MODEL, yolo: true }],
      ['demo', { model: DEMO_MODEL, yolo: true }],
    ]);

    h.fakeActiveRun('demo');
    const running = DemoResponseSchema.parse((await h.json('POST', '/api/demo', { reuse: 'again' })).body);
    expect(running.outcome).toBe('again');
    expect(running.run.status).toBe('running');
    expect(h.launches).toHaveLength(2);
    const list = (await h.json<{ projects: { name: string }[] }>('GET', '/api/projects')).body.projects;
    expect(list.map((p) => p.name)).toEqual(['demo']);
  });

  it('reuse "fresh" replaces the demo project (folder and backlog) under the same name; refused while it runs', async () => {
    const first = DemoResponseSchema.parse((await h.json('POST', '/api/demo', {})).body);
    const leftover = join(first.project.path, 'leftover.txt');
    writeFileSync(leftover, 'from the first copy');
    const old = h.store('demo');
    try {
      old.features.create({ category: 'functional', name: 'Old feature', description: 'd', steps: ['s'] });
    } finally {
      old.close();
    }

    const fresh = await h.json('POST', '/api/demo', { reuse: 'fresh' });
    expect(fresh.status).toBe(201);
    const body = DemoResponseSchema.parse(fresh.body);
    expect(body).toMatchObject({
      outcome: 'fresh',
      project: { name: 'demo', path: first.project.path, hasSpec: true },
    });
    expect(body.project.stats).toMatchObject({ total: 0 });
    expect(existsSync(leftover)).toBe(false);
    expect(h.launches).toHaveLength(2);

    h.fakeActiveRun('demo');
    const refused = await h.json<ErrorBody>('POST', '/api/demo', { reuse: 'fresh' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/run of demo is active .*stop it/);
    expect(h.launches).toHaveLength(2);
  });

  it('never reuses a project of the person’s named demo: the demo goes to demo-2 (also past a folder), then is reused', async () => {
    await h.createProject('demo');
    mkdirSync(join(h.user, 'autocoder-projects', 'demo-2'), { recursive: true });
    const created = DemoResponseSchema.parse((await h.json('POST', '/api/demo', {})).body);
    expect(created).toMatchObject({ outcome: 'created', project: { name: 'demo-3' } });
    const again = DemoResponseSchema.parse((await h.json('POST', '/api/demo', { reuse: 'again' })).body);
    expect(again.project.name).toBe('demo-3');
    // A given name is the demo project looked for.
    const tour = DemoResponseSchema.parse((await h.json('POST', '/api/demo', { name: 'tour' })).body);
    expect(tour).toMatchObject({ outcome: 'created', project: { name: 'tour' } });
    expect((await h.json('POST', '/api/demo', { name: 'tour' })).status).toBe(409);
    expect(h.launches.map(([p]) => p.name)).toEqual(['demo-3', 'demo-3', 'tour']);
  });

  it('400 for an unknown reuse', async () => {
    const res = await h.json<ErrorBody>('POST', '/api/demo', { reuse: 'twice' });
    expect(res.status).toBe(400);
    expect(res.body.error.details?.field).toBe('reuse');
  });

  it('accepts an empty body', async () => {
    const res = await h.request('POST', '/api/demo', '');
    expect(res.status).toBe(201);
  });

  it.each([
    ['bad name', { name: 'Not A Name' }, 'name'],
    ['wrong type', { name: 7 }, 'name'],
    ['unknown field', { model: 'claude-opus' }, 'model'],
    ['not an object', [], 'body'],
  ])('400 for %s, and creates nothing', async (_label, input, field) => {
    const res = await h.json<ErrorBody>('POST', '/api/demo', input);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_INPUT');
    expect(res.body.error.details?.field).toBe(field);
    expect(h.launches).toEqual([]);
    expect(existsSync(join(h.user, 'autocoder-projects'))).toBe(false);
  });

  it('400 for a body that is not JSON', async () => {
    expect((await h.request('POST', '/api/demo', '{nope')).status).toBe(400);
  });

  it('applies the POST guards: JSON only (415), same origin only (403)', async () => {
    expect((await h.request('POST', '/api/demo', '{}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await h.request('POST', '/api/demo', '{}', { origin: 'http://evil.example' })).status).toBe(403);
    expect(h.launches).toEqual([]);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await h.json<{
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    }>('GET', '/api/openapi.json');
    const op = doc.body.paths['/api/demo']?.post;
    expect(op?.requestBody).toBeDefined();
    expect(op?.responses['201']).toBeDefined();
  });
});
