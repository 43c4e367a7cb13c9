import { canonicalJson, type AcceptanceCheck, type BrowserStep, type Locator } from '@shared/acceptance';

/**
 * Acceptance checks in words a person reads quickly (the drawer, the Inbox's disputes), and the
 * diff of two lists of them. Pure.
 */

const q = (s: string, max = 120) => `“${s.length > max ? `${s.slice(0, max - 1)}…` : s}”`;

/** How a browser step finds its element, as a person would say it: `the button “Save”`. */
export function locatorText(l: Locator): string {
  const exact = 'exact' in l && l.exact ? ' (exactly)' : '';
  if ('role' in l) return `the ${l.role}${l.name === undefined ? '' : ` ${q(l.name)}`}${exact}`;
  if ('label' in l) return `the field labelled ${q(l.label)}${exact}`;
  if ('placeholder' in l) return `the field with placeholder ${q(l.placeholder)}${exact}`;
  if ('text' in l) return `the text ${q(l.text)}${exact}`;
  return `the element with test id ${q(l.testId)}`;
}

export function stepText(step: BrowserStep): string {
  if ('goto' in step) return `Open ${step.goto}`;
  if ('click' in step) return `Click ${locatorText(step.click)}`;
  if ('fill' in step) return `Type ${q(step.value, 60)} into ${locatorText(step.fill)}`;
  if ('press' in step) return `Press ${step.press}${step.on ? ` on ${locatorText(step.on)}` : ''}`;
  if ('check' in step) return `Tick ${locatorText(step.check)}`;
  if ('uncheck' in step) return `Untick ${locatorText(step.uncheck)}`;
  if ('select' in step) return `Choose ${q(step.value, 60)} in ${locatorText(step.select)}`;
  if ('expectText' in step) return `See ${q(step.expectText)}`;
  if ('expectNoText' in step) return `Do not see ${q(step.expectNoText)}`;
  if ('expectVisible' in step) return `See ${locatorText(step.expectVisible)}`;
  if ('expectUrl' in step) return `Be on ${step.expectUrl}`;
  if ('expectNoAxeViolation' in step) return `No accessibility problem of the axe rule ${q(step.expectNoAxeViolation)}`;
  if ('reload' in step) return 'Reload the page';
  return `Screenshot ${q(step.screenshot)}`;
}

export interface CheckText {
  /** The check's own name, else what it does in a few words. */
  readonly title: string;
  /** What it runs and expects, one line each. */
  readonly lines: readonly string[];
}

const limit = (ms: number | undefined) => (ms === undefined ? [] : [`time limit ${Math.round(ms / 1000)} s`]);

export function checkText(check: AcceptanceCheck): CheckText {
  switch (check.kind) {
    case 'command': {
      const e = check.expect ?? {};
      return {
        title: check.name ?? `Command ${q(check.run, 60)}`,
        lines: [
          `Run: ${check.run}`,
          `Expect exit code ${e.exitCode ?? 0}${e.stdoutIncludes === undefined ? '' : ` and output containing ${q(e.stdoutIncludes)}`}`,
          ...limit(check.timeoutMs),
        ],
      };
    }
    case 'http': {
      const e = check.expect ?? {};
      const expects = [
        e.status === undefined ? 'a 2xx status' : `status ${e.status}`,
        ...(e.bodyIncludes === undefined ? [] : [`a body containing ${q(e.bodyIncludes)}`]),
        ...(e.json === undefined ? [] : [`JSON including ${canonicalJson(e.json)}`]),
      ];
      return {
        title: check.name ?? `${check.method} ${check.path}`,
        lines: [
          `Request: ${check.method} ${check.path}`,
          ...(check.headers ? [`Headers: ${Object.keys(check.headers).join(', ')}`] : []),
          ...(check.body === undefined ? [] : [`Body: ${canonicalJson(check.body)}`]),
          `Expect ${expects.join(', ')}`,
          ...limit(check.timeoutMs),
        ],
      };
    }
    case 'browser':
      return {
        title: check.name ?? `Browser: ${check.steps.length} steps`,
        lines: [...check.steps.map((s, i) => `${i + 1}. ${stepText(s)}`), ...limit(check.timeoutMs)],
      };
  }
}

/** One row of a check-list diff: a check kept, changed, dropped or added (positions in each list). */
export type CheckDiffRow =
  | { readonly change: 'same'; readonly before: number; readonly after: number }
  | { readonly change: 'changed'; readonly before: number; readonly after: number }
  | { readonly change: 'removed'; readonly before: number }
  | { readonly change: 'added'; readonly after: number };

/**
 * How `after` differs from `before`: the longest run of identical checks (same content, key order ignored) stays
 * aligned; between two kept checks, dropped and added ones pair up as "changed" in order, and what is left over is
 * "removed" or "added".
 */
export function diffChecks(before: readonly AcceptanceCheck[], after: readonly AcceptanceCheck[]): CheckDiffRow[] {
  const a = before.map(canonicalJson);
  const b = after.map(canonicalJson);
  // lcs[i][j]: the longest common run of a[i..] and b[j..] (at most 20 checks a side).
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const rows: CheckDiffRow[] = [];
  let removed: number[] = [];
  let added: number[] = [];
  const flush = () => {
    const pairs = Math.min(removed.length, added.length);
    for (let k = 0; k < pairs; k++) rows.push({ change: 'changed', before: removed[k]!, after: added[k]! });
    for (const i of removed.slice(pairs)) rows.push({ change: 'removed', before: i });
    for (const j of added.slice(pairs)) rows.push({ change: 'added', after: j });
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      flush();
      rows.push({ change: 'same', before: i++, after: j++ });
    } else if (j >= b.length || (i < a.length && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) removed.push(i++);
    else added.push(j++);
  }
  flush();
  return rows;
}

/** The first characters of a content hash, as the UI shows it (the whole one in a tooltip). */
export const shortHash = (hash: string) => hash.replace(/^sha256:/, '').slice(0, 12);
