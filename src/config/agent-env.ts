import { join } from 'node:path';
import type { Env } from './env.js';

/** Proxy settings, in both spellings programs read: sessions and verifications may need them to download. */
const PROXY_VARS = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy'] as const;

/**
 * Variables a Claude Code session may inherit from the user's environment: how to reach the
 * model (Anthropic, any Anthropic-compatible endpoint, Bedrock, Vertex), proxies, locale.
 * The SDK's `env` option replaces the whole environment, so anything not listed is dropped.
 */
export const PASSTHROUGH_VARS = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_MODEL',
  'ANTHROPIC_SMALL_FAST_MODEL',
  'ANTHROPIC_DEFAULT_OPUS_MODEL',
  'ANTHROPIC_DEFAULT_SONNET_MODEL',
  'ANTHROPIC_DEFAULT_HAIKU_MODEL',
  'ANTHROPIC_CUSTOM_HEADERS',
  'API_TIMEOUT_MS',
  'CLAUDE_CODE_MAX_RETRIES',
  'CLAUDE_CONFIG_DIR',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'CLAUDE_CODE_SKIP_BEDROCK_AUTH',
  'CLAUDE_CODE_SKIP_VERTEX_AUTH',
  'AWS_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK',
  'ANTHROPIC_VERTEX_PROJECT_ID',
  'CLOUD_ML_REGION',
  'GOOGLE_APPLICATION_CREDENTIALS',
  ...PROXY_VARS,
  'LANG',
  'LC_ALL',
  'TERM',
  'USER',
  'SHELL',
] as const;

export interface AgentEnvOptions {
  /** A short per-session folder (unix socket paths must stay under ~100 bytes). */
  readonly sessionDir: string;
  /** autocoder's own node_modules/.bin, so `playwright-cli` resolves. */
  readonly packageBinDir: string;
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * The complete environment of one Claude Code session. TMPDIR is per session. HOME stays the
 * user's own — that is where `claude login` keeps its credentials — unless CLAUDE_CONFIG_DIR
 * is set explicitly, in which case credentials live there and HOME can be per session too.
 */
export function buildAgentEnv(base: Env, options: AgentEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASSTHROUGH_VARS) {
    const value = base[key];
    if (value !== undefined && value !== '') env[key] = value;
  }
  const isolatedHome = env.CLAUDE_CONFIG_DIR !== undefined;
  env.PATH = [options.packageBinDir, base.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(':');
  env.HOME = isolatedHome ? join(options.sessionDir, 'home') : (base.HOME ?? join(options.sessionDir, 'home'));
  env.TMPDIR = join(options.sessionDir, 'tmp');
  env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = '1';
  env.DISABLE_AUTOUPDATER = '1';
  env.NO_UPDATE_NOTIFIER = '1';
  env.CLAUDE_AGENT_SDK_CLIENT_APP = 'autocoder';
  // npx must never fetch and run a package that is not installed (it would without a terminal).
  env.npm_config_yes = 'false';
  return { ...env, ...options.extra };
}

/**
 * Variables the programs of a verification inherit (its checks, `./init.sh` and the app, the
 * dependency install): where programs are, locale, proxies (an install may download). Never a
 * provider's key or anything of autocoder's: those programs are the app's, not an agent's, and
 * the checks run with no model behind them.
 */
export const CHECK_PASSTHROUGH_VARS = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TERM', 'USER', 'SHELL', ...PROXY_VARS] as const;

/** The environment verifications start programs from (the engine adds its own PORT, HOME and TMPDIR). */
export function buildCheckEnv(base: Env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of CHECK_PASSTHROUGH_VARS) {
    const value = base[key];
    if (value !== undefined && value !== '') env[key] = value;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  // As for agents: npx must never fetch and run a package that is not installed.
  env.npm_config_yes = 'false';
  return env;
}
