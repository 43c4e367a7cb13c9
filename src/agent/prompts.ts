import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPrompt, type PromptVars } from './prompt-template.js';

export const PROMPT_NAMES = [
  'system',
  'initializer',
  'coding',
  'testing',
  'supervisor',
  'verifier',
  'reviewer-code',
  'reviewer-security',
  'reviewer-performance',
  'design-guide',
  'designer-review',
  'designer-visual-designer',
  'designer-ux-researcher',
  'designer-accessibility-expert',
  'designer-brand-strategist',
] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];

const BUILTIN_DIR = join(import.meta.dirname, 'prompts');

/** A prompt template: the project's override in `.autocoder/prompts/<name>.md`, else the built-in one. */
export function loadPromptTemplate(
  name: PromptName,
  projectPromptsDir: string | null,
): { text: string; source: string } {
  if (projectPromptsDir) {
    const override = join(projectPromptsDir, `${name}.md`);
    if (existsSync(override)) return { text: readFileSync(override, 'utf8'), source: override };
  }
  const builtin = join(BUILTIN_DIR, `${name}.md`);
  return { text: readFileSync(builtin, 'utf8'), source: builtin };
}

/** Renders templates in order (each the project's override or the built-in) and joins them into one prompt;
 * one name renders exactly as `renderPrompt` would. */
export function renderPromptTemplates(
  names: readonly PromptName[],
  vars: PromptVars,
  projectPromptsDir: string | null,
): string {
  return names
    .map((name) => {
      const t = loadPromptTemplate(name, projectPromptsDir);
      return renderPrompt(t.text, vars, t.source);
    })
    .join('\n\n');
}
