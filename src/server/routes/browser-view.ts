import type { Hono } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { findBrowserEndpoint } from '../../browser-view/registry.js';
import type { WatchTarget } from '../../browser-view/watch-hub.js';
import { AppError } from '../../domain/errors.js';
import type { ProjectStore } from '../../db/ports.js';
import type { BrowserLocator, BrowserViewState } from '../../shared/browser-view.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { withStore } from '../project-access.js';

const SESSION_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** The browser locator the runner recorded when the session started; null for a session without one. */
function recordedLocator(store: ProjectStore, sessionId: string): BrowserLocator | null {
  const [started] = store.events.latest({ types: ['session.started'], sessionId, limit: 1 });
  return started?.type === 'session.started' ? (started.payload.browser ?? null) : null;
}

/** Whether the session still runs; a store closed meanwhile (the project was removed) means no. */
function stillRunning(store: ProjectStore, sessionId: string): boolean {
  try {
    return store.sessions.get(sessionId)?.status === 'running';
  } catch {
    return false;
  }
}

/**
 * Sends messages in order, at most one frame waiting: a client that reads slower than frames come gets the newest
 * when it is ready, never a growing queue.
 */
function sseWriter(stream: SSEStreamingApi) {
  let chain: Promise<void> = Promise.resolve();
  let frameQueued = false;
  let nextFrame: string | null = null;
  const write = (event: string, data: string) => {
    chain = chain.then(() => (stream.aborted ? undefined : stream.writeSSE({ event, data }))).catch(() => undefined);
    return chain;
  };
  return {
    frame(data: string) {
      nextFrame = data;
      if (frameQueued) return;
      frameQueued = true;
      chain = chain
        .then(() => {
          frameQueued = false;
          const data = nextFrame;
          nextFrame = null;
          return data === null || stream.aborted ? undefined : stream.writeSSE({ event: 'frame', data });
        })
        .catch(() => undefined);
    },
    status: (state: BrowserViewState) => write('status', JSON.stringify({ state })),
  };
}

/**
 * GET /api/projects/{name}/sessions/{id}/browser: the live view of a running session's browser, as server-sent
 * events (`status`, then `frame`s at most one a second while the page changes). The first watcher of a session
 * starts its capture and the last one to close the stream stops it; the stream ends when the session does.
 */
export const browserViewRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.get('/api/projects/:name/sessions/:id/browser', (c) => {
    const id = c.req.param('id');
    if (!SESSION_ID.test(id)) throw new AppError('INVALID_INPUT', 'id: not a session id', { details: { field: 'id' } });
    const { key, target } = withStore(c, deps, (store) => {
      const session = store.sessions.get(id);
      if (!session) throw new AppError('NOT_FOUND', `session ${id} does not exist in this project`);
      if (session.status !== 'running')
        throw new AppError('CONFLICT', `session ${id} has ended (${session.status}): its browser is closed`);
      const locator = recordedLocator(store, id);
      if (!locator)
        throw new AppError('CONFLICT', `session ${id} has no browser to watch (it was started by an older autocoder)`);
      const watched: WatchTarget = {
        locate: () => findBrowserEndpoint(locator),
        isRunning: () => stillRunning(store, id),
      };
      return { key: `${store.paths.root}\n${id}`, target: watched };
    });
    return streamSSE(c, async (stream) => {
      const out = sseWriter(stream);
      await new Promise<void>((resolve) => {
        let unwatch: (() => void) | null = null;
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          unwatch?.();
          resolve();
        };
        stream.onAbort(finish);
        unwatch = deps.browserViews.watch(key, target, {
          frame: (frame) => out.frame(JSON.stringify(frame)),
          status: (state) => {
            const written = out.status(state);
            // The session is over: say so, then close the stream.
            if (state === 'ended') void written.then(finish);
          },
        });
        if (done) unwatch();
      });
    });
  });
};
