import { z } from 'zod';
import { BLOCKER_TYPES, classifyBlocker } from '../domain/blocker.js';
import { AppError } from '../domain/errors.js';
import { MAX_DEPENDENCIES_PER_FEATURE } from '../domain/feature.js';
import type { ClaimPort, DisputePort, Feature, FeaturePort, HumanInputPort } from '../db/ports.js';
import { AcceptanceSchema, MAX_CHECKS_PER_FEATURE, type AcceptanceCheck } from '../shared/acceptance.js';
import {
  AskUserQuestionSchema,
  HumanInputFieldsSchema,
  questionsToFields,
  type HumanInputField,
  type HumanInputKind,
} from '../shared/human-input.js';
import { fromError, ok, type ToolResult } from './tool-result.js';
import type { ToolSession } from './tool-session.js';
import { DESCRIPTIONS } from './tool-descriptions.js';
import { redactJson, type Redactor } from '../security/redactor.js';
import { issuesText } from '../shared/zod-issues.js';

export interface FeatureToolDeps {
  readonly features: FeaturePort;
  readonly claims: ClaimPort;
  readonly session: ToolSession;
  /** Human input gates (feature_request_human_input, ask_user); without it those tools say they are unavailable. */
  readonly humanInput?: HumanInputPort;
  /**
   * The merge queue's gate, when the session works on a feature branch: lands the branch on
   * main (or throws an AppError telling the agent the exact git steps to take first). A
   * feature becomes passing only after this returns.
   */
  readonly land?: (
    featureId: number,
  ) => Promise<{ readonly commit: string; readonly verificationId?: string; readonly rebasedFrom?: string }>;
  /** Acceptance disputes (feature_dispute_acceptance); without it the tool says it is unavailable. */
  readonly disputes?: DisputePort;
  /**
   * Called after features with acceptance checks were created, so the runner rewrites the read-only export
   * (`.autocoder/acceptance/`) at once.
   */
  readonly acceptanceChanged?: () => void;
  /** Supervisor mode: answers an open request as the supervisor (see answerAsSupervisor). */
  readonly supervise?: (
    requestId: string,
    answers: Readonly<Record<string, unknown>>,
    reasons: Readonly<Record<string, string>>,
  ) => Record<string, unknown>;
}

/** One tool: a zod raw shape (what the model sees) and a pure handler over the repositories. */
export interface FeatureTool<Shape extends z.ZodRawShape = z.ZodRawShape> {
  readonly name: string;
  readonly description: string;
  readonly shape: Shape;
  readonly handler: (args: unknown) => Promise<ToolResult>;
}

const featureId = z.number().int().positive().describe('The feature id (an integer, as shown by the other tools)');
const text = (max: number, what: string) =>
  z.string().trim().min(1, `${what} must not be empty`).max(max).describe(what);
const steps = z
  .array(text(2000, 'One verification step'))
  .min(1, 'give at least one verification step')
  .max(50)
  .describe('Numbered verification steps a tester follows to prove the feature works');
const priority = z.number().int().min(-1_000_000).max(1_000_000).optional().describe('Lower runs sooner; default 0');

/** The checks' JSON schema, as the shared zod schema defines them (what the model is shown). */
const { $schema: _dialect, ...ACCEPTANCE_JSON_SCHEMA } = z.toJSONSchema(AcceptanceSchema, {
  io: 'input',
  target: 'draft-7',
});

/**
 * Acceptance checks in a tool's schema: the model is shown the full check schema, while the MCP layer's own
 * validation lets any list through, so the handler judges the checks with the shared schema and names the field the
 * way it is written (`features[3].acceptance[1].path: must be a path on the app…`) instead of a raw issue dump.
 */
const checks = (what: string) =>
  z.array(z.unknown()).meta({
    ...ACCEPTANCE_JSON_SCHEMA,
    description: `${what} (1-${MAX_CHECKS_PER_FEATURE}), each {"kind":"command",…} | {"kind":"http",…} | {"kind":"browser",…}; frozen when created, run by the runner on the commit that lands`,
  });
const acceptance = checks('Acceptance checks derived from the steps');

const newFeatureShape = {
  category: text(100, 'Category, e.g. "auth" or "ui"'),
  name: text(255, 'Short unique name within the category'),
  description: text(10_000, 'What the feature does, testably'),
  steps,
  acceptance,
  priority,
};

