import { readFileSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import type { Hono } from 'hono';
import { AppError } from '../../domain/errors.js';
import { TranscriptQuerySchema, type TranscriptResponse } from '../../shared/api.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { withStore } from '../project-access.js';
import { query } from './input.js';

const SESSION_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** GET /api/projects/{name}/sessions/{id}/transcript: one session's transcript, a page of JSON lines. */
export const sessionRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.get('/api/projects/:name/sessions/:id/transcript', (c) => {
    const id = c.req.param('id');
    if (!SESSION_ID.test(id)) throw new AppError('INVALID_INPUT', 'id: not a session id', { details: { field: 'id' } });
    const q = query(c, TranscriptQuerySchema);
    return c.json(
      withStore(c, deps, (store): TranscriptResponse => {
        const session = store.sessions.get(id);
        if (!session) throw new AppError('NOT_FOUND', `session ${id} does not exist in this project`);
        const path = session.transcriptPath;
        // Only files in the project's own log folder are served, whatever a row says.
        const rel = path ? relative(store.paths.logs, path) : '..';
        if (!path || rel.startsWith('..') || isAbsolute(rel))
          throw new AppError('NOT_FOUND', `session ${id} has no transcript`);
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch {
          throw new AppError('NOT_FOUND', `the transcript of session ${id} is gone (${rel})`);
        }
        const lines = text.split('\n').filter((l) => l.trim() !== '');
        const page = lines.slice(q.offset, q.offset + q.limit);
        const entries = page.map((l) => {
          try {
            const v = JSON.parse(l) as unknown;
            return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
          } catch {
            return { unparsed: l };
          }
        });
        const end = q.offset + page.length;
        return { sessionId: id, entries, total: lines.length, next: end < lines.length ? end : null };
      }),
    );
  });
};
