import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import { GlobalSettingsSchema, type GlobalSettings } from '../shared/api.js';
import type { RoleModels, RunSettings } from './run-settings.js';
import { MODEL_ROLES, roleModelKey } from '../shared/providers.js';

/**
 * The user's global defaults, kept in the registry `settings` table as `ui.<key>` = JSON value.
 * One schema (GlobalSettingsSchema in src/shared/api.ts) serves `autocoder config` and
 * GET/PUT /api/settings alike.
 */
export const UserSettingsSchema = GlobalSettingsSchema;
export type UserSettings = GlobalSettings;
export type UserSettingKey = keyof UserSettings;

export const USER_SETTING_KEYS = Object.keys(UserSettingsSchema.shape) as UserSettingKey[];

/** The registry row a key is stored under. */
export const settingStorageKey = (key: UserSettingKey): string => `ui.${key}`;

export function isUserSettingKey(key: string): key is UserSettingKey {
  return (USER_SETTING_KEYS as string[]).includes(key);
}

/** What values a key accepts, for error messages and `config list`. */
export function describeSettingValues(key: UserSettingKey): string {
  const field = UserSettingsSchema.shape[key].unwrap();
  if (key === 'baseUrl') return 'http(s) URL';
  if (key.startsWith('model.')) return 'model name (not demo)';
  if (field instanceof z.ZodEnum) return field.options.join('|');
  if (field instanceof z.ZodBoolean) return 'true|false';
  if (field instanceof z.ZodNumber) {
    const min = field.minValue;
    const max = field.maxValue;
    return min !== null && max !== null && Number.isFinite(min) && Number.isFinite(max)
      ? `${field.isInt ? 'integer' : 'number'} ${min}-${max}`
      : 'number';
  }
  return 'text';
}

function validKeysText(): string {
  return USER_SETTING_KEYS.map((k) => `${k} (${describeSettingValues(k)})`).join(', ');
}

/** Refuses a key that is not one of the known settings, listing the valid ones. */
export function requireSettingKey(key: string): UserSettingKey {
  if (!isUserSettingKey(key))
    throw new AppError('INVALID_INPUT', `unknown setting "${key}"; valid keys: ${validKeysText()}`);
  return key;
}

/** Parses a command-line value by the key's type (number, boolean, enum, text). */
export function parseSettingValue(key: UserSettingKey, raw: string): UserSettings[UserSettingKey] {
  const field = UserSettingsSchema.shape[key].unwrap();
  let candidate: unknown = raw;
  if (field instanceof z.ZodNumber) candidate = raw.trim() === '' ? Number.NaN : Number(raw);
  else if (field instanceof z.ZodBoolean) candidate = raw === 'true' ? true : raw === 'false' ? false : raw;
  const parsed = UserSettingsSchema.shape[key].safeParse(candidate);
  if (!parsed.success || parsed.data === undefined) {
    throw new AppError('INVALID_INPUT', `invalid value "${raw}" for ${key}: expected ${describeSettingValues(key)}`);
  }
  return parsed.data;
}

/** Reads the known keys; a value that no longer fits the schema (or was cleared with null) counts as unset. */
export function readUserSettings(get: (storageKey: string) => string | undefined): UserSettings {
  const out: Record<string, unknown> = {};
  for (const key of USER_SETTING_KEYS) {
    const raw = get(settingStorageKey(key));
    if (raw === undefined) continue;
    try {
      const value = JSON.parse(raw) as unknown;
      if (value === null) continue;
      const field = UserSettingsSchema.shape[key].safeParse(value);
      if (field.success && field.data !== undefined) out[key] = field.data;
    } catch {
      // A hand-edited value that is not JSON counts as unset, like one that no longer fits the schema.
      continue;
    }
  }
  return out as UserSettings;
}

/** The part of RegistryRepo the settings need. */
export interface SettingsStore {
  getSetting(key: string): string | undefined;
}

/** The part of RegistryRepo a project's settings need. */
export interface ProjectSettingsStore {
  getProjectSetting(project: string, key: string): string | undefined;
}

function runDefaultsFrom(s: UserSettings): Partial<RunSettings> {
  const out: Partial<RunSettings> = {};
  if (s.defaultModel !== undefined) out.model = s.defaultModel;
  if (s.defaultConcurrency !== undefined) out.concurrency = s.defaultConcurrency;
  if (s.defaultSandbox !== undefined) out.sandbox = s.defaultSandbox;
  if (s.yolo !== undefined) out.yolo = s.yolo;
  const models: RoleModels = {};
  for (const role of MODEL_ROLES) {
    const model = s[roleModelKey(role)];
    if (model !== undefined) models[role] = model;
  }
  if (Object.keys(models).length > 0) out.models = models;
  if (s.provider !== undefined) out.provider = s.provider;
  if (s.baseUrl !== undefined) out.baseUrl = s.baseUrl;
  if (s.awsRegion !== undefined) out.awsRegion = s.awsRegion;
  if (s.vertexProject !== undefined) out.vertexProject = s.vertexProject;
  if (s.vertexRegion !== undefined) out.vertexRegion = s.vertexRegion;
  if (s['budget.runUsd'] !== undefined) out.maxCostUsd = s['budget.runUsd'];
  if (s['budget.featureUsd'] !== undefined) out.maxFeatureCostUsd = s['budget.featureUsd'];
  if (s['budget.dailyUsd'] !== undefined) out.dailyBudgetUsd = s['budget.dailyUsd'];
  if (s.checkpointInterval !== undefined) out.checkpointInterval = s.checkpointInterval;
  if (s['checkpoint.agents'] !== undefined)
    out.checkpointAgents = [...new Set(s['checkpoint.agents'].split(','))] as RunSettings['checkpointAgents'];
  if (s.pauseOnCritical !== undefined) out.pauseOnCritical = s.pauseOnCritical;
  if (s.designReviewEvery !== undefined) out.designReviewEvery = s.designReviewEvery;
  if (s.designIterations !== undefined) out.designIterations = s.designIterations;
  return out;
}

/**
 * `autocoder run` defaults from the global settings: defaultModel → model, defaultSandbox →
 * sandbox, yolo → yolo, defaultConcurrency → concurrency, `model.<role>` → models[role];
 * provider, baseUrl, awsRegion, vertexProject and vertexRegion keep their names; budget.runUsd → maxCostUsd,
 * budget.featureUsd → maxFeatureCostUsd, budget.dailyUsd → dailyBudgetUsd. They rank below the environment and
 * flags:
 * `loadRunSettings(env, flags, registryRunDefaults(registry))`.
 */
export function registryRunDefaults(registry: SettingsStore): Partial<RunSettings> {
  return runDefaultsFrom(readUserSettings((k) => registry.getSetting(k)));
}

/**
 * The same defaults from one project's settings (`PUT /api/projects/{name}/settings`); they
 * rank above the global ones: `{ ...registryRunDefaults(r), ...projectRunDefaults(r, name) }`.
 */
export function projectRunDefaults(registry: ProjectSettingsStore, project: string): Partial<RunSettings> {
  return runDefaultsFrom(readUserSettings((k) => registry.getProjectSetting(project, k)));
}
