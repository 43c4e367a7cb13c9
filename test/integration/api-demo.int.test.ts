/**
 * POST /api/demo through createApp (app.request) with a temp AUTOCODER_HOME and HOME; the launcher is recorded, not
 * spawned.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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

  it('picks demo-2, demo-3 … when the name is taken (also by a folder), and takes a given name', async () => {
    const names: string[] = [];
    for (let i = 0; i < 2; i++)
      names.push(DemoResponseSchema.parse((await h.json('POST', '/api/demo', {})).body).project.name);
    mkdirSync(join(h.user, 'autocoder-projects', 'demo-3'));
    names.push(DemoResponseSchema.parse((await h.json('POST', '/api/demo', {})).body).project.name);
    names.push(DemoResponseSchema.parse((await h.json('POST', '/api/demo', { name: 'tour' })).body).project.name);
    names.push(DemoResponseSchema.parse((await h.json('POST', '/api/demo', { name: 'tour' })).body).project.name);
    expect(names).toEqual(['demo', 'demo-2', 'demo-4', 'tour', 'tour-2']);
    expect(h.launches.map(([p]) => p.name)).toEqual(names);
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
