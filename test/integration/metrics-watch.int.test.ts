import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../src/config/env.js';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore } from '../../src/db/stores.js';
import { CLI } from '../support/cli-process.js';
import { startCliInProcess } from '../support/cli-in-process.js';
import { seedMetricsProject } from '../support/metrics-seed.js';
import { hasPty, startOnPty } from '../support/pty.js';
import { waitFor } from '../support/wait-for.js';

// A real CLI child on a pseudo-terminal (tsx start-up takes seconds on a loaded machine).
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let env: Env;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-metrics-watch-'));
  env = { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH };
  seedMetricsProject(root, env);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A third feature in project alpha: the numbers the dashboard shows change from 1/2 to 1/3. */
function addFeature(): void {
  const store = openProjectStore(projectPaths(join(root, 'work', 'alpha')), { create: false });
  try {
    store.features.create({ category: 'c', name: 'Logout', description: '', steps: [] });
  } finally {
    store.close();
  }
}

/** The terminal's "cursor up N lines" (ESC [ N A): what a redraw in place starts with. */
const CURSOR_UP = new RegExp(`${String.fromCharCode(27)}\\[\\d+A`);

describe('autocoder metrics --watch (the seed metrics/dashboard.py)', () => {
  it.skipIf(!hasPty)(
    'redraws the dashboard in place on a terminal as the data changes, and ends on Ctrl-C',
    async () => {
      const live = startOnPty(
        [process.execPath, CLI, 'metrics', '--project-dir', 'alpha', '--watch', '--interval', '0.3'],
        {
          env: { ...env, TERM: 'xterm' },
          limitSeconds: 100,
        },
      );
      await waitFor(() => live.screen().includes('1/2 passing (50%)'), 60_000, 'the first dashboard');
      expect(live.screen()).toContain('autocoder metrics · alpha ·');
      expect(live.screen()).toMatch(/ROI: +2 developer hours saved/);
      addFeature();
      await waitFor(() => live.screen().includes('1/3 passing (33%)'), 30_000, 'the dashboard after the change');
      const screen = live.screen();
      // The second reading is drawn over the first: the cursor goes back up the block before it.
      const after = screen.slice(screen.lastIndexOf('1/2 passing (50%)'));
      expect(after).toMatch(CURSOR_UP);
      expect(after.indexOf(after.match(CURSOR_UP)?.[0] ?? '\u0000')).toBeLessThan(after.indexOf('1/3 passing (33%)'));
      live.type('\u0003');
      const result = await live.done;
      expect(result.code).toBe(0);
    },
  );

  it('appends a plain timestamped line per change when stdout is not a terminal', async () => {
    const watch = startCliInProcess(['metrics', 'alpha', '--watch', '--interval', '0.2'], env);
    await waitFor(() => watch.output().includes('alpha: 1/2 passing'), 30_000, 'the first line');
    addFeature();
    await waitFor(() => watch.output().includes('alpha: 1/3 passing'), 30_000, 'the line after the change');
    process.emit('SIGINT', 'SIGINT');
    const res = await watch.done;
    expect(res.status).toBe(0);
    expect(res.stdout).not.toContain('\u001b');
    const lines = res.stdout.trimEnd().split('\n');
    // One line per distinct reading, however many times it was read.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d alpha: 1\/2 passing · [\d.]+ features\/h · \$1\.38 over 3 sessions/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d alpha: 1\/3 passing/);
  });

  it('refuses --watch with --json', async () => {
    const res = await startCliInProcess(['metrics', 'alpha', '--watch', '--json'], env).done;
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('--watch draws a dashboard, --json prints one reading');
  });
});
