import { describe, expect, it } from 'vitest';
import type { SettingSource } from '../config/run-settings.js';
import { securitySummary, type SecuritySummaryInput } from './security-summary.js';

const from =
  (sources: Partial<Record<'sandbox' | 'yolo' | 'baseUrl', SettingSource>>) => (key: 'sandbox' | 'yolo' | 'baseUrl') =>
    sources[key] ?? 'default';

const base: SecuritySummaryInput = {
  settings: { sandbox: 'on', yolo: false },
  sandbox: { enabled: true, warning: null },
  source: from({ sandbox: 'user settings' }),
  extraCommands: [],
};

describe('the security line a run prints at start', () => {
  it('names each part and the layer it came from', () => {
    expect(securitySummary(base)).toBe(
      'Security: sandbox on (user settings) · browser checks on (default) · extra commands: none',
    );
  });

  it('says auto when the sandbox was chosen automatically', () => {
    expect(securitySummary({ ...base, settings: { sandbox: 'auto', yolo: false }, source: from({}) })).toBe(
      'Security: sandbox on (auto, default) · browser checks on (default) · extra commands: none',
    );
  });

  it('shouts when the sandbox is off, and says why', () => {
    expect(
      securitySummary({
        ...base,
        settings: { sandbox: 'off', yolo: false },
        sandbox: { enabled: false, warning: null },
        source: from({ sandbox: 'flag' }),
      }),
    ).toContain('sandbox OFF (flag)');
    expect(
      securitySummary({
        ...base,
        settings: { sandbox: 'auto', yolo: false },
        sandbox: { enabled: false, warning: 'x' },
        source: from({}),
      }),
    ).toContain('sandbox OFF (auto: not available on this machine, default)');
  });

  it('lists extra commands, yolo and a custom model endpoint with their sources', () => {
    const line = securitySummary({
      ...base,
      settings: { sandbox: 'on', yolo: true, baseUrl: 'http://127.0.0.1:9/' },
      source: from({ sandbox: 'flag', yolo: 'project settings', baseUrl: 'environment' }),
      extraCommands: ['make', 'cargo'],
    });
    expect(line).toBe(
      'Security: sandbox on (flag) · browser checks off (yolo, project settings) · extra commands: make, cargo (project allowlist) · model endpoint http://127.0.0.1:9/ (environment)',
    );
  });
});
