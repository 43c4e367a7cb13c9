import { BUILT_IN_PERSONAS } from '../shared/design.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectPaths, type ProjectPaths } from '../config/paths.js';
import {
  listPersonas,
  MAX_LISTED,
  MAX_PERSONAS,
  parsePersonaFile,
  personaPrompt,
  selectPersonas,
  type PersonaInputs,
} from './personas.js';

let root: string;
let paths: ProjectPaths;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'autocoder-personas-'));
  paths = projectPaths(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function writePersona(file: string, text: string): string {
  mkdirSync(paths.personas, { recursive: true });
  const path = join(paths.personas, file);
  writeFileSync(path, text);
  return path;
}

const COPY_EDITOR = '# Copy Editor\n\nYou read every word on the screenshots: spelling, grammar, plain language.\n';

/** What the design review gives a persona in iteration 2 of an app with dark mode. */
function inputs(over: Partial<PersonaInputs> = {}): PersonaInputs {
  const dir = '/p/.autocoder/design/iteration-2';
  return {
    projectName: 'todo-app',
    iteration: 2,
    maxIterations: 3,
    specFile: '/p/.autocoder/worktrees/design/.autocoder/app_spec.txt',
    captureDir: dir,
    screenshots: [
      { file: 'home-desktop-light.png', page: '/', viewport: 'desktop', theme: 'light' },
      { file: 'home-mobile-dark.png', page: '/', viewport: 'mobile', theme: 'dark' },
      { file: 'settings-mobile-light.png', page: '/settings', viewport: 'mobile', theme: 'light' },
    ],
    axeFile: `${dir}/axe.json`,
    axeViolations: [
      { rule: 'region', impact: 'moderate', page: '/', viewport: 'desktop', theme: 'light', nodes: 1 },
      { rule: 'color-contrast', impact: 'serious', page: '/settings', viewport: 'mobile', theme: 'light', nodes: 3 },
    ],
    consoleErrors: [{ page: '/settings', text: 'TypeError: cannot read properties of undefined (reading "name")' }],
    failedRequests: [{ page: '/', url: 'http://127.0.0.1:4300/api/avatar.png', reason: '404' }],
    previousFindings: [
      {
        persona: 'accessibility-expert',
        severity: 'critical',
        title: 'Logo has no alt text',
        page: '/',
        viewport: 'desktop',
        fixed: true,
      },
      {
        persona: 'visual-designer',
        severity: 'major',
        title: 'Buttons overflow at mobile width',
        page: '/settings',
        viewport: 'mobile',
        fixed: false,
      },
    ],
    ...over,
  };
}

describe('listPersonas', () => {
  it('gives the four built-in personas, named by their headings, when the project has none of its own', () => {
    const personas = listPersonas(paths);
    expect(personas.map((p) => [p.id, p.name, p.builtin])).toEqual([
      ['visual-designer', 'Visual Designer', true],
      ['ux-researcher', 'UX Researcher', true],
      ['accessibility-expert', 'Accessibility Expert', true],
      ['brand-strategist', 'Brand Strategist', true],
    ]);
    for (const p of personas) {
      expect(p.source.endsWith(join('prompts', `designer-${p.id}.md`))).toBe(true);
      expect(p.focus).not.toMatch(/^#/);
      expect(p.frame.source.endsWith(join('prompts', 'designer-review.md'))).toBe(true);
    }
  });

  it("adds the project's .autocoder/personas/*.md after the built-ins, sorted by id, and ignores other files", () => {
    writePersona('copy-editor.md', COPY_EDITOR);
    writePersona('a11y-2.md', '# Motion Sensitivity Reviewer\nYou look for animation that could harm people.\n');
    writePersona('notes.txt', 'not a persona');
    mkdirSync(join(paths.personas, 'drafts.md'));
    const personas = listPersonas(paths);
    expect(personas.map((p) => p.id)).toEqual([...BUILT_IN_PERSONAS, 'a11y-2', 'copy-editor']);
    const editor = personas.find((p) => p.id === 'copy-editor');
    expect(editor).toMatchObject({
      name: 'Copy Editor',
      focus: 'You read every word on the screenshots: spelling, grammar, plain language.',
      source: join(paths.personas, 'copy-editor.md'),
      builtin: false,
    });
  });

  it('a project file with a built-in id replaces that persona in its place', () => {
    const file = writePersona(
      'brand-strategist.md',
      '# Brand Guardian\nYou check the screens against our brand book.\n',
    );
    const personas = listPersonas(paths);
    expect(personas).toHaveLength(4);
    expect(personas[3]).toMatchObject({ id: 'brand-strategist', name: 'Brand Guardian', source: file, builtin: true });
  });

  it('a built-in persona and the frame are also overridable in .autocoder/prompts/ like every prompt', () => {
    mkdirSync(paths.prompts, { recursive: true });
    writeFileSync(join(paths.prompts, 'designer-ux-researcher.md'), '# Usability Tester\nYou try every flow.\n');
    writeFileSync(
      join(paths.prompts, 'designer-review.md'),
      'Review {{iteration}} as {{persona_name}}: {{persona_focus}}',
    );
    const personas = listPersonas(paths);
    const ux = personas.find((p) => p.id === 'ux-researcher');
    expect(ux?.name).toBe('Usability Tester');
    expect(ux?.source).toBe(join(paths.prompts, 'designer-ux-researcher.md'));
    expect(personaPrompt(ux!, inputs())).toBe('Review 2 as Usability Tester: You try every flow.');
  });

  it.each([
    ['Copy Editor.md', 'Copy Editor'],
    ['copy_editor.md', 'copy_editor'],
    ['COPY.md', 'COPY'],
    [`${'a'.repeat(41)}.md`, 'a'.repeat(41)],
  ])('refuses the file name %s, naming the file and the rule', (file, id) => {
    const path = writePersona(file, COPY_EDITOR);
    expect(() => listPersonas(paths)).toThrow(`${path}: "${id}" is not a persona id`);
    expect(() => listPersonas(paths)).toThrow('1 to 40 lowercase letters, digits and dashes');
  });

  it('refuses a file where the personas folder should be', () => {
    mkdirSync(join(root, '.autocoder'), { recursive: true });
    writeFileSync(paths.personas, '# Copy Editor\n');
    expect(() => listPersonas(paths)).toThrow(`${paths.personas} must be a folder of persona files`);
  });

  it('accepts an id of exactly 40 characters', () => {
    writePersona(`${'a'.repeat(40)}.md`, COPY_EDITOR);
    expect(listPersonas(paths).map((p) => p.id)).toContain('a'.repeat(40));
  });

  it('refuses an empty file, a file without a heading, text before the heading and a heading with no body', () => {
    const empty = writePersona('empty.md', '  \n\n');
    expect(() => listPersonas(paths)).toThrow(`${empty}: the persona file is empty`);
    rmSync(empty);
    const noHeading = writePersona('no-heading.md', 'You look at icons.\n');
    expect(() => listPersonas(paths)).toThrow(`${noHeading}: a persona file starts with a "# Heading" line`);
    rmSync(noHeading);
    const late = writePersona('late.md', 'Intro first.\n# Icon Critic\nYou look at icons.\n');
    expect(() => listPersonas(paths)).toThrow(`${late}: the "# Icon Critic" heading must come before any other text`);
    rmSync(late);
    const bodyless = writePersona('bodyless.md', '# Icon Critic\n\n');
    expect(() => listPersonas(paths)).toThrow(
      `${bodyless}: the persona "Icon Critic" says nothing about what it looks at`,
    );
  });

  it('a "## Subheading" is not the name: the first "# Heading" is; Windows line ends and a BOM read the same', () => {
    expect(() => parsePersonaFile('## Icon Critic\nbody', 'x.md')).toThrow('x.md: a persona file starts with');
    expect(parsePersonaFile('\n# Icon Critic #\n\n## What you look at\nIcons.\n', 'x.md')).toEqual({
      name: 'Icon Critic',
      focus: '## What you look at\nIcons.',
    });
    expect(parsePersonaFile('\uFEFF# Icon Critic\r\nIcons.\r\nAnd logos.\r\n', 'x.md')).toEqual({
      name: 'Icon Critic',
      focus: 'Icons.\nAnd logos.',
    });
  });

  it(`allows ${MAX_PERSONAS} personas and refuses more, saying how many and where they come from`, () => {
    for (let i = 1; i <= MAX_PERSONAS - 4; i++)
      writePersona(`extra-${i}.md`, `# Extra ${i}\nYou look at thing ${i}.\n`);
    writePersona('visual-designer.md', '# Our Designer\nOur look.\n'); // replaces one: still 8
    expect(listPersonas(paths)).toHaveLength(MAX_PERSONAS);
    writePersona('extra-9.md', '# Extra 9\nYou look at thing 9.\n');
    expect(() => listPersonas(paths)).toThrow(
      `9 design personas (the 4 built-in ones and 5 in ${paths.personas}); at most 8: remove some files`,
    );
  });
});

describe('selectPersonas', () => {
  it('picks the named personas in the order given, all when none is named, and refuses an unknown id', () => {
    writePersona('copy-editor.md', COPY_EDITOR);
    const all = listPersonas(paths);
    expect(selectPersonas(all, null).map((p) => p.id)).toEqual(all.map((p) => p.id));
    expect(selectPersonas(all, ['copy-editor', 'visual-designer', 'copy-editor']).map((p) => p.id)).toEqual([
      'copy-editor',
      'visual-designer',
    ]);
    expect(() => selectPersonas(all, ['graphic-designer'])).toThrow(
      'unknown persona "graphic-designer"; the personas are: visual-designer, ux-researcher, accessibility-expert, brand-strategist, copy-editor',
    );
    expect(() => selectPersonas(all, [])).toThrow('give at least one persona id');
  });
});

describe('personaPrompt', () => {
  it('every built-in persona renders fully, with its lens, the inputs and the reporting and voting instructions', () => {
    for (const persona of listPersonas(paths)) {
      const text = personaPrompt(persona, inputs());
      expect(text).not.toMatch(/\{\{[#^/]?[a-z_]+\}\}/);
      expect(text).toContain(`Design review 2 of 3 for "todo-app": ${persona.name}`);
      expect(text).toContain('## Your lens\nYou judge ');
      expect(text).toContain('Approve only when');
      expect(text).toContain('/p/.autocoder/worktrees/design/.autocoder/app_spec.txt');
      expect(text).toContain('Read tool');
      expect(text).toContain('`review_add_finding`');
      expect(text).toContain('`design_vote` once');
      for (const field of ['`page`', '`viewport`', '`theme`', '`screenshot`', '`severity`', '`score`', '`rationale`'])
        expect(text).toContain(field);
    }
  });

  it('lists every screenshot with its page, viewport, size and theme, and says the app has a dark mode', () => {
    const text = personaPrompt(listPersonas(paths)[0]!, inputs());
    expect(text).toContain('- `/p/.autocoder/design/iteration-2/home-desktop-light.png`: `/` desktop light (1280×800)');
    expect(text).toContain('- `/p/.autocoder/design/iteration-2/home-mobile-dark.png`: `/` mobile dark (390×844)');
    expect(text).toContain('`/settings` mobile light (390×844)');
    expect(text).toContain('each in light and dark mode');
    expect(text).not.toContain('has no dark mode');
    // The visual designer's own bar follows the themes too.
    expect(text).toContain('at both widths and in both themes');
  });

  it('lists all 80 screenshots of a 20-page capture, never cut', () => {
    const screenshots = Array.from({ length: 20 }, (_, i) =>
      (['desktop', 'mobile'] as const).flatMap((viewport) =>
        (['light', 'dark'] as const).map((theme) => ({
          file: `p${i}-${viewport}-${theme}.png`,
          page: `/p${i}`,
          viewport,
          theme,
        })),
      ),
    ).flat();
    const text = personaPrompt(listPersonas(paths)[0]!, inputs({ screenshots }));
    expect(text.match(/^- `\/p\/\.autocoder\/design\/iteration-2\/p\d+-\w+-\w+\.png`/gm)).toHaveLength(80);
    expect(text).toContain('- `/p/.autocoder/design/iteration-2/p19-mobile-dark.png`: `/p19` mobile dark (390×844)');
  });

  it('asks for the screenshot by file name and for assertions that hold once a finding is fixed', () => {
    const text = personaPrompt(listPersonas(paths)[0]!, inputs());
    expect(text).toContain('the file name of the screenshot that shows it, without its folder');
    expect(text).toContain('`expect` when you can: up to 5 assertions');
  });

  it('says when the app has no dark mode', () => {
    const light = inputs().screenshots.filter((s) => s.theme === 'light');
    const text = personaPrompt(listPersonas(paths)[0]!, inputs({ screenshots: light }));
    expect(text).toContain('the app has no dark mode, so light only');
    expect(text).not.toContain('in both themes');
  });

  it('gives the axe violations worst first, the console errors and the failed requests', () => {
    const a11y = listPersonas(paths).find((p) => p.id === 'accessibility-expert')!;
    const text = personaPrompt(a11y, inputs());
    expect(text).toContain('2 violations, 1 of serious or critical impact:');
    const serious = text.indexOf('- serious: `color-contrast` on `/settings` mobile light, 3 elements');
    const moderate = text.indexOf('- moderate: `region` on `/` desktop light, 1 element');
    expect(serious).toBeGreaterThan(-1);
    expect(moderate).toBeGreaterThan(serious);
    // The accessibility expert's own lens names the axe file (its body is a template too).
    expect(text).toContain('starting from the axe results (`/p/.autocoder/design/iteration-2/axe.json`)');
    expect(text).toContain('- `/settings`: TypeError: cannot read properties of undefined (reading "name")');
    expect(text).toContain('- `/`: http://127.0.0.1:4300/api/avatar.png (404)');
  });

  it('shows the previous findings and whether each was fixed; the first iteration says there were none', () => {
    const persona = listPersonas(paths)[1]!;
    const later = personaPrompt(persona, inputs());
    expect(later).toContain('- fixed: critical "Logo has no alt text" on `/` desktop (accessibility-expert)');
    expect(later).toContain(
      '- still open: major "Buttons overflow at mobile width" on `/settings` mobile (visual-designer)',
    );
    expect(later).not.toContain('This is the first iteration');
    const first = personaPrompt(persona, inputs({ iteration: 1, previousFindings: [] }));
    expect(first).toContain('This is the first iteration: nothing was reported before.');
    expect(first).not.toContain('still open');
  });

  it('says "none" for empty lists and cuts long lists, pointing to the files', () => {
    const many = Array.from({ length: MAX_LISTED + 5 }, (_, i) => ({ page: `/p${i}`, text: `error ${i}` }));
    const text = personaPrompt(
      listPersonas(paths)[0]!,
      inputs({ axeViolations: [], failedRequests: [], consoleErrors: many }),
    );
    expect(text).toContain('- axe found no violation');
    expect(text).toContain(`- \`/p${MAX_LISTED - 1}\`: error ${MAX_LISTED - 1}`);
    expect(text).not.toContain(`error ${MAX_LISTED}\n`);
    expect(text).toContain('- … and 5 more (see /p/.autocoder/design/iteration-2)');
    expect(text).toMatch(/Requests that failed while the pages loaded:\n- none\n/);
  });

  it("wraps a project's persona in the same frame as the built-ins: inputs, reporting and the vote", () => {
    writePersona('copy-editor.md', COPY_EDITOR);
    const personas = listPersonas(paths);
    const custom = personaPrompt(
      personas.find((p) => p.id === 'copy-editor')!,
      inputs(),
    );
    const builtin = personaPrompt(personas[0]!, inputs());
    expect(custom).toContain('Your role in this review: Copy Editor.');
    expect(custom).toContain(
      '## Your lens\nYou read every word on the screenshots: spelling, grammar, plain language.\n',
    );
    // Everything after the lens (how to report, how to vote) is word for word the built-ins'.
    const tail = (t: string) => t.slice(t.indexOf('## How to report'));
    expect(tail(custom)).toBe(tail(builtin));
    expect(custom.slice(custom.indexOf('## What you receive'), custom.indexOf('## Your lens'))).toBe(
      builtin.slice(builtin.indexOf('## What you receive'), builtin.indexOf('## Your lens')),
    );
  });

  it("a project persona may use the inputs' variables; an unknown one is an error naming its file", () => {
    writePersona('copy-editor.md', '# Copy Editor\nRead the spec at {{spec_file}} first.\n');
    const ok = personaPrompt(
      listPersonas(paths).find((p) => p.id === 'copy-editor')!,
      inputs(),
    );
    expect(ok).toContain('Read the spec at /p/.autocoder/worktrees/design/.autocoder/app_spec.txt first.');
    const bad = writePersona('copy-editor.md', '# Copy Editor\nRead {{spec_path}}.\n');
    const persona = listPersonas(paths).find((p) => p.id === 'copy-editor')!;
    expect(() => personaPrompt(persona, inputs())).toThrow(`${bad}: unknown placeholder {{spec_path}}`);
  });

  it('refuses bad inputs with the field that is wrong', () => {
    const persona = listPersonas(paths)[0]!;
    expect(() => personaPrompt(persona, inputs({ screenshots: [] }))).toThrow(
      'design review inputs for persona "visual-designer": screenshots: a design review needs at least one screenshot',
    );
    const wide = {
      file: '/x.png',
      page: '/',
      viewport: 'tablet',
      theme: 'light',
    } as unknown as PersonaInputs['screenshots'][number];
    expect(() => personaPrompt(persona, inputs({ screenshots: [wide] }))).toThrow('screenshots.0.viewport');
    const pathed = { file: '../secrets/home.png', page: '/', viewport: 'desktop', theme: 'light' } as const;
    expect(() => personaPrompt(persona, inputs({ screenshots: [pathed] }))).toThrow(
      'screenshots.0.file: a screenshot is a file name of the capture folder',
    );
    expect(() => personaPrompt(persona, inputs({ iteration: 0 }))).toThrow('iteration');
  });
});
