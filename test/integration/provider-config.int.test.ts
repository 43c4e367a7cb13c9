import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GlobalSettingsResponseSchema } from '../../src/shared/api.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';
import { spawnSync } from 'node:child_process';
import { CLI, cli } from '../support/cli-process.js';
import { createSampleProject } from '../support/sample-project.js';

// Runs the real CLI in child processes (each start takes seconds under tsx on a loaded machine), several per test.
vi.setConfig({ testTimeout: 120_000 });

const TOKEN = 'tok-provider-secret-0123456789';

let root: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-provider-config-'));
  // No provider variables at all: only what `autocoder config` stores counts.
  env = { PATH: process.env.PATH, HOME: join(root, 'user'), AUTOCODER_HOME: join(root, 'home') };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const ok = (args: string[]) => {
  const r = cli(args, env);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
};

interface Check {
  id: string;
  ok: boolean;
  detail: string;
  fix: string | null;
}
const credentials = (): Check => {
  const r = cli(['doctor', '--json'], env);
  return (JSON.parse(r.stdout) as { checks: Check[] }).checks.find((c) => c.id === 'credentials') as Check;
};

describe('autocoder config with secrets and providers', () => {
  it('stores the token 0600 outside the settings table and never prints it', () => {
    const set = ok(['config', 'set', 'authToken', TOKEN]);
    expect(set).not.toContain(TOKEN);
    const file = join(root, 'home', 'secrets.env');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(`AUTOCODER_AUTH_TOKEN=${TOKEN}`);

    expect(ok(['config', 'get', 'authToken'])).toBe('(set, hidden)\n');
    expect(JSON.parse(ok(['config', 'get', 'authToken', '--json']))).toEqual({ key: 'authToken', set: true });
    const list = ok(['config', 'list']);
    expect(list).toMatch(/authToken\s+\(set, hidden\)\s+\[secret\]/);
    expect(list).toMatch(/apiKey\s+\(unset\)/);
    expect(list).not.toContain(TOKEN);
    expect(JSON.parse(ok(['config', 'list', '--json']))).toEqual({
      settings: {},
      secrets: { authToken: true, apiKey: false },
    });
    expect(readFileSync(join(root, 'home', 'registry.db')).includes(Buffer.from(TOKEN))).toBe(false);

    // Replacing keeps the file private; unsetting removes the value.
    ok(['config', 'set', 'authToken', `${TOKEN}-2`]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(ok(['config', 'unset', 'authToken'])).toBe('authToken unset\n');
    expect(ok(['config', 'get', 'authToken'])).toBe('');
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);

    // `-` reads the secret from stdin, so it stays out of the shell history and the process list.
    const piped = spawnSync(process.execPath, [CLI, 'config', 'set', 'apiKey', '-'], {
      env,
      input: `${TOKEN}-stdin\n`,
      encoding: 'utf8',
    });
    expect(piped.stderr).toBe('');
    expect(piped.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain(`AUTOCODER_API_KEY=${TOKEN}-stdin\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('validates provider, base URL and role models, naming the accepted values', () => {
    const provider = cli(['config', 'set', 'provider', 'openai'], env);
    expect(provider.status).toBe(2);
    expect(provider.stderr).toContain('anthropic|compatible|bedrock|vertex');
    const url = cli(['config', 'set', 'baseUrl', 'localhost:4000'], env);
    expect(url.status).toBe(2);
    expect(url.stderr).toContain('http(s) URL');
    const demo = cli(['config', 'set', 'model.coding', 'demo'], env);
    expect(demo.status).toBe(2);
    expect(demo.stderr).toContain('model.coding');
    const role = cli(['config', 'set', 'model.coder', 'x'], env);
    expect(role.status).toBe(2);
    expect(role.stderr).toContain('model.coding');
    expect(ok(['config', 'set', 'model.coding', 'claude-haiku-4-5'])).toBe('model.coding = claude-haiku-4-5\n');
    expect(ok(['config', 'get', 'model.coding'])).toBe('claude-haiku-4-5\n');
  }, 120_000);

  it('doctor --json says what each provider is missing and how to set it', () => {
    ok(['config', 'set', 'provider', 'compatible']);
    expect(credentials()).toMatchObject({ ok: false, detail: 'provider compatible needs a base URL and a token' });
    ok(['config', 'set', 'baseUrl', 'http://127.0.0.1:9/anthropic']);
    const noToken = credentials();
    expect(noToken).toMatchObject({ ok: false, detail: 'provider compatible needs a token' });
    expect(noToken.fix).toContain('autocoder config set authToken');
    ok(['config', 'set', 'authToken', TOKEN]);
    const good = credentials();
    expect(good).toMatchObject({ ok: true, detail: 'provider compatible at http://127.0.0.1:9/anthropic' });
    expect(JSON.stringify(good)).not.toContain(TOKEN);

    ok(['config', 'set', 'provider', 'bedrock']);
    const bedrock = credentials();
    expect(bedrock).toMatchObject({ ok: false, detail: 'provider bedrock needs an AWS region and AWS credentials' });
    expect(bedrock.fix).toContain('autocoder config set awsRegion');

    ok(['config', 'set', 'provider', 'vertex']);
    ok(['config', 'set', 'vertexProject', 'my-project']);
    const vertex = credentials();
    expect(vertex).toMatchObject({ ok: false, detail: 'provider vertex needs a region and Google credentials' });
    expect(vertex.fix).toContain('autocoder config set vertexRegion');

    ok(['config', 'set', 'provider', 'anthropic']);
    const anthropic = credentials();
    expect(anthropic).toMatchObject({ ok: false, detail: 'provider anthropic needs an API key or a Claude login' });
    expect(anthropic.fix).toContain('autocoder config set apiKey');
  }, 180_000);
});

describe('autocoder run reads the layers', () => {
  it('refuses a bad --role-model and a bad AUTOCODER_* value in the environment before starting, naming it', () => {
    createSampleProject(root, env);
    const role = cli(['run', 'notes', '--role-model', 'coder=x'], env);
    expect(role.status).toBe(2);
    expect(role.stderr).toContain('unknown role "coder"; roles: initializer, coding, testing, supervisor, reviewer');
    const bad = cli(['run', 'notes'], {
      ...env,
      AUTOCODER_BASE_URL: 'localhost:4000',
      AUTOCODER_MODEL_TESTING: 'demo',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('baseUrl: expected an http:// or https:// URL');
    expect(bad.stderr).toContain('models.testing: "demo" can only be the general model');
  }, 120_000);
});

describe('the settings API and secrets', () => {
  let h: ApiHarness;
  beforeEach(() => {
    h = apiHarness();
  });
  afterEach(() => h.cleanup());

  it('takes the token write-only: stored 0600, reported only as set', async () => {
    const put = await h.request('PUT', '/api/settings', {
      provider: 'compatible',
      baseUrl: 'http://127.0.0.1:9',
      'model.coding': 'glm-4.6',
      authToken: TOKEN,
      confirm: true,
    });
    const text = await put.text();
    expect(put.status).toBe(200);
    expect(text).not.toContain(TOKEN);
    expect(GlobalSettingsResponseSchema.parse(JSON.parse(text))).toEqual({
      provider: 'compatible',
      baseUrl: 'http://127.0.0.1:9',
      'model.coding': 'glm-4.6',
      secrets: { authToken: true, apiKey: false },
    });
    expect(statSync(join(h.home, 'secrets.env')).mode & 0o777).toBe(0o600);
    const get = await h.request('GET', '/api/settings');
    expect(await get.text()).not.toContain(TOKEN);
    const setup = await h.request('GET', '/api/setup/status');
    expect(await setup.text()).not.toContain(TOKEN);

    const cleared = await h.json('PUT', '/api/settings', { authToken: null });
    expect(cleared.body).toMatchObject({ secrets: { authToken: false, apiKey: false } });
  });

  it('refuses a secret in the project settings and bad provider values, naming the field', async () => {
    const name = 'app';
    await h.createProject(name);
    const secret = await h.json<{ error: { details?: { field?: string } } }>('PUT', `/api/projects/${name}/settings`, {
      authToken: TOKEN,
    });
    expect(secret.status).toBe(400);
    const provider = await h.json<{ error: { details?: { field?: string } } }>('PUT', '/api/settings', {
      provider: 'openai',
    });
    expect(provider.status).toBe(400);
    expect(provider.body.error.details?.field).toBe('provider');
    const roleDemo = await h.json<{ error: { details?: { field?: string } } }>(
      'PUT',
      `/api/projects/${name}/settings`,
      { 'model.testing': 'demo' },
    );
    expect(roleDemo.status).toBe(400);
    const project = await h.json('PUT', `/api/projects/${name}/settings`, {
      'model.initializer': 'claude-opus-4-5',
      provider: 'bedrock',
      awsRegion: 'eu-west-1',
    });
    expect(project.status).toBe(200);
    expect(project.body).toMatchObject({
      'model.initializer': 'claude-opus-4-5',
      provider: 'bedrock',
      awsRegion: 'eu-west-1',
    });
  });
});
