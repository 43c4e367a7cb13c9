import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import { loadRunSettings, resolveRunSettings } from './run-settings.js';
import { metricsAssumptions } from './metrics-settings.js';
import {
  describeSettingValues,
  parseSettingValue,
  projectRunDefaults,
  readUserSettings,
  registryRunDefaults,
  requireSettingKey,
  USER_SETTING_KEYS,
} from './user-settings.js';

const store = (values: Record<string, unknown>) => ({
  getSetting: (key: string) => (key in values ? JSON.stringify(values[key]) : undefined),
});

describe('user settings', () => {
  it('knows the keys the settings API uses', () => {
    expect(USER_SETTING_KEYS).toEqual([
      'defaultModel',
      'defaultConcurrency',
      'defaultSandbox',
      'yolo',
      'model.initializer',
      'model.coding',
      'model.testing',
      'model.supervisor',
      'model.reviewer',
      'model.verifier',
      'model.designer',
      'provider',
      'baseUrl',
      'awsRegion',
      'vertexProject',
      'vertexRegion',
      'metrics.hoursPerFeature',
      'metrics.hourlyRateUsd',
      'budget.runUsd',
      'budget.featureUsd',
      'budget.dailyUsd',
      'checkpointInterval',
      'checkpoint.agents',
      'pauseOnCritical',
      'designReviewEvery',
      'designIterations',
    ]);
  });

  it('gives a run its checkpoint settings from the project or the global settings', () => {
    const global = new Map([
      ['ui.checkpointInterval', '4'],
      ['ui.checkpoint.agents', '"security,code,security"'],
    ]);
    const project = new Map([['ui.pauseOnCritical', 'false']]);
    expect(registryRunDefaults({ getSetting: (k) => global.get(k) })).toMatchObject({
      checkpointInterval: 4,
      checkpointAgents: ['security', 'code'],
    });
    expect(projectRunDefaults({ getProjectSetting: (_n, k) => project.get(k) }, 'shop')).toEqual({
      pauseOnCritical: false,
    });
    expect(() => parseSettingValue('checkpoint.agents', 'code,style')).toThrow(/invalid value "code,style"/);
  });

  it('takes the metrics assumptions from the project, else the global settings, else the defaults, with the source', () => {
    const global = new Map([['ui.metrics.hoursPerFeature', '3']]);
    const project = new Map([['ui.metrics.hourlyRateUsd', '80.5']]);
    const registry = {
      getSetting: (k: string) => global.get(k),
      getProjectSetting: (name: string, k: string) => (name === 'shop' ? project.get(k) : undefined),
    };
    expect(metricsAssumptions(registry, 'shop')).toEqual({
      hoursPerFeature: 3,
      hourlyRateUsd: 80.5,
      source: { hoursPerFeature: 'global', hourlyRateUsd: 'project' },
    });
    expect(metricsAssumptions(registry, null)).toEqual({
      hoursPerFeature: 3,
      hourlyRateUsd: 100,
      source: { hoursPerFeature: 'global', hourlyRateUsd: 'default' },
    });
    expect(parseSettingValue('metrics.hourlyRateUsd', '120.5')).toBe(120.5);
    expect(() => parseSettingValue('metrics.hoursPerFeature', '0')).toThrow(/number 0-1000|expected/);
    expect(describeSettingValues('metrics.hourlyRateUsd')).toBe('number 0-100000');
  });

  it('parses values by key type and refuses bad ones', () => {
    expect(parseSettingValue('defaultConcurrency', '4')).toBe(4);
    expect(parseSettingValue('yolo', 'false')).toBe(false);
    expect(parseSettingValue('defaultSandbox', 'on')).toBe('on');
    expect(parseSettingValue('defaultModel', 'claude-sonnet-4-5')).toBe('claude-sonnet-4-5');
    for (const [key, raw] of [
      ['defaultConcurrency', '0'],
      ['defaultConcurrency', ''],
      ['defaultConcurrency', '1.5'],
      ['yolo', '1'],
      ['defaultSandbox', 'maybe'],
      ['defaultModel', ''],
    ] as const) {
      expect(() => parseSettingValue(key, raw)).toThrow(AppError);
    }
    expect(() => requireSettingKey('colour')).toThrow(/valid keys: defaultModel/);
  });

  it('ignores stored values that no longer fit, and null', () => {
    const raw: Record<string, string> = {
      'ui.defaultConcurrency': '99',
      'ui.yolo': 'null',
      'ui.defaultSandbox': 'not json',
      'ui.defaultModel': '"m"',
    };
    expect(readUserSettings((k) => raw[k])).toEqual({ defaultModel: 'm' });
  });

  it('gives run defaults that rank below the environment and flags', () => {
    const defaults = registryRunDefaults(
      store({
        'ui.defaultModel': 'reg-model',
        'ui.defaultSandbox': 'off',
        'ui.yolo': true,
        'ui.defaultConcurrency': 2,
      }),
    );
    expect(defaults).toEqual({ model: 'reg-model', sandbox: 'off', yolo: true, concurrency: 2 });
    expect(loadRunSettings({}, {}, defaults)).toMatchObject({
      model: 'reg-model',
      sandbox: 'off',
      yolo: true,
      concurrency: 2,
    });
    expect(loadRunSettings({ AUTOCODER_CONCURRENCY: '4' }, {}, defaults).concurrency).toBe(4);
    expect(loadRunSettings({ AUTOCODER_CONCURRENCY: '4' }, { concurrency: 5 }, defaults).concurrency).toBe(5);
    expect(loadRunSettings({ AUTOCODER_MODEL: 'env-model', AUTOCODER_SANDBOX: 'on' }, {}, defaults)).toMatchObject({
      model: 'env-model',
      sandbox: 'on',
      yolo: true,
    });
    expect(
      loadRunSettings({ AUTOCODER_MODEL: 'env-model' }, { model: 'flag-model', yolo: undefined }, defaults),
    ).toMatchObject({ model: 'flag-model', yolo: true });
    expect(registryRunDefaults(store({}))).toEqual({});
  });

  it('the budget settings become the run budgets; the project beats the user, a flag beats both', () => {
    const user = registryRunDefaults(
      store({ 'ui.budget.runUsd': 10, 'ui.budget.featureUsd': 2, 'ui.budget.dailyUsd': 50 }),
    );
    expect(user).toEqual({ maxCostUsd: 10, maxFeatureCostUsd: 2, dailyBudgetUsd: 50 });
    const project = { maxCostUsd: 4 };
    expect(resolveRunSettings({ registry: user, project, env: {} })).toMatchObject({
      maxCostUsd: 4,
      maxFeatureCostUsd: 2,
      dailyBudgetUsd: 50,
    });
    expect(resolveRunSettings({ registry: user, project, env: {}, flags: { maxCostUsd: 1.5 } }).maxCostUsd).toBe(1.5);
    expect(() => parseSettingValue('budget.runUsd', '0')).toThrow(/invalid value "0" for budget.runUsd/);
  });
});
