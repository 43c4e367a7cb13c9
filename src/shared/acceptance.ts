import { z } from 'zod';
import { failingLine } from './failure-line.js';

/**
 * Acceptance checks: what must hold for a feature to count as done, written when the backlog is
 * planned, frozen with a content hash, and executed by the runner (never the model) on the exact
 * commit that lands. Three kinds: a shell command in the checkout, an HTTP request to the app
 * started by `./init.sh`, and browser steps in Chromium. Browser steps find elements the way a
 * person would (role and name, label, placeholder, text, test id), never by CSS.
 *
 * Browser-safe (zod only): the MCP tools, the API, the runner and the web UI share these.
 */

export const MAX_CHECKS_PER_FEATURE = 20;
export const MAX_BROWSER_STEPS = 50;
/** Default and largest time limits of one check (the app start is not part of it). */
export const DEFAULT_CHECK_TIMEOUT_MS = 60_000;
export const MAX_CHECK_TIMEOUT_MS = 600_000;

const text = (max: number, what: string) =>
  z.string().min(1, `${what} must not be empty`).max(max, `${what} is longer than ${max} characters`);
const timeoutMs = z
  .number()
  .int()
  .min(1_000)
  .max(MAX_CHECK_TIMEOUT_MS)
  .optional()
  .describe(`Time limit in ms (default ${DEFAULT_CHECK_TIMEOUT_MS})`);
const checkName = text(200, 'name').optional().describe('What the check proves, in a few words (shown on the card)');
/** A path on the app: starts with one slash (never a host or a scheme). */
const appPath = z
  .string()
  .max(2_000)
  .regex(/^\/(?!\/)[^\s]*$/, 'must be a path on the app starting with "/" (no host, no spaces), e.g. "/api/todos"');

/** How a browser step finds an element: one of these, never a CSS selector. */
export const LocatorSchema = z.union([
  z.strictObject({ role: text(50, 'role'), name: text(500, 'name').optional(), exact: z.boolean().optional() }),
  z.strictObject({ label: text(500, 'label'), exact: z.boolean().optional() }),
  z.strictObject({ placeholder: text(500, 'placeholder'), exact: z.boolean().optional() }),
  z.strictObject({ text: text(500, 'text'), exact: z.boolean().optional() }),
  z.strictObject({ testId: text(200, 'testId') }),
]);
export type Locator = z.infer<typeof LocatorSchema>;

export const BrowserStepSchema = z.union([
  z.strictObject({ goto: appPath }),
  z.strictObject({ click: LocatorSchema }),
  z.strictObject({ fill: LocatorSchema, value: z.string().max(10_000) }),
  z.strictObject({
    press: text(50, 'key').describe('A key such as "Enter" or "Control+A"'),
    on: LocatorSchema.optional(),
  }),
  z.strictObject({ check: LocatorSchema }),
  z.strictObject({ uncheck: LocatorSchema }),
  z.strictObject({ select: LocatorSchema, value: z.string().max(1_000) }),
  z.strictObject({ expectText: text(2_000, 'expectText').describe('Text that must be visible on the page') }),
  z.strictObject({ expectNoText: text(2_000, 'expectNoText').describe('Text that must not be visible on the page') }),
  z.strictObject({ expectVisible: LocatorSchema }),
  z.strictObject({ expectUrl: appPath.describe('The path the page must be on') }),
  z.strictObject({
    expectNoAxeViolation: z
      .string()
      .regex(/^[a-z0-9-]{1,80}$/, 'an axe-core rule id, e.g. "image-alt" or "color-contrast"')
      .describe(
        'An axe-core rule (e.g. image-alt, color-contrast, label) that must find nothing on the page as it is now',
      ),
  }),
  z.strictObject({ reload: z.literal(true) }),
  z.strictObject({
    screenshot: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{0,60}$/,
        'a screenshot name is lowercase letters, digits and dashes, e.g. "after-reload"',
      ),
  }),
]);
export type BrowserStep = z.infer<typeof BrowserStepSchema>;

export const CommandCheckSchema = z.strictObject({
  kind: z.literal('command'),
  name: checkName,
  run: text(2_000, 'run').describe(
    "A shell command run in the checkout, judged by the same policy as agents' commands",
  ),
  expect: z
    .strictObject({
      exitCode: z.number().int().min(0).max(255).optional(),
      stdoutIncludes: z.string().min(1).max(2_000).optional(),
    })
    .optional()
    .describe('Default: exit code 0'),
  timeoutMs,
});

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const HttpCheckSchema = z.strictObject({
  kind: z.literal('http'),
  name: checkName,
  method: z.enum(HTTP_METHODS).default('GET'),
  path: appPath,
  headers: z
    .record(
      z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'a header name is letters, digits and dashes'),
      z.string().max(2_000),
    )
    .optional(),
  body: z.unknown().optional().describe('Sent as JSON'),
  expect: z
    .strictObject({
      status: z.number().int().min(100).max(599).optional(),
      bodyIncludes: z.string().min(1).max(2_000).optional(),
      json: z
        .unknown()
        .optional()
        .describe(
          'The response JSON must contain this (objects: these keys with matching values; arrays: these elements, in order)',
        ),
    })
    .optional()
    .describe('Default: a 2xx status'),
  timeoutMs,
});

