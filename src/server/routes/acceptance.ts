import { join } from 'node:path';
import type { Context, Hono } from 'hono';
import { AppError } from '../../domain/errors.js';
import { decideDispute } from '../../projects/disputes.js';
import {
  AcceptDisputeRequestSchema,
  DisputeListQuerySchema,
  outdatedVerifications,
  RejectDisputeRequestSchema,
  type DisputeResult,
} from '../../shared/acceptance.js';
import type { AcceptanceDispute, Feature } from '../../db/ports.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { fileInFolder, fileResponse, readServedFile } from '../project-files.js';
import { withStore } from '../project-access.js';
import { body, idParam, query } from './input.js';

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
  // The evidence folder itself must be the project's (a row naming another folder is refused too).
  return fileInFolder(projectRoot, join('.autocoder', 'evidence'), evidenceDir, file, () =>
    notFound(`no evidence file "${file.slice(0, 200)}" in this verification`),
  );
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
        const verifications = store.verifications.list(id);
        const attempts = store.sessions
          .list({ featureId: id })
          .filter((s) => s.role === 'coding')
          .map((s) => s.startedAt);
        return { verifications, outdated: outdatedVerifications(verifications, attempts) };
      }),
    );
  });

  app.get(`${feature}/verifications/:vid/files/:path{.+}`, (c) => {
    const id = idParam(c, 'id');
    const vid = c.req.param('vid');
    const file = c.req.param('path');
    const served = withStore(c, deps, (store) => {
      const v = store.verifications.get(vid);
      if (v.featureId !== id) throw notFound(`verification ${vid} is not one of feature ${id}'s`);
      return readServedFile(evidenceFile(store.paths.root, v.evidenceDir, file), file);
    });
    return fileResponse(c, served);
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
