import { z } from 'zod';
import { AcceptanceCheckSchema, AcceptanceSchema, VerificationSummarySchema } from './acceptance.js';
import { EventSchema, ProgressSchema } from './events.js';
import { SKIP_CLASSES } from './feature-failure.js';
import { BLOCKER_TYPE_VALUES, FEATURE_STATUS_VALUES } from './feature-status.js';
import { RUN_STATES, RunEndingSchema, RunStatusSchema } from './runs.js';
import { PROVIDERS, type RoleModelKey } from './providers.js';
import { CHANGE_ORIGINS, WIDENING_KEYS } from './settings-widening.js';

/**
 * The HTTP API's request bodies, queries and responses, defined once. The server parses every
 * request with these; the web client parses every response with them; /api/openapi.json is
 * generated from them. Browser-safe: this file imports only zod.
 */

const text = (max: number) => z.string().max(max);
const nonEmpty = (max: number) => z.string().trim().min(1).max(max);
const noNul = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');

export const PROJECT_NAME_REGEX = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const ProjectNameSchema = z
  .string()
  .regex(
    PROJECT_NAME_REGEX,
    'use 1-64 characters: lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export { BLOCKER_TYPE_VALUES, FEATURE_STATUS_VALUES } from './feature-status.js';
export const MAX_DEPENDENCIES = 20;

// ── Errors and health ────────────────────────────────────────────────────────

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    /** On a 5xx: the request's id (also its `X-Request-Id` header), under which the server logged the cause. */
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const HealthSchema = z.object({ status: z.literal('healthy') });

// ── Setup ────────────────────────────────────────────────────────────────────

export const SetupCheckSchema = z.object({
  id: z.enum(['claude_code', 'credentials', 'git', 'chromium', 'sandbox']),
  ok: z.boolean(),
  detail: z.string(),
  fix: z.string().nullable(),
});
export const SetupStatusSchema = z.object({ ok: z.boolean(), checks: z.array(SetupCheckSchema) });
export type SetupStatus = z.infer<typeof SetupStatusSchema>;

/**
 * GET /api/projects/{name}/setup: whether a run of the project would reach a model, judged before starting it. `model`
 * is the project's default model after the project, global and environment settings (null: Claude Code's default);
 * `credentials` the credential check of the provider a run of it would use (never a secret, only what is missing);
 * `ready` is true when the default model is the demo model or the credentials are there.
 */
export const ProjectSetupSchema = z.object({
  model: z.string().nullable(),
  demoModel: z.boolean(),
  credentials: SetupCheckSchema,
  ready: z.boolean(),
});
export type ProjectSetup = z.infer<typeof ProjectSetupSchema>;

// ── Projects and spec ────────────────────────────────────────────────────────

/** Same counts as the WebSocket's `progress` (and `autocoder status --json`). */
export const ProjectStatsSchema = ProgressSchema;
export type ProjectStats = z.infer<typeof ProjectStatsSchema>;

/** A project's runs at a glance (its card on the Projects page): the state now, the last ending, cost and activity. */
export const ProjectRunSummarySchema = z.object({
  status: z.enum(RUN_STATES),
  lastOutcome: RunEndingSchema.nullable(),
  /** What every session of the project cost so far (USD). */
  costUsd: z.number(),
  /** When anything last happened (the newest event); null before the first. */
  lastActivityAt: z.number().nullable(),
});
export type ProjectRunSummary = z.infer<typeof ProjectRunSummarySchema>;

export const ProjectSummarySchema = z.object({
  name: z.string(),
  path: z.string(),
  createdAt: z.number(),
  exists: z.boolean(),
  hasSpec: z.boolean(),
  stats: ProjectStatsSchema.nullable(),
  /** Null without a project database (older servers send nothing). */
  run: ProjectRunSummarySchema.nullable().optional(),
  /** The git remote machines share the project through (#20); null for a project of one machine. */
  remote: z.string().nullable().optional(),
});
export type ProjectSummary = z.infer<typeof ProjectSummarySchema>;

export const ProjectListSchema = z.object({ projects: z.array(ProjectSummarySchema) });

export const CreateProjectRequestSchema = z
  .object({
    name: ProjectNameSchema,
    /** Folder of the project; default: `<server cwd>/<name>`. Created when missing. */
    path: noNul(4096).optional(),
    /** App spec text; validated before anything is created. */
    spec: text(1_000_000).optional(),
    /**
     * The project's git remote (#20: a server on a shared PostgreSQL store): a URL git speaks or the path of a bare
     * repository; the folder becomes a clone of it.
     */
    remote: noNul(2048).optional(),
  })
  .strict();
export type CreateProjectRequest = z.infer<typeof CreateProjectRequestSchema>;

export const ImportProjectRequestSchema = z.object({ name: ProjectNameSchema, path: noNul(4096) }).strict();
export type ImportProjectRequest = z.infer<typeof ImportProjectRequestSchema>;

export const DeleteProjectQuerySchema = z.object({ deleteFiles: z.enum(['true', 'false']).optional() }).strict();

export const DeleteProjectResponseSchema = z.object({
  removed: z.string(),
  path: z.string(),
  filesDeleted: z.boolean(),
});

export const SpecProblemSchema = z.object({ line: z.number().int(), message: z.string() });
export const SpecCheckSchema = z.object({
  ok: z.boolean(),
  problems: z.array(SpecProblemSchema),
  projectName: z.string().nullable(),
  featureCount: z.number().int().nullable(),
});
export type SpecCheck = z.infer<typeof SpecCheckSchema>;

export const SpecResponseSchema = z.object({ spec: z.string().nullable(), check: SpecCheckSchema.nullable() });
export type SpecResponse = z.infer<typeof SpecResponseSchema>;

/** POST /api/spec/check: a spec checked without saving it (the New project dialog, as the person types). */
export const SpecCheckRequestSchema = z.object({ spec: text(1_000_000) }).strict();
/** GET /api/spec/template: the app spec template (`autocoder spec-template`), for "Insert template". */
export const SpecTemplateSchema = z.object({ template: z.string() });
export type SpecTemplate = z.infer<typeof SpecTemplateSchema>;

export const PutSpecRequestSchema = z.object({ spec: z.string().min(1).max(1_000_000) }).strict();

// ── Features ─────────────────────────────────────────────────────────────────

export const FeatureSchema = z.object({
  id: z.number().int(),
  priority: z.number().int(),
  category: z.string(),
  name: z.string(),
  description: z.string(),
  steps: z.array(z.string()),
  status: z.enum(FEATURE_STATUS_VALUES),
  dependencies: z.array(z.number().int()),
  /** Dependencies that are not passing yet. */
  blockedBy: z.array(z.number().int()),
  /** Claimable now: pending, attempts left, backoff elapsed, nothing blocking. */
  ready: z.boolean(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  costUsd: z.number(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  notes: z.string(),
  blockerType: z.enum(BLOCKER_TYPE_VALUES).nullable(),
  blockerNote: z.string().nullable(),
  skipCount: z.number().int(),
  /**
   * Estimated slot time until it passes (ms, from the project's finished sessions) and the estimated time from its
   * start to the end of its dependents: the claim order after priority. Both 0 until a run estimated them.
   */
  estimateMs: z.number().int().nonnegative(),
  pathMs: z.number().int().nonnegative(),
  passedAt: z.number().nullable(),
  updatedAt: z.number(),
  /** The frozen acceptance checks (null: none, the feature is "not verified") and their content hash. */
  acceptance: z.array(AcceptanceCheckSchema).nullable(),
  acceptanceHash: z.string().nullable(),
  /** The verification that let a passing feature land (null: it passed without one). */
  verificationId: z.string().nullable(),
  /** Its newest verification (null: never verified). */
  verification: VerificationSummarySchema.nullable(),
  /** Why it failed, in one line, for a failed feature or one waiting for its retry (shared/feature-failure.ts). */
  failureReason: z.string().nullable(),
  /** When a pending feature is claimable again after a failed attempt (the scheduler's backoff), else null. */
  retryAt: z.number().nullable(),
  /** Why it was skipped: its blocker class (`unclassified` for older skips); null when never skipped or passing. */
  skipClass: z.enum(SKIP_CLASSES).nullable(),
});
export type FeatureDTO = z.infer<typeof FeatureSchema>;

export const FeatureBoardSchema = z.object({
  pending: z.array(FeatureSchema),
  in_progress: z.array(FeatureSchema),
  needs_input: z.array(FeatureSchema),
  passing: z.array(FeatureSchema),
  failed: z.array(FeatureSchema),
});
export type FeatureBoard = z.infer<typeof FeatureBoardSchema>;

export const SessionSchema = z.object({
  id: z.string(),
  runId: z.string().nullable(),
  role: z.string(),
  model: z.string().nullable(),
  status: z.enum(['running', 'succeeded', 'failed', 'aborted']),
  outcome: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  turns: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsd: z.number(),
  transcriptPath: z.string().nullable(),
  error: z.string().nullable(),
});

export const FeatureDetailSchema = FeatureSchema.extend({
  sessions: z.array(SessionSchema),
  /** What agents recorded when they marked it passing or found it regressed (oldest first). */
  evidence: z.array(z.unknown()),
});
export type FeatureDetail = z.infer<typeof FeatureDetailSchema>;

const priority = z.number().int().min(-1_000_000).max(1_000_000);
const steps = z.array(nonEmpty(2_000)).max(100);
const featureFields = {
  category: nonEmpty(100),
  name: nonEmpty(255),
  description: text(20_000),
  steps,
  priority: priority.optional(),
  maxAttempts: z.number().int().min(1).max(100).optional(),
  /** Acceptance checks, frozen with their hash; people may leave them out (the feature is then "not verified"). */
  acceptance: AcceptanceSchema.optional(),
};
const featureId = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31 - 1);

export const CreateFeatureRequestSchema = z
  .object({ ...featureFields, dependencies: z.array(featureId).max(MAX_DEPENDENCIES).optional() })
  .strict();
export type CreateFeatureRequest = z.infer<typeof CreateFeatureRequestSchema>;

export const BulkCreateFeaturesRequestSchema = z
  .object({
    features: z
      .array(
        z
          .object({
            ...featureFields,
            dependsOnIndices: z.array(z.number().int().min(0).max(10_000)).max(MAX_DEPENDENCIES).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(2_000),
  })
  .strict();
export type BulkCreateFeaturesRequest = z.infer<typeof BulkCreateFeaturesRequestSchema>;

export const BulkCreateFeaturesResponseSchema = z.object({
  created: z.array(FeatureSchema),
  duplicates: z.array(z.object({ index: z.number().int(), name: z.string(), existingId: z.number().int() })),
});

export const UpdateFeatureRequestSchema = z
  .object({
    category: nonEmpty(100).optional(),
    name: nonEmpty(255).optional(),
    description: text(20_000).optional(),
    steps: steps.optional(),
    priority: priority.optional(),
  })
  .strict()
  .refine(
    (o) => Object.values(o).some((v) => v !== undefined),
    'name at least one of category, name, description, steps, priority',
  );
export type UpdateFeatureRequest = z.infer<typeof UpdateFeatureRequestSchema>;

export const SkipFeatureRequestSchema = z
  .object({
    reason: text(2_000).optional(),
    /** Why it is skipped (shown on its card, filterable on the board); recorded as its blocker with the reason. */
    blockerType: z.enum(BLOCKER_TYPE_VALUES).optional(),
  })
  .strict();
export type SkipFeatureRequest = z.infer<typeof SkipFeatureRequestSchema>;
export const ReopenFeatureRequestSchema = z.object({ reason: text(2_000).optional() }).strict();

export const SetDependenciesRequestSchema = z
  .object({ dependencyIds: z.array(featureId).max(MAX_DEPENDENCIES) })
  .strict();

export const DeleteFeatureResponseSchema = z.object({ deleted: z.number().int(), name: z.string() });

export const FeatureGraphSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      category: z.string(),
      status: z.enum(FEATURE_STATUS_VALUES),
      priority: z.number().int(),
      dependencies: z.array(z.number().int()),
      ready: z.boolean(),
      blocked: z.boolean(),
      /** How many frozen acceptance checks it has (0: it can never be verified). */
      checks: z.number().int().min(0),
      /** Passing, and its newest verification passed. */
      verified: z.boolean(),
    }),
  ),
  edges: z.array(z.object({ source: z.number().int(), target: z.number().int() })),
});