/**
 * The checks of a new feature, validated: agents' features must carry them (a feature without checks can never be
 * verified). Throws INVALID_INPUT naming `field` and the check's own field.
 */
export function requireChecks(value: unknown, field: string): AcceptanceCheck[] {
  if (value === undefined || value === null)
    throw new AppError(
      'INVALID_INPUT',
      `${field}: give 1-${MAX_CHECKS_PER_FEATURE} acceptance checks derived from the steps (command, http or browser); a feature without checks can never be verified. Fix the arguments and call again.`,
      { details: { field } },
    );
  const parsed = AcceptanceSchema.safeParse(value);
  if (!parsed.success)
    throw new AppError(
      'INVALID_INPUT',
      `invalid acceptance checks: ${issuesText(parsed.error.issues, field)}. Fix the arguments and call again.`,
      { details: { field } },
    );
  return parsed.data;
}

/** Compact view for a model: what it needs to work, nothing internal. */
export function featureView(f: Feature): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    category: f.category,
    description: f.description,
    steps: f.steps,
    status: f.status,
    priority: f.priority,
    dependencies: f.dependencies,
    attempts: f.attempts,
    max_attempts: f.maxAttempts,
    // The frozen checks and their hash; null: the feature has none and is "not verified".
    acceptance: f.acceptance,
    acceptance_hash: f.acceptanceHash,
    ...(f.acceptance ? { acceptance_file: `.autocoder/acceptance/feature-${f.id}.json` } : {}),
    ...(f.blockerType ? { blocker_type: f.blockerType, blocker_note: f.blockerNote } : {}),
    ...(f.notes ? { notes: f.notes } : {}),
  };
}

function defineTool<Shape extends z.ZodRawShape>(
  name: keyof typeof DESCRIPTIONS,
  shape: Shape,
  run: (args: z.infer<z.ZodObject<Shape>>) => unknown,
): FeatureTool<Shape> {
  const schema = z.object(shape).strict();
  return {
    name,
    description: DESCRIPTIONS[name],
    shape,
    handler: async (raw: unknown) => {
      const parsed = schema.safeParse(raw ?? {});
      if (!parsed.success) {
        const issues = issuesText(parsed.error.issues);
        return fromError(
          new AppError('INVALID_INPUT', `invalid input for ${name}: ${issues}. Fix the arguments and call again.`),
        );
      }
      try {
        return ok(await run(parsed.data));
      } catch (err: unknown) {
        return fromError(err);
      }
    },
  };
}

