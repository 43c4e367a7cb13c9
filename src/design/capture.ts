import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { z } from 'zod';
import { createOwnedDir, disposeDir } from '../agent/session-dirs.js';
import { AppError } from '../domain/errors.js';
import type { Logger } from '../logging/logger.js';
import type { Redactor } from '../security/redactor.js';
import { AcceptanceCheckSchema, MAX_CHECK_TIMEOUT_MS } from '../shared/acceptance.js';
import {
  CAPTURE_FILE,
  DesignCaptureSchema,
  MAX_DESIGN_PAGES,
  MAX_PAGE_NOTES,
  SCREENSHOTS_DIR,
  THEMES,
  VIEWPORT_NAMES,
  VIEWPORTS,
  type CapturedPage,
  type DesignCapture,
  type FailedRequest,
  type Shot,
  type Theme,
  type ViewportName,
} from '../shared/design-capture.js';
import { startApp, type RunningApp } from '../verify/app.js';
import { untilStopped, within } from '../verify/bounded.js';
import { closeBrowser, launchBrowser } from '../verify/browser-check.js';
import { leaseVerifyWorktree, prepareCheckout, type WorktreeLease } from '../verify/checkout.js';
import { seconds } from '../verify/command-check.js';
import { confinementFor } from '../verify/jail-runner.js';
import { DEFAULT_PREPARE_MS, PREPARE_LOG_FILE, prepareDependencies } from '../verify/prepare.js';
import { discoverPages, type PageToVisit } from './discover-pages.js';
import { runAxe, surveyPage, type PageSurvey } from './in-page.js';
import { pngSize } from './png.js';
import { shotFileName } from './shot-file.js';

/**
 * The design capture (issue #18): the app at one commit, started with `./init.sh` in a verification worktree as the
 * verification engine starts it, photographed in the system's Chromium. Each page (see discover-pages.ts) at each
 * viewport (desktop, mobile) and theme (light; dark where the page supports it) is loaded afresh, photographed whole
 * (PNG) and checked by axe-core; its console errors and failed requests are kept. The screenshots and `capture.json`
 * go into the iteration folder, with `app.log` and `prepare.log`. Nothing here asks a model anything. Every browser
 * call is bounded; whatever happens, everything it started (browser, app, temp folder) is stopped and the worktree is
 * released before it returns.
 */

export const APP_LOG = 'app.log';
const DEFAULT_APP_START_MS = 60_000;
/** One screenshot: the page's load, its screenshot and axe. The first load of an app compiles and warms up. */
const DEFAULT_SHOT_MS = 30_000;
/** How long past a screenshot's time limit a browser that stopped answering is waited for. */
const UNANSWERED_GRACE_MS = 10_000;
const BROWSER_LAUNCH_MS = 30_000;
/**
 * After the load event the page is photographed once no request of its own has been open for QUIET_MS (a page that
 * loads its data by script shows it), or after SETTLE_MS anyway (one that polls for ever is not waited for).
 * Playwright's `networkidle` would wait a fixed 500 ms on every page.
 */
const QUIET_MS = 150;
const SETTLE_MS = 3_000;
const MAX_NOTE_CHARS = 500;

const LimitsSchema = z.strictObject({
  /** How long `./init.sh` may take until the app accepts connections. */
  appStartMs: z.number().int().min(500).max(MAX_CHECK_TIMEOUT_MS).default(DEFAULT_APP_START_MS),
  /** How long installing the checkout's dependencies may take. */
  prepareMs: z.number().int().min(1_000).max(MAX_CHECK_TIMEOUT_MS).default(DEFAULT_PREPARE_MS),
  /** One screenshot's time limit (load, screenshot, axe). */
  shotMs: z.number().int().min(1_000).max(MAX_CHECK_TIMEOUT_MS).default(DEFAULT_SHOT_MS),
  /** Pages photographed at most. */
  maxPages: z.number().int().min(1).max(MAX_DESIGN_PAGES).default(MAX_DESIGN_PAGES),
});

