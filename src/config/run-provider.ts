import { readEnvFile } from '../projects/env-file.js';
import { join } from 'node:path';
import type { Env } from './env.js';
import type { ProjectPaths } from './paths.js';
import { providerEnv, type ProviderSettings } from './provider.js';
import { resolveRunSettings } from './run-settings.js';
import { readStoredSecrets, resolveSecrets } from './secrets.js';
import { projectRunDefaults, registryRunDefaults, type ProjectSettingsStore, type SettingsStore } from './user-settings.js';

/** The `AUTOCODER_*` lines of the project's `.env` (a settings layer between the project settings and the environment). */
export function projectDotEnv(paths: ProjectPaths): Env {
  return Object.fromEntries([...readEnvFile(join(paths.root, '.env'))].filter(([k]) => k.startsWith('AUTOCODER_')));
}

/**
 * The environment a run's sessions start from: `env` with the provider's variables applied
 * from the settings and the secrets (stored < project `.env` < environment). The runner masks
 * the secrets among them (ANTHROPIC_AUTH_TOKEN, ANTHROPIC_API_KEY…) in everything it writes.
 */
export function runEnvWithProvider(env: Env, settings: ProviderSettings, dotEnv: Env): Env {
  return providerEnv(env, settings, resolveSecrets({ stored: readStoredSecrets(env), dotEnv, env }));
}

/**
 * The same environment for a session outside a run (the spec chat): the provider settings of
 * the global and the project's settings, the project's `.env` and the environment applied.
 */
export function configuredProviderEnv(env: Env, registry: SettingsStore & ProjectSettingsStore, projectName: string | null, paths: ProjectPaths): Env {
  const dotEnv = projectDotEnv(paths);
  const settings = resolveRunSettings({ registry: registryRunDefaults(registry), project: projectName === null ? {} : projectRunDefaults(registry, projectName), dotEnv, env });
  return runEnvWithProvider(env, settings, dotEnv);
}
