import { z } from 'zod';
import { LocatorSchema } from './acceptance.js';
import { FindingSeveritySchema, FindingStatusSchema, FINDING_SOURCES } from './checkpoints.js';
import { DesignCaptureSchema } from './design-capture.js';

/**
 * Design review (issue #18): after some passing features the runner starts the app at main's tip, captures its pages
 * (desktop and mobile, light and dark), and persona sessions (role `designer`) look at the screenshots, report
 * findings and vote. A design review is numbered iterations per project; an iteration is approved when every persona
 * approves and no serious or critical axe violation remains. Findings are data like a checkpoint's: one problem per
 * fingerprint, seen again or resolved by later iterations, dismissed by a person, fixed by a design fix feature.
 * These schemas are the wire format of the API, the CLI's JSON and the MCP tools (browser-safe: zod only).
 */

/** The personas every project has; a project adds its own as `.autocoder/personas/<name>.md`. */
export const BUILT_IN_PERSONAS = [
  'visual-designer',
  'ux-researcher',
  'accessibility-expert',
  'brand-strategist',
] as const;
export type BuiltInPersona = (typeof BUILT_IN_PERSONAS)[number];

/** A persona's name: a built-in id or a custom one (its file name without `.md`). */
export const PersonaNameSchema = z
  .string()
  .regex(/^[a-z0-9-]{1,40}$/, 'a persona name is 1 to 40 lowercase letters, digits and dashes, e.g. "copy-editor"');
export type PersonaName = z.infer<typeof PersonaNameSchema>;

export const DESIGN_TRIGGERS = ['interval', 'end_of_run', 'manual'] as const;
export type DesignTrigger = (typeof DESIGN_TRIGGERS)[number];

export const DESIGN_ITERATION_STATUSES = ['running', 'finished', 'failed', 'aborted'] as const;
export type DesignIterationStatus = (typeof DESIGN_ITERATION_STATUSES)[number];

/** approved: every persona approved and no serious/critical axe violation; null while running or when it failed. */
export const DESIGN_OUTCOMES = ['approved', 'changes_requested'] as const;
export const DesignOutcomeSchema = z.enum(DESIGN_OUTCOMES);
export type DesignOutcome = z.infer<typeof DesignOutcomeSchema>;

export const VIEWPORTS = ['desktop', 'mobile'] as const;
export const ViewportSchema = z.enum(VIEWPORTS);
export type Viewport = z.infer<typeof ViewportSchema>;

export const THEMES = ['light', 'dark'] as const;
export const ThemeSchema = z.enum(THEMES);
export type Theme = z.infer<typeof ThemeSchema>;

/** axe-core's impact levels, worst first. */
export const AXE_IMPACTS = ['critical', 'serious', 'moderate', 'minor'] as const;
export type AxeImpact = (typeof AXE_IMPACTS)[number];
export const AxeCountsSchema = z.strictObject({
  critical: z.number().int().nonnegative(),
  serious: z.number().int().nonnegative(),
  moderate: z.number().int().nonnegative(),
  minor: z.number().int().nonnegative(),
});
export type AxeCounts = z.infer<typeof AxeCountsSchema>;

const text = (max: number) => z.string().trim().min(1).max(max);

/** A path on the app, as the capture visited it: one leading slash, no host. */
export const PagePathSchema = z
  .string()
  .max(500)
  .regex(/^\/(?!\/)[^\s]*$/, 'must be a path on the app starting with "/" (no host, no spaces), e.g. "/settings"');

/** A file of the iteration's capture folder: a plain name, never a path. */
export const ScreenshotNameSchema = z
  .string()
  .regex(
    /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/,
    'a screenshot is a file name of the capture folder (letters, digits, dots, dashes, underscores), no path',
  );

/**
 * Browser steps a persona may give as what must hold once its finding is fixed (they become the fix feature's check,
 * after a `goto` of the finding's page): assertions only, so a check cannot change the app.
 */