export const CaptureRequestSchema = z.strictObject({
  projectRoot: z.string().refine((p) => isAbsolute(p), 'the project root must be an absolute path'),
  /** The commit to photograph: a sha (or a branch name, resolved once when the checkout is made). */
  commit: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/, 'a commit sha or a branch name'),
  /** Where the screenshots and `capture.json` go (absolute); it must not hold a capture yet. */
  iterationDir: z.string().refine((p) => isAbsolute(p), 'the iteration folder must be an absolute path'),
  /** The project's acceptance checks: the pages their browser steps go to are photographed first. */
  checks: z.array(AcceptanceCheckSchema).default([]),
  /** The port the app listens on (`PORT` for `./init.sh`); it must be free. */
  port: z.number().int().min(1_024).max(65_535),
  /** The OS sandbox: the app runs in the jail when it is on. */
  sandbox: z.boolean(),
  /** What the jail hides (`sandboxReadDenyPaths`). */
  hiddenPaths: z.array(z.string().refine((p) => isAbsolute(p), 'hidden paths are absolute')).default([]),
  /** The Chromium to photograph with (`findChromium`). */
  chromium: z.string().min(1, 'a design capture needs Chromium: give its path'),
  limits: LimitsSchema.default(LimitsSchema.parse({})),
});
export type CaptureRequest = z.infer<typeof CaptureRequestSchema>;

export type CaptureDesignInput = z.input<typeof CaptureRequestSchema> & {
  /**
   * The environment programs start from (PATH, locale…; `buildCheckEnv`): `PORT`, `HOME` and `TMPDIR` are the
   * capture's own.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Masks secrets in console errors, addresses and error messages before they are written. */
  readonly redact: Redactor;
  readonly logger: Logger;
  readonly now?: () => number;
};

/** The capture was stopped from outside. */
class Aborted extends Error {}
/** The browser stopped answering: nothing more is asked of it. */
class Unanswered extends Error {}

/**
 * Photographs the app at `commit` into `iterationDir` and returns the manifest it wrote there (`capture.json`).
 * Invalid input throws (nothing is started); anything that goes wrong while capturing (the app does not start, the
 * browser stops answering, an abort) ends the manifest as `failed` or `aborted` with the reason and the pages done.
 */