export const BrowserCheckSchema = z.strictObject({
  kind: z.literal('browser'),
  name: checkName,
  steps: z.array(BrowserStepSchema).min(1, 'give at least one step').max(MAX_BROWSER_STEPS),
  /** The window the page is shown in: desktop 1280×800 (the default) or mobile 390×844. */
  viewport: z.enum(['desktop', 'mobile']).optional().describe('desktop (1280×800, the default) or mobile (390×844)'),
  timeoutMs,
});

export const AcceptanceCheckSchema = z.discriminatedUnion('kind', [
  CommandCheckSchema,
  HttpCheckSchema,
  BrowserCheckSchema,
]);
export type AcceptanceCheck = z.infer<typeof AcceptanceCheckSchema>;
export type CommandCheck = z.infer<typeof CommandCheckSchema>;
export type HttpCheck = z.infer<typeof HttpCheckSchema>;
export type BrowserCheck = z.infer<typeof BrowserCheckSchema>;

export const AcceptanceSchema = z
  .array(AcceptanceCheckSchema)
  .min(1, 'give at least one acceptance check')
  .max(MAX_CHECKS_PER_FEATURE);

/** Whether the checks need the app running (`./init.sh` on a verification port). */
export function needsApp(checks: readonly AcceptanceCheck[]): boolean {
  return checks.some((c) => c.kind !== 'command');
}

/**
 * JSON subset match for `expect.json`: every key of an expected object must be in the actual
 * object with a matching value; an expected array matches when its elements match elements of
 * the actual array in the same order (others may sit between); anything else must be equal.
 */
export function jsonIncludes(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return false;
    let at = 0;
    for (const want of expected) {
      while (at < actual.length && !jsonIncludes(actual[at], want)) at += 1;
      if (at === actual.length) return false;
      at += 1;
    }
    return true;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const got = actual as Record<string, unknown>;
    return Object.entries(expected as Record<string, unknown>).every(
      ([k, v]) => Object.hasOwn(got, k) && jsonIncludes(got[k], v),
    );
  }
  return Object.is(actual, expected);
}

/** Stable JSON (sorted keys) of the checks: what the content hash is taken over. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// ── Verification results (what the runner records and the UI shows) ────────────────────────────

export const VERIFICATION_TRIGGERS = ['landing', 'regression', 'manual'] as const;
export const VERIFICATION_STATUSES = ['running', 'passed', 'failed', 'error'] as const;

export const CheckResultSchema = z.strictObject({
  /** Whose check: the feature being verified or a passing feature it depends on. */
  featureId: z.number().int().positive(),
  /** Position of the check in that feature's list (0-based). */
  index: z.number().int().min(0),
  kind: z.enum(['command', 'http', 'browser']),
  name: z.string().nullable(),
  passed: z.boolean(),
  durationMs: z.number().int().min(0),
  /** What the check saw, trimmed to its end (the part that explains a failure), secrets masked. */
  output: z.string(),
  /** Why it failed, in one line (null when it passed). */
  failure: z.string().nullable(),
  /** Files in the verification's evidence folder (screenshots, trace), relative to it. */
  evidence: z.array(z.string()),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const VerificationSchema = z.strictObject({
  id: z.string(),
  featureId: z.number().int().positive(),
  commit: z.string(),
  trigger: z.enum(VERIFICATION_TRIGGERS),
  status: z.enum(VERIFICATION_STATUSES),
  sessionId: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** The evidence folder relative to the project (`.autocoder/evidence/feature-<id>/<verification-id>`). */
  evidenceDir: z.string(),
  checks: z.array(CheckResultSchema),
  /** Set when the verification itself could not run (the app did not start, the checkout failed…). */
  error: z.string().nullable(),
});
export type Verification = z.infer<typeof VerificationSchema>;