export const ExpectStepSchema = z.union([
  z.strictObject({ expectText: text(2_000) }),
  z.strictObject({ expectNoText: text(2_000) }),
  z.strictObject({ expectVisible: LocatorSchema }),
]);
export type ExpectStep = z.infer<typeof ExpectStepSchema>;

/** What a persona reports through `review_add_finding` (and what an axe violation is turned into). */
export const NewDesignFindingSchema = z
  .object({
    severity: FindingSeveritySchema,
    /** e.g. `contrast`, `spacing`, `typography`, `navigation`, `copy`, `axe/color-contrast`. */
    category: text(80),
    title: text(200),
    detail: text(4000),
    page: PagePathSchema,
    viewport: ViewportSchema,
    theme: ThemeSchema,
    screenshot: ScreenshotNameSchema,
    evidence: text(4000).optional(),
    suggestedFix: text(4000).optional(),
    /** What must hold once it is fixed (at most 5 assertions). */
    expect: z.array(ExpectStepSchema).min(1).max(5).optional(),
  })
  .strict();
export type NewDesignFinding = z.infer<typeof NewDesignFindingSchema>;

/** What `design_vote` takes. */
export const DesignVoteInputSchema = z
  .object({
    approve: z.boolean(),
    score: z.number().int().min(1).max(10),
    rationale: text(1500),
  })
  .strict();
export type DesignVoteInput = z.infer<typeof DesignVoteInputSchema>;

/** One persona's session of an iteration and its vote (null until it voted). */
export const PersonaVoteSchema = z.object({
  persona: PersonaNameSchema,
  sessionId: z.string().nullable(),
  /** voted: it called design_vote; incomplete: its session ended without; failed: it could not run. */
  status: z.enum(['running', 'voted', 'incomplete', 'failed']),
  approve: z.boolean().nullable(),
  score: z.number().int().min(1).max(10).nullable(),
  rationale: z.string().max(1500).nullable(),
});
export type PersonaVote = z.infer<typeof PersonaVoteSchema>;

const severityCounts = z.object({
  critical: z.number().int().nonnegative(),
  major: z.number().int().nonnegative(),
  minor: z.number().int().nonnegative(),
  info: z.number().int().nonnegative(),
});

export const DesignIterationSchema = z.object({
  /** 1, 2, 3 … per project. */
  n: z.number().int().positive(),
  runId: z.string().nullable(),
  trigger: z.enum(DESIGN_TRIGGERS),
  /** The commit of main whose app was captured. */
  commit: z.string(),
  status: z.enum(DESIGN_ITERATION_STATUSES),
  personas: z.array(PersonaNameSchema),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** `.autocoder/design/iteration-<n>`, relative to the project. */
  captureDir: z.string(),
  votes: z.array(PersonaVoteSchema),
  /** axe-core violations of the capture by impact (null until the capture is recorded). */
  axe: AxeCountsSchema.nullable(),
  /** Findings seen in it, by severity; first seen in it; resolved by it. */
  counts: severityCounts,
  newFindings: z.number().int().nonnegative(),
  resolvedFindings: z.number().int().nonnegative(),
  fixFeatureIds: z.array(z.number().int()),
  outcome: DesignOutcomeSchema.nullable(),
  /** `.autocoder/design/iteration-<n>/report.md`, relative to the project; null until written. */
  reportPath: z.string().nullable(),
  costUsd: z.number().nonnegative(),
  error: z.string().nullable(),
});
export type DesignIteration = z.infer<typeof DesignIterationSchema>;

