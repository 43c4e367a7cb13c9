/**
 * GET /api/projects/:name/sessions/:id/browser through the app (guards, token, the route's checks) with a real agent
 * browser behind it: the stream says where the view stands and carries frames of the agent's page; closing it stops
 * the capture; the session's end ends it; bad requests get clear errors before any stream starts.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { BrowserFrameSchema, type BrowserFrame } from '../../src/shared/browser-view.js';
import { createSseParser } from '../../web/src/features/agents/sse.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';
import { startAgentBrowser, type AgentBrowser } from '../support/agent-browser.js';
import { waitFor } from '../support/wait-for.js';

vi.setConfig({ testTimeout: 90_000 });

let h: ApiHarness;
let dir: string;
let agent: AgentBrowser | undefined;

beforeEach(async () => {
  h = apiHarness();
  dir = await h.createProject('alpha');
});
afterEach(async () => {
  await h.browserViews.close();
  await agent?.close();
  agent = undefined;
  h.cleanup();
});

function startSession(id: string, browser?: AgentBrowser['locator']): void {
  const store = h.store('alpha');
  try {
    store.sessions.start({
      id,
      runId: null,
      slot: 0,
      role: 'coding',
      featureIds: [],
      model: null,
      transcriptPath: join(projectPaths(dir).logs, `${id}.jsonl`),
      ...(browser ? { browser } : {}),
    });
  } finally {
    store.close();
  }
}

function endSession(id: string): void {
  const store = h.store('alpha');
  try {
    const usage = { turns: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0 };
    store.sessions.end(id, { status: 'succeeded', outcome: 'success', usage, error: null });
  } finally {
    store.close();
  }
}

/** Reads a stream's events as they come, until `until` is satisfied or the stream ends. */
async function readEvents(
  res: Response,
  until: (events: { event: string; data: string }[]) => boolean,
): Promise<{ events: { event: string; data: string }[]; ended: boolean }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const parse = createSseParser();
  const events: { event: string; data: string }[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { events, ended: true };
    events.push(...parse(decoder.decode(value, { stream: true })));
    if (until(events)) {
      reader.releaseLock();
      return { events, ended: false };
    }
  }
}

const frames = (events: { event: string; data: string }[]): BrowserFrame[] =>
  events.filter((e) => e.event === 'frame').map((e) => BrowserFrameSchema.parse(JSON.parse(e.data)));

describe('GET /api/projects/:name/sessions/:id/browser', () => {
  it('streams the page the session opened, and stops capturing when the stream is closed', async () => {
    const a = (agent = await startAgentBrowser());
    a.setHtml('<!doctype html><title>Tiny notes</title><h1>Tiny notes</h1>');
    expect((await a.cli(['open', a.url])).status).toBe(0);
    startSession('ses_watch', a.locator);

    const res = await h.request('GET', '/api/projects/alpha/sessions/ses_watch/browser');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const { events } = await readEvents(res, (e) => frames(e).length > 0);
    expect(events[0]).toEqual({ event: 'status', data: '{"state":"waiting"}' });
    expect(events).toContainEqual({ event: 'status', data: '{"state":"watching"}' });
    expect(frames(events)[0]).toMatchObject({ url: a.url, title: 'Tiny notes' });
    expect(h.browserViews.counts()).toEqual({ sessions: 1, captures: 1 });

    // The person closes the view: the last watcher is gone, so is the capture.
    await res.body!.cancel();
    await waitFor(
      () => h.browserViews.counts().captures === 0 && h.browserViews.counts().sessions === 0,
      10_000,
      'the capture to stop',
    );
    expect((await a.cli(['snapshot'])).output).toContain('Tiny notes');
  });

  it('says the session ended and closes the stream when the session ends', async () => {
    const a = (agent = await startAgentBrowser());
    startSession('ses_end', a.locator);
    const res = await h.request('GET', '/api/projects/alpha/sessions/ses_end/browser');
    expect(res.status).toBe(200);
    // No browser yet: the view waits.
    const first = await readEvents(res, (e) => e.length > 0);
    expect(first.events).toEqual([{ event: 'status', data: '{"state":"waiting"}' }]);
    endSession('ses_end');
    const rest = await readEvents(res, () => false);
    expect(rest).toEqual({ events: [{ event: 'status', data: '{"state":"ended"}' }], ended: true });
    expect(h.browserViews.counts()).toEqual({ sessions: 0, captures: 0 });
  });

  it('refuses bad ids, unknown and ended sessions, sessions without a browser to find, and requests without the token', async () => {
    expect((await h.json('GET', '/api/projects/alpha/sessions/..%2Fx/browser')).status).toBe(400);
    expect((await h.json('GET', '/api/projects/alpha/sessions/ses_nope/browser')).status).toBe(404);
    expect((await h.json('GET', '/api/projects/nope/sessions/ses_nope/browser')).status).toBe(404);
    const locator = { session: 'ac-x', registry: join(h.root, 'none'), workspace: dir };
    startSession('ses_done', locator);
    endSession('ses_done');
    const ended = await h.json<{ error: { code: string; message: string } }>(
      'GET',
      '/api/projects/alpha/sessions/ses_done/browser',
    );
    expect(ended.status).toBe(409);
    expect(ended.body.error.message).toMatch(/has ended/);
    startSession('ses_old');
    const old = await h.json<{ error: { message: string } }>('GET', '/api/projects/alpha/sessions/ses_old/browser');
    expect(old.status).toBe(409);
    expect(old.body.error.message).toMatch(/no browser to watch/);
    startSession('ses_live', locator);
    const anonymous = await h.request('GET', '/api/projects/alpha/sessions/ses_live/browser', undefined, {
      authorization: null,
    });
    expect(anonymous.status).toBe(401);
    expect(h.browserViews.counts()).toEqual({ sessions: 0, captures: 0 });
  });
});
