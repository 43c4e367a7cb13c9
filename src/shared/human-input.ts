import { z } from 'zod';

/**
 * Human input gates: what an agent may ask a person (field definitions), the wire form of a
 * request, and the one validation of answers against the fields — used by the API, the CLI
 * and (later) the web inbox. Browser-safe: zod only.
 */

export const HUMAN_INPUT_FIELD_TYPES = ['text', 'textarea', 'secret', 'select', 'boolean', 'number'] as const;
export type HumanInputFieldType = (typeof HUMAN_INPUT_FIELD_TYPES)[number];

export const HUMAN_INPUT_STATUSES = ['open', 'answered', 'cancelled'] as const;
export type HumanInputStatus = (typeof HUMAN_INPUT_STATUSES)[number];

export const HUMAN_INPUT_KINDS = ['fields', 'questions'] as const;
export type HumanInputKind = (typeof HUMAN_INPUT_KINDS)[number];

/** Field ids: short identifiers (they become `.env` key names for secrets). */
export const FIELD_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Environment variable names a secret may be saved under. */
export const ENV_KEY_PATTERN = /^[A-Z_][A-Z0-9_]{0,127}$/;

/** Longest accepted value of a text field / a textarea / a secret. */
export const MAX_TEXT = 2_000;
export const MAX_TEXTAREA = 20_000;
export const MAX_SECRET = 4_096;

export const HumanInputFieldSchema = z
  .object({
    id: z
      .string()
      .regex(FIELD_ID_PATTERN, 'a field id starts with a letter and has only letters, digits and _ (at most 64)')
      .describe('Field id, e.g. "stripe_key"'),
    label: z.string().trim().min(1).max(200).describe('What to ask, shown to the human'),
    type: z
      .enum(HUMAN_INPUT_FIELD_TYPES)
      .describe('text, textarea, secret (saved to .env, never shown), select (needs options), boolean or number'),
    required: z.boolean().default(true).describe('Whether an answer is required (default true)'),
    placeholder: z.string().max(200).optional().describe('Example value shown in the empty input'),
    help: z.string().max(1_000).optional().describe('Where to find the value or why it is needed'),
    options: z
      .array(z.string().trim().min(1).max(200))
      .min(2)
      .max(20)
      .optional()
      .describe('The choices of a select field (2-20)'),
    env: z
      .string()
      .regex(ENV_KEY_PATTERN, 'an env key is UPPER_SNAKE_CASE')
      .optional()
      .describe('For secrets: the .env key to save it under (default: the id in UPPER_SNAKE_CASE)'),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.type === 'select' && (f.options === undefined || new Set(f.options).size !== f.options.length)) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'a select field needs 2-20 distinct options' });
    }
    if (f.type !== 'select' && f.options !== undefined)
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'only a select field has options' });
    if (f.type !== 'secret' && f.env !== undefined)
      ctx.addIssue({ code: 'custom', path: ['env'], message: 'only a secret field is saved to .env' });
  });
export type HumanInputField = z.infer<typeof HumanInputFieldSchema>;

/** A list of fields: ids and env keys distinct. */
export const HumanInputFieldsSchema = z
  .array(HumanInputFieldSchema)
  .min(1)
  .max(20)
  .superRefine((fields, ctx) => {
    const ids = fields.map((f) => f.id.toLowerCase());
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: 'field ids must be distinct' });
    const keys = fields.filter((f) => f.type === 'secret').map(envKeyOf);
    if (new Set(keys).size !== keys.length)
      ctx.addIssue({ code: 'custom', message: 'secret fields must be saved under distinct .env keys' });
  });

/** One `ask_user` question: a choice between 2-4 options. */
export const AskUserQuestionSchema = z
  .object({
    question: z.string().trim().min(1).max(500).describe('The decision to make, as a question'),
    options: z.array(z.string().trim().min(1).max(200)).min(2).max(4).describe('2-4 distinct choices'),
    help: z.string().max(1_000).optional().describe('Context that helps decide'),
  })
  .strict()
  .refine((q) => new Set(q.options).size === q.options.length, {
    message: 'options must be distinct',
    path: ['options'],
  });