/** The feature tools bound to one session. Served in-process to our agents and over stdio. */
export function createFeatureTools({
  features,
  claims,
  session,
  land,
  humanInput,
  disputes,
  acceptanceChanged,
  supervise,
}: FeatureToolDeps): FeatureTool[] {
  /** Why this session may not change feature `id`: it does not hold the claim. */
  const notHeld = (id: number, action: string): AppError => {
    const f = features.get(id);
    if (f.status === 'passing')
      return new AppError('CONFLICT', `feature ${id} is already passing; there is nothing to ${action}`);
    if (f.status === 'in_progress') {
      return new AppError(
        'CONFLICT',
        `feature ${id} is claimed by another session; only the session holding the claim can ${action} it. Work on your own feature.`,
      );
    }
    return new AppError(
      'CONFLICT',
      `you do not hold a claim on feature ${id} (it is ${f.status}); claim it first with feature_claim_next`,
    );
  };
  const heldClaim = (id: number, action: string) => {
    const claim = session.claims.get(id);
    if (!claim) throw notHeld(id, action);
    return claim;
  };
  const finished = (id: number, f: Feature) => {
    session.claims.delete(id);
    return featureView(f);
  };

  /** The session hands its feature to a human: it waits in needs_input; the session must end now. */
  const askHuman = (id: number, kind: HumanInputKind, prompt: string, fields: HumanInputField[]) => {
    if (!humanInput)
      throw new AppError(
        'CONFLICT',
        'human input is not available to this client; use feature_skip with the reason instead',
      );
    const claim = heldClaim(id, 'ask a human about');
    const { request, feature } = humanInput.request(claim, { kind, prompt, fields });
    session.claims.delete(id);
    return {
      request_id: request.id,
      feature_id: feature.id,
      status: feature.status,
      next: 'The feature now waits for a human answer; nothing else will work on it until then. Stop now: commit what you have (it stays on your branch), append a short note to claude-progress.txt, and end this session without calling other feature tools. The next session on this feature gets the answers (secret values are in .env, by key name).',
    };
  };

  const tools = [
    defineTool('feature_get_stats', {}, () => {
      const stats = features.stats();
      return {
        ...stats,
        ready: features.readyCount(),
        blocked: features.blocked(0).total,
        ...(stats.total === 0 ? { hint: 'the backlog is empty' } : {}),
      };
    }),

    defineTool('feature_get_next', {}, () => {
      const [next] = features.ready(1);
      return next ? featureView(next) : nothingReady(features);
    }),

    defineTool('feature_claim_next', {}, () => {
      // Expired leases of crashed sessions go back to the queue before we pick.
      claims.reapExpired();
      const result = claims.claimNext(session.sessionId);
      if (!result) return nothingReady(features);
      session.claims.set(result.feature.id, result.claim);
      return { claimed: true, feature: featureView(result.feature) };
    }),

    defineTool('feature_get_by_id', { feature_id: featureId }, ({ feature_id }) =>
      featureView(features.get(feature_id)),
    ),

    defineTool(
      'feature_mark_passing',
      {
        feature_id: featureId,
        evidence: z
          .string()
          .max(10_000)
          .optional()
          .describe('How you verified it: commands run, test output, screenshot paths'),
      },
      async ({ feature_id, evidence }) => {
        const claim = heldClaim(feature_id, 'mark passing');
        // Never land work whose claim is gone (markPassing would refuse it after main moved).
        if (land && !claims.holds(claim))
          throw new AppError(
            'CONFLICT',
            `your claim on feature ${feature_id} is no longer valid (the lease expired or another session took it over); stop working on it`,
          );
        let landed: Awaited<ReturnType<NonNullable<typeof land>>> | undefined;
        try {
          // The merge queue: verifies the exact commit that would land (its frozen checks), then moves main.
          landed = await land?.(feature_id);
        } catch (err: unknown) {
          // A gate that handed the feature back (too many failed verifications) ended this session's claim.
          if (!claims.holds(claim)) session.claims.delete(feature_id);
          throw err;
        }
        const verificationId = landed?.verificationId;
        const rebased = landed?.rebasedFrom !== undefined;
        const record =
          evidence === undefined && !landed
            ? undefined
            : {
                by: session.sessionId,
                ...(evidence === undefined ? {} : { text: evidence }),
                ...(landed ? { commit: landed.commit } : {}),
                ...(verificationId === undefined ? {} : { verificationId }),
              };
        return {
          ...finished(
            feature_id,
            claims.markPassing(
              claim,
              record,
              verificationId === undefined && !rebased
                ? undefined
                : { ...(verificationId === undefined ? {} : { verificationId }), ...(rebased ? { rebased } : {}) },
            ),
          ),
          ...(landed ? { merged_commit: landed.commit } : {}),
          ...(landed?.rebasedFrom === undefined
            ? {}
            : {
                rebased_by_runner: `main had moved on: the runner rebased your branch onto it (${landed.rebasedFrom.slice(0, 12)} → ${landed.commit.slice(0, 12)}), verified that commit and landed it; your worktree's branch is at it now`,
              }),
          ...(landed
            ? { verification: verificationId ?? 'none: the feature has no acceptance checks (not verified)' }
            : {}),
        };
      },
    ),

    defineTool(
      'feature_mark_failing',
      { feature_id: featureId, reason: text(5000, 'What fails and how you saw it (the evidence)') },
      ({ feature_id, reason }) => {
        const claim = session.claims.get(feature_id);
        if (claim) return finished(feature_id, claims.markFailing(claim, reason));
        // Without a claim this is a regression report on a passing feature (testing sessions).
        if (features.get(feature_id).status === 'passing') {
          return featureView(
            claims.regress(feature_id, reason, session.sessionId, { by: session.sessionId, text: reason }),
          );
        }
        throw notHeld(feature_id, 'mark failing');
      },
    ),

    defineTool(
      'feature_skip',
      {
        feature_id: featureId,
        reason: text(5000, 'Why the feature cannot be done now, specifically'),
        blocker_type: z
          .enum(BLOCKER_TYPES)
          .optional()
          .describe('What kind of blocker this is; classified from the reason when omitted'),
      },
      ({ feature_id, reason, blocker_type }) => {
        const claim = heldClaim(feature_id, 'skip');
        return finished(feature_id, claims.skip(claim, reason, classifyBlocker(reason, blocker_type)));
      },
    ),

    defineTool(
      'feature_release',
      { feature_id: featureId, note: z.string().max(5000).optional().describe('Notes for whoever picks it up next') },
      ({ feature_id, note }) => finished(feature_id, claims.release(heldClaim(feature_id, 'release'), note)),
    ),

    defineTool(
      'feature_create',
      {
        ...newFeatureShape,
        dependencies: z
          .array(featureId)
          .max(MAX_DEPENDENCIES_PER_FEATURE)
          .optional()
          .describe('Ids of existing features this one depends on'),
      },
      (input) => {
        const created = features.create({ ...input, acceptance: requireChecks(input.acceptance, 'acceptance') });
        acceptanceChanged?.();
        return featureView(created);
      },
    ),

    defineTool(
      'feature_create_bulk',
      {
        features: z
          .array(
            z
              .object({
                ...newFeatureShape,
                depends_on_indices: z
                  .array(z.number().int().min(0))
                  .max(MAX_DEPENDENCIES_PER_FEATURE)
                  .optional()
                  .describe('0-based indices of EARLIER items in this same list that this item depends on'),
              })
              .strict(),
          )
          .min(1)
          .max(500)
          .describe('Features to create, in order; at most 500 per call'),
      },
      ({ features: items }) => {
        const result = features.createBulk(
          items.map(({ depends_on_indices, ...rest }, index) => ({
            ...rest,
            acceptance: requireChecks(rest.acceptance, `features[${index}].acceptance`),
            dependsOnIndices: depends_on_indices,
          })),
        );
        if (result.created.length > 0) acceptanceChanged?.();
        return {
          created: result.created.length,
          ids: result.created.map((f) => f.id),
          with_dependencies: result.created.filter((f) => f.dependencies.length > 0).length,
          ...(result.duplicates.length > 0
            ? {
                rejected_duplicates: result.duplicates.map((d) => ({
                  index: d.index,
                  name: d.name,
                  existing_id: d.existingId,
                })),
                note: 'items that already existed were not created again',
              }
            : {}),
        };
      },
    ),

    defineTool(
      'feature_add_dependency',
      { feature_id: featureId, dependency_id: featureId },
      ({ feature_id, dependency_id }) => featureView(features.addDependency(feature_id, dependency_id)),
    ),

    defineTool(
      'feature_remove_dependency',
      { feature_id: featureId, dependency_id: featureId },
      ({ feature_id, dependency_id }) => featureView(features.removeDependency(feature_id, dependency_id)),
    ),

    defineTool(
      'feature_set_dependencies',
      {
        feature_id: featureId,
        dependency_ids: z
          .array(featureId)
          .max(MAX_DEPENDENCIES_PER_FEATURE)
          .describe('The complete new list of dependency ids (may be empty)'),
      },
      ({ feature_id, dependency_ids }) => featureView(features.setDependencies(feature_id, dependency_ids)),
    ),

    defineTool(
      'feature_get_ready',
      { limit: z.number().int().min(1).max(50).default(10).describe('How many (1-50)') },
      ({ limit }) => {
        const page = features.ready(limit);
        return { features: page.map(featureView), count: page.length, total_ready: features.readyCount() };
      },
    ),

    defineTool(
      'feature_get_blocked',
      { limit: z.number().int().min(1).max(100).default(20).describe('How many (1-100)') },
      ({ limit }) => {
        const { total, features: page } = features.blocked(limit);
        return {
          features: page.map((f) => ({ ...featureView(f), blocked_by: f.blockedBy })),
          count: page.length,
          total_blocked: total,
        };
      },
    ),

    defineTool('feature_get_graph', {}, () => features.graph()),

    defineTool(
      'feature_get_for_regression',
      { limit: z.number().int().min(1).max(10).default(3).describe('How many (1-10)') },
      ({ limit }) => {
        const page = features.forRegression(limit);
        return { features: page.map(featureView), count: page.length };
      },
    ),

    defineTool('feature_mark_verified', { feature_id: featureId }, ({ feature_id }) =>
      featureView(claims.recordVerified(feature_id, session.sessionId)),
    ),

    defineTool(
      'feature_request_human_input',
      {
        feature_id: featureId,
        prompt: text(2000, 'What you need and why, in one or two sentences a human can act on'),
        fields: HumanInputFieldsSchema.describe(
          'The values to ask for (1-20): id, label, type, and required/placeholder/help/options/env as needed',
        ),
      },
      ({ feature_id, prompt, fields }) => askHuman(feature_id, 'fields', prompt, fields),
    ),

    defineTool(
      'ask_user',
      {
        feature_id: featureId,
        questions: z.array(AskUserQuestionSchema).min(1).max(4).describe('1-4 questions, each with 2-4 options'),
      },
      ({ feature_id, questions }) =>
        askHuman(feature_id, 'questions', questions.map((q) => q.question).join(' / '), questionsToFields(questions)),
    ),

    defineTool(
      'feature_dispute_acceptance',
      {
        feature_id: featureId,
        reason: text(5000, 'Which check is wrong and why, specifically (the spec, the steps, what you observed)'),
        proposed: checks('The complete list of checks you believe is right'),
      },
      ({ feature_id, reason, proposed }) => {
        if (!disputes)
          throw new AppError(
            'CONFLICT',
            'disputes are not available to this client; make the feature pass its checks, or use feature_skip with the reason',
          );
        const claim = heldClaim(feature_id, 'dispute the checks of');
        const opened = disputes.open(claim, { reason, proposed: requireChecks(proposed, 'proposed') });
        session.claims.delete(feature_id);
        return {
          dispute_id: opened.dispute.id,
          request_id: opened.request.id,
          feature_id: opened.feature.id,
          status: opened.feature.status,
          next: 'A person (or the supervisor) now decides: accepted, your proposed checks replace the frozen ones; rejected, they stay. Nothing else works on this feature until then. Stop now: commit what you have (it stays on your branch), append a short note to claude-progress.txt, and end this session without calling other feature tools. The next session on this feature reads the decision in its notes.',
        };
      },
    ),

    // Only a supervisor session gets the tool that answers requests.
    ...(supervise ? [supervisorTool(supervise)] : []),
  ];
  return tools as unknown as FeatureTool[];
}