/** The newest verification of a feature, as a card shows it. */
export const VerificationSummarySchema = z.object({
  id: z.string(),
  status: z.enum(VERIFICATION_STATUSES),
  trigger: z.enum(VERIFICATION_TRIGGERS),
  commit: z.string(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** How many checks ran, and how many of them passed. */
  checks: z.number().int(),
  passed: z.number().int(),
  /** The first screenshot of its evidence (relative to its evidence folder), if any. */
  screenshot: z.string().nullable(),
  /**
   * Why it did not pass, in one line: the error that stopped it, else its first failing check (null when it passed or
   * is still running). What a card shows.
   */
  failure: z.string().nullable(),
});
export type VerificationSummary = z.infer<typeof VerificationSummarySchema>;

/** Whether an evidence file is an image a page can show. */
export const isScreenshot = (file: string): boolean => /\.(png|jpe?g|webp)$/i.test(file);

/** The card's view of a verification: counts and the first screenshot. Pure. */
export function summarizeVerification(v: Verification): VerificationSummary {
  return {
    id: v.id,
    status: v.status,
    trigger: v.trigger,
    commit: v.commit,
    startedAt: v.startedAt,
    endedAt: v.endedAt,
    checks: v.checks.length,
    passed: v.checks.filter((c) => c.passed).length,
    screenshot: v.checks.flatMap((c) => c.evidence).find(isScreenshot) ?? null,
    failure: verificationFailure(v),
  };
}

/** Longest one-line failure a card shows (the drawer has the whole output). */
export const MAX_FAILURE_LINE = 300;

/**
 * Why a finished verification did not pass, in one line: its error, else its first failing check by name (a
 * dependency's check says whose it is) with the failing line of its output. Null when it passed or is running. Pure.
 */
export function verificationFailure(v: Verification): string | null {
  if (v.status === 'passed' || v.status === 'running') return null;
  const oneLine = (s: string) => {
    const line = s.replace(/\s+/g, ' ').trim();
    return line.length > MAX_FAILURE_LINE ? `${line.slice(0, MAX_FAILURE_LINE - 1)}…` : line;
  };
  if (v.error) return oneLine(v.error);
  const failed = v.checks.find((c) => !c.passed);
  if (!failed) return oneLine(`${v.status} without a failing check`);
  const whose = failed.featureId === v.featureId ? '' : `#${failed.featureId}'s `;
  const which = failed.name ?? `${failed.kind} check ${failed.index + 1}`;
  return oneLine(`${whose}${which}: ${checkFailure(failed)}`);
}

/**
 * Why one check failed, with what its output says failed: `AssertionError: 3 !== 4 (exit code 1, expected 0)`. The
 * check's own line alone says only that it failed; the failing assertion is in its output's end. Pure.
 */
export function checkFailure(c: Pick<CheckResult, 'failure' | 'output'>): string {
  const why = c.failure ?? 'failed';
  const line = failingLine(c.output);
  // The assertion first: a card clamps the line, and "exit code 1" says the least.
  return line === null || why.includes(line) ? why : `${line} (${why})`;
}

export const VerificationListSchema = z.object({
  verifications: z.array(VerificationSchema),
  /**
   * The ids of verifications from a superseded attempt (an agent started on the feature again after they ended):
   * their checks, output and screenshots show code that is no longer the feature's latest.
   */
  outdated: z.array(z.string()),
});

/**
 * The verifications (of one feature) that a later attempt superseded: finished before one of its coding sessions
 * (`attemptStarts`) started. A running one, and those since the newest attempt began, are current. Pure.
 */
export function outdatedVerifications(
  verifications: readonly Pick<Verification, 'id' | 'startedAt' | 'endedAt'>[],
  attemptStarts: readonly number[],
): string[] {
  const newestAttempt = Math.max(-Infinity, ...attemptStarts);
  return verifications.filter((v) => v.endedAt !== null && v.endedAt < newestAttempt).map((v) => v.id);
}

// ── Disputes (an agent believes a check is wrong; a person or the supervisor decides) ─────────────

export const DISPUTE_STATUSES = ['open', 'accepted', 'rejected'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** Checks as stored (already validated when written; read back without re-judging them). */
const StoredChecksSchema = z.array(AcceptanceCheckSchema);

export const DisputeSchema = z.object({
  id: z.string(),
  featureId: z.number().int(),
  featureName: z.string().nullable(),
  sessionId: z.string().nullable(),
  /** The human-input request that asks for the decision (the Inbox shows it). */
  requestId: z.string().nullable(),
  reason: z.string(),
  /** The checks the agent proposes instead. */
  proposed: StoredChecksSchema,
  /** The checks it disputed (null: the feature had none). */
  previous: StoredChecksSchema.nullable(),
  status: z.enum(DISPUTE_STATUSES),
  decidedBy: z.enum(['human', 'supervisor']).nullable(),
  decisionReason: z.string().nullable(),
  /** The checks' hash when disputed, and after the decision (the proposed checks' when accepted). */
  hashBefore: z.string().nullable(),
  hashAfter: z.string().nullable(),
  createdAt: z.number(),
  decidedAt: z.number().nullable(),
});
export type Dispute = z.infer<typeof DisputeSchema>;

export const DisputeListQuerySchema = z
  .object({
    status: z.enum(['open', 'all']).default('open'),
    featureId: z.coerce
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1)
      .optional(),
  })
  .strict();
export const DisputeListSchema = z.object({ disputes: z.array(DisputeSchema) });

const decisionReason = z.string().trim().max(2_000);
/** `POST …/disputes/{id}/accept`: the proposed checks replace the frozen ones. */
export const AcceptDisputeRequestSchema = z.object({ reason: decisionReason.optional() }).strict();
/** `POST …/disputes/{id}/reject`: the checks stay; the reason goes back to the coder. */
export const RejectDisputeRequestSchema = z
  .object({ reason: decisionReason.min(1, 'say why the checks stay as they are') })
  .strict();

/** What deciding returns: the dispute and the feature, back in line. */
export const DisputeResultSchema = z.object({
  dispute: DisputeSchema,
  feature: z.object({
    id: z.number().int(),
    name: z.string(),
    status: z.string(),
    priority: z.number().int(),
    acceptanceHash: z.string().nullable(),
  }),
});
export type DisputeResult = z.infer<typeof DisputeResultSchema>;
