/** Project, spec, settings and event routes through createApp (app.request) with a temp AUTOCODER_HOME. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import {
  EventsResponseSchema,
  GlobalSettingsResponseSchema,
  ProjectListSchema,
  ProjectSettingsSchema,
  ProjectSummarySchema,
  SpecResponseSchema,
} from '../../src/shared/api.js';
import { apiHarness, VALID_SPEC, type ApiHarness } from '../support/api-app.js';

let h: ApiHarness;
type ErrorBody = { error: { code: string; message: string; details?: { field?: string; problems?: unknown[] } } };

beforeEach(() => {
  h = apiHarness();
});
afterEach(() => h.cleanup());

describe('projects', () => {
  it('creates a project in ~/autocoder-projects by default (never in the server folder) and lists it with stats', async () => {
    const res = await h.json('POST', '/api/projects', { name: 'todo' });
    expect(res.status).toBe(201);
    const created = ProjectSummarySchema.parse(res.body);
    expect(created).toMatchObject({
      name: 'todo',
      path: join(h.user, 'autocoder-projects', 'todo'),
      hasSpec: false,
      exists: true,
    });
    expect(existsSync(join(h.user, 'autocoder-projects', 'todo', '.autocoder', 'autocoder.db'))).toBe(true);
    expect(existsSync(join(h.work, 'todo'))).toBe(false);
    const list = ProjectListSchema.parse((await h.json('GET', '/api/projects')).body);
    expect(list.projects).toEqual([
      expect.objectContaining({
        name: 'todo',
        stats: expect.objectContaining({ total: 0, passing: 0, percentage: 0 }),
      }),
    ]);
  });

  it('creates a project at a given path with a valid spec', async () => {
    const path = join(h.root, 'elsewhere', 'app');
    const res = await h.json('POST', '/api/projects', { name: 'app', path, spec: VALID_SPEC });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ path, hasSpec: true });
    expect(readFileSync(projectPaths(path).spec, 'utf8')).toBe(VALID_SPEC);
  });

  it('refuses an invalid spec with the problems and creates nothing', async () => {
    const res = await h.json<ErrorBody>('POST', '/api/projects', {
      name: 'app',
      spec: '<project_specification><overview>x</overview></project_specification>',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details?.field).toBe('spec');
    expect(res.body.error.details?.problems).toEqual(
      ['project_name', 'technology_stack', 'core_features', 'success_criteria'].map((s) => ({
        line: 1,
        message: `missing required section <${s}>`,
      })),
    );
    expect(existsSync(join(h.work, 'app'))).toBe(false);
    expect(ProjectListSchema.parse((await h.json('GET', '/api/projects')).body).projects).toEqual([]);
  });

  it.each([
    ['missing name', {}, 'name'],
    ['bad name', { name: 'Has Spaces' }, 'name'],
    ['wrong type', { name: 42 }, 'name'],
    ['unknown field', { name: 'ok', spec_method: 'manual' }, 'spec_method'],
    ['path with ..', { name: 'ok', path: '../escape' }, 'path'],
    ['path with NUL', { name: 'ok', path: '/tmp/a\u0000b' }, 'path'],
  ])('400 for %s', async (_label, input, field) => {
    const res = await h.json<ErrorBody>('POST', '/api/projects', input);
    expect(res.status).toBe(400);
    expect(res.body.error.details?.field).toBe(field);
  });

  it('refuses a project inside a secret folder or autocoder home (403)', async () => {
    expect((await h.request('POST', '/api/projects', { name: 'ssh', path: join(h.user, '.ssh', 'x') })).status).toBe(
      403,
    );
    expect((await h.request('POST', '/api/projects', { name: 'home', path: join(h.home, 'x') })).status).toBe(403);
  });

  it('refuses the filesystem root, a top-level folder and the home folder as a project path', async () => {
    for (const path of ['/', '/etc', h.user]) {
      const res = await h.json<ErrorBody>('POST', '/api/projects', { name: 'bad', path });
      expect(res.status, path).toBe(400);
      expect(res.body.error.details?.field).toBe('path');
    }
  });

  it('refuses a project folder that holds $AUTOCODER_HOME or the home folder (agents read everything in their project)', async () => {
    for (const [route, name] of [
      ['/api/projects/import', 'above'],
      ['/api/projects', 'above2'],
    ] as const) {
      const res = await h.json<ErrorBody>('POST', route, { name, path: h.root });
      expect(res.status, route).toBe(400);
      expect(res.body.error.message).toContain('holds $AUTOCODER_HOME');
    }
    expect((await h.json<{ projects: unknown[] }>('GET', '/api/projects')).body.projects).toEqual([]);
  });

  it('refuses a remote without PostgreSQL with 400 naming the remote field (not the folder), and creates nothing', async () => {
    const res = await h.json<ErrorBody>('POST', '/api/projects', { name: 'shared', remote: join(h.root, 'x.git') });
    expect(res.status).toBe(400);
    expect(res.body.error.details?.field).toBe('remote');
    expect(res.body.error.message).toContain('through PostgreSQL');
    expect((await h.json<{ projects: unknown[] }>('GET', '/api/projects')).body.projects).toEqual([]);
  });

  it('refuses a duplicate name with 409', async () => {
    await h.createProject('todo');
    const res = await h.json<ErrorBody>('POST', '/api/projects', { name: 'todo', path: join(h.root, 'other') });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('DUPLICATE');
  });

  it('imports an existing folder; 404 for a missing one, 409 for one already registered', async () => {
    const folder = join(h.root, 'existing');
    mkdirSync(folder);
    const res = await h.json('POST', '/api/projects/import', { name: 'existing', path: folder });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'existing', path: folder });
    expect((await h.request('POST', '/api/projects/import', { name: 'again', path: folder })).status).toBe(409);
    expect(
      (await h.request('POST', '/api/projects/import', { name: 'gone', path: join(h.root, 'missing') })).status,
    ).toBe(404);
    const noPath = await h.json<ErrorBody>('POST', '/api/projects/import', { name: 'x' });
    expect(noPath.body.error.details?.field).toBe('path');
  });

  it('shows one project; 404 unknown, 400 malformed name', async () => {
    await h.createProject('todo');
    expect((await h.json('GET', '/api/projects/todo')).body).toMatchObject({ name: 'todo' });
    expect((await h.request('GET', '/api/projects/unknown')).status).toBe(404);
    expect((await h.request('GET', '/api/projects/UPPER')).status).toBe(400);
  });

  it('deletes a project, keeping or deleting its files', async () => {
    const kept = await h.createProject('kept');
    const gone = await h.createProject('gone');
    expect((await h.json('DELETE', '/api/projects/kept')).body).toEqual({
      removed: 'kept',
      path: kept,
      filesDeleted: false,
    });
    expect(existsSync(kept)).toBe(true);
    expect((await h.json('DELETE', '/api/projects/gone?deleteFiles=true')).body).toMatchObject({
      removed: 'gone',
      filesDeleted: true,
    });
    expect(existsSync(gone)).toBe(false);
    expect((await h.request('DELETE', '/api/projects/kept')).status).toBe(404);
    expect((await h.request('DELETE', '/api/projects/x?deleteFiles=maybe')).status).toBe(400);
  });

  it('refuses to delete a project while a run is active (409)', async () => {
    await h.createProject('busy');
    h.fakeActiveRun('busy');
    const res = await h.json<ErrorBody>('DELETE', '/api/projects/busy?deleteFiles=true');
    expect(res.status).toBe(409);
    expect((await h.request('GET', '/api/projects/busy')).status).toBe(200);
  });
});

describe('spec', () => {
  it('reads null before a spec exists, then writes and validates one', async () => {
    const root = await h.createProject('todo');
    expect(SpecResponseSchema.parse((await h.json('GET', '/api/projects/todo/spec')).body)).toEqual({
      spec: null,
      check: null,
    });
    const put = await h.json('PUT', '/api/projects/todo/spec', { spec: VALID_SPEC });
    expect(put.status).toBe(200);
    expect(readFileSync(projectPaths(root).spec, 'utf8')).toBe(VALID_SPEC);
    const events = EventsResponseSchema.parse((await h.json('GET', '/api/projects/todo/events')).body);
    expect(events.events.at(-1)).toMatchObject({ type: 'spec.updated', payload: { projectName: 'Todo' } });
    const got = SpecResponseSchema.parse((await h.json('GET', '/api/projects/todo/spec')).body);
    expect(got).toMatchObject({ spec: VALID_SPEC, check: { ok: true, projectName: 'Todo' } });
  });

  it('refuses an invalid spec with problems and writes nothing', async () => {
    const root = await h.createProject('todo');
    writeFileSync(projectPaths(root).spec, VALID_SPEC);
    const res = await h.json<ErrorBody>('PUT', '/api/projects/todo/spec', {
      spec: '<project_specification>\n<overview>unclosed\n</project_specification>',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details?.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ line: expect.any(Number), message: expect.any(String) })]),
    );
    expect(readFileSync(projectPaths(root).spec, 'utf8')).toBe(VALID_SPEC);
    expect((await h.json<ErrorBody>('PUT', '/api/projects/todo/spec', { spec: 7 })).body.error.details?.field).toBe(
      'spec',
    );
    expect((await h.request('PUT', '/api/projects/nope/spec', { spec: VALID_SPEC })).status).toBe(404);
  });
});

describe('settings', () => {
  it('reads, merges and clears global settings', async () => {
    const none = { authToken: false, apiKey: false };
    expect((await h.json('GET', '/api/settings')).body).toEqual({ secrets: none });
    // YOLO on widens what agents may do: it needs the confirmation.
    const put = await h.json('PUT', '/api/settings', {
      defaultModel: 'claude-sonnet-4-5',
      defaultConcurrency: 2,
      yolo: true,
      confirm: true,
    });
    expect(put.status).toBe(200);
    expect(GlobalSettingsResponseSchema.parse(put.body)).toEqual({
      defaultModel: 'claude-sonnet-4-5',
      defaultConcurrency: 2,
      yolo: true,
      secrets: none,
    });
    const cleared = await h.json('PUT', '/api/settings', { yolo: null, defaultSandbox: 'on' });
    expect(cleared.body).toEqual({
      defaultModel: 'claude-sonnet-4-5',
      defaultConcurrency: 2,
      defaultSandbox: 'on',
      secrets: none,
    });
  });

  it.each([
    [{ defaultConcurrency: 6 }, 'defaultConcurrency'],
    [{ defaultConcurrency: '2' }, 'defaultConcurrency'],
    [{ defaultSandbox: 'maybe' }, 'defaultSandbox'],
    [{ theme: 'dark' }, 'theme'],
  ])('refuses %j with 400 naming the field', async (input, field) => {
    const res = await h.json<ErrorBody>('PUT', '/api/settings', input);
    expect(res.status).toBe(400);
    expect(res.body.error.details?.field).toBe(field);
  });

  it('keeps project settings with extraCommands; refuses shells', async () => {
    await h.createProject('todo');
    expect((await h.json('GET', '/api/projects/todo/settings')).body).toEqual({ extraCommands: [] });
    const put = await h.json('PUT', '/api/projects/todo/settings', {
      extraCommands: ['cargo', 'make'],
      defaultConcurrency: 1,
      confirm: true,
    });
    expect(put.status).toBe(200);
    expect(ProjectSettingsSchema.parse(put.body)).toEqual({ extraCommands: ['cargo', 'make'], defaultConcurrency: 1 });
    const shell = await h.json<ErrorBody>('PUT', '/api/projects/todo/settings', {
      extraCommands: ['cargo', 'bash'],
      confirm: true,
    });
    expect(shell.status).toBe(400);
    expect(shell.body.error.details?.field).toBe('extraCommands');
    const events = EventsResponseSchema.parse((await h.json('GET', '/api/projects/todo/events')).body);
    expect(events.events.find((e) => e.type === 'settings.updated')).toMatchObject({
      payload: { keys: ['defaultConcurrency', 'extraCommands'] },
    });
    const replaced = await h.json('PUT', '/api/projects/todo/settings', { extraCommands: ['make'] });
    expect(replaced.body).toMatchObject({ extraCommands: ['make'] });
    expect((await h.request('GET', '/api/projects/nope/settings')).status).toBe(404);
    expect((await h.request('PUT', '/api/projects/nope/settings', { yolo: true })).status).toBe(404);
  });
});

describe('events', () => {
  it('pages through the event log with since and limit', async () => {
    await h.createProject('todo');
    for (const name of ['a', 'b', 'c'])
      await h.request('POST', '/api/projects/todo/features', { category: 'x', name, description: '', steps: [] });
    const first = EventsResponseSchema.parse((await h.json('GET', '/api/projects/todo/events?limit=2')).body);
    expect(first.events.map((e) => e.type)).toEqual(['feature.created', 'feature.created']);
    const rest = EventsResponseSchema.parse(
      (await h.json('GET', `/api/projects/todo/events?since=${first.next}`)).body,
    );
    expect(rest.events).toHaveLength(1);
    const empty = EventsResponseSchema.parse(
      (await h.json('GET', `/api/projects/todo/events?since=${rest.next}`)).body,
    );
    expect(empty).toEqual({ events: [], next: rest.next });
  });

  it.each(['limit=0', 'limit=1001', 'since=-1', 'since=abc', 'other=1'])('400 for ?%s', async (q) => {
    await h.createProject('todo');
    expect((await h.request('GET', `/api/projects/todo/events?${q}`)).status).toBe(400);
  });
});
