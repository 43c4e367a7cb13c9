/**
 * What a design capture costs per page and viewport: on the design fixture app (four linked pages, two with a dark
 * theme: 12 screenshots), times `captureDesign` end to end and each screenshot in it (a fresh load, waiting for the
 * network to settle, the full-page PNG and axe-core). Sandbox on (the app in the bubblewrap jail). The first run is
 * cold (the worktree is created, Chromium's caches are empty); the rest are warm. Target: ≤ 2 s per page and viewport
 * (light and dark together) on this machine. `--keep` keeps the last capture's folder and prints where it is.
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { captureDesign } from '../src/design/capture.js';
import { silentLogger } from '../src/logging/logger.js';
import { findChromium } from '../src/runner/browser.js';
import { createRedactor } from '../src/security/redactor.js';
import type { DesignCapture } from '../src/shared/design-capture.js';
import { createDesignAppRepo } from '../test/support/design-app.js';
import { freePort } from '../test/support/free-port.js';

const RUNS = 4;
const TARGET_MS = 2_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;

export async function run(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const chromium = findChromium(undefined, process.env.PATH);
  if (chromium === null) throw new Error('the design bench needs Chromium on PATH');
  const repo = createDesignAppRepo();
  const walls: number[] = [];
  /** Per page and viewport (light and dark shots of it together), by run. */
  const perPageViewport: number[][] = [];
  /** Per screenshot, by kind. */
  const byKind = new Map<string, number[]>();
  let last: DesignCapture | null = null;
  let lastDir = '';
  try {
    for (let i = 0; i < RUNS; i += 1) {
      lastDir = join(repo.root, '.autocoder', 'design', `bench-${i}`);
      const started = performance.now();
      const capture = await captureDesign(
        {
          projectRoot: repo.root,
          commit: repo.commit,
          iterationDir: lastDir,
          checks: [{ kind: 'browser', steps: [{ goto: '/about' }] }],
          port: await freePort(),
          sandbox: true,
          chromium,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
          redact: createRedactor([]),
          logger: silentLogger(),
        },
        new AbortController().signal,
      );
      const wall = performance.now() - started;
      if (capture.status !== 'captured') throw new Error(`the capture ${capture.status}: ${capture.error ?? ''}`);
      last = capture;
      const units: number[] = [];
      for (const page of capture.pages)
        for (const viewport of ['desktop', 'mobile'] as const) {
          const shots = page.shots.filter((s) => s.viewport === viewport);
          units.push(shots.reduce((n, s) => n + s.durationMs, 0));
          for (const s of shots) {
            const key = `${viewport} ${s.theme}`;
            if (i > 0) byKind.set(key, [...(byKind.get(key) ?? []), s.durationMs]);
          }
        }
      const shots = capture.pages.reduce((n, p) => n + p.shots.length, 0);
      process.stdout.write(
        `run ${i + 1}${i === 0 ? ' (cold)' : ''}: ${capture.pages.length} pages, ${shots} screenshots in ${ms(wall)}; per page and viewport median ${ms(median(units))}, max ${ms(Math.max(...units))}\n`,
      );
      if (i === 0) continue;
      walls.push(wall);
      perPageViewport.push(units);
    }
  } finally {
    if (keep) process.stdout.write(`kept: ${lastDir}\n`);
    else repo.cleanup();
  }
  const all = perPageViewport.flat();
  const m = median(all);
  const pages = last?.pages.length ?? 0;
  process.stdout.write(
    `\ndesign capture on the fixture app (${RUNS - 1} warm runs after a cold one; sandbox on):\n` +
      `  whole capture (${pages} pages × 2 viewports, dark where supported): median ${ms(median(walls))}, max ${ms(Math.max(...walls))}\n` +
      `  per page and viewport (load, settle, screenshot, axe; light + dark): median ${ms(m)}, max ${ms(Math.max(...all))}  target ≤ ${ms(TARGET_MS)} ${m <= TARGET_MS ? 'ok' : 'MISSED'}\n` +
      [...byKind]
        .map(
          ([kind, xs]) => `  one screenshot, ${kind.padEnd(13)}: median ${ms(median(xs))}, max ${ms(Math.max(...xs))}`,
        )
        .join('\n') +
      '\n',
  );
}
