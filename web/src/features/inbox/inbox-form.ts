import { z } from 'zod';
import { validateHumanInput, type HumanInputField, type HumanInputValue } from '@shared/human-input';

/** What the form holds per field: text for every input, a flag for a checkbox. */
export type FormValue = string | boolean;
export type FormValues = Record<string, FormValue>;
export type FieldErrors = Record<string, string>;

/** Ask-user questions and short selects show as radio buttons; longer ones as a drop-down. */
export const MAX_RADIO_OPTIONS = 4;

export function initialValues(fields: readonly HumanInputField[]): FormValues {
  return Object.fromEntries(fields.map((f) => [f.id, f.type === 'boolean' ? false : '']));
}

/**
 * The override form starts from the supervisor's answer: each non-secret value it gave (numbers
 * as text, booleans as the checkbox state); secret fields stay empty — the human types the real one.
 */
export function prefilledValues(
  fields: readonly HumanInputField[],
  answer: Readonly<Record<string, HumanInputValue>> | null,
): FormValues {
  const values = initialValues(fields);
  for (const f of fields) {
    const v = answer?.[f.id];
    if (f.type === 'secret' || v === undefined) continue;
    if (f.type === 'boolean') values[f.id] = v === true;
    else values[f.id] = String(v);
  }
  return values;
}

/** The shared validator's "is required" / "must be a number" read as "Required" / "Must be a number". */
function sentence(message: string): string {
  const m = message.replace(/^is /, '');
  return m.charAt(0).toUpperCase() + m.slice(1);
}

/**
 * Checks the form with the shared validator (the same one the server runs): empty inputs count
 * as not answered, a checkbox always answers true or false. On success the typed values are what
 * is sent (numbers as numbers, optional empty fields left out).
 */
export function checkAnswers(
  fields: readonly HumanInputField[],
  values: FormValues,
): { ok: true; answers: Record<string, HumanInputValue> } | { ok: false; errors: FieldErrors } {
  const raw: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.id];
    if (f.type === 'boolean') raw[f.id] = v === true;
    else if (typeof v === 'string' && v.trim() !== '') raw[f.id] = v;
  }
  const checked = validateHumanInput(fields, raw);
  if (checked.ok) return { ok: true, answers: { ...checked.values } };
  return { ok: false, errors: errorsByField(checked.problems) };
}

function errorsByField(problems: readonly { field: string; message: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const p of problems) errors[p.field] ??= sentence(p.message);
  return errors;
}

const ProblemsSchema = z.array(z.object({ field: z.string(), message: z.string() }));

/** The per-field problems of a 400 from the answer route (its `details.problems`), if any. */
export function serverFieldErrors(
  details: Record<string, unknown> | undefined,
  fields: readonly HumanInputField[],
): FieldErrors {
  const parsed = ProblemsSchema.safeParse(details?.['problems']);
  if (!parsed.success) return {};
  const ids = new Set(fields.map((f) => f.id));
  return errorsByField(parsed.data.filter((p) => ids.has(p.field)));
}
