import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { openProjectStore, openRegistry } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { createProject } from '../../src/projects/projects.js';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import type { RunnerLauncher } from '../../src/server/routes/runs.js';
import { mulberry32 } from './prng.js';
import { makeTempDir, type TempDir } from './tmp.js';

/** Debian's Chromium; nothing is downloaded. */
export const CHROMIUM = process.env['AUTOCODER_CHROMIUM'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface UiServer {
  readonly tmp: TempDir;
  readonly env: NodeJS.ProcessEnv;
  readonly server: RunningServer;
  readonly url: string;
  /** The server token (from the server's own `$AUTOCODER_HOME/server-token` unless one was given). */
  readonly token: string;
  /** `url` + `path` with `#token=…`: how a browser opens the UI (the page keeps the token for the tab). */
  link(path?: string): string;
  /** The token as request headers, for a test's own fetch. */
  readonly auth: { readonly authorization: string };
  close(): Promise<void>;
}

/**
 * A real server on 127.0.0.1 with its own AUTOCODER_HOME and HOME, serving the built UI.
 * `launchRunner` replaces the detached `autocoder run` (to see what a start request asked for).
 */
export async function startUiServer(
  options: { token?: string; launchRunner?: RunnerLauncher } = {},
): Promise<UiServer> {
  const tmp = makeTempDir('autocoder-ui-');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AUTOCODER_HOME: join(tmp.dir, 'home', '.autocoder'),
    HOME: join(tmp.dir, 'home'),
    AUTOCODER_PROJECTS_DIR: join(tmp.dir, 'projects'),
  };
  const server = await startServer({
    env,
    cwd: tmp.dir,
    host: '127.0.0.1',
    port: 0,
    ...(options.token ? { token: options.token } : {}),
    ...(options.launchRunner ? { launchRunner: options.launchRunner } : {}),
  });
  const url = server.url.replace(/\/$/, '');
  return {
    tmp,
    env,
    server,
    url,
    token: server.token,
    link: (path = '/') => `${url}${path}#token=${server.token}`,
    auth: { authorization: `Bearer ${server.token}` },
    close: async () => {
      await server.close();
      tmp.cleanup();
    },
  };
}

const VERBS = ['List', 'Create', 'Edit', 'Delete', 'Search', 'Filter', 'Sort', 'Export', 'Import', 'Share'];
const NOUNS = [
  'notes',
  'tags',
  'folders',
  'users',
  'comments',
  'attachments',
  'reminders',
  'boards',
  'themes',
  'reports',
];
const CATEGORIES = ['functional', 'style', 'api', 'data', 'auth'];

export interface SeedOptions {
  readonly count: number;
  /** How many of them pass (taken in claim order, as agents would). */
  readonly passing?: number;
  /** Leave one claimed feature in progress. */
  readonly inProgress?: boolean;
  readonly seed?: number;
}

/**
 * Registers a project and fills its real SQLite backlog: `count` features, each depending on up
 * to two earlier ones, the first `passing` claimed and marked passing through the claim repo.
 */
export function seedProject(ui: UiServer, name: string, options: SeedOptions): { dir: string } {
  const registry = openRegistry(ui.env);
  let dir: string;
  try {
    dir = createProject(registry.registry, {
      name,
      dir: join(ui.tmp.dir, 'projects', name),
      cwd: ui.tmp.dir,
      env: ui.env,
    }).path;
  } finally {
    registry.close();
  }
  const store = openProjectStore(projectPaths(dir));
  try {
    const random = mulberry32(options.seed ?? 7);
    const items = Array.from({ length: options.count }, (_, i) => {
      const deps =
        i === 0
          ? []
          : [...new Set([Math.floor(random() * i), ...(random() < 0.4 ? [Math.floor(random() * i)] : [])])].filter(
              (d) => i - d < 40,
            );
      return {
        category: CATEGORIES[i % CATEGORIES.length]!,
        name: `${VERBS[i % VERBS.length]} ${NOUNS[Math.floor(i / VERBS.length) % NOUNS.length]} ${Math.floor(i / 100) + 1}`,
        description: `Feature ${i + 1} of the seeded backlog.`,
        steps: ['Open the app', 'Do the thing', 'See the result'],
        priority: i,
        dependsOnIndices: deps,
      };
    });
    store.features.createBulk(items);
    for (let i = 0; i < (options.passing ?? 0); i++) {
      const claimed = store.claims.claimNext('seed');
      if (!claimed) break;
      store.claims.markPassing(claimed.claim);
    }
    if (options.inProgress) store.claims.claimNext('seed');
  } finally {
    store.close();
  }
  return { dir };
}

/** Fails the test on any page error or console error (a broken UI must not pass quietly). */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
