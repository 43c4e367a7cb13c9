import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { renderPrompt, type PromptVars } from '../agent/prompt-template.js';
import { loadPromptTemplate, type PromptName } from '../agent/prompts.js';
import type { ProjectPaths } from '../config/paths.js';
import { AppError } from '../domain/errors.js';
import {
  BUILT_IN_PERSONAS,
  type BuiltInPersona,
  MAX_PERSONAS,
  PersonaNameSchema,
  ScreenshotNameSchema,
  ThemeSchema,
  ViewportSchema,
} from '../shared/design.js';

/**
 * The design review's personas: the four built-in ones (`src/agent/prompts/designer-<id>.md`) and the project's own
 * (`.autocoder/personas/<id>.md`). A persona file is a `# Heading` (its display name) and a body saying what it looks
 * at; every persona is wrapped in the same frame (`designer-review.md`: what it receives, how to report, how to vote),
 * so a project's persona reports exactly like a built-in one. A project file with a built-in's id replaces it.
 */

/** Every persona is one paid session per iteration: more than this is a mistake, not a review. */
export { MAX_PERSONAS };

export interface Persona {
  /** `visual-designer`, or the project file's name without `.md`. */
  readonly id: string;
  /** From the file's first `# Heading`. */
  readonly name: string;
  /** The file's body (a template: it may use the same variables as the frame). */
  readonly focus: string;
  /** The file it came from (named in errors). */
  readonly source: string;
  /** Its id is a built-in one (the built-in file, or the project's file that replaces it). */
  readonly builtin: boolean;
  /** The frame it is wrapped in: the project's `designer-review.md` override or the built-in. */
  readonly frame: { readonly text: string; readonly source: string };
}

/** A persona file's display name and body; a clear error for an empty file, a missing heading or an empty body. */
export function parsePersonaFile(raw: string, source: string): { name: string; focus: string } {
  // Files written on Windows (CRLF, a byte order mark) read the same.
  const text = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (text.trim() === '') throw new AppError('INVALID_INPUT', `${source}: the persona file is empty`);
  const heading = /^#[ \t]+(.+?)[ \t#]*$/m.exec(text);
  if (!heading?.[1])
    throw new AppError(
      'INVALID_INPUT',
      `${source}: a persona file starts with a "# Heading" line giving the persona's name (e.g. "# Copy Editor")`,
    );
  const before = text.slice(0, heading.index).trim();
  if (before !== '')
    throw new AppError('INVALID_INPUT', `${source}: the "# ${heading[1]}" heading must come before any other text`);
  const focus = text.slice(heading.index + heading[0].length).trim();
  if (focus === '')
    throw new AppError(
      'INVALID_INPUT',
      `${source}: the persona "${heading[1]}" says nothing about what it looks at; write that below the heading`,
    );
  return { name: heading[1], focus };
}

function builtinPersona(id: BuiltInPersona, projectPromptsDir: string | null): Omit<Persona, 'frame'> {
  const template = loadPromptTemplate(`designer-${id}` satisfies PromptName, projectPromptsDir);
  return { id, ...parsePersonaFile(template.text, template.source), source: template.source, builtin: true };
}

/** The project's persona files (`*.md` in the folder; anything else there is ignored), sorted by id. */
function projectPersonas(dir: string): Omit<Persona, 'frame'>[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory())
    throw new AppError('INVALID_INPUT', `${dir} must be a folder of persona files (<id>.md), not a file`);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.md') && statSync(join(dir, file)).isFile())
    .sort()
    .map((file) => {
      const source = join(dir, file);
      const id = file.slice(0, -'.md'.length);
      const checked = PersonaNameSchema.safeParse(id);
      if (!checked.success)
        throw new AppError(
          'INVALID_INPUT',
          `${source}: "${id}" is not a persona id: ${checked.error.issues[0]?.message ?? 'invalid'}; rename the file`,
        );
      return {
        id,
        ...parsePersonaFile(readFileSync(source, 'utf8'), source),
        source,
        builtin: (BUILT_IN_PERSONAS as readonly string[]).includes(id),
      };
    });
}

