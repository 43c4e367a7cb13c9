/**
 * The live browser view against a real agent browser: `playwright-cli` (as an agent's Bash runs it) opens Debian's
 * Chromium; the server's watch hub finds it through playwright-cli's registry and captures it with the real capture.
 * Proves: capturing starts with the first watcher and stops with the last (nothing of ours stays connected), frames
 * are throttled, the agent's own commands keep working while watched, a session without a browser is waited for,
 * and the end of the session ends the watch.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBrowserViews } from '../../src/browser-view/browser-views.js';
import { findBrowserEndpoint } from '../../src/browser-view/registry.js';
import type { BrowserWatchHub } from '../../src/browser-view/watch-hub.js';
import type { BrowserFrame, BrowserViewState } from '../../src/shared/browser-view.js';
import { startAgentBrowser, type AgentBrowser } from '../support/agent-browser.js';
import { waitFor } from '../support/wait-for.js';

// Starts Chromium through playwright-cli's daemon: several seconds on a loaded 2-core machine.
vi.setConfig({ testTimeout: 90_000 });

let agent: AgentBrowser | undefined;
let hub: BrowserWatchHub | undefined;

afterEach(async () => {
  await hub?.close();
  hub = undefined;
  await agent?.close();
  agent = undefined;
});

/** One watcher's view: every frame and every state it was told, in order. */
function recorder() {
  const frames: BrowserFrame[] = [];
  const states: BrowserViewState[] = [];
  return {
    frames,
    states,
    watcher: { frame: (f: BrowserFrame) => void frames.push(f), status: (s: BrowserViewState) => void states.push(s) },
  };
}

const PAGE = (heading: string) => `<!doctype html><title>${heading}</title><h1>${heading}</h1>`;

describe('watching an agent browser', () => {
  it('captures from the first watcher to the last, shows the page the agent opened, and leaves its browser alone', async () => {
    const a = (agent = await startAgentBrowser());
    a.setHtml(PAGE('Tiny notes'));
    expect((await a.cli(['open', a.url])).status).toBe(0);
    const endpoint = findBrowserEndpoint(a.locator);
    expect(endpoint).toMatch(/\.sock$/);

    const h = (hub = createBrowserViews({ frameIntervalMs: 200, pollMs: 100 }));
    const target = { locate: () => findBrowserEndpoint(a.locator), isRunning: () => true };
    const first = recorder();
    const unwatchFirst = h.watch('s1', target, first.watcher);
    await waitFor(() => first.frames.length > 0, 30_000, 'the first frame');
    expect(first.states).toEqual(['waiting', 'watching']);
    const frame = first.frames[0]!;
    expect(frame).toMatchObject({ url: a.url, title: 'Tiny notes' });
    expect(Buffer.from(frame.image, 'base64').subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff])); // a JPEG
    expect(frame.width).toBeGreaterThan(0);
    expect(h.counts()).toEqual({ sessions: 1, captures: 1 });

    // A second watcher shares the capture and sees the newest frame at once.
    const second = recorder();
    const unwatchSecond = h.watch('s1', target, second.watcher);
    expect(second.states).toEqual(['watching']);
    expect(second.frames).toHaveLength(1);
    expect(h.counts()).toEqual({ sessions: 1, captures: 1 });

    // The agent's own commands work as before while watched, and what it does shows.
    a.setHtml(PAGE('Second page'));
    const goto = await a.cli(['goto', `${a.url}second`]);
    expect(goto.status).toBe(0);
    expect(goto.output).toContain('Second page');
    await waitFor(() => second.frames.some((f) => f.title === 'Second page'), 30_000, 'a frame of the second page');
    expect((await a.cli(['snapshot'])).output).toContain('Second page');

    unwatchFirst();
    expect(h.counts().captures).toBe(1); // one watcher is left
    unwatchSecond();
    expect(h.counts().sessions).toBe(0);
    await waitFor(() => h.counts().captures === 0, 10_000, 'the capture to close');
    const framesAtStop = second.frames.length;

    // The browser is still the agent's: its tabs and page are where they were.
    const tabs = await a.cli(['tab-list']);
    expect(tabs.status).toBe(0);
    expect(tabs.output).toContain(`${a.url}second`);
    expect(second.frames).toHaveLength(framesAtStop);
  });

  it('sends at most one frame per interval while the page keeps changing', async () => {
    const a = (agent = await startAgentBrowser());
    // A page that repaints every 30 ms.
    a.setHtml(
      '<!doctype html><title>Clock</title><h1 id="t"></h1><script>setInterval(() => { t.textContent = String(performance.now()); }, 30);</script>',
    );
    expect((await a.cli(['open', a.url])).status).toBe(0);
    const h = (hub = createBrowserViews({ frameIntervalMs: 500, pollMs: 100 }));
    const view = recorder();
    const unwatch = h.watch(
      's1',
      { locate: () => findBrowserEndpoint(a.locator), isRunning: () => true },
      view.watcher,
    );
    await waitFor(() => view.frames.length >= 4, 30_000, 'four frames');
    unwatch();
    const gaps = view.frames.slice(1).map((f, i) => f.at - view.frames[i]!.at);
    // Ticks of 500 ms (a timer may fire a little early or late; never two frames in one tick).
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(400);
    await waitFor(() => h.counts().captures === 0, 10_000, 'the capture to close');
  });

  it('waits for a session that has no browser yet, follows it when it opens and closes one, and ends with the session', async () => {
    const a = (agent = await startAgentBrowser());
    let running = true;
    const h = (hub = createBrowserViews({ frameIntervalMs: 200, pollMs: 100 }));
    const view = recorder();
    const unwatch = h.watch(
      's1',
      { locate: () => findBrowserEndpoint(a.locator), isRunning: () => running },
      view.watcher,
    );
    expect(view.states).toEqual(['waiting']);
    expect(h.counts()).toEqual({ sessions: 1, captures: 0 });

    a.setHtml(PAGE('Opened later'));
    expect((await a.cli(['open', a.url])).status).toBe(0);
    await waitFor(() => view.frames.some((f) => f.title === 'Opened later'), 30_000, 'a frame once the browser opens');
    expect(view.states).toEqual(['waiting', 'watching']);

    // The agent closes its browser: the view waits again (it may open another).
    expect((await a.cli(['close'])).status).toBe(0);
    await waitFor(() => view.states.at(-1) === 'waiting', 30_000, 'waiting after the browser closed');
    expect(h.counts()).toEqual({ sessions: 1, captures: 0 });

    // The session ends: the watch ends, and nothing of it is left.
    running = false;
    await waitFor(() => view.states.at(-1) === 'ended', 10_000, 'the end of the watch');
    expect(h.counts()).toEqual({ sessions: 0, captures: 0 });
    unwatch(); // late: harmless
    expect(h.counts()).toEqual({ sessions: 0, captures: 0 });
  });

  it('ends every watch when the server closes it, with no capture left', async () => {
    const a = (agent = await startAgentBrowser());
    a.setHtml(PAGE('Tiny notes'));
    expect((await a.cli(['open', a.url])).status).toBe(0);
    const h = (hub = createBrowserViews({ frameIntervalMs: 200, pollMs: 100 }));
    const view = recorder();
    h.watch('s1', { locate: () => findBrowserEndpoint(a.locator), isRunning: () => true }, view.watcher);
    await waitFor(() => view.frames.length > 0, 30_000, 'the first frame');
    await h.close();
    expect(view.states.at(-1)).toBe('ended');
    expect(h.counts()).toEqual({ sessions: 0, captures: 0 });
    expect((await a.cli(['tab-list'])).status).toBe(0);
  });
});
