/**
 * Loop detection, pure: a failure's normalised fingerprint (so two attempts that fail "the same way" compare equal
 * whatever ids, numbers, paths or times their messages carry), the check for two such failures in a row, and the
 * detector of one tool call repeated with the same arguments inside a session.
 */

/** The same tool call with the same arguments this many times in a row ends the session as looping. */
export const REPEATED_CALL_LIMIT = 5;

/** The session outcome of a session ended as looping (sessions.outcome; the metrics' wasted spend names it). */
export const LOOPING_OUTCOME = 'looping';

/**
 * A failure reason reduced to what stays the same between attempts: lower case; ISO times, hex ids (6+ digits),
 * absolute paths and numbers replaced by placeholders; quotes unified; white space collapsed; at most 300 characters.
 */
export function failureFingerprint(reason: string): string {
  return reason
    .toLowerCase()
    .replace(/\d{4}-\d{2}-\d{2}t[\d:.]+z?/g, '<time>')
    .replace(/\b(?:[a-z]+_)?[0-9a-f]{6,}\b/g, '<id>')
    .replace(/(?:\/[\w.@+-]+)+\/?/g, '<path>')
    .replace(/\d+(?:\.\d+)?/g, '<n>')
    .replace(/[`'"]/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** What the loop check reads of a feature's history, newest first. */
export type FailureHistoryEntry =
  | { readonly kind: 'failed'; readonly reason: string }
  /** A person or the supervisor answered (or cancelled) a request, the feature passed, or was retried: a new start. */
  | { readonly kind: 'reset' };

/**
 * The two newest failed attempts, when they fail the same way (equal fingerprints) with no reset between or after
 * them; null otherwise. `history` is newest first.
 */
export function repeatedFailure(
  history: readonly FailureHistoryEntry[],
): { readonly fingerprint: string; readonly reasons: readonly [string, string] } | null {
  const failures: string[] = [];
  for (const entry of history) {
    if (entry.kind === 'reset') break;
    failures.push(entry.reason);
    if (failures.length === 2) break;
  }
  const [newest, previous] = failures;
  if (newest === undefined || previous === undefined) return null;
  const fingerprint = failureFingerprint(newest);
  return fingerprint === failureFingerprint(previous) ? { fingerprint, reasons: [previous, newest] } : null;
}

/**
 * Counts the same tool call (name and arguments) in a row: `see` returns true when the call just seen is the
 * `limit`-th identical one in a row. Any other call starts the count again.
 */
export function repeatedCallDetector(limit: number = REPEATED_CALL_LIMIT): {
  see(name: string, input: unknown): boolean;
} {
  let last: string | null = null;
  let count = 0;
  return {
    see(name, input) {
      const key = `${name}\u0000${stableJson(input)}`;
      count = key === last ? count + 1 : 1;
      last = key;
      return count >= limit;
    },
  };
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are the same arguments. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'undefined';
}
