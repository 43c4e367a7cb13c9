import { join } from 'node:path';
import { checkFailure, type CheckResult, type Verification } from '../shared/acceptance.js';
import { RESULT_FILE } from '../verify/evidence.js';

/**
 * How a verification that did not pass is told: to the coding agent (the error result of
 * `feature_mark_passing`, so the same session can fix it), and as a one-line note on the
 * feature (what the next session reads). Pure.
 */

/** Characters kept of each failing check's output in the agent's report (its end: where failures show). */
export const REPORT_OUTPUT_CHARS = 1_500;

/** `check 2 (http "add a todo")` (1-based, as a person counts). */
export function checkLabel(c: Pick<CheckResult, 'index' | 'kind' | 'name'>): string {
  return `check ${c.index + 1} (${c.kind}${c.name ? ` "${c.name}"` : ''})`;
}

const whose = (v: Verification, c: CheckResult) =>
  c.featureId === v.featureId ? '' : ` of feature #${c.featureId} (a dependency: your change broke it)`;

const trimStart = (text: string, max: number) =>
  text.length <= max ? text : `… (${text.length - max} characters cut)\n${text.slice(-max)}`;

const indent = (text: string, by = '   ') =>
  text
    .split('\n')
    .map((l) => `${by}${l}`)
    .join('\n');

/** The agent's report of a failed (or errored) verification: every failing check with its output's end and evidence. */
export function failureReport(v: Verification, projectRoot: string, outputChars: number = REPORT_OUTPUT_CHARS): string {
  const folder = join(projectRoot, v.evidenceDir);
  const commit = v.commit.slice(0, 8);
  const failing = v.checks.filter((c) => !c.passed);
  const lines: string[] = [];
  if (v.status === 'error')
    lines.push(`The runner could not verify commit ${commit} (verification ${v.id}): ${v.error ?? 'unknown error'}`);
  else
    lines.push(
      `The frozen acceptance checks failed on commit ${commit} (verification ${v.id}): ${failing.length} of ${v.checks.length} failed.`,
    );
  failing.forEach((c, i) => {
    lines.push(`${i + 1}. ${checkLabel(c)}${whose(v, c)}: ${checkFailure(c)}`);
    if (c.output.trim() !== '') lines.push(indent(trimStart(c.output.trimEnd(), outputChars)));
    if (c.evidence.length > 0) lines.push(`   evidence: ${c.evidence.map((e) => join(folder, e)).join(', ')}`);
  });
  lines.push(
    `All of it (every check's output, screenshots, the app's log): ${join(folder, RESULT_FILE)} and ${folder}`,
  );
  return lines.join('\n');
}

/** One line for the feature's notes: which checks failed, what their output says failed, and where the evidence is. */
export function failureNote(v: Verification): string {
  if (v.status === 'error')
    return `verification ${v.id} could not run: ${v.error ?? 'unknown error'} (${v.evidenceDir})`;
  const failing = v.checks.filter((c) => !c.passed);
  const what = failing
    .map((c) => `${c.featureId === v.featureId ? '' : `#${c.featureId} `}${checkLabel(c)}: ${checkFailure(c)}`)
    .join('; ');
  return `verification ${v.id} on ${v.commit.slice(0, 8)} failed ${failing.length}/${v.checks.length}: ${what} (evidence: ${v.evidenceDir})`;
}