export type FeatureGraph = z.infer<typeof FeatureGraphSchema>;

/**
 * GET /api/projects/{name}/sessions/{id}/transcript: the session's JSONL transcript (already redacted when written).
 */
export const TranscriptQuerySchema = z
  .object({
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(5_000).default(1_000),
  })
  .strict();
export const TranscriptResponseSchema = z.object({
  sessionId: z.string(),
  /** Entries from `offset`, each one JSON line of the transcript. */
  entries: z.array(z.record(z.string(), z.unknown())),
  total: z.number().int(),
  next: z.number().int().nullable(),
});
export type TranscriptResponse = z.infer<typeof TranscriptResponseSchema>;

// ── Demo ─────────────────────────────────────────────────────────────────────

/** POST /api/demo: create the demo project (default name `demo`, then `demo-2`, …) and start its run. */
/**
 * POST /api/demo. `reuse` says what to do when the demo project exists: run it again, or replace it with a fresh copy
 * (its folder is deleted); without it an existing demo is a 409 naming it (`details.project`, field "reuse").
 */
export const DemoRequestSchema = z
  .object({ name: ProjectNameSchema.optional(), reuse: z.enum(['again', 'fresh']).optional() })
  .strict();
export type DemoRequest = z.infer<typeof DemoRequestSchema>;
/**
 * `outcome`: created (a new demo project), again (the existing one; its run started unless one was active already:
 * `run` says), fresh (a new copy in place of the old one).
 */