export type AskUserQuestion = z.infer<typeof AskUserQuestionSchema>;

/** `ask_user` questions become select fields q1, q2, …, so answering works the same way. */
export function questionsToFields(questions: readonly AskUserQuestion[]): HumanInputField[] {
  return questions.map((q, i) => ({
    id: `q${i + 1}`,
    label: q.question,
    type: 'select',
    required: true,
    options: [...q.options],
    ...(q.help ? { help: q.help } : {}),
  }));
}

/** The `.env` key a secret field is saved under: `env`, else the id in UPPER_SNAKE_CASE. */
export function envKeyOf(field: Pick<HumanInputField, 'id' | 'env'>): string {
  if (field.env) return field.env;
  return field.id
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

export type HumanInputValue = string | number | boolean;

export interface HumanInputProblem {
  readonly field: string;
  readonly message: string;
}

export type HumanInputValidation =
  | { readonly ok: true; readonly values: Readonly<Record<string, HumanInputValue>> }
  | { readonly ok: false; readonly problems: readonly HumanInputProblem[] };

const TRUE = new Set(['true', 'yes', 'y', '1', 'on']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off']);

/**
 * Checks answers (field id → value) against the request's fields: unknown ids, required
 * fields, types (numbers and booleans may come as strings, e.g. from the CLI), select options,
 * lengths. Optional fields left empty are omitted from `values`. A problem never quotes the
 * value of a secret field.
 */
export function validateHumanInput(
  fields: readonly HumanInputField[],
  answers: Readonly<Record<string, unknown>>,
): HumanInputValidation {
  const problems: HumanInputProblem[] = [];
  const values: Record<string, HumanInputValue> = {};
  const byId = new Map(fields.map((f) => [f.id, f]));
  for (const id of Object.keys(answers)) {
    if (!byId.has(id))
      problems.push({
        field: id,
        message: `unknown field (this request asks for: ${fields.map((f) => f.id).join(', ')})`,
      });
  }
  for (const field of fields) {
    const raw = answers[field.id];
    const empty = raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
    if (empty) {
      if (field.required) problems.push({ field: field.id, message: 'is required' });
      continue;
    }
    const result = checkValue(field, raw);
    if (typeof result === 'object' && result !== null && 'problem' in result)
      problems.push({ field: field.id, message: result.problem });
    else values[field.id] = result as HumanInputValue;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

function checkValue(field: HumanInputField, raw: unknown): HumanInputValue | { problem: string } {
  const shown = field.type === 'secret' ? '' : ` (got ${JSON.stringify(raw)?.slice(0, 60) ?? typeof raw})`;
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'secret': {
      if (typeof raw !== 'string') return { problem: `must be a string${shown}` };
      const max = field.type === 'text' ? MAX_TEXT : field.type === 'textarea' ? MAX_TEXTAREA : MAX_SECRET;
      if (raw.length > max) return { problem: `is too long (at most ${max} characters)` };
      if (field.type === 'secret') {
        // One .env line: no line breaks or NULs; surrounding blanks are a copy-paste accident.
        if (/[\r\n\0]/.test(raw)) return { problem: 'must be a single line (no line breaks)' };
        return raw.trim();
      }
      if (field.type === 'text' && /[\r\n]/.test(raw))
        return { problem: 'must be a single line (use a textarea field for more)' };
      return raw;
    }
    case 'select': {
      if (typeof raw !== 'string' || !(field.options ?? []).includes(raw.trim())) {
        return { problem: `must be one of: ${(field.options ?? []).map((o) => JSON.stringify(o)).join(', ')}${shown}` };
      }
      return raw.trim();
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && TRUE.has(raw.trim().toLowerCase())) return true;
      if (typeof raw === 'string' && FALSE.has(raw.trim().toLowerCase())) return false;
      return { problem: `must be true or false${shown}` };
    }
    case 'number': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(raw)
            ? Number(raw)
            : NaN;
      if (!Number.isFinite(n)) return { problem: `must be a number${shown}` };
      return n;
    }
  }
}

/** One human-input request on the wire. `answer` holds non-secret values only; secrets are never stored or returned. */
export const HumanInputRequestSchema = z.object({
  id: z.string(),
  featureId: z.number().int(),
  featureName: z.string().nullable(),
  sessionId: z.string().nullable(),
  kind: z.enum(HUMAN_INPUT_KINDS),
  prompt: z.string(),
  fields: z.array(HumanInputFieldSchema),
  status: z.enum(HUMAN_INPUT_STATUSES),
  answeredBy: z.enum(['human', 'supervisor']).nullable(),
  answer: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullable(),
  /** field id → the `.env` key its secret was saved under. */
  secretKeys: z.record(z.string(), z.string()),
  reason: z.string().nullable(),
  createdAt: z.number(),
  answeredAt: z.number().nullable(),
  /** Supervisor answers: field id → why it chose that value. */
  reasons: z.record(z.string(), z.string()),
  /** `.env` keys that hold a development placeholder the supervisor wrote, not a real secret. */
  placeholderKeys: z.array(z.string()),
  /** On a human's override: the supervisor-answered request it replaces. */
  overrides: z.string().nullable(),
  /** On a supervisor-answered request a human overrode: the request holding the human's answer. */
  overriddenBy: z.string().nullable(),
  /** The acceptance dispute this request asks a decision on (accept or reject), if it is one. */
  disputeId: z.string().nullable(),
});
export type HumanInputRequestDTO = z.infer<typeof HumanInputRequestSchema>;

export const HumanInputListQuerySchema = z.object({ status: z.enum(['open', 'all']).default('open') }).strict();
export const HumanInputListSchema = z.object({ requests: z.array(HumanInputRequestSchema) });

/** `POST …/features/{id}/human-input`: the answers (field id → value), optionally naming the request. */
export const AnswerHumanInputRequestSchema = z
  .object({
    requestId: z.string().max(100).optional(),
    answers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .strict();
export type AnswerHumanInputRequest = z.infer<typeof AnswerHumanInputRequestSchema>;

/**
 * The seed's flat form of the same answers: `{ "field": "value" }`, every key a field id (it answers the feature's
 * open request; naming a request needs the `{ "answers" }` form).
 */
export const FlatAnswersSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

/** What `POST …/features/{id}/human-input` accepts: either form (see `answerBodyForm`). */
export const AnswerHumanInputBodySchema = z.union([AnswerHumanInputRequestSchema, FlatAnswersSchema]);

/**
 * Which form an answer body is in: `wrapped` when it has an `answers` object (then only `requestId` may stand beside
 * it), `flat` when it has neither `answers` nor `requestId`, `ambiguous` otherwise (a field named `answers` or
 * `requestId` among flat answers, or other keys beside `answers`): such a body is refused rather than guessed at.
 * Anything that is not an object is left to the schema to refuse. Pure.
 */
export function answerBodyForm(raw: unknown): 'wrapped' | 'flat' | 'ambiguous' | 'other' {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'other';
  const keys = Object.keys(raw);
  if (!keys.includes('answers')) return keys.includes('requestId') ? 'ambiguous' : 'flat';
  const answers = (raw as { answers: unknown }).answers;
  const isObject = typeof answers === 'object' && answers !== null && !Array.isArray(answers);
  return isObject && keys.every((k) => k === 'answers' || k === 'requestId') ? 'wrapped' : 'ambiguous';
}

/** `POST …/human-input/{requestId}/override`: a human's answers replacing a supervisor's. */
export const OverrideHumanInputRequestSchema = z
  .object({ answers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])) })
  .strict();
export type OverrideHumanInputRequest = z.infer<typeof OverrideHumanInputRequestSchema>;

export const CancelHumanInputRequestSchema = z.object({ reason: z.string().max(2_000).optional() }).strict();

/** What answering or cancelling returns: the request (no secret values) and the feature's new status. */
export const HumanInputResultSchema = z.object({
  request: HumanInputRequestSchema,
  feature: z.object({ id: z.number().int(), name: z.string(), status: z.string(), priority: z.number().int() }),
});
export type HumanInputResult = z.infer<typeof HumanInputResultSchema>;
