import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_REGRESSION_EVERY } from '../config/metrics-settings.js';
import { projectPaths } from '../config/paths.js';
import { openProjectStore } from '../db/stores.js';
import { projectMetrics } from '../metrics/project-metrics.js';
import type { Metrics } from '../shared/metrics.js';
import { seedMetricsProject } from '../../test/support/metrics-seed.js';
import { InPlaceBlock } from './in-place-block.js';
import { dashboardKey, dashboardLine, dashboardLines, progressBar } from './metrics-dashboard.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-dashboard-'));
  seedMetricsProject(root, { AUTOCODER_HOME: join(root, 'home'), HOME: root });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Project alpha's metrics at `now`, with a run still active (its active time grows with the clock). */
function readingAt(now: number): Metrics {
  const store = openProjectStore(projectPaths(join(root, 'work', 'alpha')), { create: false });
  try {
    if (store.runs.list().length === 2)
      store.runs.start({ id: 'run_3', pid: 1, host: 'h', incarnation: 'i3', settings: {} });
    return projectMetrics(store, {
      project: 'alpha',
      runId: null,
      now,
      assumptions: {
        hoursPerFeature: 2,
        hourlyRateUsd: 100,
        source: { hoursPerFeature: 'default', hourlyRateUsd: 'default' },
      },
      defaultRegressionEvery: DEFAULT_REGRESSION_EVERY,
    });
  } finally {
    store.close();
  }
}

describe('the metrics dashboard', () => {
  it('draws a progress bar of the passing share', () => {
    expect(progressBar(0, 0)).toBe(`[${'░'.repeat(30)}] 0/0 passing (0%)`);
    expect(progressBar(1, 3)).toBe(`[${'█'.repeat(10)}${'░'.repeat(20)}] 1/3 passing (33%)`);
    expect(progressBar(4, 4)).toBe(`[${'█'.repeat(30)}] 4/4 passing (100%)`);
  });

  it('a reading that only differs in the rate (the clock moved during a run) is no change for the appended lines', () => {
    const now = Date.now();
    const early = readingAt(now + 60_000);
    const later = readingAt(now + 3_600_000);
    expect(dashboardLine(early)).not.toBe(dashboardLine(later));
    expect(dashboardKey(early)).toBe(dashboardKey(later));
    const store = openProjectStore(projectPaths(join(root, 'work', 'alpha')), { create: false });
    try {
      store.features.create({ category: 'c', name: 'More', description: '', steps: [] });
    } finally {
      store.close();
    }
    expect(dashboardKey(readingAt(now + 3_600_000))).not.toBe(dashboardKey(later));
  });

  it('titles the terminal view with the project, the time of the reading and how to quit', () => {
    const lines = dashboardLines(readingAt(Date.UTC(2026, 0, 2, 3, 4, 5)), 'a\nb\n', Date.UTC(2026, 0, 2, 3, 4, 5), 2);
    expect(lines).toEqual([
      'autocoder metrics · alpha · 03:04:05 UTC · every 2 s · Ctrl-C to quit',
      `  [${'█'.repeat(15)}${'░'.repeat(15)}] 1/2 passing (50%)`,
      'a',
      'b',
    ]);
  });
});

describe('a block redrawn in place', () => {
  it('moves the cursor back over the last drawing, blanks lines a shorter one leaves, and cuts wide lines', () => {
    const writes: string[] = [];
    const block = new InPlaceBlock({ isTTY: true, columns: 30, write: (t) => writes.push(t) });
    block.draw(['one', 'two', 'three']);
    block.draw(['four', 'x'.repeat(40)]);
    expect(writes).toEqual([
      '\u001b[2Kone\n\u001b[2Ktwo\n\u001b[2Kthree\n',
      `\u001b[3A\u001b[2Kfour\n\u001b[2K${'x'.repeat(28)}…\n\u001b[2K\n\u001b[1A`,
    ]);
  });
});
