import { DEFAULT_HOURLY_RATE_USD, DEFAULT_HOURS_PER_FEATURE, type MetricsAssumptions } from '../shared/metrics.js';
import { RunSettingsSchema } from './run-settings.js';
import { readUserSettings, type ProjectSettingsStore, type SettingsStore } from './user-settings.js';

/**
 * The ROI assumptions for one project's metrics: `metrics.hoursPerFeature` and `metrics.hourlyRateUsd`, each from
 * the project's settings (none for a project addressed by an unregistered path), else the global ones, else the
 * defaults; with where each came from, so the API, the CLI and the report print them beside the number.
 */
export function metricsAssumptions(
  registry: SettingsStore & ProjectSettingsStore,
  project: string | null,
): MetricsAssumptions {
  const own = project === null ? {} : readUserSettings((k) => registry.getProjectSetting(project, k));
  const global = readUserSettings((k) => registry.getSetting(k));
  const pick = (key: 'metrics.hoursPerFeature' | 'metrics.hourlyRateUsd', fallback: number) => {
    const p = own[key];
    if (p !== undefined) return { value: p, source: 'project' as const };
    const g = global[key];
    if (g !== undefined) return { value: g, source: 'global' as const };
    return { value: fallback, source: 'default' as const };
  };
  const hours = pick('metrics.hoursPerFeature', DEFAULT_HOURS_PER_FEATURE);
  const rate = pick('metrics.hourlyRateUsd', DEFAULT_HOURLY_RATE_USD);
  return {
    hoursPerFeature: hours.value,
    hourlyRateUsd: rate.value,
    source: { hoursPerFeature: hours.source, hourlyRateUsd: rate.source },
  };
}

/** `regressionEvery` when a run recorded none (the run settings' default). */
export const DEFAULT_REGRESSION_EVERY: number = RunSettingsSchema.parse({}).regressionEvery;
