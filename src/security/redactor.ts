import { secretForms } from './secret-forms.js';

/** A masked span of a text: [start, end). */
export type Range = readonly [start: number, end: number];

/**
 * Replaces every known secret value with a mask. Built from the secrets it knows (provider keys,
 * secrets humans answered); callable on a text, and able to say where the secrets are, so
 * several can be combined and a stream can hold back what might be the start of one.
 */
export interface Redactor {
  (text: string): string;
  /** The spans of `text` the mask replaces: sorted, not overlapping. */
  ranges(text: string): Range[];
  /**
   * Where the longest tail of `text` begins that could still grow into a secret once more text follows (`text.length`
   * when none).
   */
  pendingStart(text: string): number;
}

export const MASK = '«redacted»';

/** Values shorter than this are not treated as secrets (masking "1" everywhere helps nobody). */
const MIN_SECRET_LENGTH = 6;

/**
 * A piece of a secret this long, cut off at its start or end (the rest was truncated by
 * someone else, e.g. the SDK's 2,048-character stderr tail), is masked too. Shorter pieces are
 * not: the common `sk-ant-api03-` prefix alone must not count as a key.
 */
export const MIN_FRAGMENT_LENGTH = 16;

/** Line breaks a wrapped secret may contain: real ones, and JSON-escaped ones inside a JSON string. */
const BREAK = /\r?\n|\\r\\n|\\n/g;
/** A line break cut in half at the end of a text (held back by streams: the secret may go on after it). */
const PARTIAL_BREAK_AT_END = /(?:\\r\\|\\r|\\|\r)$/;

/** A secret and the length below which its forms are not masked (provider keys 6, secrets humans typed 4). */
interface SecretEntry {
  readonly secret: string;
  readonly minLength: number;
}

/**
 * The secrets each redactor was built from, so combining redactors builds one (one pass over the text, not one per
 * redactor).
 */
const ENTRIES = new WeakMap<Redactor, readonly SecretEntry[]>();

/**
 * Masks each secret in its forms (see secret-forms.ts: raw, JSON-escaped, URL-encoded, hex,
 * base64 at every byte alignment), each also when wrapped over several lines, and pieces of at
 * least MIN_FRAGMENT_LENGTH characters cut from its start or end.
 */
export function createRedactor(secrets: Iterable<string>, options: { minLength?: number } = {}): Redactor {
  // Provider keys are long; secrets a human typed may be short (the runner passes 4 for them).
  const minLength = Math.max(1, options.minLength ?? MIN_SECRET_LENGTH);
  return compile([...new Set(secrets)].filter((s) => s.length >= minLength).map((secret) => ({ secret, minLength })));
}

/** The redactor that knows no secrets. */
export const NO_SECRETS: Redactor = withRanges(
  () => [],
  (text) => text.length,
);
ENTRIES.set(NO_SECRETS, []);

/** One redactor masking what any of `redactors` masks (the run's provider keys and the secrets humans answered). */
export function combineRedactors(...redactors: Redactor[]): Redactor {
  const entries = redactors.map((r) => ENTRIES.get(r));
  if (entries.every((e) => e !== undefined)) return compile(entries.flat());
  // A redactor made elsewhere: ask each one.
  return withRanges(
    (text) => mergeRanges(redactors.flatMap((r) => r.ranges(text))),
    (text) => Math.min(...redactors.map((r) => r.pendingStart(text))),
  );
}

function compile(entries: readonly SecretEntry[]): Redactor {
  if (entries.length === 0) return NO_SECRETS;
  // Forms are matched on the text with its line breaks taken out, so they lose theirs too (a
  // multi-line value then matches however the text wraps it).
  const forms = [
    ...new Set(
      entries.flatMap((e) =>
        secretForms(e.secret, e.minLength)
          .map(withoutBreakChars)
          .filter((f) => f.length >= e.minLength),
      ),
    ),
  ].sort((a, b) => b.length - a.length);
  const formSet = new Set(forms);
  // A fragment is found by its anchor (the secret's first or last MIN_FRAGMENT_LENGTH characters), then followed as far
  // as it goes.
  const anchors = new Map<string, { secret: string; from: 'start' | 'end' }[]>();
  for (const entry of entries) {
    const secret = withoutBreakChars(entry.secret);
    if (secret.length <= MIN_FRAGMENT_LENGTH) continue;
    for (const [anchor, from] of [
      [secret.slice(0, MIN_FRAGMENT_LENGTH), 'start'],
      [secret.slice(-MIN_FRAGMENT_LENGTH), 'end'],
    ] as const) {
      anchors.set(anchor, [...(anchors.get(anchor) ?? []), { secret, from }]);
    }
  }
  // Longest first: of the alternatives matching at a position, the first listed wins.
  const alternatives = [...new Set([...forms, ...anchors.keys()])].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(alternatives.map(escapeRegExp).join('|'), 'g');
  const longest = alternatives[0]?.length ?? 0;

  const find = (text: string, out: [number, number][]) => {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      const at = m.index;
      const hit = m[0];
      const fragments = anchors.get(hit);
      if (fragments === undefined || formSet.has(hit)) out.push([at, at + hit.length]);
      for (const f of fragments ?? [])
        out.push(
          f.from === 'start'
            ? [at, extendForward(text, at, f.secret)]
            : [extendBackward(text, at, f.secret), at + MIN_FRAGMENT_LENGTH],
        );
      // Go on from the next character, not after the match: two secrets may overlap.
      pattern.lastIndex = at + 1;
    }
  };

  const ranges = (text: string): Range[] => {
    const found: [number, number][] = [];
    if (!hasBreaks(text)) find(text, found);
    else {
      // Match with the line breaks taken out (wrapped forms, and unwrapped ones alike), then map back: a span keeps the
      // breaks inside it.
      const { view, origin } = withoutBreaks(text);
      const inView: [number, number][] = [];
      find(view, inView);
      for (const [s, e] of inView) found.push([origin[s] as number, (origin[e - 1] as number) + 1]);
    }
    return mergeRanges(found);
  };

  const pendingStart = (text: string): number => {
    // A wrapped form is at most 4 times its length (a `\r\n` after each character).
    const tailStart = Math.max(0, text.length - 4 * longest - 4);
    const tail = text.slice(tailStart);
    const end = tail.length - (PARTIAL_BREAK_AT_END.exec(tail)?.[0].length ?? 0);
    const { view, origin } = withoutBreaks(tail.slice(0, end));
    let held = 0;
    for (const form of forms) held = Math.max(held, longestPrefixAtEnd(view, form));
    return tailStart + (held > 0 ? (origin[view.length - held] as number) : end);
  };

  const redactor = withRanges(ranges, pendingStart);
  ENTRIES.set(redactor, entries);
  return redactor;
}

