/**
 * Loop detection, pure: a failure's normalised fingerprint (so two attempts that fail "the same way" compare equal
 * whatever ids, numbers, paths or times their messages carry), the check for two such failures in a row, and the
 * detector of one tool call repeated with the same arguments inside a session.
 */

/** The same tool call with the same arguments this many times in a row ends the session as looping. */
export const REPEATED_CALL_LIMIT = 5;

/**
 * This many turns in a row without progress (no new tool result: every call of the turn returned what the same call
 * already returned earlier in the session) end the session as looping. A turn is one batch of tool calls and their
 * results.
 */
export const NO_PROGRESS_TURN_LIMIT = 8;

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

/**
 * Counts turns without progress. A turn is the tool calls the model made at once and their results; it made progress
 * when at least one call returned something new: a (tool, arguments, result) triple not seen before in the session.
 * A file change is such a triple (an edit that changes a file has arguments or a result not seen before; the same
 * edit again changes nothing), so is any command whose output moved. Times and durations in results are ignored, so a
 * test run repeated without a change in between does not look new. `result` returns true when the turn it closed is
 * the `limit`-th in a row without progress.
 */
export function noProgressDetector(limit: number = NO_PROGRESS_TURN_LIMIT): {
  call(id: string, name: string, input: unknown): void;
  result(id: string, isError: boolean, text: string): boolean;
} {
  const seen = new Set<string>();
  const pending = new Map<string, string>();
  let progressed = false;
  let idleTurns = 0;
  return {
    call(id, name, input) {
      pending.set(id, `${name}\u0000${stableJson(input)}`);
    },
    result(id, isError, text) {
      const call = pending.get(id);
      if (call === undefined) return false;
      pending.delete(id);
      const key = hash(`${call}\u0000${isError ? 'error' : 'ok'}\u0000${withoutTimes(text)}`);
      if (!seen.has(key)) {
        seen.add(key);
        progressed = true;
      }
      if (pending.size > 0) return false;
      idleTurns = progressed ? 0 : idleTurns + 1;
      progressed = false;
      return idleTurns >= limit;
    },
  };
}

/** ISO and clock times and durations (`12ms`, `1.5 s`) replaced: they change between two otherwise equal runs. */
function withoutTimes(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}[tT ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>')
    .replace(/\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b/g, '<time>')
    .replace(/\b\d+(?:\.\d+)?\s?(?:ms|s|sec|secs|seconds)\b/g, '<duration>');
}

/** A 53-bit string hash (cyrb53), so the set of seen results stays small whatever the outputs' size. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
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