export const DesignFindingSchema = NewDesignFindingSchema.extend({
  id: z.string(),
  /** Same fingerprint = same problem (see domain/design-review.ts). */
  fingerprint: z.string(),
  /** The persona that reported it first; null for an axe violation (source `tool`). */
  persona: PersonaNameSchema.nullable(),
  source: z.enum(FINDING_SOURCES),
  status: FindingStatusSchema,
  firstIteration: z.number().int().positive(),
  lastIteration: z.number().int().positive(),
  seenCount: z.number().int().positive(),
  fixFeatureId: z.number().int().nullable(),
  resolvedIn: z.number().int().nullable(),
  dismissedReason: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type DesignFinding = z.infer<typeof DesignFindingSchema>;

/** One sighting of a design finding: the iteration, who saw it (null: axe) and how bad it was there. */
export const DesignSightingSchema = z.object({
  iteration: z.number().int().positive(),
  persona: PersonaNameSchema.nullable(),
  severity: FindingSeveritySchema,
  screenshot: z.string(),
  at: z.number(),
});
export type DesignSighting = z.infer<typeof DesignSightingSchema>;

export const DesignFindingsQuerySchema = z
  .object({
    status: FindingStatusSchema.optional(),
    persona: PersonaNameSchema.optional(),
    severity: FindingSeveritySchema.optional(),
    page: PagePathSchema.optional(),
    viewport: ViewportSchema.optional(),
  })
  .strict();
export type DesignFindingsQuery = z.infer<typeof DesignFindingsQuerySchema>;

// ── API ─────────────────────────────────────────────────────────────────────

/** Personas one design review may ask for at most: each is one paid session per iteration. */
export const MAX_PERSONAS = 8;

/** A persona a review can ask for: its id and its display name (a project file's `# Heading`). */
export const DesignPersonaInfoSchema = z.object({ id: PersonaNameSchema, name: z.string(), builtin: z.boolean() });
export type DesignPersonaInfo = z.infer<typeof DesignPersonaInfoSchema>;

/**
 * GET /api/projects/{name}/design: the iterations, oldest first, and the personas a review can ask for now (the
 * built-in ones and the project's own files). A broken persona file leaves `personas` empty and says why in
 * `personasError` (a review cannot start until it is fixed).
 */
export const DesignIterationListResponseSchema = z.object({
  iterations: z.array(DesignIterationSchema),
  personas: z.array(DesignPersonaInfoSchema),
  personasError: z.string().nullable(),
});
export type DesignIterationListResponse = z.infer<typeof DesignIterationListResponseSchema>;

/**
 * GET …/design/{n}: the iteration, its capture manifest (`capture.json`; null until written), the findings seen in it
 * (worst first) and those it resolved. `captureError` says why a manifest that is there could not be read.
 */
export const DesignIterationDetailResponseSchema = z.object({
  iteration: DesignIterationSchema,
  capture: DesignCaptureSchema.nullable(),
  captureError: z.string().nullable(),
  findings: z.array(DesignFindingSchema),
  resolved: z.array(DesignFindingSchema),
});
export type DesignIterationDetailResponse = z.infer<typeof DesignIterationDetailResponseSchema>;

/** GET …/design/findings: the design findings of every iteration, worst first, filtered. */
export const DesignFindingsResponseSchema = z.object({ findings: z.array(DesignFindingSchema) });

/** POST …/design/reviews: a design review now, by these personas (default: all of the project's). */
export const DesignReviewRequestSchema = z
  .object({ personas: z.array(PersonaNameSchema).min(1).max(MAX_PERSONAS).optional() })
  .strict();
export type DesignReviewRequest = z.infer<typeof DesignReviewRequestSchema>;

/**
 * 202 of POST …/design/reviews: the active run was asked (queued, it starts the review at its next step) or a detached
 * `autocoder design-review` was started (its pid); `personas` are the ones that will review.
 */
export const DesignReviewResponseSchema = z.union([
  z.strictObject({ queued: z.literal(true), runId: z.string(), personas: z.array(PersonaNameSchema) }),
  z.strictObject({ started: z.literal(true), pid: z.number().int(), personas: z.array(PersonaNameSchema) }),
]);
export type DesignReviewResponse = z.infer<typeof DesignReviewResponseSchema>;
