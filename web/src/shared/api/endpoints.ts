import type { z } from 'zod';
import * as s from '@shared/api';
import {
  HumanInputListSchema,
  HumanInputResultSchema,
  type AnswerHumanInputRequest,
  type OverrideHumanInputRequest,
} from '@shared/human-input';
import { AgentActionResponseSchema, RunStatusSchema, type RunStartRequest } from '@shared/runs';
import { DisputeListSchema, DisputeResultSchema, VerificationListSchema } from '@shared/acceptance';
import {
  CheckpointDetailResponseSchema,
  CheckpointListResponseSchema,
  FindingDetailResponseSchema,
  FindingSchema,
  FindingsResponseSchema,
  CheckpointStartResponseSchema,
  type FindingsQuery,
} from '@shared/checkpoints';
import {
  DesignIterationDetailResponseSchema,
  DesignIterationListResponseSchema,
  DesignReviewResponseSchema,
  type DesignReviewRequest,
} from '@shared/design';
import { DesignFindingSchema } from '@shared/design';
import { MetricsSchema } from '@shared/metrics';
import { WorkersResponseSchema } from '@shared/workers';
import { PreviewStateSchema } from '@shared/preview';
import type { ReportFormat } from '@shared/report';
import { api, apiFile, enc } from './client';

/** One function per API call the UI makes; every response parsed with its shared schema. */
const p = (name: string) => `/api/projects/${enc(name)}`;
const f = (name: string, id: number) => `${p(name)}/features/${id}`;
/** `?status=…&agent=…&severity=…` with the filters set, '' for none. */
const findingsQuery = (q: FindingsQuery) => {
  const parts = (['status', 'agent', 'severity'] as const).flatMap((k) => (q[k] ? [`${k}=${enc(q[k])}`] : []));
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
};

