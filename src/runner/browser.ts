import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Env } from '../config/env.js';
import type { BrowserLocator } from '../shared/browser-view.js';

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

/** What a browser window needs to reach the user's screen (X11 or Wayland); passed to agents only for headed runs. */
const DISPLAY_VARS = ['DISPLAY', 'WAYLAND_DISPLAY', 'XAUTHORITY', 'XDG_RUNTIME_DIR'] as const;

/** How the agents' browsers run: headed only when asked for (the headed setting) and a display is there. */
export interface BrowserDisplay {
  readonly headed: boolean;
  /** The display variables the agents' sessions get (empty when headless). */
  readonly env: Readonly<Record<string, string>>;
  /** Said in the runner log when a headed browser was asked for and cannot be: there is no display. */
  readonly note: string | null;
}

export function browserDisplay(wantHeaded: boolean, env: Env): BrowserDisplay {
  if (!wantHeaded) return { headed: false, env: {}, note: null };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY)
    return {
      headed: false,
      env: {},
      note: "Headed browsers were asked for (PLAYWRIGHT_HEADLESS=false or AUTOCODER_HEADED), but there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set): the agents' browsers stay headless.",
    };
  const vars: Record<string, string> = {};
  for (const key of DISPLAY_VARS) {
    const value = env[key];
    if (value) vars[key] = value;
  }
  return { headed: true, env: vars, note: null };
}

/**
 * Writes `.playwright/cli.config.json` so `playwright-cli` in the project uses a local
 * browser, without a download: headless unless `headed` (see browserDisplay). Chromium's own sandbox stays on, except
 * as root, where Chromium refuses to start with it (containers, CI).
 */
export function writePlaywrightConfig(
  projectRoot: string,
  chromium: string | null,
  runningAsRoot: boolean,
  headed = false,
): void {
  const dir = join(projectRoot, '.playwright');
  mkdirSync(dir, { recursive: true });
  const launchOptions: Record<string, unknown> = {
    headless: !headed,
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

/** The `PLAYWRIGHT_CLI_SESSION` of an agent session: its browser's name, and its descriptor's title. */
export const browserSessionName = (sessionId: string): string => `ac-${sessionId.slice(-12)}`;

/**
 * The folder where playwright-cli, started with this HOME, registers the browsers it launches (playwright-core's
 * `serverRegistry`: `<cache>/ms-playwright/b`, the cache being `~/.cache` on Linux — agents get no XDG_CACHE_HOME —
 * and `~/Library/Caches` on macOS).
 */
export function playwrightRegistryDir(home: string, platform: NodeJS.Platform = process.platform): string {
  const cache = platform === 'darwin' ? join(home, 'Library', 'Caches') : join(home, '.cache');
  return join(cache, 'ms-playwright', 'b');
}

/** Where the browser of a session with this environment, working in `cwd`, is found once it opens one. */
export function browserLocator(
  env: Readonly<Record<string, string>>,
  cwd: string,
  platform: NodeJS.Platform = process.platform,
): BrowserLocator | undefined {
  const session = env.PLAYWRIGHT_CLI_SESSION;
  const home = env.HOME;
  if (!session || !home) return undefined;
  return { session, registry: playwrightRegistryDir(home, platform), workspace: cwd };
}

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
