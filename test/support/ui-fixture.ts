import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { openProjectStore, openRegistry } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { createProject } from '../../src/projects/projects.js';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import type { RunnerLauncher } from '../../src/server/routes/runs.js';
import type { DesignReviewLauncher } from '../../src/server/launcher.js';
import { DEMO_FEATURES, FEATURE_MARKER, REGISTRY_FILE, registryLine, SKELETON_FILES } from '../../src/demo/demo-app.js';
import { silentLogger } from '../../src/logging/logger.js';
import { findChromium } from '../../src/runner/browser.js';
import { createRedactor } from '../../src/security/redactor.js';
import type { AcceptanceCheck, Verification } from '../../src/shared/acceptance.js';
import { verifyCommit } from '../../src/verify/verify-commit.js';
import { freePort } from './free-port.js';
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
 * `env` without a model provider's variables (keys, tokens, endpoints, Bedrock/Vertex, Claude Code's config folder):
 * a test's server judges the credentials it was given, never the developer's own.
 */
export function withoutProviderVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([k]) =>
        !/^(ANTHROPIC_|CLAUDE_CODE_|CLAUDE_CONFIG_DIR$|AWS_(REGION|PROFILE|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|BEARER_TOKEN_BEDROCK)$|GOOGLE_APPLICATION_CREDENTIALS$|CLOUD_ML_REGION$|AUTOCODER_(API_KEY|AUTH_TOKEN|BASE_URL|PROVIDER|AWS_REGION|VERTEX_\w+|MODEL\w*)$)/.test(
          k,
        ),
    ),
  );
}

/**
 * A real server on 127.0.0.1 with its own AUTOCODER_HOME and HOME, serving the built UI.
 * `launchRunner` replaces the detached `autocoder run` (to see what a start request asked for); `launchDesignReview`
 * the detached `autocoder design-review`.
 */