export const endpoints = {
  /** The app preview (Open the app): its state, start (answers once the app listens), stop. */
  preview: (name: string) => api(PreviewStateSchema, 'GET', `${p(name)}/preview`),
  startPreview: (name: string) => api(PreviewStateSchema, 'POST', `${p(name)}/preview`, {}),
  stopPreview: (name: string) => api(PreviewStateSchema, 'DELETE', `${p(name)}/preview`),
  setup: () => api(s.SetupStatusSchema, 'GET', '/api/setup/status'),
  projects: () => api(s.ProjectListSchema, 'GET', '/api/projects'),
  workers: () => api(WorkersResponseSchema, 'GET', '/api/workers'),
  project: (name: string) => api(s.ProjectSummarySchema, 'GET', p(name)),
  createProject: (body: s.CreateProjectRequest) => api(s.ProjectSummarySchema, 'POST', '/api/projects', body),
  importProject: (body: s.ImportProjectRequest) => api(s.ProjectSummarySchema, 'POST', '/api/projects/import', body),
  deleteProject: (name: string, deleteFiles: boolean) =>
    api(s.DeleteProjectResponseSchema, 'DELETE', `${p(name)}?deleteFiles=${deleteFiles}`),
  spec: (name: string) => api(s.SpecResponseSchema, 'GET', `${p(name)}/spec`),
  putSpec: (name: string, spec: string) => api(s.SpecResponseSchema, 'PUT', `${p(name)}/spec`, { spec }),

  board: (name: string) => api(s.FeatureBoardSchema, 'GET', `${p(name)}/features`),
  graph: (name: string) => api(s.FeatureGraphSchema, 'GET', `${p(name)}/features/graph`),
  feature: (name: string, id: number) => api(s.FeatureDetailSchema, 'GET', f(name, id)),
  createFeature: (name: string, body: s.CreateFeatureRequest) =>
    api(s.FeatureSchema, 'POST', `${p(name)}/features`, body),
  updateFeature: (name: string, id: number, body: s.UpdateFeatureRequest) =>
    api(s.FeatureSchema, 'PATCH', f(name, id), body),
  deleteFeature: (name: string, id: number) => api(s.DeleteFeatureResponseSchema, 'DELETE', f(name, id)),
  skipFeature: (name: string, id: number, reason?: string, blockerType?: s.SkipFeatureRequest['blockerType']) =>
    api(s.FeatureSchema, 'POST', `${f(name, id)}/skip`, {
      ...(reason ? { reason } : {}),
      ...(blockerType ? { blockerType } : {}),
    }),
  retryFeature: (name: string, id: number) => api(s.FeatureSchema, 'POST', `${f(name, id)}/retry`, {}),
  reopenFeature: (name: string, id: number, reason?: string) =>
    api(s.FeatureSchema, 'POST', `${f(name, id)}/reopen`, reason ? { reason } : {}),
  addDependency: (name: string, id: number, dep: number) =>
    api(s.FeatureSchema, 'POST', `${f(name, id)}/dependencies/${dep}`),
  removeDependency: (name: string, id: number, dep: number) =>
    api(s.FeatureSchema, 'DELETE', `${f(name, id)}/dependencies/${dep}`),

  verifications: (name: string, id: number) => api(VerificationListSchema, 'GET', `${f(name, id)}/verifications`),
  /** A file of a verification's evidence folder (`file` relative to it, e.g. `1-added.png`). */
  evidenceFile: (name: string, id: number, verificationId: string, file: string) =>
    apiFile(`${f(name, id)}/verifications/${enc(verificationId)}/files/${file.split('/').map(enc).join('/')}`),
  disputes: (name: string, status: 'open' | 'all') =>
    api(DisputeListSchema, 'GET', `${p(name)}/disputes?status=${status}`),
  acceptDispute: (name: string, disputeId: string, reason?: string) =>
    api(DisputeResultSchema, 'POST', `${p(name)}/disputes/${enc(disputeId)}/accept`, reason ? { reason } : {}),
  rejectDispute: (name: string, disputeId: string, reason: string) =>
    api(DisputeResultSchema, 'POST', `${p(name)}/disputes/${enc(disputeId)}/reject`, { reason }),

  humanInput: (name: string, status: 'open' | 'all') =>
    api(HumanInputListSchema, 'GET', `${p(name)}/human-input?status=${status}`),
  answerHumanInput: (name: string, featureId: number, body: AnswerHumanInputRequest) =>
    api(HumanInputResultSchema, 'POST', `${f(name, featureId)}/human-input`, body),
  overrideHumanInput: (name: string, requestId: string, body: OverrideHumanInputRequest) =>
    api(HumanInputResultSchema, 'POST', `${p(name)}/human-input/${enc(requestId)}/override`, body),
  cancelHumanInput: (name: string, requestId: string, reason?: string) =>
    api(HumanInputResultSchema, 'POST', `${p(name)}/human-input/${enc(requestId)}/cancel`, reason ? { reason } : {}),

  runStatus: (name: string) => api(RunStatusSchema, 'GET', `${p(name)}/agent/status`),
  startRun: (name: string, body: RunStartRequest) =>
    api(AgentActionResponseSchema, 'POST', `${p(name)}/agent/start`, body),
  stopRun: (name: string) => api(AgentActionResponseSchema, 'POST', `${p(name)}/agent/stop`, {}),
  pauseRun: (name: string) => api(AgentActionResponseSchema, 'POST', `${p(name)}/agent/pause`, {}),
  resumeRun: (name: string) => api(RunStatusSchema, 'POST', `${p(name)}/agent/resume`, {}),

  globalSettings: () => api(s.GlobalSettingsResponseSchema, 'GET', '/api/settings'),
  putGlobalSettings: (body: z.input<typeof s.PutGlobalSettingsRequestSchema>) =>
    api(s.GlobalSettingsResponseSchema, 'PUT', '/api/settings', body),
  projectSettings: (name: string) => api(s.ProjectSettingsSchema, 'GET', `${p(name)}/settings`),
  putProjectSettings: (name: string, body: z.input<typeof s.PutProjectSettingsRequestSchema>) =>
    api(s.ProjectSettingsSchema, 'PUT', `${p(name)}/settings`, body),
  startDemo: (reuse?: 'again' | 'fresh') => api(s.DemoResponseSchema, 'POST', '/api/demo', reuse ? { reuse } : {}),
  /** Whether a Start of the project (its default model and provider) would reach a model; no secret in it. */
  projectSetup: (name: string) => api(s.ProjectSetupSchema, 'GET', `${p(name)}/setup`),
  /** A spec checked without saving it (as it is typed in the New project dialog). */
  checkSpec: (spec: string) => api(s.SpecCheckSchema, 'POST', '/api/spec/check', { spec }),
  specTemplate: () => api(s.SpecTemplateSchema, 'GET', '/api/spec/template'),
  listFolder: (path?: string) =>
    api(s.FsListResponseSchema, 'GET', `/api/filesystem/list${path ? `?path=${enc(path)}` : ''}`),
  /** The project's report as a file (`autocoder report`): Markdown, one self-contained HTML page, or JSON. */
  reportFile: (name: string, format: ReportFormat, run: string | null) =>
    apiFile(`${p(name)}/report?format=${format}${run ? `&run=${enc(run)}` : ''}`),
  /** The project's metrics, or one run's (`run`). */
  metrics: (name: string, run: string | null) =>
    api(MetricsSchema, 'GET', `${p(name)}/metrics${run ? `?run=${enc(run)}` : ''}`),

  checkpoints: (name: string) => api(CheckpointListResponseSchema, 'GET', `${p(name)}/checkpoints`),
  checkpoint: (name: string, n: number) => api(CheckpointDetailResponseSchema, 'GET', `${p(name)}/checkpoints/${n}`),
  /**
   * Starts a checkpoint on demand (empty body: the reviewers of the `checkpoint.agents` setting, or the active run's):
   * queued to the active run, or a detached `autocoder checkpoint`; the list refetches on `checkpoint.started`.
   */
  startCheckpoint: (name: string) => api(CheckpointStartResponseSchema, 'POST', `${p(name)}/checkpoints`, {}),
  findings: (name: string, q: FindingsQuery) =>
    api(FindingsResponseSchema, 'GET', `${p(name)}/findings${findingsQuery(q)}`),
  finding: (name: string, id: string) => api(FindingDetailResponseSchema, 'GET', `${p(name)}/findings/${enc(id)}`),
  dismissFinding: (name: string, id: string, reason: string) =>
    api(FindingSchema, 'POST', `${p(name)}/findings/${enc(id)}/dismiss`, { reason }),

  designIterations: (name: string) => api(DesignIterationListResponseSchema, 'GET', `${p(name)}/design`),
  designIteration: (name: string, n: number) =>
    api(DesignIterationDetailResponseSchema, 'GET', `${p(name)}/design/${n}`),
  /** A file of iteration n's folder (`screenshots/01-home-desktop-light.png`, `report.md`), each segment encoded. */
  designFile: (name: string, n: number, path: string) =>
    apiFile(`${p(name)}/design/${n}/files/${path.split('/').map(enc).join('/')}`),
  /** Queued to the active run, or a detached `autocoder design-review`; the list refetches on `design.*` events. */
  startDesignReview: (name: string, body: DesignReviewRequest) =>
    api(DesignReviewResponseSchema, 'POST', `${p(name)}/design/reviews`, body),
  dismissDesignFinding: (name: string, id: string, reason: string) =>
    api(DesignFindingSchema, 'POST', `${p(name)}/design/findings/${enc(id)}/dismiss`, { reason }),
};

