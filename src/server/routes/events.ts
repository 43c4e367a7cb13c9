import type { Hono } from 'hono';
import { EventsQuerySchema } from '../../shared/api.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { withStore } from '../project-access.js';
import { query } from './input.js';

/** GET /api/projects/{name}/events?since=&limit=: the event log after a cursor (what the live view resumes from). */
export const eventRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.get('/api/projects/:name/events', (c) => {
    const q = query(c, EventsQuerySchema);
    return c.json(
      withStore(c, deps, (store) => {
        const events = store.events.since(q.since, q.limit);
        return { events, next: events.at(-1)?.id ?? q.since };
      }),
    );
  });
};
