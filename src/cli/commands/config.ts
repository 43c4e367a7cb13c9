import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { openRegistry } from '../../compose.js';
import type { Env } from '../../config/env.js';
import type { RunSettings } from '../../config/run-settings.js';
import {
  describeSettingValues,
  parseSettingValue,
  readUserSettings,
  registryRunDefaults,
  requireSettingKey,
  settingStorageKey,
  USER_SETTING_KEYS,
  type UserSettingKey,
} from '../../config/user-settings.js';
import type { RegistryPort, RegistryStore } from '../../db/ports.js';
import { isSecretKey, readStoredSecrets, secretsFile, secretsStatus, writeStoredSecret } from '../../config/secrets.js';
import { AppError } from '../../domain/errors.js';
import { recordWidening, wideningState } from '../../projects/settings-changes.js';
import { SECRET_SETTING_KEYS, type SecretSettingKey } from '../../shared/providers.js';
import { describeChange, wideningChanges, type WideningChange } from '../../shared/settings-widening.js';
import { type CliContext, printJson } from '../context.js';

function withSettings<T>(ctx: Pick<CliContext, 'env'>, fn: (registry: RegistryPort) => T): T {
  const handle = openRegistry(ctx.env);
  try {
    return fn(handle.registry);
  } finally {
    handle.close();
  }
}

/**
 * The `autocoder run` defaults from the global settings (defaultModel, defaultSandbox, yolo);
 * pass them as the third argument of loadRunSettings so env and flags still win.
 */
export function globalRunDefaults(env: Env): Partial<RunSettings> {
  return withSettings({ env }, registryRunDefaults);
}

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** What `config get/list` print for a secret: never its value. */
const HIDDEN = '(set, hidden)';
const ALL_KEYS = [...USER_SETTING_KEYS, ...SECRET_SETTING_KEYS].join(', ');

/** A secret's value from the command line: one line, no surrounding blanks. */
function secretValue(key: SecretSettingKey, raw: string): string {
  const value = raw.trim();
  if (value === '' || /[\r\n\0]/.test(value))
    throw new AppError('INVALID_INPUT', `invalid value for ${key}: expected one non-empty line`);
  return value;
}

/**
 * Sets one global setting; a change that widens what agents may do (sandbox off, YOLO on, a
 * base URL) is recorded with origin `cli` in the same transaction and returned, to be named.
 */
function setGlobalSetting(handle: RegistryStore, key: UserSettingKey, value: unknown): WideningChange[] {
  return handle.transaction((registry) => {
    const widening = wideningChanges(wideningState(registry, null), { [key]: value });
    registry.setSetting(settingStorageKey(key), JSON.stringify(value));
    recordWidening(registry, null, widening, 'cli');
    return widening;
  });
}

/** What `config set` and `policy allow` print after a widening change. */
export function wideningNotice(changes: readonly WideningChange[]): string {
  return changes.map((c) => `This widens what agents may do (recorded): ${describeChange(c)}: ${c.why}.\n`).join('');
}

/** config get / set / unset / list: the global defaults also shown by the web UI's settings. */
export function registerConfigCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
): void {
  const config = program
    .command('config')
    .description(
      `read and change global settings (keys: ${ALL_KEYS}; authToken and apiKey are secrets, kept 0600 in $AUTOCODER_HOME/secrets.env and never printed)`,
    );

  config
    .command('get')
    .description('print one setting (nothing, exit 0, when unset)')
    .argument('<key>', `one of ${ALL_KEYS}`)
    .option('--json', 'print JSON: {"key","value"} (value null when unset; a secret gives {"key","set"} instead)')
    .action((rawKey: string, opts: { json?: boolean }) =>
      run(() => {
        if (isSecretKey(rawKey)) {
          const isSet = readStoredSecrets(ctx.env)[rawKey] !== undefined;
          if (opts.json) return printJson(ctx, { key: rawKey, set: isSet });
          if (isSet) ctx.stdout(`${HIDDEN}\n`);
          return;
        }
        const key = requireSettingKey(rawKey);
        const value = withSettings(ctx, (r) => readUserSettings((k) => r.getSetting(k)))[key];
        if (opts.json) return printJson(ctx, { key, value: value ?? null });
        if (value !== undefined) ctx.stdout(`${show(value)}\n`);
      }),
    );

  config
    .command('set')
    .description('set one setting; the value is checked against the key type')
    .argument('<key>', `one of ${ALL_KEYS}`)
    .argument(
      '<value>',
      'number, true/false, a URL or one of the listed choices, by key; for a secret, - reads it from stdin (kept out of the shell history)',
    )
    .action((rawKey: string, raw: string) =>
      run(() => {
        if (isSecretKey(rawKey)) {
          writeStoredSecret(ctx.env, rawKey, secretValue(rawKey, raw === '-' ? readFileSync(0, 'utf8') : raw));
          ctx.stdout(`${rawKey} stored in ${secretsFile(ctx.env)} (mode 0600)\n`);
          return;
        }
        const key = requireSettingKey(rawKey);
        const value = parseSettingValue(key, raw);
        const handle = openRegistry(ctx.env);
        let widening: WideningChange[];
        try {
          widening = setGlobalSetting(handle, key, value);
        } finally {
          handle.close();
        }
        ctx.stdout(`${key} = ${show(value)}\n`);
        ctx.stdout(wideningNotice(widening));
      }),
    );

  config
    .command('unset')
    .description('remove one setting (back to the built-in default)')
    .argument('<key>', `one of ${ALL_KEYS}`)
    .action((rawKey: string) =>
      run(() => {
        if (isSecretKey(rawKey)) {
          ctx.stdout(writeStoredSecret(ctx.env, rawKey, null) ? `${rawKey} unset\n` : `${rawKey} was not set\n`);
          return;
        }
        const key = requireSettingKey(rawKey);
        const removed = withSettings(ctx, (r) => r.deleteSetting(settingStorageKey(key)));
        ctx.stdout(removed ? `${key} unset\n` : `${key} was not set\n`);
      }),
    );

  config
    .command('list')
    .description('every known setting with its value and accepted values')
    .option('--json', 'print JSON: {"settings":{key: value},"secrets":{authToken,apiKey: set or not}} (set keys only)')
    .action((opts: { json?: boolean }) =>
      run(() => {
        const settings = withSettings(ctx, (r) => readUserSettings((k) => r.getSetting(k)));
        const secrets = secretsStatus(readStoredSecrets(ctx.env));
        if (opts.json) return printJson(ctx, { settings, secrets });
        const width = Math.max(...[...USER_SETTING_KEYS, ...SECRET_SETTING_KEYS].map((k) => k.length));
        for (const key of USER_SETTING_KEYS) {
          const value = settings[key];
          ctx.stdout(
            `${key.padEnd(width)}  ${value === undefined ? '(unset)' : show(value)}  [${describeSettingValues(key)}]\n`,
          );
        }
        for (const key of SECRET_SETTING_KEYS)
          ctx.stdout(`${key.padEnd(width)}  ${secrets[key] ? HIDDEN : '(unset)'}  [secret]\n`);
      }),
    );
}
