import { z } from 'zod';
import { VERIFICATION_STATUSES, VERIFICATION_TRIGGERS } from './acceptance.js';
import { CheckpointSchema, FindingSchema } from './checkpoints.js';
import { FEATURE_STATUS_VALUES } from './feature-status.js';
import { MetricsSchema, RunIdSchema } from './metrics.js';

/**
 * The project report: what `autocoder report <project> --format json` prints and `GET /api/projects/{name}/report
 * ?format=json` returns. The Markdown and HTML forms are rendered from exactly this (src/report), so the three say
 * the same things.
 */

export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** GET /api/projects/{name}/report: the format (Markdown unless asked) and optionally one run. */
export const ReportQuerySchema = z
  .object({
    format: z.enum(REPORT_FORMATS, { error: 'expected md, html or json' }).default('md'),
    run: RunIdSchema.optional(),
  })
  .strict();
export type ReportQuery = z.infer<typeof ReportQuerySchema>;

const count = z.number().int().nonnegative();

/** A feature's newest finished verification, as the report cites it. */
export const ReportVerificationSchema = z.object({
  id: z.string(),
  status: z.enum(VERIFICATION_STATUSES),
  trigger: z.enum(VERIFICATION_TRIGGERS),
  commit: z.string(),
  endedAt: z.number().nullable(),
  /** Checks that ran, and how many of them passed. */
  checks: count,
  passed: count,
  /** Why it did not pass, in one line (null when it passed). */
  failure: z.string().nullable(),
});
export type ReportVerification = z.infer<typeof ReportVerificationSchema>;

export const ReportFeatureSchema = z.object({
  id: z.number().int(),
  category: z.string(),
  name: z.string(),
  status: z.enum(FEATURE_STATUS_VALUES),
  attempts: count,
  costUsd: z.number(),
  /** Passing and its newest finished verification passed (the same rule as `status --json`'s `verified`). */
  verified: z.boolean(),
  /** Why it is not verified (null when it is). */
  notVerifiedReason: z.string().nullable(),
  /** How many frozen acceptance checks it has (0: none, so it can never be verified). */
  acceptanceChecks: count,
  lastVerification: ReportVerificationSchema.nullable(),
});
export type ReportFeature = z.infer<typeof ReportFeatureSchema>;

const answerValue = z.union([z.string(), z.number(), z.boolean()]);

/** A question an agent asked and how it was closed (dispute decisions are under `disputes`). */
export const ReportQuestionSchema = z.object({
  requestId: z.string(),
  featureId: z.number().int(),
  featureName: z.string().nullable(),
  prompt: z.string(),
  status: z.enum(['open', 'answered', 'cancelled']),
  /** Who answered or cancelled it (null while open, or for a cancel nobody is recorded for). */
  by: z.enum(['human', 'supervisor']).nullable(),
  /** The non-secret answers (field label → value); secrets appear only as the `.env` key they went to. */
  answers: z.array(z.object({ field: z.string(), value: answerValue })),
  secretKeys: z.array(z.string()),
  /** The reason of a cancel. */
  reason: z.string().nullable(),
  askedAt: z.number(),
  closedAt: z.number().nullable(),
  /** When a human overrode the supervisor's answer: the request holding the human's answer. */
  overriddenBy: z.string().nullable(),
});
export type ReportQuestion = z.infer<typeof ReportQuestionSchema>;

/** A person replacing the supervisor's answer. */
export const ReportOverrideSchema = z.object({
  requestId: z.string(),
  /** The supervisor-answered request it replaced. */
  overrides: z.string(),
  featureId: z.number().int(),
  featureName: z.string().nullable(),
  prompt: z.string(),
  supervisorAnswers: z.array(z.object({ field: z.string(), value: answerValue })),
  humanAnswers: z.array(z.object({ field: z.string(), value: answerValue })),
  at: z.number().nullable(),
});
export type ReportOverride = z.infer<typeof ReportOverrideSchema>;

export const ReportDisputeSchema = z.object({
  id: z.string(),
  featureId: z.number().int(),
  featureName: z.string().nullable(),
  reason: z.string(),
  status: z.enum(['open', 'accepted', 'rejected']),
  decidedBy: z.enum(['human', 'supervisor']).nullable(),
  decisionReason: z.string().nullable(),
  createdAt: z.number(),
  decidedAt: z.number().nullable(),
});
export type ReportDispute = z.infer<typeof ReportDisputeSchema>;

/** A checkpoint as the report lists it: when, at which commit, what it found, resolved, cost and created. */
export const ReportCheckpointSchema = CheckpointSchema.pick({
  n: true,
  runId: true,
  trigger: true,
  commit: true,
  status: true,
  startedAt: true,
  endedAt: true,
  counts: true,
  newFindings: true,
  resolvedFindings: true,
  fixFeatureIds: true,
  costUsd: true,
  reportPath: true,
});
export type ReportCheckpoint = z.infer<typeof ReportCheckpointSchema>;

/** A finding not settled yet (open, or fix_pending until the next checkpoint of its kind confirms the fix). */
export const ReportFindingSchema = FindingSchema.pick({
  id: true,
  severity: true,
  agent: true,
  source: true,
  category: true,
  title: true,
  file: true,
  line: true,
  status: true,
  seenCount: true,
  firstCheckpoint: true,
  lastCheckpoint: true,
  fixFeatureId: true,
}).extend({ status: z.enum(['open', 'fix_pending']) });
export type ReportFinding = z.infer<typeof ReportFindingSchema>;

export const ReportSchema = z.object({
  project: z.string(),
  /** The run the report is restricted to, or null for the whole project. */
  runId: z.string().nullable(),
  generatedAt: z.number(),
  metrics: MetricsSchema,
  /** Every feature now, in scheduling order (the backlog is the present state, whatever run is chosen). */
  backlog: z.array(ReportFeatureSchema),
  /** People's and the supervisor's part: questions, overrides, disputes (within the run, when one is chosen). */
  interventions: z.object({
    questions: z.array(ReportQuestionSchema),
    overrides: z.array(ReportOverrideSchema),
    disputes: z.array(ReportDisputeSchema),
  }),
  /** The checkpoints, oldest first (of the run, when one is chosen). */
  checkpoints: z.array(ReportCheckpointSchema),
  /**
   * The findings not settled yet, worst first (with a run chosen: those seen at one of its checkpoints). Like the
   * backlog they are the present state: a finding seen in the run and resolved since is not listed.
   */
  openFindings: z.array(ReportFindingSchema),
  /** Design iterations are not built yet: always empty until they are (nothing is invented). */
  designIterations: z.array(z.never()),
});
export type Report = z.infer<typeof ReportSchema>;
