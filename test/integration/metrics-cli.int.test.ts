import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/env.js';
import { MetricsSchema } from '../../src/shared/metrics.js';
import { cliInProcess } from '../support/cli-in-process.js';
import { seedMetricsProject } from '../support/metrics-seed.js';

let root: string;
let env: Env;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-metrics-cli-'));
  env = { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH };
  seedMetricsProject(root, env);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('autocoder metrics', () => {
  it('--json prints the API schema: the total cost is the sum of the sessions', async () => {
    const res = await cliInProcess(['metrics', 'alpha', '--json'], env);
    expect(res.status).toBe(0);
    const m = MetricsSchema.parse(JSON.parse(res.stdout));
    expect(m.project).toBe('alpha');
    expect(m.cost.total.costUsd).toBe(1.375);
    expect(m.cost.total.costUsd).toBe(m.sessions.reduce((sum, s) => sum + s.costUsd, 0));
    const one = MetricsSchema.parse(
      JSON.parse((await cliInProcess(['metrics', 'alpha', '--run', 'run_2', '--json'], env)).stdout),
    );
    expect(one).toMatchObject({ runId: 'run_2', cost: { total: { costUsd: 0.125, sessions: 1 } } });
  });

  it('prints a readable summary with the ROI and its assumptions', async () => {
    const res = await cliInProcess(['metrics', 'alpha'], env);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('Metrics of alpha (2 runs');
    expect(res.stdout).toMatch(/Passing: +1\/2 now; 1 landing of 1 feature/);
    expect(res.stdout).toMatch(/Cost: +\$1\.38 over 3 sessions \(300 in, 30 out, 15 cache read, 3 cache write\)/);
    expect(res.stdout).toMatch(/by role: +coding \$1\.25 \(2\), testing \$0\.13 \(1\)/);
    expect(res.stdout).toMatch(/Wasted spend: +\$0\.50 \(36%\) in 1 session: error \$0\.50 \(1\)/);
    expect(res.stdout).toMatch(/ROI: +2 developer hours saved, worth \$300\.00, for \$1\.38: net \$298\.63/);
    expect(res.stdout).toContain('assuming 2 h per feature (default) at $150.00/h (project)');
  });

  it('refuses a malformed or unknown run and an unknown project with exit 2 and a clear message', async () => {
    const unknown = await cliInProcess(['metrics', 'alpha', '--run', 'run_9'], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no run "run_9" in project alpha');
    const bad = await cliInProcess(['metrics', 'alpha', '--run', '../x'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--run: expected a run id');
    const nobody = await cliInProcess(['metrics', 'nobody'], env);
    expect(nobody.status).not.toBe(0);
    expect(nobody.stderr).toMatch(/nobody/);
  });
});