/**
 * The project's personas: the built-in ones in their fixed order (each replaced by the project's file of the same id,
 * or by its `.autocoder/prompts/designer-<id>.md` override), then the project's own, sorted by id.
 */
export function listPersonas(paths: Pick<ProjectPaths, 'personas' | 'prompts'>): Persona[] {
  const own = projectPersonas(paths.personas);
  const byId = new Map(own.map((p) => [p.id, p]));
  const frame = loadPromptTemplate('designer-review', paths.prompts);
  const personas = [
    ...BUILT_IN_PERSONAS.map((id) => byId.get(id) ?? builtinPersona(id, paths.prompts)),
    ...own.filter((p) => !p.builtin),
  ].map((p) => ({ ...p, frame }));
  if (personas.length > MAX_PERSONAS)
    throw new AppError(
      'INVALID_INPUT',
      `${personas.length} design personas (the 4 built-in ones and ${personas.length - BUILT_IN_PERSONAS.length} in ${paths.personas}); at most ${MAX_PERSONAS}: remove some files`,
    );
  return personas;
}

/** The personas named in `ids` (e.g. `--personas visual-designer,copy-editor`), in that order; all when null. */
export function selectPersonas(all: readonly Persona[], ids: readonly string[] | null): Persona[] {
  if (ids === null) return [...all];
  if (ids.length === 0) throw new AppError('INVALID_INPUT', 'no persona named: give at least one persona id');
  return [...new Set(ids)].map((id) => {
    const found = all.find((p) => p.id === id);
    if (!found)
      throw new AppError('NOT_FOUND', `unknown persona "${id}"; the personas are: ${all.map((p) => p.id).join(', ')}`);
    return found;
  });
}

// ── The prompt ──────────────────────────────────────────────────────────────

/** What a persona session is given: what the capture found, and what was reported before. */
export const PersonaInputsSchema = z.strictObject({
  projectName: z.string().min(1),
  iteration: z.number().int().min(1),
  maxIterations: z.number().int().min(1),
  /** The app spec, in the review worktree. */
  specFile: z.string().min(1),
  /** The iteration's folder, `.autocoder/design/iteration-<N>/`. */
  captureDir: z.string().min(1),
  /** The screenshots, files directly in `captureDir` (the file name is what `review_add_finding` names). */
  screenshots: z
    .array(
      z.strictObject({
        file: ScreenshotNameSchema,
        page: z.string().min(1),
        viewport: ViewportSchema,
        theme: ThemeSchema,
      }),
    )
    .min(1, 'a design review needs at least one screenshot'),
  /** The full axe-core results. */
  axeFile: z.string().min(1),
  axeViolations: z.array(
    z.strictObject({
      rule: z.string().min(1),
      impact: z.enum(['minor', 'moderate', 'serious', 'critical']),
      page: z.string().min(1),
      viewport: ViewportSchema,
      theme: ThemeSchema,
      /** How many elements violate it. */
      nodes: z.number().int().min(0),
    }),
  ),
  consoleErrors: z.array(z.strictObject({ page: z.string().min(1), text: z.string() })),
  failedRequests: z.array(z.strictObject({ page: z.string().min(1), url: z.string().min(1), reason: z.string() })),
  /** The previous iteration's findings (all personas'), empty in the first iteration. */
  previousFindings: z.array(
    z.strictObject({
      persona: z.string().min(1),
      severity: z.enum(['critical', 'major', 'minor', 'info']),
      title: z.string().min(1),
      page: z.string().min(1),
      viewport: ViewportSchema,
      fixed: z.boolean(),
    }),
  ),
});
export type PersonaInputs = z.input<typeof PersonaInputsSchema>;

/** Longest list of axe violations, console errors, failed requests or findings shown; the rest is in the files. */
export const MAX_LISTED = 40;
/** Longest console message shown. */
const MAX_TEXT = 300;

