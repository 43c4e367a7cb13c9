import { openBrowserCapture } from './capture.js';
import { createBrowserWatchHub, type BrowserWatchHub, type BrowserWatchHubOptions } from './watch-hub.js';

/** A person sees at most one frame a second: enough to follow an agent, little for a 2-core machine. */
export const FRAME_INTERVAL_MS = 1000;
/** How often a watched session without a browser is looked at again. */
export const POLL_MS = 1000;
const CONNECT_TIMEOUT_MS = 10_000;

/** The server's live browser views, capturing with playwright-cli's own playwright-core. */
export function createBrowserViews(options: Partial<BrowserWatchHubOptions> = {}): BrowserWatchHub {
  return createBrowserWatchHub({
    open: openBrowserCapture,
    pollMs: POLL_MS,
    frameIntervalMs: FRAME_INTERVAL_MS,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    ...options,
  });
}
