import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator as PwLocator, Page } from 'playwright-core';
import type { BrowserCheck, BrowserStep, Locator } from '../shared/acceptance.js';
import type { Logger } from '../logging/logger.js';
import type { Redactor } from '../security/redactor.js';
import type { CheckOutcome } from './command-check.js';
import { seconds } from './command-check.js';
import { quoted } from './expectations.js';
import { keepEnd } from './output.js';
import { settledWithin, within } from './bounded.js';
import { axeRuleFailure } from './axe.js';

/**
 * Browser checks, run by the runner (never the model) in the system's Chromium through
 * playwright-core: one browser per verification, one context per check with a Playwright trace,
 * pages kept on the app's origin (every request to another host is blocked), elements found the
 * way a person finds them (role and name, label, placeholder, text, test id; never CSS).
 */

/** Chromium switches: no background traffic of its own (updates, sync, safe browsing lists). */
export const CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-first-run',
] as const;

/** Page loads get longer than element waits: the first load of an app compiles and warms up. */
const MIN_NAVIGATION_MS = 15_000;
/** How long past its time limit a check waits for a browser that stopped answering. */
const UNANSWERED_GRACE_MS = 10_000;
/** How long saving the trace and closing the context may take before they are given up on. */
const CLOSE_MS = 15_000;
/** Console errors and blocked requests shown in a check's output. */
const MAX_PAGE_NOTES = 20;