export async function startUiServer(
  options: {
    token?: string;
    launchRunner?: RunnerLauncher;
    launchDesignReview?: DesignReviewLauncher;
    /** Variables on top of the test environment (which has none of a model provider's), e.g. an API key. */
    env?: Record<string, string>;
  } = {},
): Promise<UiServer> {
  const tmp = makeTempDir('autocoder-ui-');
  const env: NodeJS.ProcessEnv = {
    ...withoutProviderVars(process.env),
    AUTOCODER_HOME: join(tmp.dir, 'home', '.autocoder'),
    // Checkpoints add reviewer sessions to every run: only the tests about them turn them on (flags beat this).
    AUTOCODER_CHECKPOINT_INTERVAL: '0',
    HOME: join(tmp.dir, 'home'),
    AUTOCODER_PROJECTS_DIR: join(tmp.dir, 'projects'),
    ...options.env,
  };
  const server = await startServer({
    env,
    cwd: tmp.dir,
    host: '127.0.0.1',
    port: 0,
    ...(options.token ? { token: options.token } : {}),
    ...(options.launchRunner ? { launchRunner: options.launchRunner } : {}),
    ...(options.launchDesignReview ? { launchDesignReview: options.launchDesignReview } : {}),
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

// ── Projects with real verifications (issue #16) ────────────────────────────────────────────────

/** Where verified projects live: not the temp folder, which the jail replaces with an empty one. */
const VERIFIED_PROJECTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'ui-projects');

const gitIn = (cwd: string, ...args: string[]) =>
  execFileSync(
    'git',
    ['-c', 'user.name=Demo', '-c', 'user.email=demo@example.test', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  ).trim();

function writeAppFiles(root: string, files: readonly { path: string; content: string }[]): void {
  for (const f of files) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.content);
    chmodSync(join(root, f.path), f.content.startsWith('#!') ? 0o755 : 0o644);
  }
}

export interface VerifiedDemoOptions {
  /** Demo features (by slug) to claim, verify on the finished app and land with that verification. */
  readonly pass: readonly string[];
  /** Demo features whose verification runs on the skeleton (nothing built) and fails: they end failed (one attempt). */
  readonly fail?: readonly string[];
  /** Like `fail`, but the session keeps the feature (in progress), as after a refused `feature_mark_passing`. */
  readonly failHeld?: readonly string[];
  /** A person's feature with no acceptance checks, landed without a verification ("not verified"). */
  readonly unchecked?: boolean;
}

export interface VerifiedDemo {
  readonly dir: string;
  /** Feature id by demo slug (and `unchecked` for the person's feature). */
  readonly ids: Readonly<Record<string, number>>;
  /** The verifications recorded, by feature id (each one the real engine's result). */
  readonly verifications: ReadonlyMap<number, Verification>;
  readonly skeleton: string;
  readonly finished: string;
  cleanup(): void;
}

/**
 * Registers a project holding the demo app (a skeleton commit, then main with every feature
 * built) and its backlog with the demo's frozen checks, then verifies features for real: the
 * verification engine (`verifyCommit`: the Bash policy and the jail for commands, `./init.sh`
 * for the app, Debian's Chromium for browser steps) runs each feature's own checks and the
 * store records every step, as the landing gate does; passing ones land with their verification.
 * Takes seconds per verification.
 */
export async function seedVerifiedDemo(
  ui: UiServer,
  name: string,
  options: VerifiedDemoOptions,
): Promise<VerifiedDemo> {
  mkdirSync(VERIFIED_PROJECTS, { recursive: true });
  const holder = realpathSync(mkdtempSync(join(VERIFIED_PROJECTS, `${name}-`)));
  const registry = openRegistry(ui.env);
  let dir: string;
  try {
    dir = createProject(registry.registry, { name, dir: join(holder, name), cwd: ui.tmp.dir, env: ui.env }).path;
  } finally {
    registry.close();
  }
  writeAppFiles(dir, SKELETON_FILES);
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '--quiet', '-m', 'demo skeleton');
  const skeleton = gitIn(dir, 'rev-parse', 'HEAD');
  const registryFile = SKELETON_FILES.find((f) => f.path === REGISTRY_FILE)!.content.replace(
    FEATURE_MARKER,
    `${DEMO_FEATURES.map((f) => registryLine(f.slug)).join('\n')}\n${FEATURE_MARKER}`,
  );
  writeAppFiles(dir, [
    ...DEMO_FEATURES.flatMap((f) => [
      { path: `src/features/${f.slug}.js`, content: f.module },
      { path: `test/${f.slug}.test.js`, content: f.test },
    ]),
    { path: REGISTRY_FILE, content: registryFile },
  ]);
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '--quiet', '-m', 'every demo feature');
  const finished = gitIn(dir, 'rev-parse', 'HEAD');

  const store = openProjectStore(projectPaths(dir));
  const ids: Record<string, number> = {};
  const verifications = new Map<number, Verification>();
  try {
    const slugIndex = new Map(DEMO_FEATURES.map((f, i) => [f.slug, i]));
    const { created } = store.features.createBulk([
      ...DEMO_FEATURES.map((f, i) => ({
        category: f.category,
        name: f.name,
        description: f.description,
        steps: [...f.steps],
        priority: i,
        acceptance: [...f.acceptance],
        ...(options.fail?.includes(f.slug) ? { maxAttempts: 1 } : {}),
        dependsOnIndices: f.dependsOn.map((d) => slugIndex.get(d)!),
      })),
      ...(options.unchecked
        ? [
            {
              category: 'style',
              name: 'Dark theme',
              description: 'Added by a person without checks.',
              steps: ['Switch the theme'],
              priority: DEMO_FEATURES.length,
            },
          ]
        : []),
    ]);
    DEMO_FEATURES.forEach((f, i) => (ids[f.slug] = created[i]!.id));
    if (options.unchecked) ids['unchecked'] = created[DEMO_FEATURES.length]!.id;

    const chromium = findChromium(undefined, process.env['PATH']);
    const verify = async (featureId: number, checks: AcceptanceCheck[], commit: string, sessionId: string) => {
      const v = await verifyCommit(
        {
          projectRoot: dir,
          commit,
          featureId,
          verificationId: `ver_${featureId}_${randomBytes(3).toString('hex')}`,
          trigger: 'landing',
          sessionId,
          groups: [{ featureId, checks }],
          port: await freePort(),
          sandbox: true,
          chromium,
          env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
          redact: createRedactor([]),
          logger: silentLogger(),
          // On the skeleton every browser check fails at its first missing element: no need to wait long.
          limits: { appStartMs: 30_000, stepMs: commit === skeleton ? 1_000 : 5_000 },
          recorder: {
            onStarted: (x) => void store.verifications.start(x),
            onCheck: (_r, x) => void store.verifications.progress(x),
            onFinished: (x) => void store.verifications.finish(x),
          },
        },
        new AbortController().signal,
      );
      verifications.set(featureId, v);
      return v;
    };
    const claim = (featureId: number, sessionId: string) => store.claims.claimFeature(featureId, sessionId).claim;
    // In backlog order: a feature's dependencies are handled before it (a failing one blocks its dependents).
    for (const f of DEMO_FEATURES) {
      const id = ids[f.slug]!;
      const sessionId = `ses_seed_${f.slug}`;
      if (options.pass.includes(f.slug)) {
        const c = claim(id, sessionId);
        const v = await verify(id, [...f.acceptance], finished, sessionId);
        if (v.status !== 'passed')
          throw new Error(`seedVerifiedDemo: #${id} ${f.slug} did not pass: ${v.error ?? JSON.stringify(v.checks)}`);
        store.claims.markPassing(
          c,
          { by: sessionId, text: `Implemented ${f.name.toLowerCase()}; node --test passes.`, commit: finished },
          { verificationId: v.id },
        );
      } else if (options.fail?.includes(f.slug) || options.failHeld?.includes(f.slug)) {
        const c = claim(id, sessionId);
        const v = await verify(id, [...f.acceptance], skeleton, sessionId);
        if (v.status === 'passed') throw new Error(`seedVerifiedDemo: #${id} ${f.slug} passed on the skeleton`);
        if (options.fail?.includes(f.slug)) store.claims.markFailing(c, `verification ${v.id} failed`);
      }
    }
    if (options.unchecked) store.claims.markPassing(claim(ids['unchecked']!, 'ses_seed_person'));
  } finally {
    store.close();
  }
  return {
    dir,
    ids,
    verifications,
    skeleton,
    finished,
    cleanup: () => rmSync(holder, { recursive: true, force: true }),
  };
}
