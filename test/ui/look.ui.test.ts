import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../support/cli-process.js';
import { seriousAxeViolations } from '../support/axe.js';
import { launchChromium, seedProject, startUiServer, watchPageErrors, type UiServer } from '../support/ui-fixture.js';

// The look of issue #21 item 8 in Debian's Chromium against the real server and its built UI: the display face is
// the bundled font (loaded from the server itself, under its CSP; no request leaves 127.0.0.1) and the graph's edges
// end in arrowheads, in both themes.
vi.setConfig({ testTimeout: 120_000 });

const SHOTS = join(REPO_ROOT, 'test-artifacts', 'ui');
const DISPLAY_FONT = 'Space Grotesk Variable';
const MONO_FONT = 'JetBrains Mono Variable';

let ui: UiServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ui = await startUiServer();
  seedProject(ui, 'shop', { count: 10, passing: 3, inProgress: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
});

for (const theme of ['light', 'dark'] as const) {
  it(`the bundled fonts are loaded from the server itself and nothing leaves 127.0.0.1 (${theme})`, async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: theme });
    const page = await ctx.newPage();
    const errors = watchPageErrors(page);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const fonts: { url: string; status: number; type: string | undefined }[] = [];
    page.on('response', (r) => {
      if (/\.woff2$/.test(new URL(r.url()).pathname))
        fonts.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] });
    });
    try {
      await page.goto(ui.link('/projects/shop'));
      await page.getByTestId('agent-0').waitFor();
      const loaded = await page.evaluate(async () => {
        await document.fonts.ready;
        return [...document.fonts].filter((f) => f.status === 'loaded').map((f) => `${f.family}|${f.weight}`);
      });
      expect(loaded).toContain(`${DISPLAY_FONT}|300 700`);
      expect(await page.evaluate((f) => document.fonts.check(`700 24px "${f}"`), DISPLAY_FONT)).toBe(true);
      // The heading is set in it (not a system fallback that happens to be named first).
      expect(await page.getByRole('heading', { level: 1 }).evaluate((h) => getComputedStyle(h).fontFamily)).toMatch(
        new RegExp(`^"?${DISPLAY_FONT}"?,`),
      );
      expect(await page.getByRole('heading', { level: 1 }).evaluate((h) => getComputedStyle(h).fontWeight)).toBe('700');
      // Monospace text (the project path) gets the bundled mono face.
      await page.evaluate(async (f) => {
        await document.fonts.load(`400 12px "${f}"`);
      }, MONO_FONT);
      expect(await page.evaluate((f) => document.fonts.check(`400 12px "${f}"`), MONO_FONT)).toBe(true);

      expect(fonts.length).toBeGreaterThan(0);
      for (const f of fonts) {
        expect(f.url.startsWith(`${ui.url}/assets/`)).toBe(true);
        expect(f.status).toBe(200);
        expect(f.type).toBe('font/woff2');
      }
      const elsewhere = requests.filter((u) => !u.startsWith(`${ui.url}/`) && !u.startsWith('data:'));
      expect(elsewhere).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it(`graph edges end in arrowheads that point at the dependent feature (${theme})`, async () => {
    const ctx = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      colorScheme: theme,
      reducedMotion: 'reduce',
    });
    const page = await ctx.newPage();
    const errors = watchPageErrors(page);
    try {
      await page.goto(ui.link('/projects/shop/graph'));
      await page.getByTestId('node-1').waitFor();
      await page.locator('.react-flow__edge path.react-flow__edge-path').first().waitFor();
      const edges = await page.evaluate(() =>
        [...document.querySelectorAll('.react-flow__edge')].map((edge) => {
          const path = edge.querySelector('path.react-flow__edge-path')!;
          const ref = /^url\(['"]?#(.+?)['"]?\)$/.exec(path.getAttribute('marker-end') ?? '')?.[1] ?? null;
          const marker = ref ? document.getElementById(ref) : null;
          return {
            marker: marker?.tagName ?? null,
            drawn: marker ? marker.querySelector('polyline, path') !== null : false,
          };
        }),
      );
      expect(edges.length).toBeGreaterThan(0);
      for (const e of edges) expect(e).toEqual({ marker: 'marker', drawn: true });
      // The legend speaks of arrows.
      await page
        .getByRole('list', { name: 'Legend' })
        .getByText(/arrows point from a dependency/)
        .waitFor();
      await page.screenshot({ path: join(SHOTS, `look-graph-${theme}.png`) });
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
}
