/**
 * The feature statuses and blocker types on the wire. The domain defines them
 * (`src/domain/feature.ts`, `src/domain/blocker.ts`); `shared` may import only zod, so they are
 * repeated here and `src/db/feature-status.test.ts` proves both lists, and the migrations' SQL
 * CHECK, equal.
 */
export const FEATURE_STATUS_VALUES = ['pending', 'in_progress', 'needs_input', 'passing', 'failed'] as const;
export const BLOCKER_TYPE_VALUES = [
  'dependency',
  'credentials',
  'external_service',
  'unclear_spec',
  'technical',
  'other',
] as const;