export const DemoResponseSchema = z.object({
  project: ProjectSummarySchema,
  run: RunStatusSchema,
  outcome: z.enum(['created', 'again', 'fresh']),
});
export type DemoResponse = z.infer<typeof DemoResponseSchema>;

// ── Settings ─────────────────────────────────────────────────────────────────

/** A role's own model; `demo` is reserved for the general model (the demo plays every role). */
const roleModel = nonEmpty(200).refine((v) => v !== 'demo', {
  message: '"demo" can only be the general model (defaultModel), not one role\'s',
});
/** An http(s) URL, e.g. an Anthropic-compatible endpoint. */
export const HttpUrlSchema = z.url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' }).max(2000);

const roleModelFields = {
  'model.initializer': roleModel,
  'model.coding': roleModel,
  'model.testing': roleModel,
  'model.supervisor': roleModel,
  'model.reviewer': roleModel,
  'model.verifier': roleModel,
  'model.designer': roleModel,
} satisfies Record<RoleModelKey, z.ZodType>;

const settingTypes = {
  defaultModel: nonEmpty(200),
  defaultConcurrency: z.number().int().min(1).max(5),
  defaultSandbox: z.enum(['auto', 'on', 'off']),
  yolo: z.boolean(),
  ...roleModelFields,
  provider: z.enum(PROVIDERS),
  baseUrl: HttpUrlSchema,
  awsRegion: nonEmpty(100),
  vertexProject: nonEmpty(200),
  vertexRegion: nonEmpty(100),
  /** The metrics' ROI assumptions (src/shared/metrics.ts): developer hours a passing feature saves, and their rate. */
  'metrics.hoursPerFeature': z.number().positive().max(1000),
  'metrics.hourlyRateUsd': z.number().min(0).max(100_000),
  /** Budgets in USD (issue #19): a run's (--max-cost), one feature's (--max-feature-cost), one UTC day's. */
  'budget.runUsd': z.number().positive().max(1_000_000),
  'budget.featureUsd': z.number().positive().max(1_000_000),
  'budget.dailyUsd': z.number().positive().max(1_000_000),
  /** Checkpoints (issue #17): after every N passing features (0: none), which reviewers, drain on critical. */
  checkpointInterval: z.number().int().min(0).max(1000),
  'checkpoint.agents': z
    .string()
    .regex(
      /^(code|security|performance)(,(code|security|performance))*$/,
      'a comma-separated list of code, security, performance',
    ),
  pauseOnCritical: z.boolean(),
  /** Design review (issue #18): after every N passing features (0: none), and how many iterations it may take. */
  designReviewEvery: z.number().int().min(0).max(1000),
  designIterations: z.number().int().min(1).max(10),
};

