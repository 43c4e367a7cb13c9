import {
  CreateFeatureRequestSchema,
  UpdateFeatureRequestSchema,
  type CreateFeatureRequest,
  type FeatureDTO,
  type UpdateFeatureRequest,
} from '@shared/api';

/** What the add/edit form holds: text fields as typed. */
export interface FeatureFormValues {
  category: string;
  name: string;
  description: string;
  /** One step per line. */
  steps: string;
  priority: string;
}

export const emptyFeatureForm: FeatureFormValues = { category: '', name: '', description: '', steps: '', priority: '' };

export function formFromFeature(f: FeatureDTO): FeatureFormValues {
  return {
    category: f.category,
    name: f.name,
    description: f.description,
    steps: f.steps.join('\n'),
    priority: String(f.priority),
  };
}

export type FormErrors = Partial<Record<keyof FeatureFormValues, string>>;

function toBody(v: FeatureFormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {
    category: v.category,
    name: v.name,
    description: v.description,
    steps: v.steps
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  };
  if (v.priority.trim() !== '')
    body['priority'] = /^-?\d+$/.test(v.priority.trim()) ? Number(v.priority.trim()) : v.priority;
  return body;
}

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
  readonly origin?: string;
  readonly maximum?: unknown;
}

/** Zod's wording is for developers; the form says it the way a person would. */
function humanMessage(field: keyof FeatureFormValues, issue: Issue): string {
  if (field === 'priority') return 'a whole number between -1,000,000 and 1,000,000';
  if (issue.code === 'too_small') return field === 'steps' ? 'steps must not be empty' : 'required';
  if (issue.code === 'too_big')
    return issue.origin === 'array'
      ? `at most ${String(issue.maximum)} steps`
      : `at most ${String(issue.maximum)} characters`;
  return issue.message;
}

function errorsOf(issues: readonly Issue[]): FormErrors {
  const errors: FormErrors = {};
  for (const issue of issues) {
    const key = String(issue.path[0] ?? 'name') as keyof FeatureFormValues;
    const field: keyof FeatureFormValues = key in emptyFeatureForm ? key : 'name';
    errors[field] ??= humanMessage(field, issue);
  }
  return errors;
}

/** Validates with the same schema the server uses; errors per field, so they show beside it. */
export function validateCreate(
  v: FeatureFormValues,
): { ok: true; body: CreateFeatureRequest } | { ok: false; errors: FormErrors } {
  const parsed = CreateFeatureRequestSchema.safeParse(toBody(v));
  return parsed.success ? { ok: true, body: parsed.data } : { ok: false, errors: errorsOf(parsed.error.issues) };
}

/** Only the fields that changed; nothing changed is an error the form shows. */
export function validateUpdate(
  v: FeatureFormValues,
  original: FeatureDTO,
): { ok: true; body: UpdateFeatureRequest } | { ok: false; errors: FormErrors } {
  const full = toBody(v);
  const before = toBody(formFromFeature(original));
  const changed = Object.fromEntries(
    Object.entries(full).filter(([k, val]) => JSON.stringify(val) !== JSON.stringify(before[k])),
  );
  if (Object.keys(changed).length === 0) return { ok: false, errors: { name: 'nothing changed' } };
  const parsed = UpdateFeatureRequestSchema.safeParse(changed);
  return parsed.success ? { ok: true, body: parsed.data } : { ok: false, errors: errorsOf(parsed.error.issues) };
}
