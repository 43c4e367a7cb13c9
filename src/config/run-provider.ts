import { readEnvFile } from './env-file.js';
import { join } from 'node:path';
import type { Env } from './env.js';
import type { ProjectPaths } from './paths.js';
import { providerEnv, type ProviderSettings } from './provider.js';
import { resolveRunSettings, SEED_ENV_VARS } from './run-settings.js';
import { readStoredSecrets, resolveSecrets } from './secrets.js';
import {
  projectRunDefaults,
  registryRunDefaults,
  type ProjectSettingsStore,
  type SettingsStore,
} from './user-settings.js';

/**
 * `AUTOCODER_*` keys (and AutoCoder-2's names for our settings, e.g. ENABLE_SUPERVISORY_AGENT) found in the project's
 * `.env`. They are ignored: that file is the app's environment and agents write it, so it never configures autocoder
 * (a line such as `AUTOCODER_SANDBOX=off` would otherwise weaken the next run). Callers warn about them.
 */
export function ignoredProjectEnvKeys(paths: ProjectPaths): string[] {
  return [...readEnvFile(join(paths.root, '.env')).keys()]
    .filter((k) => k.startsWith('AUTOCODER_') || Object.hasOwn(SEED_ENV_VARS, k))
    .sort();
}

/** The one-line warning for ignored `.env` keys (null when there are none). */
export function ignoredProjectEnvWarning(keys: readonly string[]): string | null {
  if (keys.length === 0) return null;
  return `Ignored ${keys.join(', ')} in the project's .env: that file is the app's environment, not autocoder's settings. Set them as project settings (web UI Settings, PUT /api/projects/{name}/settings), user settings (autocoder config set), environment variables ($AUTOCODER_HOME/.env included) or run flags.`;
}

/**
 * The environment a run's sessions start from: `env` with the provider's variables applied
 * from the settings and the secrets (stored < environment). The runner masks the secrets
 * among them (ANTHROPIC_AUTH_TOKEN, ANTHROPIC_API_KEY…) in everything it writes.
 */
export function runEnvWithProvider(env: Env, settings: ProviderSettings): Env {
  return providerEnv(env, settings, resolveSecrets({ stored: readStoredSecrets(env), env }));
}

/**
 * The same environment for a session outside a run (the spec chat): the provider settings of
 * the global and the project's settings and the environment applied.
 */
export function configuredProviderEnv(
  env: Env,
  registry: SettingsStore & ProjectSettingsStore,
  projectName: string | null,
): Env {
  const settings = resolveRunSettings({
    registry: registryRunDefaults(registry),
    project: projectName === null ? {} : projectRunDefaults(registry, projectName),
    env,
  });
  return runEnvWithProvider(env, settings);
}
