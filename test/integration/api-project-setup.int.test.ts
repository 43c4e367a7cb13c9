/**
 * GET /api/projects/{name}/setup through createApp with a temp AUTOCODER_HOME and HOME and no provider variables: what
 * the Start dialog asks before starting a run.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProjectSetupSchema } from '../../src/shared/api.js';
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
    expect(body).toMatchObject({ model: 'claude-sonnet-4-5', demoModel: false, ready: true, credentials: { ok: true } });
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
    expect(body).toMatchObject({ ready: false, credentials: { ok: false, detail: 'provider compatible needs a token' } });
  });

  it('404 for an unknown project, 400 for a bad name', async () => {
    expect((await setupOf('nope')).status).toBe(404);
    expect((await setupOf('Not%20A%20Name')).status).toBe(400);
  });
});
