import { join } from 'node:path';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { ProjectStore } from '../../db/ports.js';
import { listPersonas } from '../../design/personas.js';
import { AppError } from '../../domain/errors.js';
import { activeRun, requestDesignReview } from '../../projects/run-control.js';
import { DismissFindingRequestSchema } from '../../shared/checkpoints.js';
import {
  DesignFindingsQuerySchema,
  DesignReviewRequestSchema,
  type DesignFindingsResponseSchema,
  type DesignIterationDetailResponse,
  type DesignIterationListResponseSchema,
  type DesignReviewResponse,
} from '../../shared/design.js';
import { CAPTURE_FILE, DesignCaptureSchema } from '../../shared/design-capture.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { registeredProject, withRegistry, withStore } from '../project-access.js';
import { fileInFolder, fileResponse, readServedFile } from '../project-files.js';
import { body, query } from './input.js';

/** Every iteration's folder lies here (a row naming another folder is refused). */
const DESIGN_DIR = join('.autocoder', 'design');

/** An iteration number from the path: a positive whole number (400 naming `n` otherwise; 404 comes from the store). */
function iterationParam(c: Context): number {
  const raw = c.req.param('n') ?? '';
  const n = /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n))
    throw new AppError('INVALID_INPUT', `n: "${raw.slice(0, 40)}" is not a design iteration number (1, 2, 3 …)`, {
      details: { field: 'n' },
    });
  return n;
}

/** A design finding id from the path; a malformed one cannot exist, so it is a 404 like an unknown one. */
function findingParam(c: Context): string {
  const raw = c.req.param('id') ?? '';
  if (!/^dfn_[0-9a-f]{1,64}$/.test(raw))
    throw new AppError('NOT_FOUND', `there is no design finding "${raw.slice(0, 100)}" in this project`, {
      details: { findingId: raw.slice(0, 100) },
    });
  return raw;
}

/** A file of iteration n's folder, checked (404 for an unknown iteration, a missing file or one leading out). */
function iterationFile(store: ProjectStore, n: number, file: string): string {
  const iteration = store.design.get(n);
  return fileInFolder(
    store.paths.root,
    DESIGN_DIR,
    iteration.captureDir,
    file,
    () => new AppError('NOT_FOUND', `no file "${file.slice(0, 200)}" in design iteration ${n}`),
  );
}

/**
 * The iteration's capture manifest: null until the capture wrote it; a manifest that is there but unreadable or not
 * the schema is null too, with the reason (the gallery says so rather than failing the whole page).
 */
function captureOf(store: ProjectStore, n: number): Pick<DesignIterationDetailResponse, 'capture' | 'captureError'> {
  let path: string;
  try {
    path = iterationFile(store, n, CAPTURE_FILE);
  } catch (err: unknown) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return { capture: null, captureError: null };
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readServedFile(path, CAPTURE_FILE).bytes.toString('utf8'));
  } catch (err: unknown) {
    return { capture: null, captureError: `${CAPTURE_FILE} is not readable JSON: ${(err as Error).message}` };
  }
  const parsed = DesignCaptureSchema.safeParse(raw);
  if (!parsed.success)
    return {
      capture: null,
      captureError: `${CAPTURE_FILE} is not a capture manifest: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || 'manifest'}: ${i.message}`)
        .join('; ')}`,
    };
  return { capture: parsed.data, captureError: null };
}

/**
 * Design review (issue #18): the iterations, one iteration with its capture and findings, the files of its folder
 * (screenshots, report.md, capture.json, app.log), the design findings (filtered), dismissing one with a reason, and
 * asking for a review now. `/design/findings` and `/design/reviews` are registered before `/design/:n`.
 */
export const designRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  const design = '/api/projects/:name/design';

  app.get(design, (c) => {
    const res: z.infer<typeof DesignIterationListResponseSchema> = withStore(c, deps, (store) => {
      const iterations = store.design.list();
      try {
        const personas = listPersonas(store.paths).map((p) => ({ id: p.id, name: p.name, builtin: p.builtin }));
        return { iterations, personas, personasError: null };
      } catch (err: unknown) {
        // A broken persona file is the person's to fix; the gallery still shows what was reviewed.
        if (err instanceof AppError && err.code === 'INVALID_INPUT')
          return { iterations, personas: [], personasError: err.message };
        throw err;
      }
    });
    return c.json(res);
  });

  app.get(`${design}/findings`, (c) => {
    const q = query(c, DesignFindingsQuerySchema);
    const res: z.infer<typeof DesignFindingsResponseSchema> = withStore(c, deps, (store) => ({
      findings: store.design.findings(q),
    }));
    return c.json(res);
  });

  app.post(`${design}/findings/:id/dismiss`, async (c) => {
    const id = findingParam(c);
    const req = await body(c, DismissFindingRequestSchema);
    return c.json(withStore(c, deps, (store) => store.design.dismiss(id, req.reason)));
  });

  // On demand: the active run starts it at its next step; with none, a detached `autocoder design-review` runs it.
  app.post(`${design}/reviews`, async (c) => {
    const request = c.req.header('content-length') === '0' ? {} : await body(c, DesignReviewRequestSchema);
    const res: DesignReviewResponse = withStore(c, deps, (store) => {
      // Read now: a persona file that is broken, or a name the project has no persona for, is this request's 400.
      const known = listPersonas(store.paths).map((p) => p.id);
      const asked = request.personas === undefined ? undefined : [...new Set(request.personas)];
      const unknown = (asked ?? []).filter((id) => !known.includes(id));
      if (unknown.length > 0)
        throw new AppError(
          'INVALID_INPUT',
          `personas: unknown persona${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; the personas are: ${known.join(', ')} (add one as .autocoder/personas/<id>.md)`,
          { details: { field: 'personas', unknown } },
        );
      const personas = asked ?? known;
      const active = activeRun(store.runs);
      if (active !== null) {
        requestDesignReview(store.paths, asked ?? null);
        return { queued: true, runId: active.id, personas };
      }
      const running = store.design.running();
      if (running) throw new AppError('CONFLICT', `design iteration ${running.n} is still running; one runs at a time`);
      const launch = deps.launchDesignReview;
      if (!launch) throw new AppError('CONFLICT', 'this server cannot start design reviews');
      const name = withRegistry(deps, (r) => registeredProject(c, r)).name;
      const { pid } = launch({ name, paths: store.paths }, asked);
      return { started: true, pid, personas };
    });
    return c.json(res, 202);
  });

  app.get(`${design}/:n`, (c) => {
    const n = iterationParam(c);
    const res: DesignIterationDetailResponse = withStore(c, deps, (store) => ({
      iteration: store.design.get(n),
      ...captureOf(store, n),
      findings: store.design.findings({ iteration: n }),
      resolved: store.design.findings({ resolvedIn: n }),
    }));
    return c.json(res);
  });

  app.get(`${design}/:n/files/:path{.+}`, (c) => {
    const n = iterationParam(c);
    const file = c.req.param('path');
    return fileResponse(
      c,
      withStore(c, deps, (store) => readServedFile(iterationFile(store, n, file), file)),
    );
  });
};
