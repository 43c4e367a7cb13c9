import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readOwner } from '../../src/agent/session-dirs.js';
import { processesUsing, stillRunning } from '../../src/agent/session-processes.js';
import { captureDesign, type CaptureDesignInput } from '../../src/design/capture.js';
import { pngSize } from '../../src/design/png.js';
import { isAppError } from '../../src/domain/errors.js';
import { silentLogger } from '../../src/logging/logger.js';
import { findChromium } from '../../src/runner/browser.js';
import { createRedactor, MASK } from '../../src/security/redactor.js';
import {
  blockingViolations,
  CAPTURE_FILE,
  DesignCaptureSchema,
  type CapturedPage,
  type DesignCapture,
  type Shot,
} from '../../src/shared/design-capture.js';
import { createDesignAppRepo, FIXTURE_SECRET, type DesignAppRepo } from '../support/design-app.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';

// Starts a real app (in the bubblewrap jail), real Chromium and real git: seconds per test on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });

/**
 * The design capture against a real app with known design problems (test/support/design-app.ts), in real Chromium with
 * real axe-core. Nothing is mocked; processes are looked for in /proc after each capture.
 */

const chromium = findChromium(undefined, process.env.PATH);
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };

let repo: DesignAppRepo;
let iterations = 0;

beforeAll(() => {
  repo = createDesignAppRepo();
});

afterAll(() => {
  repo.cleanup();
});

async function input(over: Partial<CaptureDesignInput> = {}): Promise<CaptureDesignInput> {
  iterations += 1;
  return {
    projectRoot: repo.root,
    commit: repo.commit,
    iterationDir: join(repo.root, '.autocoder', 'design', `iteration-${iterations}`),
    checks: [{ kind: 'browser', steps: [{ goto: '/about' }, { expectText: 'About us' }] }],
    port: await freePort(),
    sandbox: true,
    hiddenPaths: [],
    chromium: chromium ?? '/no/chromium',
    env,
    redact: createRedactor([FIXTURE_SECRET]),
    logger: silentLogger(),
    limits: { appStartMs: 15_000 },
    ...over,
  };
}