const optionalAll = <T extends Record<string, z.ZodType>>(o: T) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.optional()])) as { [K in keyof T]: z.ZodOptional<T[K]> };
const nullable = <T extends z.ZodType>(s: T) => s.nullable().optional();
const nullableAll = <T extends Record<string, z.ZodType>>(o: T) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, nullable(v)])) as {
    [K in keyof T]: z.ZodOptional<z.ZodNullable<T[K]>>;
  };

const settingFields = optionalAll(settingTypes);

/** Global defaults (registry `settings`). PUT merges the given keys; `null` clears one. */
export const GlobalSettingsSchema = z.object(settingFields).strict();
export type GlobalSettings = z.infer<typeof GlobalSettingsSchema>;

/** Whether each secret (kept in `$AUTOCODER_HOME/secrets.env`, 0600) is set; their values are never returned. */
export const SecretsStatusSchema = z.object({ authToken: z.boolean(), apiKey: z.boolean() }).strict();
export type SecretsStatus = z.infer<typeof SecretsStatusSchema>;

/** GET/PUT /api/settings: the global settings and which secrets are set. */
export const GlobalSettingsResponseSchema = GlobalSettingsSchema.extend({ secrets: SecretsStatusSchema }).strict();
export type GlobalSettingsResponse = z.infer<typeof GlobalSettingsResponseSchema>;

