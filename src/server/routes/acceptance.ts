import { openSync, closeSync, fstatSync, readFileSync, realpathSync } from 'node:fs';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import type { Context, Hono } from 'hono';
import { AppError } from '../../domain/errors.js';
import { decideDispute } from '../../projects/disputes.js';
import {
  AcceptDisputeRequestSchema,
  DisputeListQuerySchema,
  RejectDisputeRequestSchema,
  type DisputeResult,
} from '../../shared/acceptance.js';
import type { AcceptanceDispute, Feature } from '../../db/ports.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { withStore } from '../project-access.js';
import { body, idParam, query } from './input.js';

/** What an evidence file is served as; anything else is plain bytes (a download, never rendered). */
const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.zip': 'application/zip',
};

/** Evidence files are written by the runner; anything larger is not something a page should load whole. */
const MAX_EVIDENCE_BYTES = 200 * 1024 * 1024;

const result = (r: { dispute: AcceptanceDispute; feature: Feature }): DisputeResult => ({
  dispute: r.dispute,
  feature: {
    id: r.feature.id,
    name: r.feature.name,
    status: r.feature.status,
    priority: r.feature.priority,
    acceptanceHash: r.feature.acceptanceHash,
  },
});

function disputeParam(c: Context): string {
  const raw = c.req.param('disputeId') ?? '';
  if (!/^dsp_[0-9a-f]{1,64}$/.test(raw))
    throw new AppError('NOT_FOUND', `no acceptance dispute "${raw.slice(0, 100)}" in this project`, {
      details: { disputeId: raw.slice(0, 100) },
    });
  return raw;
}

const notFound = (what: string) => new AppError('NOT_FOUND', what);

/**
 * The absolute path of `file` inside the verification's evidence folder, symlinks resolved on both sides: `..`,
 * absolute paths, NUL and links leading out are all "no such file" (404), never a read elsewhere.
 */
export function evidenceFile(projectRoot: string, evidenceDir: string, file: string): string {
  const missing = notFound(`no evidence file "${file.slice(0, 200)}" in this verification`);
  if (file === '' || file.includes('\0') || isAbsolute(file) || file.split(/[\\/]/).includes('..')) throw missing;
  let root: string;
  let dir: string;
  let target: string;
  try {
    root = realpathSync(projectRoot);
    dir = realpathSync(join(projectRoot, evidenceDir));
    target = realpathSync(join(dir, file));
  } catch {
    throw missing;
  }
  const inside = (parent: string, child: string) => {
    const rel = relative(parent, child);
    return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
  };
  // The evidence folder itself must be the project's (a row naming another folder is refused too).
  if (!inside(join(root, '.autocoder', 'evidence'), dir) || !inside(dir, target)) throw missing;
  return target;
}

/**
 * Acceptance: a feature's verifications and their evidence files, and the disputes of frozen checks (list, accept,
 * reject: the same effects as the Inbox and the supervisor).
 */
export const acceptanceRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  const feature = '/api/projects/:name/features/:id';

  app.get(`${feature}/verifications`, (c) => {
    const id = idParam(c, 'id');
    return c.json(
      withStore(c, deps, (store) => {
        store.features.get(id); // 404 for an unknown feature
        return { verifications: store.verifications.list(id) };
      }),
    );
  });

  app.get(`${feature}/verifications/:vid/files/:path{.+}`, (c) => {
    const id = idParam(c, 'id');
    const vid = c.req.param('vid');
    const file = c.req.param('path');
    const { bytes, type } = withStore(c, deps, (store) => {
      const v = store.verifications.get(vid);
      if (v.featureId !== id) throw notFound(`verification ${vid} is not one of feature ${id}'s`);
      const path = evidenceFile(store.paths.root, v.evidenceDir, file);
      // Read through one descriptor: what was checked is what is sent.
      const fd = openSync(path, 'r');
      try {
        const st = fstatSync(fd);
        if (!st.isFile()) throw notFound(`"${file.slice(0, 200)}" is not a file`);
        if (st.size > MAX_EVIDENCE_BYTES)
          throw new AppError('CONFLICT', `"${file.slice(0, 200)}" is too large to serve`);
        return {
          bytes: readFileSync(fd),
          type: CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
        };
      } finally {
        closeSync(fd);
      }
    });
    return c.body(new Uint8Array(bytes), 200, {
      'content-type': type,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, max-age=3600',
      ...(type === 'application/octet-stream' || type === 'application/zip'
        ? { 'content-disposition': 'attachment' }
        : {}),
    });
  });

  app.get('/api/projects/:name/disputes', (c) => {
    const q = query(c, DisputeListQuerySchema);
    return c.json(
      withStore(c, deps, (store) => ({
        disputes: store.disputes.list({
          status: q.status,
          ...(q.featureId === undefined ? {} : { featureId: q.featureId }),
        }),
      })),
    );
  });

  app.post('/api/projects/:name/disputes/:disputeId/accept', async (c) => {
    const id = disputeParam(c);
    const req = await body(c, AcceptDisputeRequestSchema);
    return c.json(
      withStore(c, deps, (store) => result(decideDispute(store, id, { accept: true, reason: req.reason ?? null }))),
    );
  });

  app.post('/api/projects/:name/disputes/:disputeId/reject', async (c) => {
    const id = disputeParam(c);
    const req = await body(c, RejectDisputeRequestSchema);
    return c.json(
      withStore(c, deps, (store) => result(decideDispute(store, id, { accept: false, reason: req.reason }))),
    );
  });
};