/** Query keys, so a live event can invalidate exactly what it changed. */
export const keys = {
  setup: ['setup'] as const,
  projects: ['projects'] as const,
  workers: ['workers'] as const,
  project: (name: string) => ['project', name] as const,
  spec: (name: string) => ['project', name, 'spec'] as const,
  board: (name: string) => ['project', name, 'board'] as const,
  graph: (name: string) => ['project', name, 'graph'] as const,
  feature: (name: string, id: number) => ['project', name, 'feature', id] as const,
  /** Under the feature's key: a live event about the feature refreshes its verifications too. */
  verifications: (name: string, id: number) => ['project', name, 'feature', id, 'verifications'] as const,
  /** Evidence files never change once written: cached for the page's life. */
  evidenceFile: (name: string, id: number, verificationId: string, file: string) =>
    ['project', name, 'evidence', id, verificationId, file] as const,
  /** Both lists (open, all): invalidate this prefix. */
  disputesAll: (name: string) => ['project', name, 'disputes'] as const,
  disputes: (name: string, status: 'open' | 'all') => ['project', name, 'disputes', status] as const,
  settings: (name: string) => ['project', name, 'settings'] as const,
  projectSetup: (name: string) => ['project', name, 'setup'] as const,
  specTemplate: ['spec-template'] as const,
  /** Both lists (open, all): invalidate this prefix. */
  humanInputAll: (name: string) => ['project', name, 'human-input'] as const,
  humanInput: (name: string, status: 'open' | 'all') => ['project', name, 'human-input', status] as const,
  globalSettings: ['settings'] as const,
  preview: (name: string) => ['project', name, 'preview'] as const,
  /**
   * Every scope (the project, each run): invalidate this prefix. Outside `['project', name]`, so only the throttled
   * live refresh refetches the metrics, not every invalidation of the whole project.
   */
  metricsAll: (name: string) => ['metrics', name] as const,
  metrics: (name: string, run: string | null) => ['metrics', name, run ?? '*'] as const,
  /** Every checkpoint and finding query: a checkpoint or finding event invalidates this prefix. */
  checkpointsAll: (name: string) => ['project', name, 'checkpoints'] as const,
  checkpoints: (name: string) => ['project', name, 'checkpoints', 'list'] as const,
  checkpoint: (name: string, n: number) => ['project', name, 'checkpoints', 'n', n] as const,
  findings: (name: string, q: FindingsQuery) => ['project', name, 'checkpoints', 'findings', q] as const,
  finding: (name: string, id: string) => ['project', name, 'checkpoints', 'finding', id] as const,
  /** Every design iteration query: a `design.*` event invalidates this prefix. */
  designAll: (name: string) => ['project', name, 'design'] as const,
  designIterations: (name: string) => ['project', name, 'design', 'list'] as const,
  designIteration: (name: string, n: number) => ['project', name, 'design', 'n', n] as const,
  /** Screenshots never change once written: outside the design prefix, cached for the page's life. */
  designFile: (name: string, n: number, path: string) => ['design-file', name, n, path] as const,
};