const putSettingFields = nullableAll(settingTypes);

/**
 * `true` applies changes that widen what agents may do (see src/shared/settings-widening.ts);
 * without it such a request is refused with 409 CONFIRMATION_REQUIRED naming them.
 */
const confirm = z.boolean().optional();

/** Secrets are write-only: a string sets one, `null` removes it. */
export const PutGlobalSettingsRequestSchema = z
  .object({
    ...putSettingFields,
    authToken: nullable(nonEmpty(4096)),
    apiKey: nullable(nonEmpty(4096)),
    confirm,
  })
  .strict();

/** Per-project settings (registry `project_settings`), with the project's Bash allowlist extensions. */
export const ProjectSettingsSchema = z.object({ ...settingFields, extraCommands: z.array(z.string()) }).strict();
export type ProjectSettings = z.infer<typeof ProjectSettingsSchema>;

export const PutProjectSettingsRequestSchema = z
  .object({
    ...putSettingFields,
    /** Replaces the list; shells, interpreters and privilege tools are refused. */
    extraCommands: z.array(z.string().min(1).max(100)).max(100).optional(),
    confirm,
  })
  .strict();

/** One recorded change that widened what agents may do (registry `settings_changes`). */
export const SettingsChangeSchema = z.object({
  id: z.number().int(),
  at: z.number(),
  /** null: a global setting. */
  project: z.string().nullable(),
  key: z.enum(WIDENING_KEYS),
  old: z.unknown(),
  new: z.unknown(),
  origin: z.enum(CHANGE_ORIGINS),
});
export type SettingsChange = z.infer<typeof SettingsChangeSchema>;

/** GET /api/settings/changes: newest first; `project` narrows the list to one project's changes. */
export const SettingsChangesQuerySchema = z
  .object({
    project: ProjectNameSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

export const SettingsChangesResponseSchema = z.object({ changes: z.array(SettingsChangeSchema) });

// ── Events ───────────────────────────────────────────────────────────────────

export const EventsQuerySchema = z
  .object({
    since: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

export const EventsResponseSchema = z.object({ events: z.array(EventSchema), next: z.number().int() });

// ── Filesystem browser ───────────────────────────────────────────────────────

export const FsListQuerySchema = z
  .object({
    path: z.string().max(4096).optional(),
    showHidden: z.enum(['true', 'false']).optional(),
  })
  .strict();

export const FsListResponseSchema = z.object({
  path: z.string(),
  parent: z.string().nullable(),
  entries: z.array(z.object({ name: z.string(), isDir: z.boolean() })),
});
export type FsListResponse = z.infer<typeof FsListResponseSchema>;

/** Bodies of actions that take no input (an empty body or `{}`). */
export const EmptyRequestSchema = z.object({}).strict();
