import { z } from 'zod';

/**
 * Checkpoints (issue #17): every N passing features, at the end of a run and on demand, the runner records the
 * project's own tool results (type checker, linter, coverage, audit, build) at one commit of main, then reviewer
 * sessions (one per agent kind) judge the code and report findings. Findings are data: one finding per problem
 * (fingerprint), seen again or resolved by later checkpoints, dismissed by a person, fixed by a fix feature.
 * These schemas are the wire format of the API, the CLI's JSON and the MCP tools (browser-safe: zod only).
 */

/** The reviewer kinds: each is one `reviewer` session with its own prompt. */
export const CHECKPOINT_AGENTS = ['code', 'security', 'performance'] as const;
export const CheckpointAgentSchema = z.enum(CHECKPOINT_AGENTS);
export type CheckpointAgent = z.infer<typeof CheckpointAgentSchema>;

/** Severity, worst first. Critical drains the run (pauseOnCritical); critical and major become fix features. */
export const FINDING_SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export const FindingSeveritySchema = z.enum(FINDING_SEVERITIES);
export type FindingSeverity = z.infer<typeof FindingSeveritySchema>;

/**
 * open: seen at its newest checkpoint of that kind; fix_pending: its fix feature passed, the next checkpoint of its
 * kind confirms; resolved: absent from a later checkpoint of its kind; dismissed: a person said it is not a problem.
 */
export const FINDING_STATUSES = ['open', 'fix_pending', 'resolved', 'dismissed'] as const;
export const FindingStatusSchema = z.enum(FINDING_STATUSES);
export type FindingStatus = z.infer<typeof FindingStatusSchema>;

/** Who found it: a reviewer session (`agent`) or one of the project's own tools (`tool`). */
export const FINDING_SOURCES = ['agent', 'tool'] as const;
export type FindingSource = (typeof FINDING_SOURCES)[number];

export const CHECKPOINT_TRIGGERS = ['interval', 'end_of_run', 'manual'] as const;
export type CheckpointTrigger = (typeof CHECKPOINT_TRIGGERS)[number];

export const CHECKPOINT_STATUSES = ['running', 'finished', 'failed', 'aborted'] as const;
export type CheckpointStatus = (typeof CHECKPOINT_STATUSES)[number];

const text = (max: number) => z.string().trim().min(1).max(max);

/** What a reviewer reports through `review_add_finding` (and what a tool's output is turned into). */
export const NewFindingSchema = z
  .object({
    severity: FindingSeveritySchema,
    /** e.g. `xss`, `sql-injection`, `type-safety`, `bundle-size`, `eslint/no-unused-vars`. */
    category: text(80),
    title: text(200),
    detail: text(4000),
    /** Relative to the project root. */
    file: text(500).optional(),
    line: z.number().int().min(1).max(10_000_000).optional(),
    evidence: text(4000).optional(),
    suggestedFix: text(4000).optional(),
  })
  .strict();
export type NewFinding = z.infer<typeof NewFindingSchema>;

/** What `review_finish` takes: the reviewer's summary of the checkpoint from its angle. */
export const ReviewFinishSchema = z.object({ summary: text(4000) }).strict();

/** The project tools the facts step runs, when the project has them. */
export const TOOL_FACT_KINDS = ['typecheck', 'lint', 'coverage', 'audit', 'build'] as const;
export const ToolFactKindSchema = z.enum(TOOL_FACT_KINDS);
export type ToolFactKind = z.infer<typeof ToolFactKindSchema>;

/** One tool's result at a checkpoint; `skipped`: the project has no such tool (the summary says how we know). */
export const ToolFactSchema = z.object({
  kind: ToolFactKindSchema,
  /** The command run (empty when skipped). */
  command: z.string(),
  status: z.enum(['passed', 'failed', 'skipped', 'error']),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().nonnegative(),
  /** One line: "3 errors in 2 files", "2 vulnerabilities (1 high)", "dist: 412 kB (3 files)", or why skipped. */
  summary: z.string(),
  /** The output's end, masked. */
  output: z.string(),
  /** Parsed figures, per tool: counts, coverage percentages, bundle sizes by file (bytes). */
  figures: z.record(z.string(), z.number()).default({}),
  /** Problems parsed from the output (the checkpoint stores them as findings with source `tool`). */
  findings: z.array(NewFindingSchema).default([]),
});
export type ToolFact = z.infer<typeof ToolFactSchema>;

