import type { Context, Hono } from 'hono';
import type { Feature, HumanInputRequest, ProjectStore } from '../../db/ports.js';
import { AppError } from '../../domain/errors.js';
import { answerHumanInput, cancelHumanInput, overrideSupervisorAnswer } from '../../projects/human-input.js';
import {
  AnswerHumanInputRequestSchema,
  answerBodyForm,
  CancelHumanInputRequestSchema,
  HumanInputListQuerySchema,
  OverrideHumanInputRequestSchema,
  type HumanInputResult,
} from '../../shared/human-input.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { withStore } from '../project-access.js';
import { body, idParam, jsonBody, parseWith, query } from './input.js';

const result = (r: { request: HumanInputRequest; feature: Feature }): HumanInputResult => ({
  request: r.request,
  feature: { id: r.feature.id, name: r.feature.name, status: r.feature.status, priority: r.feature.priority },
});

/** The request a feature-level answer is for: the one named, else the feature's open request. */
function requestIdFor(store: ProjectStore, featureId: number, named: string | undefined): string {
  if (named !== undefined) return named;
  const open = store.humanInput.openFor(featureId);
  if (open) return open.id;
  const [latest] = store.humanInput.list({ status: 'all', featureId });
  if (latest)
    throw new AppError(
      'CONFLICT',
      `feature ${featureId} has no open human-input request (its latest, ${latest.id}, is already ${latest.status}); nothing was changed`,
    );
  store.features.get(featureId); // 404 for an unknown feature
  throw new AppError('CONFLICT', `feature ${featureId} has no human-input request to answer`);
}

/**
 * The answers in the `{ "answers": … }` form: the seed's flat `{ "field": "value" }` body is wrapped (and validated the
 * same way); a body that could be read either way is refused, naming both forms.
 */
function answerBody(raw: unknown): unknown {
  const form = answerBodyForm(raw);
  if (form === 'flat') return { answers: raw };
  if (form === 'ambiguous') {
    const extra = Object.keys(raw as object).filter((k) => k !== 'answers' && k !== 'requestId');
    throw new AppError(
      'INVALID_INPUT',
      `the body mixes the two forms of answers${extra.length > 0 ? ` (unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')} beside "answers")` : ''}: send either { "answers": { "field": "value" } } (optionally with "requestId") or the flat { "field": "value" } alone; a field named "answers" or "requestId" must go inside "answers"`,
      { details: { field: extra[0] ?? 'answers' } },
    );
  }
  return raw;
}

function requestParam(c: Context): string {
  const raw = c.req.param('requestId') ?? '';
  if (!/^hir_[0-9a-f]{1,64}$/.test(raw))
    throw new AppError('NOT_FOUND', `no human-input request "${raw.slice(0, 100)}" in this project`, {
      details: { requestId: raw.slice(0, 100) },
    });
  return raw;
}

/**
 * Human input gates: list requests, answer (secrets go to the project's .env, never into a
 * response), override a supervisor's answer, cancel. Responses carry no secret values: only their `.env` key names.
 */
export const humanInputRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  app.get('/api/projects/:name/human-input', (c) => {
    const q = query(c, HumanInputListQuerySchema);
    return c.json(withStore(c, deps, (store) => ({ requests: store.humanInput.list({ status: q.status }) })));
  });

  app.post('/api/projects/:name/features/:id/human-input', async (c) => {
    const id = idParam(c, 'id');
    const req = parseWith(AnswerHumanInputRequestSchema, answerBody(await jsonBody(c)));
    return c.json(
      withStore(c, deps, (store) =>
        result(answerHumanInput(store, requestIdFor(store, id, req.requestId), req.answers, { featureId: id })),
      ),
    );
  });

  // A human replaces a supervisor's answer: the feature re-opens with the new values.
  app.post('/api/projects/:name/human-input/:requestId/override', async (c) => {
    const requestId = requestParam(c);
    const req = await body(c, OverrideHumanInputRequestSchema);
    return c.json(withStore(c, deps, (store) => result(overrideSupervisorAnswer(store, requestId, req.answers))));
  });

  app.post('/api/projects/:name/human-input/:requestId/cancel', async (c) => {
    const requestId = requestParam(c);
    const req = await body(c, CancelHumanInputRequestSchema);
    return c.json(
      withStore(c, deps, (store) => result(cancelHumanInput(store, requestId, req.reason?.trim() || null))),
    );
  });
};