/** Host pids of the processes working in a folder (their cwd inside it), the jail's included. */
function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cwd = readlinkSync(`/proc/${name}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) pids.push(Number(name));
    } catch {
      // Gone meanwhile, or not ours to look at: not a process of the checkout.
      continue;
    }
  }
  return pids;
}

/** This process's capture temp folders still on disk. */
function ourCaptureFolders(): string[] {
  return readdirSync(tmpdir())
    .filter((n) => n.startsWith('ac-d'))
    .filter((n) => {
      const owner = readOwner(join(tmpdir(), n));
      return owner?.purpose === 'verification' && owner.pid === process.pid;
    });
}

/** A process's command line ('' once it is gone: it may end between being listed and being read). */
const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
};

/** Chromium's processes of the running capture (TMPDIR its browser folder). */
const ourChromium = (): number[] =>
  ourCaptureFolders().flatMap((name) => processesUsing(join(tmpdir(), name, 'browser')));

function expectNothingLeft(): void {
  expect(processesIn(repo.root)).toEqual([]);
  expect(ourCaptureFolders()).toEqual([]);
  // The verification worktree's lease was released.
  expect(readdirSync(join(repo.root, '.autocoder', 'worktrees')).filter((n) => n.endsWith('.lock'))).toEqual([]);
}

const pageOf = (c: DesignCapture, path: string): CapturedPage => {
  const found = c.pages.find((p) => p.path === path);
  if (!found) throw new Error(`no page ${path} in ${c.pages.map((p) => p.path).join(', ')}`);
  return found;
};
const shotOf = (p: CapturedPage, viewport: Shot['viewport'], theme: Shot['theme']): Shot => {
  const found = p.shots.find((s) => s.viewport === viewport && s.theme === theme);
  if (!found) throw new Error(`no ${viewport} ${theme} shot of ${p.path}`);
  return found;
};

describe.skipIf(chromium === null)('captureDesign on a small app with known problems', () => {
  let capture: DesignCapture;
  let dir: string;

  beforeAll(async () => {
    const req = await input();
    dir = req.iterationDir;
    capture = await captureDesign(req, new AbortController().signal);
  });

  it('visits the check’s page, then /, then pages found through links breadth first, never leaving the app', () => {
    expect(capture.error).toBeNull();
    expect(capture.status).toBe('captured');
    expect(capture.commit).toBe(repo.commit);
    expect(capture.pages.map((p) => [p.path, p.via, p.from, p.title])).toEqual([
      ['/about', 'check', null, 'About us'],
      ['/', 'root', null, 'Home'],
      ['/team', 'link', '/about', 'Team'],
      ['/contact', 'link', '/', 'Contact'],
    ]);
    // The manifest on disk is the one returned, and valid.
    expect(DesignCaptureSchema.parse(JSON.parse(readFileSync(join(dir, CAPTURE_FILE), 'utf8')))).toEqual(capture);
  });

  it('photographs every page at desktop and mobile, in dark too only where the page supports it', () => {
    const kinds = (path: string) => pageOf(capture, path).shots.map((s) => `${s.viewport}-${s.theme}`);
    expect(pageOf(capture, '/').darkMode).toBe(true); // a prefers-color-scheme rule in its stylesheet
    expect(pageOf(capture, '/contact').darkMode).toBe(true); // <meta name="color-scheme" content="light dark">
    expect(pageOf(capture, '/about').darkMode).toBe(false);
    expect(pageOf(capture, '/team').darkMode).toBe(false);
    expect(kinds('/')).toEqual(['desktop-light', 'desktop-dark', 'mobile-light', 'mobile-dark']);
    expect(kinds('/contact')).toEqual(['desktop-light', 'desktop-dark', 'mobile-light', 'mobile-dark']);
    expect(kinds('/about')).toEqual(['desktop-light', 'mobile-light']);
    expect(kinds('/team')).toEqual(['desktop-light', 'mobile-light']);
  });

  it('writes real full-page PNGs of the viewport’s width; the long page is taller than the mobile viewport', () => {
    const shots = capture.pages.flatMap((p) => p.shots);
    expect(shots).toHaveLength(12);
    for (const shot of shots) {
      expect(shot.error).toBeNull();
      expect(shot.file).not.toBeNull();
      const size = pngSize(readFileSync(join(dir, shot.file ?? '')));
      expect(size).toEqual({ width: shot.width, height: shot.height });
      // The navigation of / does not wrap: on mobile the page overflows sideways, and the screenshot shows it.
      const overflows = shot.viewport === 'mobile' && pageOf(capture, '/').shots.includes(shot);
      if (overflows) expect(shot.width).toBeGreaterThan(390);
      else expect(shot.width).toBe(shot.viewport === 'desktop' ? 1280 : 390);
      expect(shot.height).toBeGreaterThanOrEqual(shot.viewport === 'desktop' ? 800 : 844);
      expect(shot.status).toBe(200);
    }
    expect(shotOf(pageOf(capture, '/contact'), 'mobile', 'light').height).toBeGreaterThan(844);
    expect(shotOf(pageOf(capture, '/about'), 'mobile', 'light').file).toBe('screenshots/01-about-mobile-light.png');
    // The dark screenshot shows something else than the light one.
    const home = pageOf(capture, '/');
    const bytes = (s: Shot) => readFileSync(join(dir, s.file ?? ''));
    expect(bytes(shotOf(home, 'desktop', 'dark')).equals(bytes(shotOf(home, 'desktop', 'light')))).toBe(false);
    expect(readdirSync(join(dir, 'screenshots')).sort()).toEqual(shots.map((s) => s.file?.slice(12)).sort());
  });

  it('records axe-core’s violations: the image without alt on /, the low-contrast text on /about', () => {
    const home = shotOf(pageOf(capture, '/'), 'desktop', 'light');
    const imageAlt = home.axe.find((v) => v.id === 'image-alt');
    expect(imageAlt).toMatchObject({ impact: 'critical', nodes: 1, targets: ['img[src$="logo.png"]'] });
    expect(imageAlt?.helpUrl).toMatch(/^https:\/\/dequeuniversity\.com\/rules\/axe\//);
    const about = shotOf(pageOf(capture, '/about'), 'mobile', 'light');
    const contrast = about.axe.find((v) => v.id === 'color-contrast');
    expect(contrast).toMatchObject({ impact: 'serious', nodes: 1 });
    expect(contrast?.summary).toMatch(/contrast/i);
    // /team's field comes by script after its data: axe (and the screenshot) saw the page once it had settled.
    for (const shot of pageOf(capture, '/team').shots)
      expect(shot.axe.map((v) => v.id)).toEqual(expect.arrayContaining(['label']));
    expect(pageOf(capture, '/team').shots.flatMap((s) => s.axe.map((v) => v.id))).not.toContain('color-contrast');
    const blocking = blockingViolations(capture).map((b) => `${b.path} ${b.viewport} ${b.theme} ${b.id}`);
    expect(blocking).toContain('/ desktop light image-alt');
    expect(blocking).toContain('/ mobile dark image-alt');
    expect(blocking).toContain('/about desktop light color-contrast');
  });

  it('records console errors and failed requests per screenshot: a 404, a request to another origin blocked', () => {
    const home = shotOf(pageOf(capture, '/'), 'desktop', 'light');
    expect(home.consoleErrors).toContain('widget failed to start');
    // Secrets are masked before anything is written.
    expect(home.consoleErrors).toContain(`token ${MASK} refused`);
    expect(readFileSync(join(dir, CAPTURE_FILE), 'utf8')).not.toContain(FIXTURE_SECRET);
    expect(home.failedRequests).toContainEqual({ method: 'GET', url: '/logo.png', status: 404, error: null });
    expect(home.failedRequests).toContainEqual({
      method: 'GET',
      url: 'http://example.com/banner.png',
      status: null,
      error: expect.stringMatching(/^net::ERR_BLOCKED_BY_CLIENT/),
    });
    // Each screenshot is its own load: the dark one saw the same problems, /team saw none.
    expect(shotOf(pageOf(capture, '/'), 'mobile', 'dark').consoleErrors).toContain('widget failed to start');
    const team = shotOf(pageOf(capture, '/team'), 'desktop', 'light');
    expect([team.consoleErrors, team.failedRequests]).toEqual([[], []]);
  });

  it('leaves nothing running and keeps the app’s log beside the screenshots', () => {
    expect(readFileSync(join(dir, 'app.log'), 'utf8')).toContain('design app listening on');
    expectNothingLeft();
  });
});

describe.skipIf(chromium === null)('captureDesign when things go wrong', () => {
  it('throws on invalid input, naming the field, and refuses an iteration folder that holds a capture', async () => {
    const bad = async (over: Partial<CaptureDesignInput>) => {
      try {
        await captureDesign(await input(over), new AbortController().signal);
      } catch (err: unknown) {
        if (isAppError(err)) return `${err.code}: ${err.message}`;
        throw err;
      }
      throw new Error('expected an error');
    };
    expect(await bad({ port: 80 })).toMatch(/^INVALID_INPUT: invalid design capture request: port: /);
    expect(await bad({ iterationDir: 'relative/dir' })).toMatch(
      /iterationDir: the iteration folder must be an absolute/,
    );
    expect(await bad({ checks: [{ kind: 'browser', steps: [{ goto: 'http://example.com/' }] }] })).toMatch(
      /checks\.0\.steps\.0\.goto: must be a path on the app/,
    );
    const first = await input({ checks: [], limits: { maxPages: 1, appStartMs: 15_000 } });
    const done = await captureDesign(first, new AbortController().signal);
    expect(done.pages.map((p) => p.path)).toEqual(['/']);
    expect(await bad({ iterationDir: first.iterationDir })).toMatch(/capture\.json exists already/);
    expectNothingLeft();
  });

  it('ends as failed with the reason when the app does not start, and stops everything', async () => {
    const req = await input({ commit: 'no-such-branch' });
    const failed = await captureDesign(req, new AbortController().signal);
    expect([failed.status, failed.error, failed.pages]).toEqual([
      'failed',
      `no-such-branch is not a commit in ${repo.root}`,
      [],
    ]);
    expect(existsSync(join(req.iterationDir, CAPTURE_FILE))).toBe(true);
    expectNothingLeft();
  });

  it('an abort in the middle ends it at once as aborted, with the pages done, and stops the browser and the app', async () => {
    const controller = new AbortController();
    const req = await input();
    const running = captureDesign(req, controller.signal);
    await waitFor(
      () => existsSync(join(req.iterationDir, 'screenshots', '02-home-desktop-light.png')),
      60_000,
      'the second page’s first screenshot',
    );
    const browserPids = ourChromium();
    expect(browserPids.length).toBeGreaterThan(0);
    controller.abort();
    const aborted = await running;
    expect(aborted.status).toBe('aborted');
    expect(aborted.error).toBe('the design capture was aborted; everything it started was stopped');
    expect(aborted.pages.length).toBeGreaterThanOrEqual(2);
    expect(aborted.pages.length).toBeLessThan(4);
    expect(browserPids.filter((pid) => stillRunning(pid))).toEqual([]);
    expectNothingLeft();
  });

  it('a browser that stops answering ends it as failed after the screenshot’s limit, and it is stopped', async () => {
    const req = await input({ limits: { shotMs: 1_000, appStartMs: 15_000 } });
    const running = captureDesign(req, new AbortController().signal);
    // Once the first page is open in Chromium, every Chromium process is frozen: nothing asked is answered any more.
    const frozen = await waitFor(
      () => {
        const found = ourChromium();
        return found.some((pid) => cmdline(pid).includes('--type=renderer')) ? found : undefined;
      },
      60_000,
      'a page in Chromium',
    );
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGSTOP');
      } catch {
        // Ended meanwhile (a helper process of Chromium's): nothing to freeze.
        continue;
      }
    }
    const failed = await running;
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('the browser did not answer within 11 s');
    expect(frozen.filter((pid) => stillRunning(pid))).toEqual([]);
    expectNothingLeft();
  });
});
