import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SpecProblem {
  readonly line: number;
  readonly message: string;
}

export interface SpecCheck {
  readonly ok: boolean;
  readonly problems: SpecProblem[];
  readonly projectName: string | null;
  /** `<feature_count>` when the spec states one. */
  readonly featureCount: number | null;
}

export const REQUIRED_SECTIONS = [
  'project_name',
  'overview',
  'technology_stack',
  'core_features',
  'success_criteria',
] as const;
export const OPTIONAL_SECTIONS = [
  'feature_count',
  'database_schema',
  'api_endpoints_summary',
  'ui_layout',
  'design_system',
  'prerequisites',
  'key_interactions',
  'implementation_steps',
  'security_and_access_control',
] as const;

const TAG = /<(\/?)([A-Za-z_][\w.-]*)(\s[^<>]*?)?(\/?)>/g;

interface Element {
  name: string;
  line: number;
  depth: number;
  start: number;
  end: number;
}

/**
 * Checks an XML-ish app spec: tags balanced, a `<project_specification>` root, the required
 * sections present once and not empty. Problems carry 1-based line numbers. The spec is prose
 * inside tags, so `<` in text is tolerated; only tag structure is checked.
 */
export function validateAppSpec(text: string): SpecCheck {
  const problems: SpecProblem[] = [];
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  const stack: { name: string; line: number; start: number }[] = [];
  const elements: Element[] = [];
  for (const m of text.matchAll(TAG)) {
    const [whole, closing, name = '', , selfClosing] = m;
    const index = m.index ?? 0;
    if (selfClosing) continue;
    if (!closing) {
      stack.push({ name, line: lineAt(index), start: index + whole.length });
      continue;
    }
    const open = stack.lastIndexOf(stack.findLast((s) => s.name === name) ?? { name: '', line: 0, start: 0 });
    if (open === -1) {
      problems.push({ line: lineAt(index), message: `closing tag </${name}> has no matching <${name}>` });
      continue;
    }
    for (const unclosed of stack.splice(open + 1)) {
      problems.push({
        line: unclosed.line,
        message: `<${unclosed.name}> is never closed (expected </${unclosed.name}> before line ${lineAt(index)})`,
      });
    }
    const opened = stack.pop() as { name: string; line: number; start: number };
    elements.push({ name, line: opened.line, depth: stack.length, start: opened.start, end: index });
  }
  for (const unclosed of stack) problems.push({ line: unclosed.line, message: `<${unclosed.name}> is never closed` });

  const root = elements.find((e) => e.name === 'project_specification' && e.depth === 0);
  if (!root) {
    problems.push({
      line: 1,
      message:
        'the spec must be wrapped in <project_specification> … </project_specification> (see `autocoder spec-template`)',
    });
  }
  const sections = elements.filter((e) => e.depth === 1);
  const content = (e: Element) => text.slice(e.start, e.end).trim();
  for (const name of REQUIRED_SECTIONS) {
    const found = sections.filter((e) => e.name === name);
    if (found.length === 0) problems.push({ line: root?.line ?? 1, message: `missing required section <${name}>` });
    else if (found.length > 1)
      problems.push({ line: found[1]?.line ?? 1, message: `<${name}> appears ${found.length} times; keep one` });
    else if (content(found[0] as Element).length === 0)
      problems.push({ line: (found[0] as Element).line, message: `<${name}> is empty` });
  }
  const nameEl = sections.find((e) => e.name === 'project_name');
  const countEl = sections.find((e) => e.name === 'feature_count');
  let featureCount: number | null = null;
  if (countEl) {
    const raw = content(countEl);
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 2000)
      problems.push({
        line: countEl.line,
        message: `<feature_count> must be a whole number between 1 and 2000, not "${raw}"`,
      });
    else featureCount = n;
  }
  problems.sort((a, b) => a.line - b.line);
  return { ok: problems.length === 0, problems, projectName: nameEl ? content(nameEl) || null : null, featureCount };
}

export function appSpecTemplate(): string {
  return readFileSync(join(import.meta.dirname, 'app-spec-template.txt'), 'utf8');
}

export function formatSpecProblems(file: string, check: SpecCheck): string {
  return check.problems.map((p) => `${file}:${p.line}: ${p.message}`).join('\n');
}
