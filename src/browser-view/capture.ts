import { createRequire } from 'node:module';
import type { BrowserFrame } from '../shared/browser-view.js';

/**
 * Watching an agent's browser without touching it. playwright-cli's daemon serves the browser it launched to other
 * Playwright clients on a unix socket in the session's TMPDIR (what its own `attach` and dashboard use); we connect
 * there as one more client, with the very playwright-core playwright-cli runs (the protocol wants the same version),
 * and ask each page for a screencast: Chromium sends a frame when the page repaints, Playwright shares the stream
 * among its clients (a video the agent records is one), and nothing runs in the page. No debugging port is opened.
 */

/** What we use of a Playwright page, browser context and browser (the CLI's playwright-core, loaded at run time). */
interface ScreencastFrame {
  readonly data: Buffer;
  readonly viewportWidth: number;
  readonly viewportHeight: number;
}
interface PwPage {
  url(): string;
  title(): Promise<string>;
  isClosed(): boolean;
  on(event: 'close', listener: () => void): void;
  readonly screencast: {
    start(options: { onFrame: (frame: ScreencastFrame) => Promise<void>; quality?: number }): Promise<unknown>;
    stop(): Promise<void>;
  };
}
interface PwContext {
  pages(): PwPage[];
  on(event: 'page', listener: (page: PwPage) => void): void;
}
interface PwBrowser {
  contexts(): PwContext[];
  on(event: 'context', listener: (context: PwContext) => void): void;
  on(event: 'disconnected', listener: () => void): void;
  isConnected(): boolean;
  close(): Promise<void>;
}
interface PwChromium {
  connect(endpoint: string, options: { timeout: number }): Promise<PwBrowser>;
}

let chromium: PwChromium | null = null;

/** playwright-core as `playwright-cli` (the one in autocoder's own dependencies) loads it. */
function cliChromium(): PwChromium {
  if (chromium) return chromium;
  const require = createRequire(import.meta.url);
  const cli = createRequire(require.resolve('@playwright/cli/package.json'));
  chromium = (cli('playwright-core') as { chromium: PwChromium }).chromium;
  return chromium;
}

export interface CaptureOptions {
  /** At most one frame per this many ms reaches `onFrame` (the newest one). */
  readonly intervalMs: number;
  readonly connectTimeoutMs: number;
  readonly onFrame: (frame: BrowserFrame) => void;
  /** The browser went away (the session closed it, or ended): the capture is over. */
  readonly onClosed: () => void;
  readonly now?: () => number;
}

export interface BrowserCapture {
  /** Stops every screencast and disconnects; the browser and its pages stay as they are. */
  close(): Promise<void>;
}

/** JPEG quality of the frames: enough to read a page, a fraction of the bytes. */
const QUALITY = 70;

/**
 * Connects to the browser at `endpoint` and sends its pages' frames to `onFrame`, throttled: frames are held
 * (unacknowledged, so Chromium, which keeps only a few in flight, sends no more) until the next tick of
 * `intervalMs`, when the newest one goes out and all are released.
 */
export async function openBrowserCapture(endpoint: string, options: CaptureOptions): Promise<BrowserCapture> {
  const now = options.now ?? Date.now;
  const browser = await cliChromium().connect(endpoint, { timeout: options.connectTimeoutMs });
  let closed = false;
  let newest: { page: PwPage; frame: ScreencastFrame } | null = null;
  let held: (() => void)[] = [];
  const release = () => {
    const waiting = held;
    held = [];
    for (const resolve of waiting) resolve();
  };
  // Ticks that found a frame, and the newest one sent: a title that comes late (a page mid-navigation) never lets
  // an older frame follow a newer one.
  let ticks = 0;
  let sent = 0;
  const tick = setInterval(() => {
    const next = newest;
    newest = null;
    release();
    if (!next || closed) return;
    const { page, frame } = next;
    const seq = ++ticks;
    // Stamped at the tick that let it out (ticks are an interval apart), not after the title's round trip.
    const at = now();
    void page
      .title()
      .catch(() => '')
      .then((title) => {
        if (closed || seq < sent) return;
        sent = seq;
        options.onFrame({
          image: frame.data.toString('base64'),
          url: page.url(),
          title,
          width: frame.viewportWidth,
          height: frame.viewportHeight,
          at,
        });
      });
  }, options.intervalMs);
  const pages = new Set<PwPage>();
  const watchPage = (page: PwPage) => {
    if (closed || pages.has(page) || page.isClosed()) return;
    pages.add(page);
    page.on('close', () => pages.delete(page));
    page.screencast
      .start({
        quality: QUALITY,
        onFrame: (frame) => {
          newest = { page, frame };
          return closed ? Promise.resolve() : new Promise<void>((resolve) => held.push(resolve));
        },
      })
      .catch(() => pages.delete(page)); // The page closed as we started: nothing to watch there.
  };
  const watchContext = (context: PwContext) => {
    context.on('page', watchPage);
    for (const page of context.pages()) watchPage(page);
  };
  const finish = () => {
    if (closed) return false;
    closed = true;
    clearInterval(tick);
    release();
    return true;
  };
  browser.on('disconnected', () => {
    if (finish()) options.onClosed();
  });
  browser.on('context', watchContext);
  for (const context of browser.contexts()) watchContext(context);
  return {
    close: async () => {
      if (!finish()) return;
      // Screencasts are per client; stopping ours leaves any other (a video the agent records) running.
      await Promise.all([...pages].map((p) => p.screencast.stop().catch(() => undefined)));
      // Disconnects this client only: the daemon shares its browser, and a client cannot close it.
      await browser.close().catch(() => undefined);
    },
  };
}
