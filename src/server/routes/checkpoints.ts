import type { Context, Hono } from 'hono';
import { AppError } from '../../domain/errors.js';
import {
  CHECKPOINT_AGENTS,
  CheckpointAgentSchema,
  CheckpointStartRequestSchema,
  DismissFindingRequestSchema,
  type CheckpointAgent,
  type CheckpointStartResponseSchema,
  FindingsQuerySchema,
  type CheckpointDetailResponseSchema,
  type CheckpointListResponseSchema,
  type FindingDetailResponseSchema,
  type FindingsResponseSchema,
} from '../../shared/checkpoints.js';
import type { z } from 'zod';
import type { RouteModule, ServerDeps } from '../app.js';
import { registeredProject, withRegistry, withStore } from '../project-access.js';
import { activeRun, requestCheckpoint } from '../../projects/run-control.js';
import { body, query } from './input.js';

/** A checkpoint number from the path: a positive whole number (400 otherwise; 404 comes from the store). */
function checkpointParam(c: Context): number {
  const raw = c.req.param('n') ?? '';
  const n = /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n))
    throw new AppError('INVALID_INPUT', `n: "${raw.slice(0, 40)}" is not a checkpoint number (1, 2, 3 …)`, {
      details: { field: 'n' },
    });
  return n;
}

/** A finding id from the path; a malformed one cannot exist, so it is a 404 like an unknown one. */
function findingParam(c: Context): string {
  const raw = c.req.param('id') ?? '';
  if (!/^fnd_[0-9a-f]{1,64}$/.test(raw))
    throw new AppError('NOT_FOUND', `there is no finding "${raw.slice(0, 100)}" in this project`, {
      details: { findingId: raw.slice(0, 100) },
    });
  return raw;
}

/**
 * Checkpoints and findings (issue #17): the list, one checkpoint with the findings seen in it and those it resolved,
 * the findings (filtered), one finding with its history, and dismissing a finding with a reason.
 * (Starting a checkpoint on demand, POST …/checkpoints, lives with the orchestrator.)
 */
export const checkpointRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.get('/api/projects/:name/checkpoints', (c) => {
    const res: z.infer<typeof CheckpointListResponseSchema> = withStore(c, deps, (store) => ({
      checkpoints: store.checkpoints.list(),
    }));
    return c.json(res);
  });

  // On demand: the active run starts it beside its slots; with none, a detached `autocoder checkpoint` runs it.
  app.post('/api/projects/:name/checkpoints', async (c) => {
    const request = c.req.header('content-length') === '0' ? {} : await body(c, CheckpointStartRequestSchema);
    const res: z.infer<typeof CheckpointStartResponseSchema> = withStore(c, deps, (store) => {
      const running = store.checkpoints.running();
      const active = activeRun(store.runs);
      if (active !== null) {
        requestCheckpoint(store.paths, request.agents ?? runAgents(active.settings));
        return { queued: true, runId: active.id, pid: null };
      }
      if (running) throw new AppError('CONFLICT', `checkpoint ${running.n} is still running; one runs at a time`);
      const launch = deps.launchCheckpoint;
      if (!launch) throw new AppError('CONFLICT', 'this server cannot start checkpoints');
      const name = withRegistry(deps, (r) => registeredProject(c, r)).name;
      const { pid } = launch({ name, paths: store.paths }, request.agents);
      return { queued: false, runId: null, pid };
    });
    return c.json(res, 202);
  });

  app.get('/api/projects/:name/checkpoints/:n', (c) => {
    const n = checkpointParam(c);
    const res: z.infer<typeof CheckpointDetailResponseSchema> = withStore(c, deps, (store) => ({
      checkpoint: store.checkpoints.get(n),
      findings: store.checkpoints.findings({ checkpoint: n }),
      resolved: store.checkpoints.findings({ resolvedIn: n }),
    }));
    return c.json(res);
  });

  app.get('/api/projects/:name/findings', (c) => {
    const q = query(c, FindingsQuerySchema);
    const res: z.infer<typeof FindingsResponseSchema> = withStore(c, deps, (store) => ({
      findings: store.checkpoints.findings(q),
    }));
    return c.json(res);
  });

  app.get('/api/projects/:name/findings/:id', (c) => {
    const id = findingParam(c);
    const res: z.infer<typeof FindingDetailResponseSchema> = withStore(c, deps, (store) => ({
      finding: store.checkpoints.finding(id),
      sightings: store.checkpoints.sightings(id),
    }));
    return c.json(res);
  });

  app.post('/api/projects/:name/findings/:id/dismiss', async (c) => {
    const id = findingParam(c);
    const req = await body(c, DismissFindingRequestSchema);
    return c.json(withStore(c, deps, (store) => store.checkpoints.dismiss(id, req.reason)));
  });
};

/** The reviewers the active run was started with (its settings as recorded), else all three. */
function runAgents(settings: Record<string, unknown> | null | undefined): CheckpointAgent[] {
  const parsed = CheckpointAgentSchema.array().min(1).safeParse(settings?.['checkpointAgents']);
  return parsed.success ? parsed.data : [...CHECKPOINT_AGENTS];
}
