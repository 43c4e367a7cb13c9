import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvFile, writeEnvValues } from './env-file.js';
import { SECRET_SETTING_KEYS, type SecretSettingKey } from '../shared/providers.js';
import type { Env } from './env.js';
import { autocoderHome } from './paths.js';

/**
 * Secrets set through `autocoder config set` or PUT /api/settings: kept in
 * `$AUTOCODER_HOME/secrets.env` (mode 0600, written atomically), never in the settings table.
 * The same variable names work in the environment (never in a project's `.env`, which agents
 * can write: see ignoredProjectEnvKeys).
 */
export const SECRET_ENV_VARS: Readonly<Record<SecretSettingKey, string>> = {
  authToken: 'AUTOCODER_AUTH_TOKEN',
  apiKey: 'AUTOCODER_API_KEY',
};

export type Secrets = Partial<Record<SecretSettingKey, string>>;

export function secretsFile(env: Env): string {
  return join(autocoderHome(env), 'secrets.env');
}

export function isSecretKey(key: string): key is SecretSettingKey {
  return (SECRET_SETTING_KEYS as readonly string[]).includes(key);
}

/** The secrets of one env-style source (the secrets file, a project `.env`, the environment). */
export function secretsFrom(get: (name: string) => string | undefined): Secrets {
  const out: Secrets = {};
  for (const key of SECRET_SETTING_KEYS) {
    const value = get(SECRET_ENV_VARS[key])?.trim();
    if (value) out[key] = value;
  }
  return out;
}

/** The secrets saved with `autocoder config set` (none when the file does not exist). */
export function readStoredSecrets(env: Env): Secrets {
  const values = readEnvFile(secretsFile(env));
  return secretsFrom((name) => values.get(name));
}

/** Sets (a string) or removes (null) one stored secret; the file stays 0600. Returns whether it was set before. */
export function writeStoredSecret(env: Env, key: SecretSettingKey, value: string | null): boolean {
  const file = secretsFile(env);
  const had = readStoredSecrets(env)[key] !== undefined;
  if (value === null && !existsSync(file)) return false;
  mkdirSync(autocoderHome(env), { recursive: true, mode: 0o700 });
  writeEnvValues(file, { [SECRET_ENV_VARS[key]]: value ?? '' });
  if ((statSync(file).mode & 0o777) !== 0o600) chmodSync(file, 0o600);
  return had;
}

/** Secrets by precedence: the stored ones < the environment. */
export function resolveSecrets(layers: { stored?: Secrets; env: Env }): Secrets {
  return { ...layers.stored, ...secretsFrom((n) => layers.env[n]) };
}

/** Whether each secret is set, for `config list` and the API (never the values). */
export function secretsStatus(secrets: Secrets): Record<SecretSettingKey, boolean> {
  return Object.fromEntries(SECRET_SETTING_KEYS.map((k) => [k, secrets[k] !== undefined])) as Record<
    SecretSettingKey,
    boolean
  >;
}
