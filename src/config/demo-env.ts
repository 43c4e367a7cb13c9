import { PASSTHROUGH_VARS } from './agent-env.js';
import type { Env } from './env.js';

/**
 * Settings of the credential-free demo (the demo model: scripted, no AI).
 *
 * A demo run points every Claude Code session at the built-in scripted model server on
 * 127.0.0.1. None of the user's provider settings may reach those sessions (an auth token,
 * Bedrock or a proxy would send them elsewhere), and Claude Code gets a config folder of its
 * own so the user's `~/.claude` is neither read nor written.
 */

/** Not a secret: the scripted server accepts any key, and Claude Code needs one to start. */
export const DEMO_API_KEY = 'sk-ant-demo-not-a-real-key';

/** Variables of the user's environment that still reach demo sessions (locale and terminal only). */
const KEPT = new Set<string>(['LANG', 'LC_ALL', 'TERM', 'USER', 'SHELL']);

/**
 * The runner's environment for a demo run: the user's environment without any provider or
 * proxy variable, then the scripted server as the endpoint with a dummy key and a private
 * Claude config folder (which also gives every session its own HOME, see agent-env.ts).
 */
export function demoRunEnv(base: Env, options: { modelUrl: string; claudeConfigDir: string }): Env {
  const env: Record<string, string | undefined> = { ...base };
  for (const key of PASSTHROUGH_VARS) if (!KEPT.has(key)) delete env[key];
  return {
    ...env,
    ANTHROPIC_BASE_URL: options.modelUrl,
    ANTHROPIC_API_KEY: DEMO_API_KEY,
    CLAUDE_CONFIG_DIR: options.claudeConfigDir,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
}

/**
 * How long the demo model holds each reply back, so a person watching can follow the run
 * (`AUTOCODER_DEMO_PACE_MS`, default 500 ms; 0 answers at once, as the tests do).
 */
export function demoPaceMs(env: Env): number {
  const raw = env.AUTOCODER_DEMO_PACE_MS?.trim();
  if (raw === undefined || raw === '') return DEFAULT_DEMO_PACE_MS;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= 60_000 ? n : DEFAULT_DEMO_PACE_MS;
}

export const DEFAULT_DEMO_PACE_MS = 500;
