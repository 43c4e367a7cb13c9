import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Environment for a CLI child that runs agents against a fake model: its own autocoder home,
 * HOME and Claude config dir (never the real ~/.claude), and the fake server as the endpoint.
 */
export function agentTestEnv(root: string, modelUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = join(root, 'home');
  const claudeConfig = join(root, 'claude-config');
  mkdirSync(home, { recursive: true });
  mkdirSync(claudeConfig, { recursive: true });
  return {
    PATH: process.env.PATH,
    HOME: home,
    AUTOCODER_HOME: join(root, 'autocoder-home'),
    CLAUDE_CONFIG_DIR: claudeConfig,
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: 'sk-ant-test-key-not-real-0123456789',
    AUTOCODER_MODEL: 'claude-sonnet-4-5',
    AUTOCODER_RETRY_BACKOFF_MS: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    // Checkpoints add reviewer sessions to every run: only the tests about them turn them on (flags beat this).
    AUTOCODER_CHECKPOINT_INTERVAL: '0',
    ...extra,
  };
}
