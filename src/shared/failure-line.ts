/**
 * The one line of a failing program's output that says what failed: the failing assertion, else the failing test's
 * name, else the last error line. A person reads it on a Failed card; the next agent reads it in the notes. Pure and
 * browser-safe (no imports).
 */

/** Longest line kept (a stack line or a minified bundle can be very long). */
export const MAX_FAILING_LINE = 240;

/**
 * Kinds of lines, most telling first. Node's test runner, Vitest/Jest, pytest, TAP and plain `assert` all print one
 * of these where a test fails; "error" and "failed" alone come last because summaries say them too ("npm ERR! Test
 * failed", "# fail 1").
 */
const KINDS: readonly RegExp[] = [
  // The assertion itself: `AssertionError [ERR_ASSERTION]: …`, `expected 3 to be 4`, `Expected: 4`, `assert x == y`.
  /\bAssertionError\b|\bexpected\b.*\b(?:to|but|got|received|===?|!==?)\b|^\s*(?:Expected|Received)\s*:|^\s*(?:E\s+)?assert\b/i,
  // The failing test: `✖ adds a todo`, `✗ …`, `× …`, `FAIL src/x.test.ts`, `not ok 3 - …`, `FAILED tests/x.py::y`.
  /^\s*(?:[✖✗✕×]\s|FAIL(?:ED)?\b|not ok\b)/,
  // An error with its type: `TypeError: x is not a function`, `Error: listen EADDRINUSE`.
  /\b[A-Z]\w*Error\b:|^\s*Error\b:/,
  // Anything else that says error or failure.
  /\berror\b|\bfail(?:ed|ure|s)?\b/i,
];

/** Lines that say something failed without saying what: summaries, npm's trailer, stack frames, source excerpts. */
const NOISE: readonly RegExp[] = [
  /^\s*(?:#|ℹ)\s*(?:tests|suites|pass|fail|cancelled|skipped|todo|duration_ms)\b/,
  /^\s*npm (?:ERR!|error)/,
  /^\s*at\s+\S/,
  /^\s*(?:Tests?|Test Files|Suites?)\s*:?\s+\d+\s+failed/i,
  /^\s*\d+\s+(?:failing|failed)\b/,
  /^\s*\[… [\d,]+ earlier characters cut\]$/,
  // Node prints the throwing source line and a caret above an uncaught error: `node:assert:90`, `throw new …`, `^`.
  /^\s*throw\s/,
  /^\s*\^+\s*$/,
  /^node:[\w/]+:\d+$/,
  // Node's assertion diff header, and YAML keys of a TAP failure (`name: 'AssertionError'`, `stack: |-`).
  /^\s*\+ actual - expected\s*$/,
  /^\s*(?:name|code|stack|failureType|operator|location|duration_ms):\s/,
];

/** The failing test's line (`not ok 1 - adds a todo`, `✖ adds a todo (2ms)`, `FAIL x.test.ts > adds`). */
const TEST_LINE = KINDS[1] as RegExp;

const clean = (line: string) => line.replace(/\s+/g, ' ').trim();

const isNoise = (line: string) => NOISE.some((re) => re.test(line));

const clip = (line: string) => (line.length > MAX_FAILING_LINE ? `${line.slice(0, MAX_FAILING_LINE - 1)}…` : line);

/** `adds a todo` from `not ok 1 - adds a todo`, `✖ adds a todo (2.1ms)`, `FAIL src/a.test.ts > adds a todo`. */
function testName(line: string): string {
  return clean(line)
    .replace(/^(?:[✖✗✕×]|FAIL(?:ED)?|not ok(?: \d+)?(?: -)?)\s*/, '')
    .replace(/\s*\(\d+(?:\.\d+)?\s*m?s\)$/, '');
}

/** The lines after one ending in `:` that finish it: up to two, after blank lines, until a blank line or noise. */
function continuation(lines: readonly string[], from: number): string[] {
  const out: string[] = [];
  for (let i = from; i < lines.length && out.length < 2; i++) {
    const line = lines[i] ?? '';
    if (clean(line) === '') {
      if (out.length > 0) break;
      continue;
    }
    if (isNoise(line)) {
      if (out.length > 0 || !/actual - expected/.test(line)) break;
      continue;
    }
    out.push(clean(line));
  }
  return out;
}

/**
 * The failing line of `output`, or null when no line says anything failed. Within the most telling kind present, the
 * first line wins (the first failure is the one to fix; the output is usually a tail already). A line ending in `:`
 * ("Expected values to be strictly equal:") is finished with the lines after it ("3 !== 4"); an assertion says which
 * test it failed in when a failing test's line comes before it (`adds a todo — Expected … 3 !== 4`).
 */
export function failingLine(output: string): string | null {
  const lines = output.split('\n');
  const candidates = lines.map((text, at) => ({ text, at })).filter((l) => clean(l.text) !== '' && !isNoise(l.text));
  for (const [k, kind] of KINDS.entries()) {
    const hit = candidates.find((l) => kind.test(l.text));
    if (!hit) continue;
    let line = clean(hit.text);
    if (line.endsWith(':')) line = [line, ...continuation(lines, hit.at + 1)].join(' ');
    if (k === 0) {
      const test = candidates.filter((l) => l.at < hit.at && TEST_LINE.test(l.text)).at(-1);
      if (test) line = `${testName(test.text)} — ${line}`;
    }
    // Node's error code in brackets (`AssertionError [ERR_ASSERTION]:`) tells a person nothing the name does not.
    return clip(line.replace(/\b(\w*Error) \[[A-Z_]+\]:/, '$1:'));
  }
  return null;
}
