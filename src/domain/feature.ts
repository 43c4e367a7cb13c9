import { AppError } from './errors.js';

/** Every status a feature can be in. */
export const FEATURE_STATUSES = ['pending', 'in_progress', 'needs_input', 'passing', 'failed'] as const;

export type FeatureStatus = (typeof FEATURE_STATUSES)[number];

/** Upper bound on direct dependencies of one feature, so backlogs stay readable and checks cheap. */
export const MAX_DEPENDENCIES_PER_FEATURE = 20;

/**
 * The feature lifecycle. Each entry lists the states a feature may move to from that state:
 * - pending → in_progress: an agent claims it.
 * - in_progress → passing: the agent marks it passing.
 * - in_progress → pending: released, failed with attempts left, skipped, lease expired, or regression.
 * - in_progress → failed: attempts exhausted.
 * - in_progress → needs_input: the agent asked a human.
 * - needs_input → pending: the question was answered or cancelled.
 * - passing → pending: a regression was found or a human re-opened it.
 * - failed → pending: a human retried it.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<FeatureStatus, readonly FeatureStatus[]>> = Object.freeze({
  pending: Object.freeze(['in_progress'] as const),
  in_progress: Object.freeze(['passing', 'pending', 'failed', 'needs_input'] as const),
  needs_input: Object.freeze(['pending'] as const),
  passing: Object.freeze(['pending'] as const),
  failed: Object.freeze(['pending'] as const),
});

/** Whether `x` is one of {@link FEATURE_STATUSES}. */
export function isFeatureStatus(x: unknown): x is FeatureStatus {
  return typeof x === 'string' && (FEATURE_STATUSES as readonly string[]).includes(x);
}

/** Whether the lifecycle allows moving a feature from `from` to `to`. */
export function canTransition(from: FeatureStatus, to: FeatureStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/**
 * Throws AppError('INVALID_TRANSITION'), naming both states, unless the lifecycle allows `from`
 * → `to`. `featureId` names the feature in the message and the details.
 */
export function assertTransition(from: FeatureStatus, to: FeatureStatus, featureId?: number): void {
  if (canTransition(from, to)) return;
  const allowed = ALLOWED_TRANSITIONS[from];
  const subject = featureId === undefined ? 'a feature' : `feature ${featureId}`;
  throw new AppError(
    'INVALID_TRANSITION',
    `Cannot move ${subject} from '${from}' to '${to}'; from '${from}' it can only move to: ${allowed.map((s) => `'${s}'`).join(', ')}.`,
    { details: { ...(featureId === undefined ? {} : { featureId }), from, to, allowed: [...allowed] } },
  );
}

/**
 * The status a feature in `from` ends up in, checked against the lifecycle: `to` when the move
 * is allowed, or when `to` is `from` (staying put is no move). Every status the repositories
 * write comes from here, inside the transaction that writes it; an illegal move throws before
 * anything is written.
 */
export function nextStatus(from: FeatureStatus, to: FeatureStatus, featureId?: number): FeatureStatus {
  if (from !== to) assertTransition(from, to, featureId);
  return to;
}