function withoutBreakChars(text: string): string {
  return text.replace(BREAK, '');
}

function hasBreaks(text: string): boolean {
  return text.includes('\n') || text.includes('\\n');
}

/** Replaces `ranges` (sorted, not overlapping) of `text` with the mask. */
export function applyRanges(text: string, ranges: readonly Range[]): string {
  if (ranges.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    out += text.slice(at, start) + MASK;
    at = end;
  }
  return out + text.slice(at);
}

/**
 * Masks, then cuts to `limit` characters (with `…`): the only order that cannot leak, since a cut
 * first can leave part of a secret that no longer matches. A cut never halves a mask.
 */
export function redactThenTruncate(redact: Redactor, text: string, limit: number): string {
  const masked = redact(text);
  if (masked.length <= limit) return masked;
  const mask = masked.lastIndexOf(MASK, limit - 1);
  const cut = mask >= 0 && mask + MASK.length > limit ? mask : limit;
  return `${masked.slice(0, cut)}…`;
}

/**
 * A JSON value with every string in it (keys too) masked. Masking the strings, rather than the
 * serialized text, keeps the JSON valid whatever the secret's characters are.
 */
export function redactJson<T>(redact: Redactor, value: T): T {
  return redactValue(redact, value) as T;
}

function redactValue(redact: Redactor, value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(redact, v));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactValue(redact, v)]));
  return value;
}

function withRanges(ranges: (text: string) => Range[], pendingStart: (text: string) => number): Redactor {
  return Object.assign((text: string) => applyRanges(text, ranges(text)), { ranges, pendingStart });
}

/**
 * Sorted, with overlapping spans joined (a form and a fragment, or the plain and the wrapped pass, often find the same
 * secret).
 */
function mergeRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && start < last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

/** `text` without its line breaks, and for each character of it the index it came from. */
function withoutBreaks(text: string): { view: string; origin: Int32Array } {
  const origin = new Int32Array(text.length);
  let view = '';
  let at = 0;
  const keep = (from: number, to: number) => {
    for (let i = from; i < to; i++) origin[view.length + i - from] = i;
    view += text.slice(from, to);
  };
  for (const m of text.matchAll(BREAK)) {
    keep(at, m.index);
    at = m.index + m[0].length;
  }
  keep(at, text.length);
  return { view, origin };
}

/** The secret's start was found at `at`: how far the secret goes on from there (a piece cut at its end stops early). */
function extendForward(text: string, at: number, secret: string): number {
  let k = MIN_FRAGMENT_LENGTH;
  while (k < secret.length && at + k < text.length && text.charCodeAt(at + k) === secret.charCodeAt(k)) k++;
  return at + k;
}

/** The secret's end was found at `at`: where the secret begins before it (a piece cut at its start begins late). */
function extendBackward(text: string, at: number, secret: string): number {
  let i = at;
  let j = secret.length - MIN_FRAGMENT_LENGTH;
  while (i > 0 && j > 0 && text.charCodeAt(i - 1) === secret.charCodeAt(j - 1)) {
    i--;
    j--;
  }
  return i;
}

/** The length of the longest proper prefix of `form` that `text` ends with (0 if none). */
function longestPrefixAtEnd(text: string, form: string): number {
  const last = text.charCodeAt(text.length - 1);
  for (let k = Math.min(form.length - 1, text.length); k > 0; k--) {
    if (form.charCodeAt(k - 1) !== last) continue;
    const offset = text.length - k;
    let i = 0;
    while (i < k && text.charCodeAt(offset + i) === form.charCodeAt(i)) i++;
    if (i === k) return k;
  }
  return 0;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
