/**
 * GET /api/projects/{name}/setup through createApp with a temp AUTOCODER_HOME and HOME and no provider variables: what
 * the Start dialog asks before starting a run.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProjectSetupSchema, SpecCheckSchema, SpecTemplateSchema } from '../../src/shared/api.js';
import { DEMO_MODEL } from '../../src/shared/runs.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';

vi.setConfig({ testTimeout: 30_000 });

const KEY = 'sk-ant-api03-not-a-real-key-0123456789abcdefghij';

let h: ApiHarness;
beforeEach(() => {
  h = apiHarness();
});
afterEach(() => h.cleanup());

const setupOf = async (name: string) => {
  const res = await h.request('GET', `/api/projects/${name}/setup`);
  const text = await res.text();
  return { status: res.status, text, body: res.status === 200 ? ProjectSetupSchema.parse(JSON.parse(text)) : null };
};

describe('GET /api/projects/{name}/setup', () => {
  it('without credentials a real project is not ready, and says what is missing', async () => {
    await h.createProject('shop');
    const { status, body } = await setupOf('shop');
    expect(status).toBe(200);
    expect(body).toMatchObject({ model: null, demoModel: false, ready: false, credentials: { ok: false } });
    expect(body?.credentials.detail).toBe('no model credentials found');
    expect(body?.credentials.fix).toContain('autocoder config set apiKey');
  });

  it('a project whose default model is the demo model is ready without credentials', async () => {
    await h.createProject('shop');
    expect((await h.json('PUT', '/api/projects/shop/settings', { defaultModel: DEMO_MODEL })).status).toBe(200);
    const { body } = await setupOf('shop');
    expect(body).toMatchObject({ model: DEMO_MODEL, demoModel: true, ready: true, credentials: { ok: false } });
  });

  it('an API key saved in the global settings makes it ready, and the key is never in the answer', async () => {
    await h.createProject('shop');
    expect((await h.json('PUT', '/api/settings', { apiKey: KEY })).status).toBe(200);
    expect((await h.json('PUT', '/api/projects/shop/settings', { defaultModel: 'claude-sonnet-4-5' })).status).toBe(
      200,
    );
    const { body, text } = await setupOf('shop');
    expect(body).toMatchObject({
      model: 'claude-sonnet-4-5',
      demoModel: false,
      ready: true,
      credentials: { ok: true },
    });
    expect(text).not.toContain(KEY);
  });

  it('judges the chosen provider: compatible without its token is not ready and names what it lacks', async () => {
    await h.createProject('shop');
    const put = await h.json('PUT', '/api/settings', {
      provider: 'compatible',
      baseUrl: 'http://127.0.0.1:9',
      confirm: true,
    });
    expect(put.status).toBe(200);
    const { body } = await setupOf('shop');
    expect(body).toMatchObject({
      ready: false,
      credentials: { ok: false, detail: 'provider compatible needs a token' },
    });
  });

  it('404 for an unknown project, 400 for a bad name', async () => {
    expect((await setupOf('nope')).status).toBe(404);
    expect((await setupOf('Not%20A%20Name')).status).toBe(400);
  });
});

describe('the spec checker and template without a project', () => {
  it('POST /api/spec/check returns the line-numbered problems; the template checks clean', async () => {
    const bad = await h.json<{ ok: boolean; problems: { line: number; message: string }[] }>(
      'POST',
      '/api/spec/check',
      { spec: '<project_specification>\n  <project_name>x</project_name>\n</project_specification>\n' },
    );
    expect(bad.status).toBe(200);
    expect(bad.body.ok).toBe(false);
    expect(bad.body.problems).toEqual(
      ['overview', 'technology_stack', 'core_features', 'success_criteria'].map((section) => ({
        line: 1,
        message: `missing required section <${section}>`,
      })),
    );
    const template = SpecTemplateSchema.parse((await h.json('GET', '/api/spec/template')).body).template;
    expect(template).toContain('<project_specification>');
    const good = SpecCheckSchema.parse((await h.json('POST', '/api/spec/check', { spec: template })).body);
    expect(good).toMatchObject({ ok: true, problems: [] });
    expect(h.launches).toEqual([]);
  });

  it('400 without a spec string', async () => {
    const res = await h.json<{ error: { details?: { field?: string } } }>('POST', '/api/spec/check', { spec: 7 });
    expect(res.status).toBe(400);
    expect(res.body.error.details?.field).toBe('spec');
  });
});
