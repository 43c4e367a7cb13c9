import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EventsResponseSchema,
  ProjectSettingsSchema,
  SettingsChangesResponseSchema,
  type ErrorBody,
} from '../../src/shared/api.js';
import { apiHarness, ORIGIN, type ApiHarness } from '../support/api-app.js';
import { cli } from '../support/cli-process.js';

// Runs the real CLI in child processes (each start takes seconds under tsx on a loaded machine), several per test.
vi.setConfig({ testTimeout: 120_000 });

/**
 * Issue #14, item 1: changes that widen what agents may do (a program on the allowlist, the
 * sandbox off, a model base URL, YOLO on) need an explicit confirmation over HTTP and are
 * recorded with where they came from: `cli`, `api` (no Origin) or `ui` (this server's Origin).
 */

let h: ApiHarness;
beforeEach(() => {
  h = apiHarness();
});
afterEach(() => h.cleanup());

/** A PUT as curl or a script sends it: no Origin header. */
const asApi = { origin: null };
/** A PUT as the web UI in a browser sends it: this server's Origin. */
const asUi = { origin: ORIGIN };

async function put(
  path: string,
  body: unknown,
  headers: Record<string, string | null>,
): Promise<{ status: number; body: unknown }> {
  const res = await h.request('PUT', path, body, headers);
  return { status: res.status, body: await res.json() };
}

async function changes(
  query = '',
): Promise<{ project: string | null; key: string; old: unknown; new: unknown; origin: string }[]> {
  const res = await h.json('GET', `/api/settings/changes${query}`);
  expect(res.status).toBe(200);
  return SettingsChangesResponseSchema.parse(res.body).changes.map(({ project, key, old, new: next, origin }) => ({
    project,
    key,
    old,
    new: next,
    origin,
  }));
}

async function widenedEvents(project: string): Promise<unknown[]> {
  const events = EventsResponseSchema.parse(
    (await h.json('GET', `/api/projects/${project}/events?limit=1000`)).body,
  ).events;
  return events.filter((e) => e.type === 'settings.widened').map((e) => e.payload);
}

const cliEnv = () => ({ PATH: process.env.PATH, HOME: h.user, AUTOCODER_HOME: h.home });

describe('widening settings need a confirmation over HTTP', () => {
  it('a widening PUT without "confirm" is refused with 409 naming each change and why, and changes nothing', async () => {
    await h.createProject('app');
    const global = await put(
      '/api/settings',
      { defaultSandbox: 'off', baseUrl: 'http://127.0.0.1:9/collect', defaultModel: 'm' },
      asApi,
    );
    expect(global.status).toBe(409);
    const error = (global.body as ErrorBody).error;
    expect(error.code).toBe('CONFIRMATION_REQUIRED');
    expect(error.message).toContain('OS sandbox: unset → "off"');
    expect(error.message).toContain('Model base URL: unset → "http://127.0.0.1:9/collect"');
    expect(error.message).toContain('without the OS sandbox');
    expect(error.message).toContain('"confirm": true');
    expect(error.details?.['widening']).toMatchObject([
      { key: 'defaultSandbox', new: 'off' },
      { key: 'baseUrl', new: 'http://127.0.0.1:9/collect' },
    ]);
    expect((await h.json('GET', '/api/settings')).body).toEqual({ secrets: { authToken: false, apiKey: false } });

    const project = await put('/api/projects/app/settings', { extraCommands: ['make'], yolo: true }, asUi);
    expect(project.status).toBe(409);
    expect((project.body as ErrorBody).error.message).toMatch(
      /Extra commands agents may run: none → make.*YOLO: unset → true/,
    );
    expect(ProjectSettingsSchema.parse((await h.json('GET', '/api/projects/app/settings')).body)).toEqual({
      extraCommands: [],
    });
    expect(await changes()).toEqual([]);
    expect(await widenedEvents('app')).toEqual([]);
  });

  it('narrowing and neutral changes need no confirmation and are not recorded', async () => {
    await h.createProject('app');
    expect(
      (
        await put(
          '/api/projects/app/settings',
          { extraCommands: ['make', 'cargo'], defaultSandbox: 'off', confirm: true },
          asApi,
        )
      ).status,
    ).toBe(200);
    const narrowed = await put(
      '/api/projects/app/settings',
      { extraCommands: ['make'], defaultSandbox: 'on', yolo: false, defaultConcurrency: 2 },
      asApi,
    );
    expect(narrowed.status).toBe(200);
    expect(narrowed.body).toEqual({
      extraCommands: ['make'],
      defaultSandbox: 'on',
      yolo: false,
      defaultConcurrency: 2,
    });
    expect((await changes()).map((c) => c.key)).toEqual(['defaultSandbox', 'extraCommands']);
  });

  it('an allowlist with a shell is refused as bad input (400) before any confirmation is asked', async () => {
    await h.createProject('app');
    const res = await put('/api/projects/app/settings', { extraCommands: ['make', 'bash'] }, asApi);
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.details?.['field']).toBe('extraCommands');
  });
});

