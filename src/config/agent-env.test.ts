import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { buildAgentEnv, buildCheckEnv, PASSTHROUGH_VARS } from './agent-env.js';

const SESSION = '/tmp/ac-abc123';
const BIN = '/opt/autocoder/node_modules/.bin';
const BASE = {
  PATH: '/usr/local/bin:/usr/bin',
  HOME: '/home/dev',
  ANTHROPIC_API_KEY: 'sk-ant-key',
  ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999',
  LANG: 'en_US.UTF-8',
  SECRET_THING: 'do-not-leak',
  GITHUB_TOKEN: 'ghp_nope',
  NODE_OPTIONS: '--inspect',
  TMPDIR: '/var/tmp/user',
};

describe('buildAgentEnv', () => {
  it("passes the README's GLM block (AutoCoder-2's alternative provider variables) to the Claude Code process", () => {
    const glm = {
      ANTHROPIC_BASE_URL: 'https://api.z.ai/api/anthropic',
      ANTHROPIC_AUTH_TOKEN: 'zhipu-key',
      API_TIMEOUT_MS: '3000000',
      ANTHROPIC_DEFAULT_SONNET_MODEL: 'glm-4.7',
      ANTHROPIC_DEFAULT_OPUS_MODEL: 'glm-4.7',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'glm-4.5-air',
    };
    expect(buildAgentEnv({ PATH: '/usr/bin', ...glm }, { sessionDir: SESSION, packageBinDir: BIN })).toMatchObject(glm);
  });

  it('carries no autocoder setting, no server token and not the path of $AUTOCODER_HOME (agents must not find the control plane)', () => {
    const token = 'a'.repeat(64);
    const base = {
      ...BASE,
      AUTOCODER_HOME: '/srv/ac-home',
      AUTOCODER_SERVER_TOKEN: token,
      AUTOCODER_SANDBOX: 'off',
      AUTOCODER_AUTH_TOKEN: 'stored-token',
      AUTOCODER_PROJECTS_DIR: '/srv/projects',
      // The shared store's URL with its password (issue #20): the control plane's data.
      AUTOCODER_DATABASE_URL: 'postgres://autocoder:db-password-1@db.internal:5432/autocoder',
    };
    const env = buildAgentEnv(base, { sessionDir: SESSION, packageBinDir: BIN, extra: { PORT: '5100' } });
    expect(Object.keys(env).filter((k) => k.startsWith('AUTOCODER_'))).toEqual([]);
    for (const value of Object.values(env)) {
      expect(value).not.toContain('/srv/ac-home');
      expect(value).not.toContain(token);
      expect(value).not.toContain('db-password-1');
    }
  });

  it('keeps only passthrough variables from the base environment', () => {
    const env = buildAgentEnv(BASE, { sessionDir: SESSION, packageBinDir: BIN });
    expect(env.ANTHROPIC_API_KEY).toBe('sk-ant-key');
    expect(env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:9999');
    expect(env.LANG).toBe('en_US.UTF-8');
    expect(env).not.toHaveProperty('SECRET_THING');
    expect(env).not.toHaveProperty('GITHUB_TOKEN');
    expect(env).not.toHaveProperty('NODE_OPTIONS');
    expect(env.npm_config_yes).toBe('false');
    const own = new Set([
      'PATH',
      'HOME',
      'TMPDIR',
      'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
      'DISABLE_AUTOUPDATER',
      'NO_UPDATE_NOTIFIER',
      'CLAUDE_AGENT_SDK_CLIENT_APP',
      'npm_config_yes',
    ]);
    const allowed = new Set<string>(PASSTHROUGH_VARS);
    for (const key of Object.keys(env)) expect(allowed.has(key) || own.has(key), key).toBe(true);
  });

  it('drops empty passthrough values', () => {
    const env = buildAgentEnv({ ...BASE, ANTHROPIC_AUTH_TOKEN: '' }, { sessionDir: SESSION, packageBinDir: BIN });
    expect(env).not.toHaveProperty('ANTHROPIC_AUTH_TOKEN');
  });

  it('puts the package bin folder first on PATH', () => {
    const env = buildAgentEnv(BASE, { sessionDir: SESSION, packageBinDir: BIN });
    expect(env.PATH).toBe(`${BIN}:/usr/local/bin:/usr/bin`);
  });

  it('falls back to a default PATH when the base has none', () => {
    const env = buildAgentEnv({ HOME: '/home/dev' }, { sessionDir: SESSION, packageBinDir: BIN });
    expect(env.PATH?.split(':')[0]).toBe(BIN);
    expect(env.PATH?.split(':')).toContain('/usr/bin');
  });

  it('gives each session its own TMPDIR', () => {
    const a = buildAgentEnv(BASE, { sessionDir: '/tmp/ac-one', packageBinDir: BIN });
    const b = buildAgentEnv(BASE, { sessionDir: '/tmp/ac-two', packageBinDir: BIN });
    expect(a.TMPDIR).toBe(join('/tmp/ac-one', 'tmp'));
    expect(b.TMPDIR).toBe(join('/tmp/ac-two', 'tmp'));
  });

  it("keeps the user's HOME when CLAUDE_CONFIG_DIR is not set (login credentials live there)", () => {
    const env = buildAgentEnv(BASE, { sessionDir: SESSION, packageBinDir: BIN });
    expect(env.HOME).toBe('/home/dev');
    expect(env).not.toHaveProperty('CLAUDE_CONFIG_DIR');
  });

  it('uses a per-session HOME when CLAUDE_CONFIG_DIR is set', () => {
    const env = buildAgentEnv(
      { ...BASE, CLAUDE_CONFIG_DIR: '/home/dev/.claude-alt' },
      { sessionDir: SESSION, packageBinDir: BIN },
    );
    expect(env.HOME).toBe(join(SESSION, 'home'));
    expect(env.CLAUDE_CONFIG_DIR).toBe('/home/dev/.claude-alt');
  });

  it('disables non-essential traffic and auto-updates', () => {
    const env = buildAgentEnv(BASE, { sessionDir: SESSION, packageBinDir: BIN });
    expect(env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC).toBe('1');
    expect(env.DISABLE_AUTOUPDATER).toBe('1');
  });

  it('applies extra variables last, overriding anything else', () => {
    const env = buildAgentEnv(BASE, {
      sessionDir: SESSION,
      packageBinDir: BIN,
      extra: { PLAYWRIGHT_CLI_SESSION: 'ac-abc123', GIT_AUTHOR_NAME: 'Bot', LANG: 'C.UTF-8' },
    });
    expect(env.PLAYWRIGHT_CLI_SESSION).toBe('ac-abc123');
    expect(env.GIT_AUTHOR_NAME).toBe('Bot');
    expect(env.LANG).toBe('C.UTF-8');
  });

  it('does not modify the base environment', () => {
    const base = { ...BASE };
    buildAgentEnv(base, { sessionDir: SESSION, packageBinDir: BIN, extra: { X: '1' } });
    expect(base).toEqual(BASE);
  });
});

describe('buildCheckEnv', () => {
  it("keeps PATH, locale and proxies; drops the provider's keys, autocoder's settings and anything else", () => {
    const env = buildCheckEnv({
      ...BASE,
      HTTPS_PROXY: 'http://proxy:3128',
      AUTOCODER_HOME: '/srv/ac-home',
      ANTHROPIC_AUTH_TOKEN: 'tok',
    });
    expect(env).toEqual({
      PATH: '/usr/local/bin:/usr/bin',
      LANG: 'en_US.UTF-8',
      HTTPS_PROXY: 'http://proxy:3128',
      npm_config_yes: 'false',
    });
  });

  it('gives a PATH when the base has none', () => {
    expect(buildCheckEnv({}).PATH).toBe('/usr/local/bin:/usr/bin:/bin');
  });
});
