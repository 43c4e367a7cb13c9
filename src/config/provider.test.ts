import { describe, expect, it } from 'vitest';
import type { Env } from './env.js';
import { providerEnv } from './provider.js';
import { buildAgentEnv } from './agent-env.js';
import { resolveSecrets } from './secrets.js';
import { checkCredentials, type SetupProbe } from './setup-checks.js';
import type { Provider } from '../shared/providers.js';

const userEnv: Env = {
  PATH: '/usr/bin',
  HOME: '/home/u',
  ANTHROPIC_API_KEY: 'sk-ant-user-key',
  ANTHROPIC_BASE_URL: 'http://env.example',
  ANTHROPIC_AUTH_TOKEN: 'env-token',
  CLAUDE_CODE_USE_BEDROCK: '1',
  CLAUDE_CODE_USE_VERTEX: '1',
  AWS_PROFILE: 'dev',
};

const agentEnv = (env: Env) => buildAgentEnv(env, { sessionDir: '/tmp/ac-x', packageBinDir: '/pkg/.bin' });

describe('providerEnv: what the Claude Code child gets per provider', () => {
  it('leaves the environment alone without a provider (the environment decides)', () => {
    expect(providerEnv(userEnv, {}, {})).toEqual(userEnv);
  });

  it('anthropic: keeps the API key (a stored one wins), drops the other providers', () => {
    const env = agentEnv(providerEnv(userEnv, { provider: 'anthropic' }, { apiKey: 'sk-ant-stored' }));
    expect(env.ANTHROPIC_API_KEY).toBe('sk-ant-stored');
    for (const gone of [
      'ANTHROPIC_BASE_URL',
      'ANTHROPIC_AUTH_TOKEN',
      'CLAUDE_CODE_USE_BEDROCK',
      'CLAUDE_CODE_USE_VERTEX',
    ])
      expect(env[gone]).toBeUndefined();
  });

  it('compatible: base URL and token from the settings, no API key or cloud switches', () => {
    const env = agentEnv(
      providerEnv(
        userEnv,
        { provider: 'compatible', baseUrl: 'http://glm.example/anthropic' },
        { authToken: 'tok-config' },
      ),
    );
    expect(env).toMatchObject({
      ANTHROPIC_BASE_URL: 'http://glm.example/anthropic',
      ANTHROPIC_AUTH_TOKEN: 'tok-config',
    });
    for (const gone of ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX'])
      expect(env[gone]).toBeUndefined();
  });

  it('compatible: falls back to the ANTHROPIC_* variables of the environment', () => {
    const env = agentEnv(providerEnv(userEnv, { provider: 'compatible' }, {}));
    expect(env).toMatchObject({ ANTHROPIC_BASE_URL: 'http://env.example', ANTHROPIC_AUTH_TOKEN: 'env-token' });
  });

  it('bedrock: switches Bedrock on with the configured region; AWS credentials pass through', () => {
    const env = agentEnv(
      providerEnv(userEnv, { provider: 'bedrock', awsRegion: 'eu-west-1' }, { authToken: 'unused' }),
    );
    expect(env).toMatchObject({ CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'eu-west-1', AWS_PROFILE: 'dev' });
    for (const gone of ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_USE_VERTEX'])
      expect(env[gone]).toBeUndefined();
  });

  it('vertex: switches Vertex on with the project and region', () => {
    const env = agentEnv(
      providerEnv(userEnv, { provider: 'vertex', vertexProject: 'my-proj', vertexRegion: 'us-east5' }, {}),
    );
    expect(env).toMatchObject({
      CLAUDE_CODE_USE_VERTEX: '1',
      ANTHROPIC_VERTEX_PROJECT_ID: 'my-proj',
      CLOUD_ML_REGION: 'us-east5',
    });
    for (const gone of ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'CLAUDE_CODE_USE_BEDROCK'])
      expect(env[gone]).toBeUndefined();
  });

  it('ranks secrets: stored < environment', () => {
    expect(resolveSecrets({ stored: { authToken: 'a', apiKey: 'k' }, env: {} })).toEqual({
      authToken: 'a',
      apiKey: 'k',
    });
    expect(resolveSecrets({ stored: { authToken: 'a' }, env: { AUTOCODER_AUTH_TOKEN: 'c' } })).toEqual({
      authToken: 'c',
    });
  });
});

function probe(provider: Provider | undefined, env: Env, files: readonly string[] = []): SetupProbe {
  return {
    env,
    platform: 'linux',
    arch: 'x64',
    resolvePackageFile: () => null,
    version: () => null,
    fileExists: (f) => files.includes(f),
    ...(provider ? { provider } : {}),
  };
}

describe('the credential check per provider', () => {
  const home = { HOME: '/home/u' };

  it('compatible: names the base URL and the token, each with its config command', () => {
    const none = checkCredentials(probe('compatible', home));
    expect(none).toMatchObject({ ok: false, detail: 'provider compatible needs a base URL and a token' });
    expect(none.fix).toContain('autocoder config set baseUrl');
    expect(none.fix).toContain('autocoder config set authToken');
    expect(checkCredentials(probe('compatible', { ...home, ANTHROPIC_BASE_URL: 'http://x.example' }))).toMatchObject({
      ok: false,
      detail: 'provider compatible needs a token',
    });
    expect(
      checkCredentials(
        probe('compatible', { ...home, ANTHROPIC_BASE_URL: 'http://x.example', ANTHROPIC_AUTH_TOKEN: 't' }),
      ),
    ).toMatchObject({ ok: true, detail: 'provider compatible at http://x.example' });
  });

  it('bedrock: names the region and the credentials', () => {
    expect(checkCredentials(probe('bedrock', home))).toMatchObject({
      ok: false,
      detail: 'provider bedrock needs an AWS region and AWS credentials',
    });
    expect(
      checkCredentials(probe('bedrock', { ...home, AWS_REGION: 'us-east-1' }, ['/home/u/.aws/credentials'])),
    ).toMatchObject({ ok: true });
    expect(checkCredentials(probe('bedrock', { ...home, AWS_PROFILE: 'p' })).fix).toContain(
      'autocoder config set awsRegion',
    );
  });

  it('vertex: names the project, the region and the credentials', () => {
    const none = checkCredentials(probe('vertex', home));
    expect(none).toMatchObject({
      ok: false,
      detail: 'provider vertex needs a GCP project and a region and Google credentials',
    });
    expect(none.fix).toContain('autocoder config set vertexProject');
    expect(none.fix).toContain('gcloud auth application-default login');
    expect(
      checkCredentials(
        probe('vertex', { ...home, ANTHROPIC_VERTEX_PROJECT_ID: 'p', CLOUD_ML_REGION: 'r' }, [
          '/home/u/.config/gcloud/application_default_credentials.json',
        ]),
      ),
    ).toMatchObject({ ok: true });
  });

  it('anthropic: an API key or a login, and says how to set the key', () => {
    const none = checkCredentials(probe('anthropic', home));
    expect(none).toMatchObject({ ok: false, detail: 'provider anthropic needs an API key or a Claude login' });
    expect(none.fix).toContain('autocoder config set apiKey');
    expect(checkCredentials(probe('anthropic', { ...home, ANTHROPIC_API_KEY: 'k' })).ok).toBe(true);
  });
});
