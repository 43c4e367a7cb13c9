import type { Hono } from 'hono';
import type { Feature, ProjectStore, SessionRecord } from '../../db/ports.js';
import { exportAcceptance } from '../../projects/acceptance-export.js';
import { summarizeVerification, type Verification } from '../../shared/acceptance.js';
import { featureFailureReason, retryAt, skipClass } from '../../shared/feature-failure.js';
import {
  BulkCreateFeaturesRequestSchema,
  CreateFeatureRequestSchema,
  EmptyRequestSchema,
  FEATURE_STATUS_VALUES,
  ReopenFeatureRequestSchema,
  SetDependenciesRequestSchema,
  SkipFeatureRequestSchema,
  UpdateFeatureRequestSchema,
  type FeatureBoard,
  type FeatureDTO,
  type FeatureDetail,
  type FeatureGraph,
} from '../../shared/api.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { withStore } from '../project-access.js';
import { blameField, body, idParam } from './input.js';

/**
 * The wire form of a feature; `statusOf` gives the status of any feature id (for blockedBy), `latest` its newest
 * verification (if any).
 */
export function toFeatureDTO(
  f: Feature,
  statusOf: (id: number) => string | undefined,
  now: number,
  latest?: Verification,
): FeatureDTO {
  const blockedBy = f.dependencies.filter((d) => statusOf(d) !== 'passing');
  const verification = latest ? summarizeVerification(latest) : null;
  return {
    id: f.id,
    priority: f.priority,
    category: f.category,
    name: f.name,
    description: f.description,
    steps: f.steps,
    status: f.status,
    dependencies: f.dependencies,
    blockedBy,
    ready: f.status === 'pending' && blockedBy.length === 0 && f.attempts < f.maxAttempts && f.runAfter <= now,
    attempts: f.attempts,
    maxAttempts: f.maxAttempts,
    costUsd: f.costUsd,
    inputTokens: f.inputTokens,
    outputTokens: f.outputTokens,
    notes: f.notes,
    blockerType: f.blockerType,
    blockerNote: f.blockerNote,
    skipCount: f.skipCount,
    estimateMs: f.estimateMs,
    pathMs: f.pathMs,
    passedAt: f.passedAt,
    updatedAt: f.updatedAt,
    acceptance: f.acceptance,
    acceptanceHash: f.acceptanceHash,
    verificationId: f.verificationId,
    verification,
    failureReason: featureFailureReason({ status: f.status, notes: f.notes, verification }),
    retryAt: retryAt(f, now),
    skipClass: skipClass(f),
  };
}

function statusLookup(store: ProjectStore, ids: readonly number[]): (id: number) => string | undefined {
  const found = store.features.summaries(ids);
  return (id) => found.get(id)?.status;
}

function dto(store: ProjectStore, f: Feature, now: number): FeatureDTO {
  return toFeatureDTO(f, statusLookup(store, f.dependencies), now, store.verifications.latest([f.id]).get(f.id));
}

/** Features with checks were created: the read-only export in the project follows at once. */
function exported<T>(store: ProjectStore, created: T, withChecks: boolean): T {
  if (withChecks) exportAcceptance(store.paths.root, store.features);
  return created;
}

function sessionDTO(s: SessionRecord): FeatureDetail['sessions'][number] {
  return {
    id: s.id,
    runId: s.runId,
    role: s.role,
    model: s.model,
    status: s.status,
    outcome: s.outcome,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    turns: s.turns,
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
    costUsd: s.costUsd,
    transcriptPath: s.transcriptPath,
    error: s.error,
  };
}