const clip = (text: string): string => {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_TEXT ? `${oneLine.slice(0, MAX_TEXT - 1)}…` : oneLine;
};

function bulletList(lines: readonly string[], none: string, more: string): string {
  if (lines.length === 0) return `- ${none}`;
  const shown = lines.slice(0, MAX_LISTED).map((l) => `- ${l}`);
  if (lines.length > MAX_LISTED) shown.push(`- … and ${lines.length - MAX_LISTED} more (${more})`);
  return shown.join('\n');
}

const VIEWPORT_SIZE = { desktop: '1280×800', mobile: '390×844' } as const;

/** The template variables of the frame and the persona's body. */
export function personaVars(persona: Persona, raw: PersonaInputs): PromptVars {
  const parsed = PersonaInputsSchema.safeParse(raw);
  if (!parsed.success)
    throw new AppError(
      'INVALID_INPUT',
      `design review inputs for persona "${persona.id}": ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`,
    );
  const inputs = parsed.data;
  const where = (v: { page: string; viewport: string; theme?: string }) =>
    `\`${v.page}\` ${v.viewport}${v.theme ? ` ${v.theme}` : ''}`;
  const rank = { critical: 0, serious: 1, moderate: 2, minor: 3 } as const;
  const violations = [...inputs.axeViolations].sort((a, b) => rank[a.impact] - rank[b.impact]);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').length;
  return {
    project_name: inputs.projectName,
    iteration: String(inputs.iteration),
    max_iterations: String(inputs.maxIterations),
    persona_id: persona.id,
    persona_name: persona.name,
    spec_file: inputs.specFile,
    capture_dir: inputs.captureDir,
    dark_mode: inputs.screenshots.some((s) => s.theme === 'dark'),
    // Never cut: a persona must see every screenshot (at most 20 pages × 2 viewports × 2 themes).
    screenshot_list: inputs.screenshots
      .map((s) => `- \`${join(inputs.captureDir, s.file)}\`: ${where(s)} (${VIEWPORT_SIZE[s.viewport]})`)
      .join('\n'),
    axe_file: inputs.axeFile,
    axe_summary:
      (violations.length === 0
        ? ''
        : `${violations.length} violation${violations.length === 1 ? '' : 's'}, ${serious} of serious or critical impact:\n`) +
      bulletList(
        violations.map(
          (v) => `${v.impact}: \`${v.rule}\` on ${where(v)}, ${v.nodes} element${v.nodes === 1 ? '' : 's'}`,
        ),
        'axe found no violation',
        `see ${inputs.axeFile}`,
      ),
    console_errors: bulletList(
      inputs.consoleErrors.map((e) => `\`${e.page}\`: ${clip(e.text)}`),
      'none',
      `see ${inputs.captureDir}`,
    ),
    failed_requests: bulletList(
      inputs.failedRequests.map((r) => `\`${r.page}\`: ${clip(r.url)} (${clip(r.reason)})`),
      'none',
      `see ${inputs.captureDir}`,
    ),
    first_iteration: inputs.iteration === 1,
    previous_findings: bulletList(
      inputs.previousFindings.map(
        (f) => `${f.fixed ? 'fixed' : 'still open'}: ${f.severity} "${f.title}" on ${where(f)} (${f.persona})`,
      ),
      'none',
      'the earlier report.md has them all',
    ),
  };
}

/**
 * The prompt of one persona's session: the frame with the persona's body (itself rendered with the same variables)
 * as its lens. A placeholder the frame or the body uses but the inputs do not give is an error naming the file.
 */
export function personaPrompt(persona: Persona, inputs: PersonaInputs): string {
  const vars = personaVars(persona, inputs);
  const focus = renderPrompt(persona.focus, vars, persona.source);
  return renderPrompt(persona.frame.text, { ...vars, persona_focus: focus }, persona.frame.source);
}