/** One reviewer session of a checkpoint. */
export const CheckpointReviewSchema = z.object({
  agent: CheckpointAgentSchema,
  sessionId: z.string().nullable(),
  /** finished: it called review_finish; incomplete: its session ended without; failed: it could not run. */
  status: z.enum(['running', 'finished', 'incomplete', 'failed']),
  summary: z.string().nullable(),
  findings: z.number().int().nonnegative(),
});
export type CheckpointReview = z.infer<typeof CheckpointReviewSchema>;

const severityCounts = z.object({
  critical: z.number().int().nonnegative(),
  major: z.number().int().nonnegative(),
  minor: z.number().int().nonnegative(),
  info: z.number().int().nonnegative(),
});
export type SeverityCounts = z.infer<typeof severityCounts>;

export const CheckpointSchema = z.object({
  /** 1, 2, 3 … per project. */
  n: z.number().int().positive(),
  runId: z.string().nullable(),
  trigger: z.enum(CHECKPOINT_TRIGGERS),
  /** The commit of main it reviewed, and the previous checkpoint's (the diff's base; null for the first). */
  commit: z.string(),
  previousCommit: z.string().nullable(),
  agents: z.array(CheckpointAgentSchema),
  status: z.enum(CHECKPOINT_STATUSES),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** Passing features when it started. */
  passing: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  facts: z.array(ToolFactSchema),
  reviews: z.array(CheckpointReviewSchema),
  /** Findings seen in it, by severity. */
  counts: severityCounts,
  /** Findings first seen in it; findings it marked resolved; fix features it created. */
  newFindings: z.number().int().nonnegative(),
  resolvedFindings: z.number().int().nonnegative(),
  fixFeatureIds: z.array(z.number().int()),
  /** `.autocoder/checkpoints/checkpoint-<n>.md`, relative to the project; null until written. */
  reportPath: z.string().nullable(),
  error: z.string().nullable(),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

export const FindingSchema = NewFindingSchema.extend({
  id: z.string(),
  /** Same fingerprint = same problem (see domain/findings.ts). */
  fingerprint: z.string(),
  agent: CheckpointAgentSchema,
  source: z.enum(FINDING_SOURCES),
  status: FindingStatusSchema,
  firstCheckpoint: z.number().int().positive(),
  lastCheckpoint: z.number().int().positive(),
  seenCount: z.number().int().positive(),
  /** The fix feature created for it (critical and major), if any. */
  fixFeatureId: z.number().int().nullable(),
  /** The checkpoint that found it gone (resolved), or null. */
  resolvedIn: z.number().int().nullable(),
  dismissedReason: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Finding = z.infer<typeof FindingSchema>;

/** One sighting of a finding: the checkpoint and the severity it had there (a finding's history). */
export const FindingSightingSchema = z.object({
  checkpoint: z.number().int().positive(),
  severity: FindingSeveritySchema,
  at: z.number(),
});
export type FindingSighting = z.infer<typeof FindingSightingSchema>;

// ── API ─────────────────────────────────────────────────────────────────────

export const CheckpointListResponseSchema = z.object({ checkpoints: z.array(CheckpointSchema) });
export const CheckpointDetailResponseSchema = z.object({
  checkpoint: CheckpointSchema,
  /** The findings seen in it, and those it resolved. */
  findings: z.array(FindingSchema),
  resolved: z.array(FindingSchema),
});
export const FindingsQuerySchema = z
  .object({
    status: FindingStatusSchema.optional(),
    agent: CheckpointAgentSchema.optional(),
    severity: FindingSeveritySchema.optional(),
  })
  .strict();
export type FindingsQuery = z.infer<typeof FindingsQuerySchema>;
export const FindingsResponseSchema = z.object({ findings: z.array(FindingSchema) });
export const FindingDetailResponseSchema = z.object({
  finding: FindingSchema,
  sightings: z.array(FindingSightingSchema),
});
export const DismissFindingRequestSchema = z.object({ reason: text(1000) }).strict();
/** POST …/checkpoints: an on-demand checkpoint (the agents: default the `checkpoint.agents` setting). */
export const CheckpointStartRequestSchema = z
  .object({ agents: z.array(CheckpointAgentSchema).min(1).max(3).optional() })
  .strict();
export type CheckpointStartRequest = z.infer<typeof CheckpointStartRequestSchema>;
/** 202 of POST …/checkpoints: asked the active run (queued) or started a detached `autocoder checkpoint` (pid). */
export const CheckpointStartResponseSchema = z.object({
  queued: z.boolean(),
  runId: z.string().nullable(),
  pid: z.number().int().nullable(),
});
