import { canonicalJson, jsonIncludes, type CommandCheck, type HttpCheck } from '../shared/acceptance.js';

/**
 * Whether what a check saw meets its `expect`, as one line saying why not (null when it does).
 * Defaults: a command exits 0, an HTTP answer has a 2xx status. Pure.
 */

/** A string as shown in a failure line: quoted, and shortened when long. */
export function quoted(s: string, max = 120): string {
  return JSON.stringify(shortened(s, max));
}

/** `s`, cut to `max` characters with `…` when longer. */
export function shortened(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

export interface CommandOutcome {
  readonly exitCode: number;
  /** Whether stdout (all of it, not only the kept end) held `expect.stdoutIncludes`. */
  readonly stdoutIncludes: boolean;
}

export function commandFailure(expect: CommandCheck['expect'], outcome: CommandOutcome): string | null {
  const wantCode = expect?.exitCode ?? 0;
  if (outcome.exitCode !== wantCode) return `exit code ${outcome.exitCode}, expected ${wantCode}`;
  if (expect?.stdoutIncludes !== undefined && !outcome.stdoutIncludes)
    return `stdout does not include ${quoted(expect.stdoutIncludes)}`;
  return null;
}

export interface HttpOutcome {
  readonly status: number;
  readonly body: string;
}

export function httpFailure(expect: HttpCheck['expect'], outcome: HttpOutcome): string | null {
  if (expect?.status !== undefined) {
    if (outcome.status !== expect.status) return `status ${outcome.status}, expected ${expect.status}`;
  } else if (outcome.status < 200 || outcome.status > 299) {
    return `status ${outcome.status}, expected a 2xx status`;
  }
  if (expect?.bodyIncludes !== undefined && !outcome.body.includes(expect.bodyIncludes))
    return `the body does not include ${quoted(expect.bodyIncludes)}`;
  if (expect?.json !== undefined) {
    let actual: unknown;
    try {
      actual = JSON.parse(outcome.body);
    } catch (err: unknown) {
      return `the body is not JSON (${err instanceof Error ? err.message : String(err)}), expected JSON including ${shortened(canonicalJson(expect.json), 120)}`;
    }
    if (!jsonIncludes(actual, expect.json))
      return `the JSON does not include ${shortened(canonicalJson(expect.json), 300)}`;
  }
  return null;
}

/** Keeps track of whether a stream, read piece by piece, contained `needle` (which may be split between pieces). */
export function createIncludesScanner(needle: string | undefined): {
  push(piece: string): void;
  readonly found: boolean;
} {
  let carry = '';
  let found = needle === undefined;
  return {
    push(piece) {
      if (found || needle === undefined) return;
      const text = carry + piece;
      if (text.includes(needle)) found = true;
      else carry = text.slice(Math.max(0, text.length - (needle.length - 1)));
    },
    get found() {
      return found;
    },
  };
}
