import { BLOCKER_TYPE_VALUES } from './feature-status.js';

/**
 * What a person needs to read a failed or waiting feature at a glance: why its last attempt failed (one line), when it
 * is retried, and why it was skipped. Pure and browser-safe: the API computes them for every feature
 * (`src/server/routes/features.ts`), the board shows them.
 */

/** Longest reason a card shows (the drawer has the notes and the verifications in full). */
export const MAX_REASON = 300;

/** A skipped feature's blocker class; `unclassified` for skips recorded before classes (or by a person without one). */
export const SKIP_CLASSES = [...BLOCKER_TYPE_VALUES, 'unclassified'] as const;
export type SkipClass = (typeof SKIP_CLASSES)[number];

export const SKIP_CLASS_LABELS: Record<SkipClass, string> = {
  dependency: 'Dependency',
  credentials: 'Credentials',
  external_service: 'External service',
  unclear_spec: 'Unclear spec',
  technical: 'Technical',
  other: 'Other',
  unclassified: 'Unclassified',
};

interface FailureFacts {
  readonly status: string;
  readonly notes: string;
  /** The newest verification (its summary): status, when it ended, its one-line failure. */
  readonly verification: {
    readonly status: string;
    readonly endedAt: number | null;
    readonly failure: string | null;
  } | null;
}

const oneLine = (s: string) => {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 1)}…` : line;
};

/** `[2026-12-06T18:00:00.000Z] attempt 2/3 failed: <reason>` (the runner's note of a failed attempt). */
const FAILED_NOTE = /^\[([^\]]+)\] (?:attempt \d+\/\d+ failed: (.*)|(lease expired.*))$/;
/** The runner's note of a failed verification: `verification ver_… on abcd1234 failed 1/2: <what> (evidence: …)`. */
const VERIFICATION_NOTE = /verification \S+ on \S+ failed \d+\/\d+: (.*?)(?: \(evidence: [^)]*\))?$/;

/**
 * The newest failed attempt in the notes: when it was recorded, why (a verification's note reduced to its failing
 * checks), and when the failed attempt before it was recorded (the newest attempt began after that).
 */
export function lastFailedAttempt(
  notes: string,
): { readonly at: number; readonly reason: string; readonly previousAt: number | null } | null {
  const found: { at: number; reason: string }[] = [];
  const lines = notes.split('\n');
  for (let i = lines.length - 1; i >= 0 && found.length < 2; i--) {
    const m = FAILED_NOTE.exec(lines[i] ?? '');
    if (!m) continue;
    const raw = m[2] ?? m[3] ?? '';
    found.push({ at: Date.parse(m[1] ?? ''), reason: VERIFICATION_NOTE.exec(raw)?.[1] ?? raw });
  }
  const [last, previous] = found;
  return last ? { ...last, previousAt: previous?.at ?? null } : null;
}

/**
 * Why a failed feature, or one waiting for its retry, failed: in one line. Its newest verification's failure (the
 * failing check and the assertion its output names) when that verification ran during the last failed attempt (the
 * agent may have given up after it, leaving only "ended without marking the feature passing"), else the reason of
 * the last failed attempt (what the agent or the runner said: marked failing, left unfinished, stalled, lease
 * expired). Null for any other status, or when nothing failed.
 */
export function featureFailureReason(f: FailureFacts): string | null {
  if (f.status !== 'failed' && f.status !== 'pending') return null;
  const attempt = lastFailedAttempt(f.notes);
  const v = f.verification;
  if (v !== null && (v.status === 'failed' || v.status === 'error') && v.failure !== null) {
    const duringLastAttempt = attempt === null || attempt.previousAt === null || (v.endedAt ?? 0) > attempt.previousAt;
    if (duringLastAttempt)
      // A failed check names itself and its assertion; only a verification that could not run needs saying so.
      return oneLine(v.status === 'error' ? `Verification could not run: ${v.failure}` : v.failure);
  }
  return attempt ? oneLine(attempt.reason) : null;
}

/**
 * When a pending feature is claimable again after a failed attempt (the backoff the claim query honours:
 * `run_after`), or null when it is not waiting for a retry (not pending, never tried, no attempts left, or due now).
 */
export function retryAt(
  f: { readonly status: string; readonly attempts: number; readonly maxAttempts: number; readonly runAfter: number },
  now: number,
): number | null {
  if (f.status !== 'pending' || f.attempts === 0 || f.attempts >= f.maxAttempts) return null;
  return f.runAfter > now ? f.runAfter : null;
}

/** A skipped feature's blocker class (null when it was never skipped, or it passes now). */
export function skipClass(f: {
  readonly status: string;
  readonly skipCount: number;
  readonly blockerType: string | null;
}): SkipClass | null {
  if (f.skipCount === 0 || f.status === 'passing') return null;
  return (SKIP_CLASSES as readonly string[]).includes(f.blockerType ?? '')
    ? (f.blockerType as SkipClass)
    : 'unclassified';
}
