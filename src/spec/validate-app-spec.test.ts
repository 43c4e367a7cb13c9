import { describe, it, expect } from 'vitest';
import { appSpecTemplate, formatSpecProblems, REQUIRED_SECTIONS, validateAppSpec } from './validate-app-spec.js';

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i === -1) throw new Error(`"${needle}" not in text`);
  return i + 1;
}

/** Removes the whole `<name>…</name>` element (and the line break after it) from the text. */
function withoutSection(text: string, name: string): string {
  const out = text.replace(new RegExp(`[ \\t]*<${name}>[\\s\\S]*?</${name}>\\n?`), '');
  if (out === text) throw new Error(`no <${name}> to remove`);
  return out;
}

const spec = (body: string) => `<project_specification>\n${body}\n</project_specification>\n`;
const MINIMAL = spec(
  [
    '  <project_name>shop</project_name>',
    '  <overview>A shop.</overview>',
    '  <technology_stack>Node</technology_stack>',
    '  <core_features>- buy</core_features>',
    '  <success_criteria>- it sells</success_criteria>',
  ].join('\n'),
);

describe('validateAppSpec', () => {
  it('accepts the spec template', () => {
    const check = validateAppSpec(appSpecTemplate());
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.projectName).toBe('my-app');
    expect(check.featureCount).toBe(40);
  });

  it('accepts a minimal spec with only the required sections', () => {
    expect(validateAppSpec(MINIMAL)).toEqual({ ok: true, problems: [], projectName: 'shop', featureCount: null });
  });

  it('tolerates a < in prose and self-closing tags', () => {
    const text = MINIMAL.replace('A shop.', 'A shop where price < 10 is cheap. <br/> Done.');
    expect(validateAppSpec(text).ok).toBe(true);
  });

  it('requires the <project_specification> root', () => {
    const text = MINIMAL.replace('<project_specification>\n', '').replace('</project_specification>\n', '');
    const check = validateAppSpec(text);
    expect(check.ok).toBe(false);
    expect(check.problems.some((p) => p.line === 1 && p.message.includes('<project_specification>'))).toBe(true);
  });

  it('does not count sections nested deeper than the root as sections', () => {
    const text = spec('  <overview>\n    <project_name>x</project_name>\n  </overview>');
    const messages = validateAppSpec(text).problems.map((p) => p.message);
    expect(messages).toContain('missing required section <project_name>');
  });

  for (const name of REQUIRED_SECTIONS) {
    it(`reports a missing <${name}> with the root's line`, () => {
      const text = '\n\n' + withoutSection(appSpecTemplate(), name);
      const check = validateAppSpec(text);
      expect(check.ok).toBe(false);
      expect(check.problems).toEqual([{ line: 3, message: `missing required section <${name}>` }]);
    });
  }

  it('reports a duplicated section at the line of the second copy', () => {
    const text = MINIMAL.replace(
      '  <overview>A shop.</overview>',
      '  <overview>A shop.</overview>\n  <overview>Again.</overview>',
    );
    const check = validateAppSpec(text);
    expect(check.problems).toEqual([{ line: lineOf(text, 'Again.'), message: '<overview> appears 2 times; keep one' }]);
  });

  it('reports an empty (whitespace-only) section at its line', () => {
    const text = MINIMAL.replace(
      '<technology_stack>Node</technology_stack>',
      '<technology_stack>\n   \n</technology_stack>',
    );
    const check = validateAppSpec(text);
    expect(check.problems).toEqual([
      { line: lineOf(text, '<technology_stack>'), message: '<technology_stack> is empty' },
    ]);
  });

  it('reports an unclosed tag at the line where it was opened', () => {
    const text = MINIMAL.replace('<overview>A shop.</overview>', '<overview>A shop.\n  <note>unfinished</overview>');
    const check = validateAppSpec(text);
    expect(check.ok).toBe(false);
    const unclosed = check.problems.find((p) => p.message.startsWith('<note> is never closed'));
    expect(unclosed?.line).toBe(lineOf(text, '<note>'));
    expect(unclosed?.message).toContain(`before line ${lineOf(text, '</overview>')}`);
  });

  it('reports a tag left open at the end of the text at its opening line', () => {
    const text = MINIMAL.replace(
      '  <core_features>- buy</core_features>',
      '  <core_features>- buy\n  <ui_layout>x</ui_layout>',
    );
    const check = validateAppSpec(text);
    expect(check.ok).toBe(false);
    const unclosed = check.problems.filter((p) => p.message.includes('<core_features> is never closed'));
    expect(unclosed.map((p) => p.line)).toEqual([lineOf(text, '<core_features>')]);
  });

  it('reports a stray closing tag at its line', () => {
    const text = MINIMAL.replace('<overview>A shop.</overview>', '<overview>A shop.</overview>\n  </design_system>');
    const check = validateAppSpec(text);
    expect(check.problems).toEqual([
      {
        line: lineOf(text, '</design_system>'),
        message: 'closing tag </design_system> has no matching <design_system>',
      },
    ]);
  });

  it('sorts problems by line', () => {
    const text = spec('  <overview></overview>\n  </stray>');
    const lines = validateAppSpec(text).problems.map((p) => p.line);
    expect(lines).toEqual([1, 1, 1, 1, 2, 3]);
  });

  describe('<feature_count>', () => {
    const withCount = (raw: string) =>
      MINIMAL.replace('  <overview>', `  <feature_count>${raw}</feature_count>\n  <overview>`);

    it('reads a valid count, trimming whitespace', () => {
      expect(validateAppSpec(withCount(' 120 ')).featureCount).toBe(120);
      expect(validateAppSpec(withCount('120')).ok).toBe(true);
    });

    it.each(['lots', '0', '5000', '12.5', '-3'])('rejects "%s"', (raw) => {
      const text = withCount(raw);
      const check = validateAppSpec(text);
      expect(check.ok).toBe(false);
      expect(check.featureCount).toBeNull();
      expect(check.problems).toEqual([
        {
          line: lineOf(text, '<feature_count>'),
          message: `<feature_count> must be a whole number between 1 and 2000, not "${raw}"`,
        },
      ]);
    });

    it('accepts the bounds 1 and 2000', () => {
      expect(validateAppSpec(withCount('1')).featureCount).toBe(1);
      expect(validateAppSpec(withCount('2000')).featureCount).toBe(2000);
    });
  });

  it('extracts the trimmed project name, or null when it is missing or empty', () => {
    expect(validateAppSpec(MINIMAL.replace('>shop<', '>\n   Fancy Shop  \n<')).projectName).toBe('Fancy Shop');
    expect(validateAppSpec(withoutSection(MINIMAL, 'project_name')).projectName).toBeNull();
    expect(validateAppSpec(MINIMAL.replace('>shop<', '><')).projectName).toBeNull();
  });
});

describe('formatSpecProblems', () => {
  it('prints one file:line: message per problem', () => {
    const text = MINIMAL.replace('<overview>A shop.</overview>', '<overview></overview>').replace(
      '  <success_criteria>- it sells</success_criteria>\n',
      '',
    );
    const check = validateAppSpec(text);
    expect(formatSpecProblems('/p/app_spec.txt', check)).toBe(
      [
        '/p/app_spec.txt:1: missing required section <success_criteria>',
        `/p/app_spec.txt:${lineOf(text, '<overview>')}: <overview> is empty`,
      ].join('\n'),
    );
  });

  it('is empty for a valid spec', () => {
    expect(formatSpecProblems('x', validateAppSpec(MINIMAL))).toBe('');
  });
});
