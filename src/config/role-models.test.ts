import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import { MODEL_ROLES } from '../shared/providers.js';
import {
  modelFor,
  parseRoleModel,
  resolveRunSettings,
  settingSources,
  type RunSettingsLayers,
} from './run-settings.js';
import { registryRunDefaults } from './user-settings.js';

/** A registry stand-in holding `ui.<key>` rows (the storage user-settings reads). */
const registry = (values: Record<string, unknown>) => ({
  getSetting: (k: string) =>
    k.startsWith('ui.') && k.slice(3) in values ? JSON.stringify(values[k.slice(3)]) : undefined,
});

function failure(layers: RunSettingsLayers): AppError {
  try {
    resolveRunSettings(layers);
  } catch (err: unknown) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('resolveRunSettings did not throw');
}

describe('model per role across the five layers', () => {
  // Each layer names a role model of its own, so the winner shows which layer ranks higher.
  const layers: RunSettingsLayers = {
    registry: registryRunDefaults(
      registry({
        'model.coding': 'reg-coding',
        'model.testing': 'reg-testing',
        'model.initializer': 'reg-init',
        'model.supervisor': 'reg-sup',
        'model.reviewer': 'reg-rev',
      }),
    ),
    project: { models: { testing: 'proj-testing', supervisor: 'proj-sup', reviewer: 'proj-rev' } },
    env: {
      AUTOCODER_MODEL_INITIALIZER: 'env-init',
      AUTOCODER_MODEL_SUPERVISOR: 'env-sup',
      AUTOCODER_MODEL_REVIEWER: 'env-rev',
      OTHER: 'x',
    },
    flags: { models: { reviewer: 'flag-rev' } },
  };

  it('takes each role from the highest layer that names it', () => {
    const s = resolveRunSettings(layers);
    expect(modelFor(s, 'coding')).toBe('reg-coding');
    expect(modelFor(s, 'testing')).toBe('proj-testing');
    expect(modelFor(s, 'initializer')).toBe('env-init');
    expect(modelFor(s, 'supervisor')).toBe('env-sup');
    expect(modelFor(s, 'reviewer')).toBe('flag-rev');
  });

  it('leaves a role unset (Claude Code default) when no layer names a model', () => {
    const s = resolveRunSettings({ env: {} });
    for (const role of MODEL_ROLES) expect(modelFor(s, role)).toBeUndefined();
  });

  it('falls back to the general model for roles without their own', () => {
    const s = resolveRunSettings({
      registry: registryRunDefaults(registry({ defaultModel: 'general', 'model.coding': 'cheap' })),
      env: {},
    });
    expect(modelFor(s, 'coding')).toBe('cheap');
    for (const role of ['initializer', 'testing', 'supervisor', 'reviewer'] as const)
      expect(modelFor(s, role)).toBe('general');
  });

  it('lets a general model in a higher layer override role models of lower layers, but not of its own layer', () => {
    const reg = registryRunDefaults(registry({ 'model.coding': 'reg-coding', defaultModel: 'reg-general' }));
    expect(modelFor(resolveRunSettings({ registry: reg, env: { AUTOCODER_MODEL: 'env-general' } }), 'coding')).toBe(
      'env-general',
    );
    expect(
      modelFor(
        resolveRunSettings({
          registry: reg,
          env: { AUTOCODER_MODEL: 'env-general' },
          flags: { models: { coding: 'flag-coding' } },
        }),
        'coding',
      ),
    ).toBe('flag-coding');
    expect(
      modelFor(
        resolveRunSettings({
          registry: reg,
          env: { AUTOCODER_MODEL: 'env-general', AUTOCODER_MODEL_CODING: 'env-coding' },
        }),
        'coding',
      ),
    ).toBe('env-coding');
    expect(
      modelFor(
        resolveRunSettings({
          registry: reg,
          env: { AUTOCODER_MODEL_CODING: 'env-coding' },
          flags: { model: 'flag-general' },
        }),
        'coding',
      ),
    ).toBe('flag-general');
  });

  it('ranks the environment above the project settings, and those above the user settings, for other settings too', () => {
    expect(
      resolveRunSettings({ project: { provider: 'bedrock' }, env: { AUTOCODER_PROVIDER: 'vertex' } }).provider,
    ).toBe('vertex');
    expect(
      resolveRunSettings({
        registry: { baseUrl: 'http://a.example' },
        project: { baseUrl: 'http://b.example' },
        env: {},
      }).baseUrl,
    ).toBe('http://b.example');
  });

  it('plays every role with the demo model when the general model is demo', () => {
    const s = resolveRunSettings({
      registry: registryRunDefaults(registry({ 'model.coding': 'reg-coding' })),
      project: { model: 'demo' },
      env: {},
    });
    for (const role of MODEL_ROLES) expect(modelFor(s, role)).toBe('demo');
  });
});

describe('where each setting came from', () => {
  it('names the highest layer that sets a key, and default for the rest', () => {
    const source = settingSources({
      registry: { sandbox: 'on', yolo: true },
      project: { sandbox: 'off', concurrency: 2 },
      env: { AUTOCODER_SANDBOX: 'auto', AUTOCODER_MODEL: 'm' },
      flags: { sandbox: 'on', yolo: undefined },
    });
    expect(source('sandbox')).toBe('flag');
    expect(source('yolo')).toBe('user settings');
    expect(source('concurrency')).toBe('project settings');
    expect(source('model')).toBe('environment');
    expect(source('baseUrl')).toBe('default');
  });
});

describe('invalid model and provider settings', () => {
  it('refuses demo as one role model, naming the role', () => {
    expect(failure({ env: { AUTOCODER_MODEL_CODING: 'demo' } }).message).toMatch(
      /models\.coding: "demo" can only be the general model/,
    );
    expect(failure({ env: {}, flags: { models: { testing: 'demo' } } }).message).toContain('models.testing');
  });

  it('refuses an unknown provider and a base URL that is not http(s)', () => {
    expect(failure({ env: { AUTOCODER_PROVIDER: 'openai' } }).message).toMatch(
      /provider: .*"anthropic"\|"compatible"\|"bedrock"\|"vertex"/,
    );
    expect(failure({ env: { AUTOCODER_BASE_URL: 'ftp://x.example' } }).message).toMatch(
      /baseUrl: expected an http:\/\/ or https:\/\/ URL/,
    );
    expect(failure({ project: { baseUrl: 'not a url' }, env: {} }).message).toContain('baseUrl');
  });

  it('parses --role-model role=model and refuses other shapes', () => {
    expect(parseRoleModel('coding=claude-haiku-4-5')).toEqual({ role: 'coding', model: 'claude-haiku-4-5' });
    expect(parseRoleModel(' supervisor = glm-4.6 ')).toEqual({ role: 'supervisor', model: 'glm-4.6' });
    expect(() => parseRoleModel('coder=x')).toThrow(
      /unknown role "coder"; roles: initializer, coding, testing, supervisor, reviewer/,
    );
    expect(() => parseRoleModel('coding')).toThrow(/takes role=model/);
    expect(() => parseRoleModel('coding=')).toThrow(/takes role=model/);
    expect(() => parseRoleModel('=x')).toThrow(/takes role=model/);
  });
});
