import type { Hono } from 'hono';
import { z } from 'zod';
import * as api from '../../shared/api.js';
import { BrowserFrameSchema, BrowserViewStatusSchema } from '../../shared/browser-view.js';
import * as acc from '../../shared/acceptance.js';
import * as cp from '../../shared/checkpoints.js';
import * as dz from '../../shared/design.js';
import * as hi from '../../shared/human-input.js';
import { MetricsQuerySchema, MetricsSchema } from '../../shared/metrics.js';
import { PreviewStartRequestSchema, PreviewStateSchema } from '../../shared/preview.js';
import { ReportQuerySchema, ReportSchema } from '../../shared/report.js';
import { AgentActionResponseSchema, RunStartRequestSchema, RunStatusSchema } from '../../shared/runs.js';
import { WorkersResponseSchema } from '../../shared/workers.js';
import type { RouteModule } from '../app.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDoc {
  readonly method: Method;
  /** Hono form, e.g. `/api/projects/:name`. */
  readonly path: string;
  readonly summary: string;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly status?: number;
  readonly response: z.ZodType;
  /** A response that is not JSON (evidence files): its content type(s); the response schema describes the bytes. */
  readonly contentTypes?: readonly string[];
}

const features = '/api/projects/:name/features';
const agent = '/api/projects/:name/agent';

