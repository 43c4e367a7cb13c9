import { describe, expect, it } from 'vitest';
import { buildAgentEnv } from './agent-env.js';
import { DEFAULT_DEMO_PACE_MS, DEMO_API_KEY, demoPaceMs, demoRunEnv } from './demo-env.js';

const USER_ENV = {
  PATH: '/usr/bin',
  HOME: '/home/ada',
  AUTOCODER_HOME: '/home/ada/.autocoder',
  LANG: 'en_GB.UTF-8',
  ANTHROPIC_API_KEY: 'sk-ant-real-key',
  ANTHROPIC_AUTH_TOKEN: 'real-token',
  ANTHROPIC_BASE_URL: 'https://llm.example.com',
  CLAUDE_CODE_OAUTH_TOKEN: 'oauth',
  CLAUDE_CODE_USE_BEDROCK: '1',
  AWS_SECRET_ACCESS_KEY: 'aws',
  HTTPS_PROXY: 'http://proxy:3128',
  CLAUDE_CONFIG_DIR: '/home/ada/.claude',
};

describe('demoRunEnv', () => {
  const env = demoRunEnv(USER_ENV, { modelUrl: 'http://127.0.0.1:4567', claudeConfigDir: '/tmp/ac-demo-x' });

  it('points sessions at the scripted server with a dummy key and a private Claude config folder', () => {
    expect(env).toMatchObject({
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:4567',
      ANTHROPIC_API_KEY: DEMO_API_KEY,
      CLAUDE_CONFIG_DIR: '/tmp/ac-demo-x',
      NO_PROXY: '127.0.0.1,localhost',
    });
  });

  it("drops every provider and proxy setting of the user's, keeps autocoder's own and the locale", () => {
    for (const key of [
      'ANTHROPIC_AUTH_TOKEN',
      'CLAUDE_CODE_OAUTH_TOKEN',
      'CLAUDE_CODE_USE_BEDROCK',
      'AWS_SECRET_ACCESS_KEY',
      'HTTPS_PROXY',
    ])
      expect(env[key]).toBeUndefined();
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      HOME: '/home/ada',
      AUTOCODER_HOME: '/home/ada/.autocoder',
      LANG: 'en_GB.UTF-8',
    });
  });

  it('gives each session its own HOME, so the real ~/.claude is never used', () => {
    const session = buildAgentEnv(env, { sessionDir: '/tmp/ac-s1', packageBinDir: '/pkg/.bin' });
    expect(session.HOME).toBe('/tmp/ac-s1/home');
    expect(session.CLAUDE_CONFIG_DIR).toBe('/tmp/ac-demo-x');
    expect(Object.values(session).join('\n')).not.toMatch(/sk-ant-real-key|real-token|oauth|llm\.example|proxy:3128/);
  });
});

describe('demoPaceMs', () => {
  it('defaults, accepts whole milliseconds and ignores nonsense', () => {
    expect(demoPaceMs({})).toBe(DEFAULT_DEMO_PACE_MS);
    expect(demoPaceMs({ AUTOCODER_DEMO_PACE_MS: '0' })).toBe(0);
    expect(demoPaceMs({ AUTOCODER_DEMO_PACE_MS: '1200' })).toBe(1200);
    expect(demoPaceMs({ AUTOCODER_DEMO_PACE_MS: '-5' })).toBe(DEFAULT_DEMO_PACE_MS);
    expect(demoPaceMs({ AUTOCODER_DEMO_PACE_MS: 'fast' })).toBe(DEFAULT_DEMO_PACE_MS);
  });
});