/** The backlog: board, detail, create, bulk, edit, delete, skip, retry, reopen, dependencies, graph. */
export const featureRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  const base = '/api/projects/:name/features';

  app.get(base, (c) =>
    c.json(
      withStore(c, deps, (store) => {
        const all = store.features.list();
        const status = new Map(all.map((f) => [f.id, f.status as string]));
        const now = deps.now();
        const latest = store.verifications.latest();
        const board = Object.fromEntries(FEATURE_STATUS_VALUES.map((s) => [s, [] as FeatureDTO[]])) as FeatureBoard;
        for (const f of all) board[f.status].push(toFeatureDTO(f, (id) => status.get(id), now, latest.get(f.id)));
        return board;
      }),
    ),
  );

  // Static segments first, so /features/graph is never read as a feature id.
  app.get(`${base}/graph`, (c) =>
    c.json(
      withStore(c, deps, (store): FeatureGraph => {
        const graph = store.features.graph();
        const ids = graph.nodes.map((n) => n.id);
        const features = new Map(store.features.list().map((f) => [f.id, f]));
        const latest = store.verifications.latest(ids);
        return {
          ...graph,
          nodes: graph.nodes.map((n) => ({
            ...n,
            checks: features.get(n.id)?.acceptance?.length ?? 0,
            verified: n.status === 'passing' && latest.get(n.id)?.status === 'passed',
          })),
        };
      }),
    ),
  );

  app.post(`${base}/bulk`, async (c) => {
    const req = await body(c, BulkCreateFeaturesRequestSchema);
    const result = withStore(c, deps, (store) => {
      const { created, duplicates } = exported(
        store,
        blameField('features', () => store.features.createBulk(req.features)),
        req.features.some((f) => f.acceptance !== undefined),
      );
      const now = deps.now();
      return { created: created.map((f) => dto(store, f, now)), duplicates };
    });
    return c.json(result, 201);
  });

  app.post(base, async (c) => {
    const req = await body(c, CreateFeatureRequestSchema);
    return c.json(
      withStore(c, deps, (store) =>
        dto(
          store,
          exported(
            store,
            blameField('dependencies', () => store.features.create(req)),
            req.acceptance !== undefined,
          ),
          deps.now(),
        ),
      ),
      201,
    );
  });

  app.get(`${base}/:id`, (c) => {
    const id = idParam(c, 'id');
    return c.json(
      withStore(c, deps, (store): FeatureDetail => {
        const feature = store.features.get(id);
        const sessions = store.sessions.list({ featureId: id }).map(sessionDTO);
        return { ...dto(store, feature, deps.now()), sessions, evidence: feature.evidence };
      }),
    );
  });

  app.patch(`${base}/:id`, async (c) => {
    const id = idParam(c, 'id');
    const req = await body(c, UpdateFeatureRequestSchema);
    return c.json(withStore(c, deps, (store) => dto(store, store.features.update(id, req), deps.now())));
  });

  app.delete(`${base}/:id`, (c) => {
    const id = idParam(c, 'id');
    return c.json(
      withStore(c, deps, (store) => {
        const deleted = store.features.delete(id);
        return { deleted: deleted.id, name: deleted.name };
      }),
    );
  });

  app.post(`${base}/:id/skip`, async (c) => {
    const id = idParam(c, 'id');
    const req = await body(c, SkipFeatureRequestSchema);
    return c.json(
      withStore(c, deps, (store) =>
        dto(store, store.features.humanSkip(id, req.reason?.trim() || null, req.blockerType ?? null), deps.now()),
      ),
    );
  });

  app.post(`${base}/:id/retry`, async (c) => {
    const id = idParam(c, 'id');
    await body(c, EmptyRequestSchema);
    return c.json(withStore(c, deps, (store) => dto(store, store.features.retry(id), deps.now())));
  });

  app.post(`${base}/:id/reopen`, async (c) => {
    const id = idParam(c, 'id');
    const req = await body(c, ReopenFeatureRequestSchema);
    return c.json(
      withStore(c, deps, (store) => dto(store, store.features.reopen(id, req.reason?.trim() || null), deps.now())),
    );
  });

  app.put(`${base}/:id/dependencies`, async (c) => {
    const id = idParam(c, 'id');
    const req = await body(c, SetDependenciesRequestSchema);
    return c.json(
      withStore(c, deps, (store) =>
        dto(
          store,
          blameField('dependencyIds', () => store.features.setDependencies(id, [...new Set(req.dependencyIds)])),
          deps.now(),
        ),
      ),
    );
  });

  app.post(`${base}/:id/dependencies/:dep`, (c) => {
    const id = idParam(c, 'id');
    const dep = idParam(c, 'dep');
    return c.json(
      withStore(c, deps, (store) =>
        dto(
          store,
          blameField('dep', () => store.features.addDependency(id, dep)),
          deps.now(),
        ),
      ),
    );
  });

  app.delete(`${base}/:id/dependencies/:dep`, (c) => {
    const id = idParam(c, 'id');
    const dep = idParam(c, 'dep');
    return c.json(withStore(c, deps, (store) => dto(store, store.features.removeDependency(id, dep), deps.now())));
  });
};