describe('widening changes are recorded with their origin', () => {
  it('via the API (no Origin header): origin api, in the registry and, for a project, its event log', async () => {
    await h.createProject('app');
    expect((await put('/api/settings', { defaultSandbox: 'off', yolo: true, confirm: true }, asApi)).status).toBe(200);
    expect(
      (
        await put(
          '/api/projects/app/settings',
          { extraCommands: ['make'], baseUrl: 'https://llm.example/v1', confirm: true },
          asApi,
        )
      ).status,
    ).toBe(200);
    expect(await changes()).toEqual([
      { project: 'app', key: 'baseUrl', old: null, new: 'https://llm.example/v1', origin: 'api' },
      { project: 'app', key: 'extraCommands', old: [], new: ['make'], origin: 'api' },
      { project: null, key: 'yolo', old: null, new: true, origin: 'api' },
      { project: null, key: 'defaultSandbox', old: null, new: 'off', origin: 'api' },
    ]);
    expect(await widenedEvents('app')).toEqual([
      { key: 'extraCommands', old: [], new: ['make'], origin: 'api' },
      { key: 'baseUrl', old: null, new: 'https://llm.example/v1', origin: 'api' },
    ]);
    expect((await changes('?project=app&limit=1')).map((c) => c.key)).toEqual(['baseUrl']);
  });

  it("via the web UI (this server's Origin): origin ui", async () => {
    await h.createProject('app');
    expect((await put('/api/settings', { baseUrl: 'http://127.0.0.1:4000', confirm: true }, asUi)).status).toBe(200);
    expect((await put('/api/projects/app/settings', { defaultSandbox: 'off', confirm: true }, asUi)).status).toBe(200);
    expect(await changes()).toEqual([
      { project: 'app', key: 'defaultSandbox', old: null, new: 'off', origin: 'ui' },
      { project: null, key: 'baseUrl', old: null, new: 'http://127.0.0.1:4000', origin: 'ui' },
    ]);
    expect(await widenedEvents('app')).toEqual([{ key: 'defaultSandbox', old: null, new: 'off', origin: 'ui' }]);
  });

  it('via the CLI (config set, policy allow): origin cli, named on the terminal; narrowing CLI changes are not recorded', async () => {
    await h.createProject('app');
    const env = cliEnv();
    const sandbox = cli(['config', 'set', 'defaultSandbox', 'off'], env);
    expect(sandbox.status).toBe(0);
    expect(sandbox.stdout).toContain('This widens what agents may do (recorded): OS sandbox: unset → "off"');
    expect(cli(['config', 'set', 'yolo', 'true'], env).status).toBe(0);
    expect(cli(['config', 'set', 'baseUrl', 'https://llm.example'], env).status).toBe(0);
    const allowed = cli(['policy', 'allow', 'app', 'cargo'], env);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('Extra commands agents may run: none → cargo');
    // Narrowing or unchanged: nothing recorded, nothing said.
    const same = cli(['config', 'set', 'defaultSandbox', 'off'], env);
    expect(same.stdout).not.toContain('widens');
    expect(cli(['config', 'set', 'defaultSandbox', 'on'], env).status).toBe(0);
    expect(cli(['policy', 'disallow', 'app', 'cargo'], env).status).toBe(0);
    expect(await changes()).toEqual([
      { project: 'app', key: 'extraCommands', old: [], new: ['cargo'], origin: 'cli' },
      { project: null, key: 'baseUrl', old: null, new: 'https://llm.example', origin: 'cli' },
      { project: null, key: 'yolo', old: null, new: true, origin: 'cli' },
      { project: null, key: 'defaultSandbox', old: null, new: 'off', origin: 'cli' },
    ]);
    expect(await widenedEvents('app')).toEqual([{ key: 'extraCommands', old: [], new: ['cargo'], origin: 'cli' }]);
  });

  it('the list refuses a bad query with 400', async () => {
    expect((await h.request('GET', '/api/settings/changes?limit=0')).status).toBe(400);
    expect((await h.request('GET', '/api/settings/changes?project=Bad!')).status).toBe(400);
    expect((await h.request('GET', '/api/settings/changes?other=1')).status).toBe(400);
  });
});