export async function captureDesign(input: CaptureDesignInput, signal: AbortSignal): Promise<DesignCapture> {
  const { env: baseEnv, redact, logger, now: clock, ...data } = input;
  const parsed = CaptureRequestSchema.safeParse(data);
  if (!parsed.success)
    throw new AppError(
      'INVALID_INPUT',
      `invalid design capture request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  const req = parsed.data;
  const now = clock ?? Date.now;
  if (!existsSync(req.projectRoot))
    throw new AppError('NOT_FOUND', `the project folder ${req.projectRoot} does not exist`);
  if (existsSync(join(req.iterationDir, CAPTURE_FILE)))
    throw new AppError(
      'INVALID_INPUT',
      `${join(req.iterationDir, CAPTURE_FILE)} exists already: each capture needs an iteration folder of its own`,
    );
  mkdirSync(join(req.iterationDir, SCREENSHOTS_DIR), { recursive: true });
  const log = logger.child({ design: req.iterationDir });
  const startedAt = now();
  let commit = req.commit;
  const pages: CapturedPage[] = [];
  let status: DesignCapture['status'] = 'captured';
  let error: string | null = null;

  let lease: WorktreeLease | null = null;
  let workDir: string | null = null;
  let app: RunningApp | null = null;
  let browser: Browser | null = null;
  try {
    if (signal.aborted) throw new Aborted();
    lease = leaseVerifyWorktree(req.projectRoot);
    const checkout = await prepareCheckout(req.projectRoot, lease, req.commit);
    commit = checkout.commit;
    workDir = createOwnedDir(tmpdir(), `d${randomBytes(6).toString('hex')}`, {
      purpose: 'verification',
      run: null,
      project: req.projectRoot,
      keep: false,
    });
    const env: Record<string, string> = {
      ...baseEnv,
      PORT: String(req.port),
      HOME: join(workDir, 'home'),
      TMPDIR: join(workDir, 'tmp'),
    };
    const confinement = confinementFor({ sandbox: req.sandbox, path: baseEnv.PATH, hidden: req.hiddenPaths }, () =>
      log.warn('the sandbox is on, but bubblewrap is not available here: the app runs outside any jail'),
    );
    const marker = `ac-design-${randomBytes(8).toString('hex')}`;
    const common = { checkout: checkout.checkout, workDir, env, confinement, redact, marker };
    await prepareDependencies(
      { ...common, logFile: join(req.iterationDir, PREPARE_LOG_FILE), timeoutMs: req.limits.prepareMs },
      signal,
    );
    if (signal.aborted) throw new Aborted();
    app = await startApp(
      { ...common, port: req.port, logFile: join(req.iterationDir, APP_LOG), timeoutMs: req.limits.appStartMs },
      signal,
    );
    if (signal.aborted) throw new Aborted();
    // Its TMPDIR inside the owned folder: the folder's sweep stops whatever of Chromium is left.
    const browserEnv = { ...env, TMPDIR: join(workDir, 'browser') };
    mkdirSync(browserEnv.TMPDIR, { recursive: true });
    const launched = await untilStopped(
      launchBrowser({ executablePath: req.chromium, env: browserEnv, timeoutMs: BROWSER_LAUNCH_MS }),
      signal,
    );
    if (!launched.settled) throw new Aborted();
    browser = launched.value;
    await photograph(browser, req, { redact, log, pages }, signal);
  } catch (err: unknown) {
    status = signal.aborted || err instanceof Aborted ? 'aborted' : 'failed';
    error = redact(
      status === 'aborted'
        ? 'the design capture was aborted; everything it started was stopped'
        : err instanceof Error
          ? err.message
          : String(err),
    );
    if (!(err instanceof AppError) && !(err instanceof Aborted) && !(err instanceof Unanswered))
      log.error({ err }, 'the design capture failed unexpectedly');
  } finally {
    // Everything it started stops, whatever happened: the browser, the app, and anything left with its TMPDIR.
    const cleanup: [string, () => Promise<void> | void][] = [
      ['close the browser', () => (browser === null ? undefined : closeBrowser(browser, log))],
      ['stop the app', () => app?.stop()],
      ['stop what is left and remove the temporary folder', () => (workDir === null ? undefined : disposeDir(workDir))],
      ['release the verification worktree', () => lease?.release()],
    ];
    for (const [what, step] of cleanup) {
      try {
        await step();
      } catch (err: unknown) {
        log.warn({ err }, `could not ${what} after the design capture`);
      }
    }
  }
  const capture = DesignCaptureSchema.parse({
    version: 1,
    commit,
    startedAt,
    endedAt: now(),
    status,
    error,
    pages,
  } satisfies DesignCapture);
  writeFileSync(join(req.iterationDir, CAPTURE_FILE), `${JSON.stringify(capture, null, 2)}\n`);
  log.info(
    {
      status,
      pages: pages.length,
      shots: pages.reduce((n, p) => n + p.shots.length, 0),
      ms: capture.endedAt - startedAt,
    },
    'design capture finished',
  );
  return capture;
}

interface Photographer {
  readonly redact: Redactor;
  readonly log: Logger;
  /** Filled as pages are done: what the manifest holds even when the capture ends early. */
  readonly pages: CapturedPage[];
}

/** What happens on a page while one screenshot is taken. */
interface Notes {
  consoleErrors: string[];
  failedRequests: FailedRequest[];
}

interface Tab {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Where the page's events go: the screenshot being taken. */
  notes: Notes;
  /** The page's requests still open, and who wants to know when that changes. */
  readonly open: Set<Request>;
  onNetwork: (() => void) | null;
}

/** Visits every page at every viewport and theme; pages found by links join the queue as their pages are visited. */
async function photograph(browser: Browser, req: CaptureRequest, ph: Photographer, signal: AbortSignal): Promise<void> {
  const origin = `http://127.0.0.1:${req.port}`;
  const discovery = discoverPages(req.checks, origin, req.limits.maxPages);
  const tabs = new Map<ViewportName, Tab>();
  let n = 0;
  for (let next = discovery.next(); next !== undefined; next = discovery.next()) {
    if (signal.aborted) throw new Aborted();
    n += 1;
    const page: CapturedPage = {
      path: next.path,
      title: '',
      via: next.via,
      from: next.from,
      darkMode: false,
      shots: [],
    };
    ph.pages.push(page);
    for (const viewport of VIEWPORT_NAMES) {
      const tab = tabs.get(viewport) ?? (await openTab(browser, origin, viewport, req, ph, signal));
      tabs.set(viewport, tab);
      for (const theme of THEMES) {
        // Known after the page's first load (desktop, light), which comes before any dark one.
        if (theme === 'dark' && !page.darkMode) continue;
        const { shot, survey, url } = await takeShot(tab, next, n, viewport, theme, req, ph, signal);
        page.shots.push(shot);
        // The first load of the page (desktop, light) tells its title, whether it has a dark theme, and its links.
        if (viewport === 'desktop' && theme === 'light' && survey !== null) {
          page.title = ph.redact(survey.title);
          page.darkMode = survey.dark;
          discovery.addLinks(next.path, survey.links, url ?? `${origin}${next.path}`);
        }
      }
    }
  }
}

/** Gives up on a browser call after the time limit or at the abort (the browser is then stopped by its owner). */
async function bounded<T>(work: Promise<T>, ms: number, signal: AbortSignal): Promise<T> {
  const outcome = await within(work, ms, signal);
  if (outcome.settled) return outcome.value;
  if (signal.aborted) throw new Aborted();
  throw new Unanswered(`the browser did not answer within ${seconds(ms)}`);
}

/** A context and page per viewport, reused for every page: pages stay on the app (other origins are blocked). */
async function openTab(
  browser: Browser,
  origin: string,
  viewport: ViewportName,
  req: CaptureRequest,
  ph: Photographer,
  signal: AbortSignal,
): Promise<Tab> {
  const appHost = new URL(origin).host;
  const limit = req.limits.shotMs + UNANSWERED_GRACE_MS;
  return bounded(
    (async () => {
      // Device scale 1: the PNG is as wide as the viewport. Not `isMobile`: that lays out pages without a viewport
      // meta tag 980 px wide and zooms out, and media queries are what a designer's mobile layout hangs on.
      const context = await browser.newContext({
        baseURL: origin,
        viewport: VIEWPORTS[viewport],
        deviceScaleFactor: 1,
        hasTouch: viewport === 'mobile',
        colorScheme: 'light',
        serviceWorkers: 'block',
        acceptDownloads: false,
      });
      await context.route('**/*', (route) =>
        new URL(route.request().url()).origin === origin ? route.continue() : route.abort('blockedbyclient'),
      );
      await context.routeWebSocket(
        (url) => url.host !== appHost,
        (ws) => ws.close({ code: 1008, reason: 'blocked by the design capture' }),
      );
      const page = await context.newPage();
      const tab: Tab = {
        context,
        page,
        notes: { consoleErrors: [], failedRequests: [] },
        open: new Set(),
        onNetwork: null,
      };
      const opened = (request: Request) => {
        tab.open.add(request);
        tab.onNetwork?.();
      };
      const closed = (request: Request) => {
        tab.open.delete(request);
        tab.onNetwork?.();
      };
      page.on('request', opened);
      page.on('requestfinished', closed);
      page.on('requestfailed', closed);
      const note = (into: 'consoleErrors', text: string) => {
        const list = tab.notes[into];
        if (list.length < MAX_PAGE_NOTES) list.push(ph.redact(text.slice(0, MAX_NOTE_CHARS)));
      };
      const failed = (entry: FailedRequest) => {
        if (tab.notes.failedRequests.length < MAX_PAGE_NOTES)
          tab.notes.failedRequests.push({ ...entry, url: ph.redact(entry.url) });
      };
      page.on('console', (msg) => {
        if (msg.type() === 'error') note('consoleErrors', msg.text());
      });
      page.on('pageerror', (err) => note('consoleErrors', `uncaught ${err.name}: ${err.message}`));
      page.on('requestfailed', (request) =>
        failed({
          method: request.method(),
          url: displayUrl(request.url(), origin),
          status: null,
          error: request.failure()?.errorText ?? 'failed',
        }),
      );
      page.on('response', (response) => {
        if (response.status() >= 400)
          failed({
            method: response.request().method(),
            url: displayUrl(response.url(), origin),
            status: response.status(),
            error: null,
          });
      });
      return tab;
    })(),
    limit,
    signal,
  );
}

/** A path on the app; the whole address for anything else. */
function displayUrl(url: string, origin: string): string {
  try {
    const u = new URL(url);
    return u.origin === origin ? `${u.pathname}${u.search}` : `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}

/**
 * One screenshot: the page loaded afresh in the theme (scripts that read the preference at start see it), given a
 * moment to fetch its data, photographed whole, then checked by axe. A page that does not load is recorded with the
 * reason; a browser that stops answering ends the capture.
 */
async function takeShot(
  tab: Tab,
  target: PageToVisit,
  n: number,
  viewport: ViewportName,
  theme: Theme,
  req: CaptureRequest,
  ph: Photographer,
  signal: AbortSignal,
): Promise<{ shot: Shot; survey: PageSurvey | null; url: string | null }> {
  const started = Date.now();
  const notes: Notes = { consoleErrors: [], failedRequests: [] };
  tab.notes = notes;
  // Requests of the previous load that never ended (a long poll) are not this page's.
  tab.open.clear();
  const { page } = tab;
  const shotMs = req.limits.shotMs;
  const deadline = started + shotMs;
  const left = () => Math.max(1, deadline - Date.now());
  const shot: Shot = {
    viewport,
    theme,
    file: null,
    width: 0,
    height: 0,
    status: null,
    finalPath: null,
    axe: [],
    consoleErrors: notes.consoleErrors,
    failedRequests: notes.failedRequests,
    durationMs: 0,
    error: null,
  };
  let survey: PageSurvey | null = null;
  let url: string | null = null;
  const work = async () => {
    await page.emulateMedia({ colorScheme: theme });
    let response;
    try {
      response = await page.goto(target.path, { waitUntil: 'load', timeout: shotMs });
    } catch (err: unknown) {
      shot.error = `the page did not load: ${firstLine(err)}`;
      return;
    }
    shot.status = response?.status() ?? null;
    url = page.url();
    shot.finalPath = displayUrl(url, new URL(url).origin);
    await networkQuiet(tab, Math.min(SETTLE_MS, left()));
    survey = await surveyPage(page);
    const png = await page.screenshot({
      fullPage: true,
      type: 'png',
      animations: 'disabled',
      caret: 'hide',
      timeout: left(),
    });
    const size = pngSize(png);
    if (size === null) throw new Error('the browser returned a screenshot that is not a PNG');
    const file = join(SCREENSHOTS_DIR, shotFileName(n, target.path, viewport, theme));
    writeFileSync(join(req.iterationDir, file), png);
    Object.assign(shot, { file, width: size.width, height: size.height });
    try {
      shot.axe = await runAxe(page);
    } catch (err: unknown) {
      shot.error = `axe-core could not check the page: ${firstLine(err)}`;
    }
  };
  try {
    await bounded(work(), shotMs + UNANSWERED_GRACE_MS, signal);
  } catch (err: unknown) {
    if (err instanceof Aborted || err instanceof Unanswered) throw err;
    // The page itself broke (it closed, a script ran away): recorded, and the capture goes on.
    shot.error ??= firstLine(err);
  }
  shot.durationMs = Date.now() - started;
  // A copy: a late event must not change what was recorded.
  const done: Shot = {
    ...shot,
    error: shot.error === null ? null : ph.redact(shot.error),
    finalPath: shot.finalPath === null ? null : ph.redact(shot.finalPath),
    consoleErrors: [...notes.consoleErrors],
    failedRequests: [...notes.failedRequests],
  };
  tab.notes = { consoleErrors: [], failedRequests: [] };
  if (done.error !== null) ph.log.debug({ path: target.path, viewport, theme }, done.error);
  return { shot: done, survey, url };
}

/** Resolves once none of the page's requests has been open for QUIET_MS, or after `maxMs` whatever the page does. */
function networkQuiet(tab: Tab, maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    let quiet: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(limit);
      clearTimeout(quiet);
      tab.onNetwork = null;
      resolve();
    };
    const limit = setTimeout(done, maxMs);
    const check = () => {
      clearTimeout(quiet);
      if (tab.open.size === 0) quiet = setTimeout(done, QUIET_MS);
    };
    tab.onNetwork = check;
    check();
  });
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n').find((l) => l.trim() !== '') ?? message).trim();
}
