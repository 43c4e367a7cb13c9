// Takes the README's screenshots of the web UI (the Projects page, mission control and the board) from the built
// bundle (`npx vite build` first), served by a real server over an AUTOCODER_HOME that holds a project with a finished
// run (for instance the demo after `autocoder demo --no-start && autocoder run demo`).
//
//   AUTOCODER_HOME=… AUTOCODER_PROJECTS_DIR=… HOME=… npx tsx scripts/ui-screenshots.ts <prefix> [project] [out-dir]
//
// writes <out-dir>/<prefix>-projects.png, -mission-control.png and -board.png at 1440 px in the light theme, plus
// -dark and -390 variants, so a before/after pair is one command on each checkout.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../src/server/http-server.js';

const [prefix = 'shot', project = 'demo', outDir = join(import.meta.dirname, '..', 'docs', 'screenshots')] =
  process.argv.slice(2);
const PAGES = [
  { name: 'projects', path: '/', ready: (p: string) => `a[href="/projects/${p}"]` },
  { name: 'mission-control', path: `/projects/${project}`, ready: () => '[data-testid="run-state"]' },
  { name: 'board', path: `/projects/${project}/board`, ready: () => '[data-feature-id]' },
] as const;
const VARIANTS = [
  { suffix: '', width: 1440, height: 900, theme: 'light' },
  { suffix: '-dark', width: 1440, height: 900, theme: 'dark' },
  { suffix: '-390', width: 390, height: 844, theme: 'light' },
] as const;

mkdirSync(outDir, { recursive: true });
const server = await startServer({ env: process.env, cwd: process.cwd(), host: '127.0.0.1', port: 0 });
const browser = await chromium.launch({
  executablePath: process.env['AUTOCODER_CHROMIUM'] ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    // Nothing leaves this machine: Chromium's own background connections are refused here anyway.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  for (const v of VARIANTS) {
    const ctx = await browser.newContext({
      viewport: { width: v.width, height: v.height },
      colorScheme: v.theme,
      reducedMotion: 'reduce',
    });
    const page = await ctx.newPage();
    for (const p of PAGES) {
      await page.goto(`${server.url.replace(/\/$/, '')}${p.path}#token=${server.token}`);
      await page.locator(p.ready(project)).first().waitFor({ timeout: 30_000 });
      await page.evaluate(() => document.fonts.ready);
      const file = join(outDir, `${prefix}-${p.name}${v.suffix}.png`);
      await page.screenshot({ path: file });
      process.stdout.write(`${file}\n`);
    }
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.close();
}
