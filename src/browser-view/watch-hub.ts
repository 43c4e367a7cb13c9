import type { BrowserFrame, BrowserViewState } from '../shared/browser-view.js';
import type { BrowserCapture, CaptureOptions } from './capture.js';

/** What one watcher of a session's browser hears. */
export interface BrowserWatcher {
  frame(frame: BrowserFrame): void;
  status(state: BrowserViewState): void;
}

/** The session a watcher asks for: how to find its browser, and whether it still runs. */
export interface WatchTarget {
  /** The browser's endpoint, or null while the session has none open. */
  locate(): string | null;
  isRunning(): boolean;
}

export type OpenCapture = (endpoint: string, options: CaptureOptions) => Promise<BrowserCapture>;

export interface BrowserWatchHubOptions {
  readonly open: OpenCapture;
  /** How often a watched session without a browser is looked at again (it may open one, or end). */
  readonly pollMs: number;
  /** At most one frame per this many ms per session. */
  readonly frameIntervalMs: number;
  readonly connectTimeoutMs: number;
  /** Told about a capture that failed to start (the hub then waits and tries again). */
  readonly onError?: (key: string, err: unknown) => void;
}

export interface BrowserWatchHub {
  /**
   * Adds a watcher of the session `key`. The first one starts watching (waiting for the session's browser, then
   * capturing it); the returned function removes the watcher, and the last one to go stops everything for that
   * session. A watcher joining a capture gets its newest frame at once.
   */
  watch(key: string, target: WatchTarget, watcher: BrowserWatcher): () => void;
  /** Sessions watched now, and how many of them have a capture connected: what tests prove is left running. */
  counts(): { readonly sessions: number; readonly captures: number };
  /** Ends every watch (the server is closing): watchers hear `ended`, captures close. */
  close(): Promise<void>;
}

interface Watch {
  readonly key: string;
  readonly target: WatchTarget;
  readonly watchers: Set<BrowserWatcher>;
  state: BrowserViewState;
  capture: BrowserCapture | null;
  connecting: boolean;
  timer: NodeJS.Timeout | null;
  newest: BrowserFrame | null;
}

/** The live browser views of one server: at most one capture per session, however many people watch it. */
export function createBrowserWatchHub(options: BrowserWatchHubOptions): BrowserWatchHub {
  const watches = new Map<string, Watch>();
  /** Captures being closed, and how many are being opened: both still hold a connection. */
  const closing = new Set<Promise<void>>();
  const opening = new Set<Promise<void>>();
  const track = (done: Promise<void>) => {
    const tracked = done.catch(() => undefined).finally(() => closing.delete(tracked));
    closing.add(tracked);
  };

  const announce = (w: Watch, state: BrowserViewState) => {
    w.state = state;
    for (const watcher of w.watchers) watcher.status(state);
  };

  /** Stops watching `w`: its timer, its capture; an `ended` session also tells its watchers. */
  const stop = (w: Watch, ended: boolean) => {
    if (watches.get(w.key) !== w) return;
    watches.delete(w.key);
    if (w.timer) clearTimeout(w.timer);
    w.timer = null;
    const capture = w.capture;
    w.capture = null;
    if (capture) track(capture.close());
    if (ended) announce(w, 'ended');
  };

  const schedule = (w: Watch) => {
    if (watches.get(w.key) !== w || w.timer) return;
    w.timer = setTimeout(() => {
      w.timer = null;
      step(w);
    }, options.pollMs);
  };

  /**
   * Looks at the session again: ended, captured already (look again later: it may end without closing its browser),
   * a browser to connect to, or nothing yet (look again later).
   */
  const step = (w: Watch) => {
    if (watches.get(w.key) !== w || w.connecting) return;
    if (!w.target.isRunning()) return stop(w, true);
    if (w.capture) return schedule(w);
    const endpoint = w.target.locate();
    if (endpoint === null) {
      if (w.state !== 'waiting') announce(w, 'waiting');
      return schedule(w);
    }
    w.connecting = true;
    // Set when this capture's browser goes away; it may do so before `open` has even returned.
    let gone = false;
    const attempt = options
      .open(endpoint, {
        intervalMs: options.frameIntervalMs,
        connectTimeoutMs: options.connectTimeoutMs,
        onFrame: (frame) => {
          if (gone || watches.get(w.key) !== w) return;
          w.newest = frame;
          for (const watcher of w.watchers) watcher.frame(frame);
        },
        onClosed: () => {
          gone = true;
          if (w.connecting) return; // `open` has not returned yet: its callback below takes over.
          // The session closed its browser (or ended): wait for another, or for the end.
          w.capture = null;
          if (watches.get(w.key) !== w) return;
          w.newest = null;
          announce(w, 'waiting');
          step(w);
        },
      })
      .then(
        (capture) => {
          w.connecting = false;
          if (watches.get(w.key) !== w || gone) {
            // Every watcher left while we connected, or the browser went at once.
            track(capture.close());
            if (gone) step(w);
            return;
          }
          w.capture = capture;
          announce(w, 'watching');
          schedule(w);
        },
        (err: unknown) => {
          // A stale descriptor, a browser closing as we came: look again later.
          w.connecting = false;
          options.onError?.(w.key, err);
          schedule(w);
        },
      )
      .finally(() => opening.delete(attempt));
    opening.add(attempt);
  };

  return {
    watch(key, target, watcher) {
      let w = watches.get(key);
      if (!w) {
        w = {
          key,
          target,
          watchers: new Set(),
          state: 'waiting',
          capture: null,
          connecting: false,
          timer: null,
          newest: null,
        };
        watches.set(key, w);
        w.watchers.add(watcher);
        watcher.status('waiting');
        step(w);
      } else {
        w.watchers.add(watcher);
        watcher.status(w.state);
        if (w.newest) watcher.frame(w.newest);
      }
      const mine = w;
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        mine.watchers.delete(watcher);
        if (mine.watchers.size === 0) stop(mine, false);
      };
    },
    counts() {
      let captures = 0;
      for (const w of watches.values()) if (w.capture) captures += 1;
      return { sessions: watches.size, captures: captures + closing.size + opening.size };
    },
    async close() {
      for (const w of [...watches.values()]) stop(w, true);
      // Captures still opening close themselves when they return (their watch is gone).
      while (closing.size > 0 || opening.size > 0) await Promise.all([...closing, ...opening]);
    },
  };
}