/** Every route of the API with its schemas: the source of /api/openapi.json (a test checks it covers the app). */
export const ROUTE_DOCS: readonly RouteDoc[] = [
  { method: 'get', path: '/api/health', summary: 'Liveness', response: api.HealthSchema },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', response: z.record(z.string(), z.unknown()) },
  {
    method: 'get',
    path: '/api/setup/status',
    summary: 'Prerequisites on this machine',
    response: api.SetupStatusSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/setup',
    summary: 'Whether a run of the project (its default model and provider) would reach a model; no secret in it',
    response: api.ProjectSetupSchema,
  },
  {
    method: 'post',
    path: '/api/spec/check',
    summary: 'Check an app spec without saving it (line-numbered problems)',
    body: api.SpecCheckRequestSchema,
    response: api.SpecCheckSchema,
  },
  { method: 'get', path: '/api/spec/template', summary: 'The app spec template', response: api.SpecTemplateSchema },
  {
    method: 'get',
    path: '/api/projects',
    summary: 'Registered projects with progress',
    response: api.ProjectListSchema,
  },
  {
    method: 'post',
    path: '/api/projects',
    summary: 'Create a project',
    body: api.CreateProjectRequestSchema,
    status: 201,
    response: api.ProjectSummarySchema,
  },
  {
    method: 'post',
    path: '/api/demo',
    summary: 'Create the demo project and start its run with the demo model (scripted, no AI)',
    body: api.DemoRequestSchema,
    status: 201,
    response: api.DemoResponseSchema,
  },
  {
    method: 'post',
    path: '/api/projects/import',
    summary: 'Register an existing folder',
    body: api.ImportProjectRequestSchema,
    status: 201,
    response: api.ProjectSummarySchema,
  },
  { method: 'get', path: '/api/projects/:name', summary: 'One project', response: api.ProjectSummarySchema },
  {
    method: 'delete',
    path: '/api/projects/:name',
    summary: 'Forget a project (and delete its folder with deleteFiles=true)',
    query: api.DeleteProjectQuerySchema,
    response: api.DeleteProjectResponseSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/spec',
    summary: 'The app spec and its validation',
    response: api.SpecResponseSchema,
  },
  {
    method: 'put',
    path: '/api/projects/:name/spec',
    summary: 'Replace the app spec (validated first)',
    body: api.PutSpecRequestSchema,
    response: api.SpecResponseSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/settings',
    summary: 'Project settings',
    response: api.ProjectSettingsSchema,
  },
  {
    method: 'put',
    path: '/api/projects/:name/settings',
    summary: 'Change project settings (widening changes need "confirm": true)',
    body: api.PutProjectSettingsRequestSchema,
    response: api.ProjectSettingsSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/events',
    summary: 'Events after a cursor',
    query: api.EventsQuerySchema,
    response: api.EventsResponseSchema,
  },
  { method: 'get', path: features, summary: 'The backlog by status', response: api.FeatureBoardSchema },
  {
    method: 'post',
    path: features,
    summary: 'Create a feature',
    body: api.CreateFeatureRequestSchema,
    status: 201,
    response: api.FeatureSchema,
  },
  { method: 'get', path: `${features}/graph`, summary: 'Dependency graph', response: api.FeatureGraphSchema },
  {
    method: 'post',
    path: `${features}/bulk`,
    summary: 'Create many features',
    body: api.BulkCreateFeaturesRequestSchema,
    status: 201,
    response: api.BulkCreateFeaturesResponseSchema,
  },
  {
    method: 'get',
    path: `${features}/:id`,
    summary: 'One feature with its sessions',
    response: api.FeatureDetailSchema,
  },
  {
    method: 'patch',
    path: `${features}/:id`,
    summary: 'Edit a feature',
    body: api.UpdateFeatureRequestSchema,
    response: api.FeatureSchema,
  },
  { method: 'delete', path: `${features}/:id`, summary: 'Delete a feature', response: api.DeleteFeatureResponseSchema },
  {
    method: 'post',
    path: `${features}/:id/skip`,
    summary: 'Move a waiting feature to the back of the queue',
    body: api.SkipFeatureRequestSchema,
    response: api.FeatureSchema,
  },
  {
    method: 'post',
    path: `${features}/:id/retry`,
    summary: 'Give a failed feature fresh attempts',
    body: api.EmptyRequestSchema,
    response: api.FeatureSchema,
  },
  {
    method: 'post',
    path: `${features}/:id/reopen`,
    summary: 'Re-open a passing feature',
    body: api.ReopenFeatureRequestSchema,
    response: api.FeatureSchema,
  },
  {
    method: 'put',
    path: `${features}/:id/dependencies`,
    summary: 'Replace dependencies (cycle-checked)',
    body: api.SetDependenciesRequestSchema,
    response: api.FeatureSchema,
  },
  {
    method: 'post',
    path: `${features}/:id/dependencies/:dep`,
    summary: 'Add a dependency',
    response: api.FeatureSchema,
  },
  {
    method: 'delete',
    path: `${features}/:id/dependencies/:dep`,
    summary: 'Remove a dependency',
    response: api.FeatureSchema,
  },
  {
    method: 'get',
    path: `${features}/:id/verifications`,
    summary: "A feature's verifications (its frozen checks run on one commit), newest first, with every check's result",
    response: acc.VerificationListSchema,
  },
  {
    method: 'get',
    path: `${features}/:id/verifications/:vid/files/:path{.+}`,
    summary:
      "A file of a verification's evidence folder (result.json, screenshots, the Playwright trace, app.log); nothing outside it",
    response: z.string().meta({ format: 'binary' }),
    contentTypes: ['image/png', 'image/jpeg', 'image/webp', 'application/json', 'text/plain', 'application/zip'],
  },
  {
    method: 'get',
    path: '/api/projects/:name/disputes',
    summary: 'Disputes of frozen acceptance checks (open, oldest first; or all with status=all, newest first)',
    query: acc.DisputeListQuerySchema,
    response: acc.DisputeListSchema,
  },
  {
    method: 'post',
    path: '/api/projects/:name/disputes/:disputeId/accept',
    summary:
      'Accept a dispute: the proposed checks replace the frozen ones (new hash); the feature goes back to pending, first in line',
    body: acc.AcceptDisputeRequestSchema,
    response: acc.DisputeResultSchema,
  },
  {
    method: 'post',
    path: '/api/projects/:name/disputes/:disputeId/reject',
    summary:
      'Reject a dispute ({"reason"} required): the checks stay; the feature goes back to pending with the reason',
    body: acc.RejectDisputeRequestSchema,
    response: acc.DisputeResultSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/human-input',
    summary: 'Human-input requests (open, or all with status=all); never secret values',
    query: hi.HumanInputListQuerySchema,
    response: hi.HumanInputListSchema,
  },
  {
    method: 'post',
    path: `${features}/:id/human-input`,
    summary:
      'Answer the feature\'s open human-input request: {"answers":{fieldId:value},"requestId"?} or the flat {fieldId:value}; secrets go to .env',
    body: hi.AnswerHumanInputBodySchema,
    response: hi.HumanInputResultSchema,
  },
  {
    method: 'post',
    path: '/api/projects/:name/human-input/:requestId/override',
    summary:
      'Replace the supervisor\'s answer to a request with a human\'s: {"answers":{fieldId:value}}; the feature re-opens',
    body: hi.OverrideHumanInputRequestSchema,
    response: hi.HumanInputResultSchema,
  },
  {
    method: 'post',
    path: '/api/projects/:name/human-input/:requestId/cancel',
    summary: 'Cancel a human-input request (the feature goes back to pending)',
    body: hi.CancelHumanInputRequestSchema,
    response: hi.HumanInputResultSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/sessions/:id/transcript',
    summary: 'A session transcript, a page of JSON lines',
    query: api.TranscriptQuerySchema,
    response: api.TranscriptResponseSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/sessions/:id/browser',
    summary:
      "The live view of a running session's browser: server-sent events `status` ({state}) and `frame` (a JPEG of the page, at most one a second), until the session ends",
    response: z.union([BrowserViewStatusSchema, BrowserFrameSchema]),
    contentTypes: ['text/event-stream'],
  },
  {
    method: 'get',
    path: '/api/projects/:name/metrics',
    summary: 'Metrics of the project, or of one run (?run=): progress, durations, blockers, cost, wasted spend, ROI',
    query: MetricsQuerySchema,
    response: MetricsSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/checkpoints',
    summary: 'Checkpoints (reviews every N features, at the end of a run, on demand), oldest first',
    response: cp.CheckpointListResponseSchema,
  },
  {
    method: 'post',
    path: '/api/projects/:name/checkpoints',
    summary:
      'Start a checkpoint now (202): the active run starts it beside its slots (queued), else a detached `autocoder checkpoint` runs it (pid); 409 while one runs',
    body: cp.CheckpointStartRequestSchema,
    response: cp.CheckpointStartResponseSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/checkpoints/:n',
    summary: 'One checkpoint: its tool results and reviews, the findings seen in it and those it resolved',
    response: cp.CheckpointDetailResponseSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/findings',
    summary: 'Findings of all checkpoints, worst first, filtered by status, agent (reviewer kind) and severity',
    query: cp.FindingsQuerySchema,
    response: cp.FindingsResponseSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/findings/:id',
    summary: 'One finding with its history (the checkpoints that saw it, with the severity each time)',
    response: cp.FindingDetailResponseSchema,
  },
  {
    method: 'post',
    path: '/api/projects/:name/findings/:id/dismiss',
    summary: 'Dismiss a finding with a reason (kept); 409 when it is dismissed already',
    body: cp.DismissFindingRequestSchema,
    response: cp.FindingSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/design',
    summary: 'Design review iterations (screenshots judged by personas; approved or changes requested), oldest first',
    response: dz.DesignIterationListResponseSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/design/findings',
    summary: 'Design findings of all iterations, worst first, filtered by status, persona, severity, page and viewport',
    query: dz.DesignFindingsQuerySchema,
    response: dz.DesignFindingsResponseSchema,
  },
  {
    method: 'post',
    path: '/api/projects/:name/design/findings/:id/dismiss',
    summary:
      'Dismiss a design finding with a reason (kept; a later sighting never reopens it); 409 when dismissed already',
    body: cp.DismissFindingRequestSchema,
    response: dz.DesignFindingSchema,
  },
  {
    method: 'post',
    path: '/api/projects/:name/design/reviews',
    summary:
      'Start a design review now (202): the active run starts it at its next step (queued), else a detached `autocoder design-review` runs it (pid); 400 naming unknown personas, 409 while an iteration runs',
    body: dz.DesignReviewRequestSchema,
    status: 202,
    response: dz.DesignReviewResponseSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/design/:n',
    summary:
      'One design iteration: its votes, its capture manifest (pages, screenshots, axe, console errors, failed requests), the findings seen in it and those it resolved',
    response: dz.DesignIterationDetailResponseSchema,
  },
  {
    method: 'get',
    path: '/api/projects/:name/design/:n/files/:path{.+}',
    summary:
      "A file of a design iteration's folder (screenshots/*.png, capture.json, report.md, app.log); nothing outside it",
    response: z.string().meta({ format: 'binary' }),
    contentTypes: ['image/png', 'application/json', 'text/markdown', 'text/plain'],
  },
  {
    method: 'get',
    path: '/api/projects/:name/report',
    summary:
      'The project report as a download (<project>-report.<ext>): metrics, the backlog with verification status, human interventions; md (default), one self-contained html file with inline SVG charts, or json (this schema)',
    query: ReportQuerySchema,
    response: ReportSchema,
    contentTypes: ['text/markdown', 'text/html', 'application/json'],
  },
  {
    method: 'get',
    path: '/api/settings',
    summary: 'Global settings (secrets only as set or not)',
    response: api.GlobalSettingsResponseSchema,
  },
  {
    method: 'put',
    path: '/api/settings',
    summary:
      'Change global settings (null clears a key; authToken and apiKey are write-only; widening changes need "confirm": true)',
    body: api.PutGlobalSettingsRequestSchema,
    response: api.GlobalSettingsResponseSchema,
  },
  {
    method: 'get',
    path: '/api/settings/changes',
    summary: 'Recorded changes that widened what agents may do, with their origin (cli, api, ui), newest first',
    query: api.SettingsChangesQuerySchema,
    response: api.SettingsChangesResponseSchema,
  },
  {
    method: 'get',
    path: '/api/workers',
    summary:
      'The processes working runs on the shared PostgreSQL store: name, host, slots, heartbeat age, online/offline/stopped and their current features',
    response: WorkersResponseSchema,
  },
  {
    method: 'get',
    path: '/api/filesystem/list',
    summary: 'Folder picker (names only; secret folders hidden)',
    query: api.FsListQuerySchema,
    response: api.FsListResponseSchema,
  },
  { method: 'get', path: `${agent}/status`, summary: 'Run status', response: RunStatusSchema },
  {
    method: 'post',
    path: `${agent}/start`,
    summary: 'Start a run',
    body: RunStartRequestSchema,
    status: 202,
    response: AgentActionResponseSchema,
  },
  { method: 'post', path: `${agent}/stop`, summary: 'Stop the run', response: AgentActionResponseSchema },
  {
    method: 'post',
    path: `${agent}/pause`,
    summary: 'Drain: finish current features, then idle',
    response: AgentActionResponseSchema,
  },
  { method: 'post', path: `${agent}/resume`, summary: 'Resume after a pause', response: RunStatusSchema },
  {
    method: 'get',
    path: '/api/projects/:name/preview',
    summary: "The app preview: whether main can be opened (it has an init.sh), and the running preview's URL",
    response: PreviewStateSchema,
  },
  {
    method: 'post',
    path: '/api/projects/:name/preview',
    summary:
      "Open the app: start main's ./init.sh on a free port in the agents' sandbox; answers once it listens (the running one when it runs already)",
    body: PreviewStartRequestSchema,
    response: PreviewStateSchema,
  },
  {
    method: 'delete',
    path: '/api/projects/:name/preview',
    summary: "Stop the project's preview (whoever started it) and every process it started",
    response: PreviewStateSchema,
  },
];

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** OpenAPI 3.1 from {@link ROUTE_DOCS}. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of ROUTE_DOCS) {
    // `:name` or Hono's `:name{regex}` (a parameter spanning several segments).
    const params = [...doc.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
    const path = doc.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}');
    const queryParams = doc.query
      ? Object.entries(doc.query.shape).map(([name, schema]) => ({
          name,
          in: 'query',
          required: false,
          schema: jsonSchema(schema as z.ZodType, 'input'),
        }))
      : [];
    const operation: Record<string, unknown> = {
      summary: doc.summary,
      operationId: `${doc.method}${path.replace(/[^a-zA-Z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
      parameters: [
        ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...queryParams,
      ],
      responses: {
        [String(doc.status ?? 200)]: {
          description: 'OK',
          content: Object.fromEntries(
            (doc.contentTypes ?? ['application/json']).map((type) => [
              type,
              { schema: jsonSchema(doc.response, 'output') },
            ]),
          ),
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: jsonSchema(api.ErrorBodySchema, 'output') } },
        },
      },
    };
    // The liveness check is the one route without the token.
    if (doc.path === '/api/health') operation.security = [];
    if (doc.body)
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } },
      };
    paths[path] = { ...paths[path], [doc.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'autocoder',
      version: '1',
      description:
        'The local control plane of autocoder. Every request but GET /api/health needs "Authorization: Bearer <token>" (the token in $AUTOCODER_HOME/server-token). State-changing requests need Content-Type: application/json and a same-origin Origin (or none).',
    },
    components: { securitySchemes: { serverToken: { type: 'http', scheme: 'bearer' } } },
    security: [{ serverToken: [] }],
    paths,
  };
}

export const openApiRoutes: RouteModule = (app: Hono) => {
  let cached: Record<string, unknown> | null = null;
  app.get('/api/openapi.json', (c) => c.json((cached ??= openApiDocument())));
};