export interface BrowserLaunch {
  readonly executablePath: string;
  /** The browser's environment: its TMPDIR inside the verification's folder, so whatever it leaves running is found. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/**
 * Starts headless Chromium. Its own sandbox stays on, except as root, where Chromium refuses to
 * start with it (containers, CI): the same decision as for agents' browsers (runner/browser.ts). It is this
 * process's to stop (no Playwright signal handlers): the verification closes it, its TMPDIR sweep catches the rest.
 */
export async function launchBrowser(launch: BrowserLaunch): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const root = process.getuid?.() === 0;
  return chromium.launch({
    executablePath: launch.executablePath,
    headless: true,
    chromiumSandbox: !root,
    args: [...(root ? ['--no-sandbox'] : []), ...CHROMIUM_ARGS],
    env: { ...launch.env },
    timeout: launch.timeoutMs,
    // The runner orders its own shutdown (abort → the check ends → the verification closes the browser and stops the
    // app). Playwright's own handlers would close Chromium under a running check on SIGTERM, and the verification's
    // browser.close() could then wait for ever, leaving the app running and the runner unable to exit.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/** How long the browser gets to close before it is left to its owner's process sweep. */
const BROWSER_CLOSE_MS = 5_000;

/**
 * Closes the browser, or gives up after a while: a Chromium that stopped answering never confirms.
 * The caller then stops its processes (found by their TMPDIR), which is what ends it either way.
 */
export async function closeBrowser(browser: Browser, log: Pick<Logger, 'warn'>): Promise<void> {
  const closed = browser.close().catch((err: unknown) => log.warn({ err }, 'the browser did not close cleanly'));
  if (!(await settledWithin(closed, BROWSER_CLOSE_MS)))
    log.warn(`the browser did not close within ${seconds(BROWSER_CLOSE_MS)}; its processes are stopped instead`);
}

export interface BrowserRun {
  readonly browser: Browser;
  /** `http://127.0.0.1:<port>`: the only origin pages may load anything from. */
  readonly origin: string;
  /** The evidence folder (absolute): screenshots and the trace go there. */
  readonly evidenceDir: string;
  /** Its position in the verification: names its files (`<n>-<screenshot>.png`, `trace-<n>.zip`). */
  readonly n: number;
  readonly timeoutMs: number;
  /** How long a step waits for its element or text. */
  readonly stepMs: number;
  readonly redact: Redactor;
  readonly outputChars: number;
}

/** A locator as the failure line names it: `role=button name=Save`, `label=New todo`. */
export function describeLocator(l: Locator): string {
  if ('role' in l) return `role=${l.role}${l.name === undefined ? '' : ` name=${l.name}`}`;
  if ('label' in l) return `label=${l.label}`;
  if ('placeholder' in l) return `placeholder=${l.placeholder}`;
  if ('text' in l) return `text=${l.text}`;
  return `testId=${l.testId}`;
}

/** A step as the output and the failure line name it: `click role=button name=Save`. Pure. */
export function describeStep(step: BrowserStep): string {
  if ('goto' in step) return `goto ${step.goto}`;
  if ('click' in step) return `click ${describeLocator(step.click)}`;
  if ('fill' in step) return `fill ${describeLocator(step.fill)} with ${quoted(step.value, 60)}`;
  if ('press' in step) return `press ${step.press}${step.on ? ` on ${describeLocator(step.on)}` : ''}`;
  if ('check' in step) return `check ${describeLocator(step.check)}`;
  if ('uncheck' in step) return `uncheck ${describeLocator(step.uncheck)}`;
  if ('select' in step) return `select ${quoted(step.value, 60)} in ${describeLocator(step.select)}`;
  if ('expectText' in step) return `expectText ${quoted(step.expectText, 80)}`;
  if ('expectNoText' in step) return `expectNoText ${quoted(step.expectNoText, 80)}`;
  if ('expectVisible' in step) return `expectVisible ${describeLocator(step.expectVisible)}`;
  if ('expectUrl' in step) return `expectUrl ${step.expectUrl}`;
  if ('expectNoAxeViolation' in step) return `expectNoAxeViolation ${step.expectNoAxeViolation}`;
  if ('reload' in step) return 'reload';
  return `screenshot ${step.screenshot}`;
}

function locate(page: Page, l: Locator): PwLocator {
  if ('role' in l)
    return page.getByRole(l.role as Parameters<Page['getByRole']>[0], {
      ...(l.name === undefined ? {} : { name: l.name }),
      ...(l.exact === undefined ? {} : { exact: l.exact }),
    });
  if ('label' in l) return page.getByLabel(l.label, l.exact === undefined ? {} : { exact: l.exact });
  if ('placeholder' in l) return page.getByPlaceholder(l.placeholder, l.exact === undefined ? {} : { exact: l.exact });
  if ('text' in l) return page.getByText(l.text, l.exact === undefined ? {} : { exact: l.exact });
  return page.getByTestId(l.testId);
}

/** A step that did not hold, with the reason as the failure line says it. */
class StepFailure extends Error {}

/**
 * Runs the steps in order in a fresh context; the first that fails ends the check, with a
 * screenshot of the page as it was. The trace (`trace-<n>.zip`) is kept either way.
 */
export async function runBrowserCheck(
  check: BrowserCheck,
  run: BrowserRun,
  signal: AbortSignal,
): Promise<CheckOutcome> {
  const started = Date.now();
  const deadline = started + run.timeoutMs;
  const evidence: string[] = [];
  const lines: string[] = [];
  const notes: string[] = [];
  const note = (line: string) => {
    if (notes.length < MAX_PAGE_NOTES) notes.push(line);
  };
  mkdirSync(run.evidenceDir, { recursive: true });
  const appHost = new URL(run.origin).host;
  let context: BrowserContext | null = null;
  let failure: string | null = null;
  const work = async () => {
    context = await run.browser.newContext({
      baseURL: run.origin,
      serviceWorkers: 'block',
      acceptDownloads: false,
      viewport: check.viewport === 'mobile' ? { width: 390, height: 844 } : { width: 1280, height: 800 },
    });
    await context.tracing.start({ screenshots: true, snapshots: true });
    // Pages stay on the app: any request to another origin is refused before it leaves.
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (new URL(url).origin === run.origin) return route.continue();
      note(`blocked a request to ${new URL(url).origin} (pages may load only from the app)`);
      return route.abort('blockedbyclient');
    });
    await context.routeWebSocket(
      (url) => url.host !== appHost,
      (ws) => {
        note(`blocked a WebSocket to ${ws.url()} (pages may connect only to the app)`);
        return ws.close({ code: 1008, reason: 'blocked by the verification' });
      },
    );
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') note(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => note(`page error: ${err.message}`));
    for (const [i, step] of check.steps.entries()) {
      const label = `step ${i + 1}, ${describeStep(step)}`;
      const stepStarted = Date.now();
      try {
        if (signal.aborted) throw new StepFailure('the verification was aborted');
        const left = deadline - Date.now();
        if (left <= 0) throw new StepFailure(`the check did not finish within ${seconds(run.timeoutMs)}`);
        const saved = await runStep(page, step, {
          stepMs: Math.min(run.stepMs, left),
          navigationMs: Math.min(Math.max(run.stepMs, MIN_NAVIGATION_MS), left),
          file: (name) => `${run.n}-${name}.png`,
          dir: run.evidenceDir,
        });
        if (saved) evidence.push(saved);
        lines.push(`${i + 1}. ${describeStep(step)}: ok (${Date.now() - stepStarted} ms)`);
      } catch (err: unknown) {
        const why = signal.aborted ? 'the verification was aborted' : await explain(err, page, step, run.stepMs);
        failure = `${label}: ${why}`;
        lines.push(`${i + 1}. ${describeStep(step)}: FAILED: ${why}`);
        const shot = `${run.n}-step-${i + 1}-failed.png`;
        if (!signal.aborted) {
          try {
            await page.screenshot({ path: join(run.evidenceDir, shot), fullPage: true, timeout: 5_000 });
            evidence.push(shot);
          } catch (shotErr: unknown) {
            lines.push(`(no screenshot of the failure: ${firstLine(shotErr)})`);
          }
        }
        break;
      }
    }
  };
  // Steps keep to the deadline by their own time limits; what has none (a new page, the trace) is given up on when
  // the verification is aborted or the browser stops answering. Nothing closes the context under a running call:
  // Playwright then may never settle that call (a page being created while its context closes never comes).
  let answered = false;
  try {
    answered = (await within(work(), run.timeoutMs + UNANSWERED_GRACE_MS, signal)).settled;
    if (!answered) {
      failure = signal.aborted
        ? 'the verification was aborted'
        : `the browser did not answer within ${seconds(run.timeoutMs)}`;
      lines.push(`(${failure})`);
    }
  } catch (err: unknown) {
    // The context itself failed (the browser died, the verification was aborted); the browser did answer.
    answered = true;
    failure ??= signal.aborted ? 'the verification was aborted' : `the browser failed: ${firstLine(err)}`;
  } finally {
    // Given up on, the browser is not asked for anything more (it would not answer): its owner stops it.
    const opened = answered ? (context as BrowserContext | null) : null;
    if (opened !== null) {
      const trace = `trace-${run.n}.zip`;
      const saved = opened.tracing.stop({ path: join(run.evidenceDir, trace) }).then(
        () => evidence.push(trace),
        (err: unknown) => lines.push(`(no trace: ${firstLine(err)})`),
      );
      if (!(await settledWithin(saved, CLOSE_MS)))
        lines.push(`(no trace: the browser did not save it within ${seconds(CLOSE_MS)})`);
      const closed = opened
        .close()
        .catch((err: unknown) => lines.push(`(the context did not close cleanly: ${firstLine(err)})`));
      if (!(await settledWithin(closed, CLOSE_MS)))
        lines.push(
          `(the context did not close within ${seconds(CLOSE_MS)}; the browser is stopped with the verification)`,
        );
    }
  }
  const output = [...lines, ...notes].join('\n');
  return {
    passed: failure === null,
    output: keepEnd(run.redact(output), run.outputChars),
    failure: failure === null ? null : run.redact(failure),
    durationMs: Date.now() - started,
    // A copy: a call given up on may still add to the list.
    evidence: [...evidence],
  };
}

interface StepLimits {
  readonly stepMs: number;
  readonly navigationMs: number;
  /** The evidence file name of a screenshot step. */
  readonly file: (name: string) => string;
  readonly dir: string;
}

/** Runs one step; returns the evidence file it wrote (a screenshot step), else null. */
async function runStep(page: Page, step: BrowserStep, limits: StepLimits): Promise<string | null> {
  const timeout = limits.stepMs;
  if ('goto' in step) {
    const res = await page.goto(step.goto, { timeout: limits.navigationMs });
    if (res !== null && res.status() >= 400)
      throw new StepFailure(`the page answered ${res.status()} ${res.statusText()}`);
  } else if ('click' in step) await locate(page, step.click).click({ timeout });
  else if ('fill' in step) await locate(page, step.fill).fill(step.value, { timeout });
  else if ('press' in step) {
    if (step.on) await locate(page, step.on).press(step.press, { timeout });
    else await page.keyboard.press(step.press);
  } else if ('check' in step) await locate(page, step.check).check({ timeout });
  else if ('uncheck' in step) await locate(page, step.uncheck).uncheck({ timeout });
  else if ('select' in step) await locate(page, step.select).selectOption(step.value, { timeout });
  else if ('expectText' in step)
    await page.getByText(step.expectText).filter({ visible: true }).first().waitFor({ state: 'visible', timeout });
  else if ('expectNoText' in step)
    await page.getByText(step.expectNoText).filter({ visible: true }).first().waitFor({ state: 'detached', timeout });
  else if ('expectVisible' in step) await locate(page, step.expectVisible).waitFor({ state: 'visible', timeout });
  else if ('expectUrl' in step) {
    const want = step.expectUrl;
    await page.waitForURL(
      (url) => `${url.pathname}${url.search}` === want || (!want.includes('?') && url.pathname === want),
      { timeout, waitUntil: 'commit' },
    );
  } else if ('reload' in step) {
    const res = await page.reload({ timeout: limits.navigationMs });
    if (res !== null && res.status() >= 400)
      throw new StepFailure(`the page answered ${res.status()} ${res.statusText()}`);
  } else if ('expectNoAxeViolation' in step) {
    // axe-core in the page as it is now (no time limit of Playwright's: the check's own bound covers it).
    const failure = await axeRuleFailure(page, step.expectNoAxeViolation);
    if (failure !== null) throw new StepFailure(failure);
  } else {
    const file = limits.file(step.screenshot);
    await page.screenshot({ path: join(limits.dir, file), fullPage: true, timeout: Math.max(timeout, 5_000) });
    return file;
  }
  return null;
}

/** Why a step failed, in words a coder can act on. */
async function explain(err: unknown, page: Page, step: BrowserStep, stepMs: number): Promise<string> {
  if (err instanceof StepFailure) return err.message;
  const within = `within ${seconds(stepMs)}`;
  const message = err instanceof Error ? err.message : String(err);
  const strict = /strict mode violation: .* resolved to (\d+) elements/.exec(message);
  if (strict)
    return `it matches ${strict[1]} elements; name one precisely (a role with its name, a label or a test id)`;
  const timedOut = err instanceof Error && err.name === 'TimeoutError';
  if ('expectText' in step)
    return timedOut ? `${quoted(step.expectText)} is not visible on the page ${within}` : firstLine(err);
  if ('expectNoText' in step)
    return timedOut ? `${quoted(step.expectNoText)} is still visible after ${seconds(stepMs)}` : firstLine(err);
  if ('expectUrl' in step)
    return timedOut
      ? `the page is at ${pathOf(page.url())}, not ${step.expectUrl}, after ${seconds(stepMs)}`
      : firstLine(err);
  if ('goto' in step || 'reload' in step)
    return timedOut ? `the page did not load ${within}` : `the page did not load: ${firstLine(err)}`;
  const target =
    'click' in step
      ? step.click
      : 'fill' in step
        ? step.fill
        : 'check' in step
          ? step.check
          : 'uncheck' in step
            ? step.uncheck
            : 'select' in step
              ? step.select
              : 'expectVisible' in step
                ? step.expectVisible
                : 'press' in step
                  ? step.on
                  : undefined;
  if (timedOut && target !== undefined) {
    const count = await locate(page, target)
      .count()
      .catch(() => -1);
    if (count === 0) return `no such element ${within}`;
    if (count > 0)
      return `the element ${'expectVisible' in step ? 'is not visible' : 'was not ready (visible, enabled and steady)'} ${within}`;
  }
  return firstLine(err);
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n').find((l) => l.trim() !== '') ?? message).trim();
}
