import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** The Chromium-family browser playwright-cli should drive: configured, else the first on PATH. */
export function findChromium(configured: string | undefined, pathVar: string | undefined): string | null {
  if (configured) return configured;
  for (const dir of (pathVar ?? '').split(delimiter)) {
    for (const name of CANDIDATES) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // Not here (or not executable here): try the next name and folder.
        continue;
      }
    }
  }
  return null;
}

/**
 * Writes `.playwright/cli.config.json` so `playwright-cli` in the project uses a local
 * browser headless, without a download. Chromium's own sandbox stays on, except as root,
 * where Chromium refuses to start with it (containers, CI).
 */
export function writePlaywrightConfig(projectRoot: string, chromium: string | null, runningAsRoot: boolean): void {
  const dir = join(projectRoot, '.playwright');
  mkdirSync(dir, { recursive: true });
  const launchOptions: Record<string, unknown> = {
    headless: true,
    chromiumSandbox: !runningAsRoot,
    args: [
      ...(runningAsRoot ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
  if (chromium) launchOptions.executablePath = chromium;
  const config = { browser: { browserName: 'chromium', launchOptions }, outputDir: '.playwright-cli' };
  writeFileSync(join(dir, 'cli.config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/**
 * Machine-specific browser config and artifacts stay out of the project's history. Listed in
 * the repository's own `.git/info/exclude` (shared by every worktree, never committed), so no
 * tracked file changes under an agent's feet.
 */
export const BROWSER_EXCLUDES = ['.playwright/', '.playwright-cli/'] as const;

/** Closes the browser of this session's PLAYWRIGHT_CLI_SESSION (it otherwise idles for an hour). */
export function closeBrowserSession(cwd: string, env: Readonly<Record<string, string>>): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('playwright-cli', ['close'], { cwd, env: { ...env }, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    child.on('error', done);
    child.on('exit', done);
  });
}
