import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { processesUsing, stillRunning, stopProcessesUsing } from '../../src/agent/session-processes.js';
import { findChromium } from '../../src/runner/browser.js';
import { createRedactor } from '../../src/security/redactor.js';
import type { BrowserCheck } from '../../src/shared/acceptance.js';
import { closeBrowser, launchBrowser, runBrowserCheck, type BrowserRun } from '../../src/verify/browser-check.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

// Real Chromium, stopped with SIGSTOP: each test waits out a time limit of the code under test (seconds).
vi.setConfig({ testTimeout: 60_000 });

/**
 * A browser that never answers (Chromium stopped with SIGSTOP before the check starts: a wedged
 * browser, or a page created while its context closed, looks the same to Playwright): the check
 * must still end, and the browser must still be stoppable. Playwright has no time limit for a new
 * context or page, tracing or closing; without ours the verification, and the run waiting for it,
 * would wait for ever.
 */

const chromium = findChromium(undefined, process.env.PATH);
let tmp: TempDir;
let browser: Browser;
let frozen: number[];

beforeEach(async () => {
  tmp = makeTempDir('ac-browser-check-');
  const browserTmp = join(tmp.dir, 'browser');
  mkdirSync(browserTmp);
  if (chromium === null) throw new Error('these tests need Chromium (apt-get install chromium)');
  browser = await launchBrowser({
    executablePath: chromium,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: browserTmp },
    timeoutMs: 30_000,
  });
  frozen = processesUsing(tmp.dir);
  expect(frozen.length).toBeGreaterThan(0);
  for (const pid of frozen) process.kill(pid, 'SIGSTOP');
});

afterEach(async () => {
  await stopProcessesUsing(tmp.dir, { graceMs: 500 });
  tmp.cleanup();
});

const CHECK: BrowserCheck = { kind: 'browser', steps: [{ goto: '/' }, { expectText: 'never' }] };

function run(timeoutMs: number): BrowserRun {
  return {
    browser,
    origin: 'http://127.0.0.1:9',
    evidenceDir: join(tmp.dir, 'evidence'),
    n: 1,
    timeoutMs,
    stepMs: 1_000,
    redact: createRedactor([]),
    outputChars: 4_000,
  };
}

it('a check on a browser that never answers fails at its time limit (and a grace period), saying so', async () => {
  const outcome = await runBrowserCheck(CHECK, run(2_000), new AbortController().signal);
  expect(outcome.passed).toBe(false);
  expect(outcome.failure).toBe('the browser did not answer within 2 s');
  expect(outcome.output).toBe('(the browser did not answer within 2 s)');
  expect(outcome.evidence).toEqual([]);
});

it('an abort ends such a check at once, however long its time limit', async () => {
  const controller = new AbortController();
  const checking = runBrowserCheck(CHECK, run(600_000), controller.signal);
  controller.abort();
  const outcome = await checking;
  expect(outcome.failure).toBe('the verification was aborted');
});

it('closing such a browser gives up after a while and says so; stopping its processes then ends it', async () => {
  const warnings: string[] = [];
  await closeBrowser(browser, { warn: (...args: unknown[]) => void warnings.push(String(args.at(-1))) });
  expect(warnings).toEqual(['the browser did not close within 5 s; its processes are stopped instead']);
  await stopProcessesUsing(tmp.dir, { graceMs: 500 });
  expect(frozen.filter((pid) => stillRunning(pid))).toEqual([]);
});