/**
 * The tool with its arguments masked before the handler sees them: whatever an agent passes
 * (reasons, evidence, prompts) may be stored, so secrets go first. Every string in them is masked
 * on its own, so the arguments stay valid JSON whatever the secret's characters. `redactor` is
 * asked on every call (a secret answered meanwhile is masked from then on).
 */
export function withMaskedArguments(tool: FeatureTool, redactor: () => Redactor): FeatureTool {
  return {
    ...tool,
    handler: (args: unknown) => tool.handler(args === undefined ? args : redactJson(redactor(), args)),
  };
}

function supervisorTool(answerFor: NonNullable<FeatureToolDeps['supervise']>) {
  return defineTool(
    'supervisor_answer',
    {
      request_id: z.string().trim().min(1).max(100).describe('The request id (hir_…) from your prompt'),
      answers: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
        .describe('Field id -> value for each non-secret field'),
      reasons: z
        .record(z.string(), z.string().max(1_000))
        .describe('Field id -> one sentence on why you chose that value'),
    },
    ({ request_id, answers, reasons }) => answerFor(request_id, answers, reasons),
  );
}

function nothingReady(features: FeaturePort): Record<string, unknown> {
  const stats = features.stats();
  if (stats.total === 0) return { feature: null, reason: 'the backlog is empty' };
  if (stats.passing === stats.total)
    return { feature: null, reason: 'all features are passing; there is no more work' };
  const blocked = features.blocked(3);
  return {
    feature: null,
    reason: 'no feature is ready right now',
    in_progress: stats.in_progress,
    needs_input: stats.needs_input,
    failed: stats.failed,
    blocked: blocked.total,
    examples: blocked.features.map((f) => ({ id: f.id, name: f.name, blocked_by: f.blockedBy })),
    hint: 'stop here; other sessions hold the remaining work or it waits for dependencies or a human',
  };
}
