import { describe, it, expect } from 'vitest';
import { AppError } from '../domain/errors.js';
import { renderPrompt, wordCount } from './prompt-template.js';

function renderError(template: string, vars: Record<string, string | boolean>, source?: string): AppError {
  try {
    renderPrompt(template, vars, source);
  } catch (err: unknown) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('renderPrompt did not throw');
}

describe('renderPrompt', () => {
  it('replaces every occurrence of each placeholder', () => {
    expect(renderPrompt('Hi {{name}}, {{name}} builds {{project_name}}.', { name: 'Ada', project_name: 'todo' })).toBe(
      'Hi Ada, Ada builds todo.',
    );
  });

  it('leaves text without placeholders unchanged', () => {
    expect(renderPrompt('plain text { not a placeholder }', {})).toBe('plain text { not a placeholder }');
  });

  it('inserts values literally, even when they contain $ patterns or braces', () => {
    expect(renderPrompt('[{{v}}]', { v: "$& $1 $' {{other}}" })).toBe("[$& $1 $' {{other}}]");
  });

  it('keeps a {{#flag}} section when the flag is true and drops it when false', () => {
    const t = 'a{{#browser}} B{{/browser}} c';
    expect(renderPrompt(t, { browser: true })).toBe('a B c');
    expect(renderPrompt(t, { browser: false })).toBe('a c');
  });

  it('keeps a {{^flag}} section when the flag is false and drops it when true', () => {
    const t = 'a{{^browser}} curl{{/browser}} c';
    expect(renderPrompt(t, { browser: false })).toBe('a curl c');
    expect(renderPrompt(t, { browser: true })).toBe('a c');
  });

  it('handles both section kinds side by side and multi-line sections with placeholders inside', () => {
    const t = '{{#browser}}open\n{{url}}\n{{/browser}}{{^browser}}curl {{url}}\n{{/browser}}end';
    expect(renderPrompt(t, { browser: true, url: 'http://x' })).toBe('open\nhttp://x\nend');
    expect(renderPrompt(t, { browser: false, url: 'http://x' })).toBe('curl http://x\nend');
  });

  it('does not require placeholders inside a dropped section', () => {
    expect(renderPrompt('x{{#flag}}{{missing}}{{/flag}}y', { flag: false })).toBe('xy');
  });

  it('reports an unknown placeholder as INVALID_INPUT naming it and the source', () => {
    const err = renderError('Hello {{nmae}}', { name: 'Ada' }, '/p/.autocoder/prompts/coding.md');
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('{{nmae}}');
    expect(err.message).toContain('/p/.autocoder/prompts/coding.md');
  });

  it('uses "prompt" as the source when none is given', () => {
    expect(renderError('{{x}}', {}).message).toMatch(/^prompt: /);
  });

  it('rejects a boolean used as a plain placeholder', () => {
    expect(renderError('{{browser}}', { browser: true }, 'src').code).toBe('INVALID_INPUT');
  });

  it('rejects a section whose variable is a string', () => {
    const err = renderError('{{#browser}}x{{/browser}}', { browser: 'yes' }, 'tmpl.md');
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('tmpl.md');
    expect(err.message).toContain('"browser"');
  });

  it('rejects a section whose variable is missing', () => {
    const err = renderError('{{^flag}}x{{/flag}}', {}, 'tmpl.md');
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('{{^flag}}');
  });
});

describe('wordCount', () => {
  it('counts whitespace-separated words', () => {
    expect(wordCount('one two  three\nfour\tfive')).toBe(5);
  });

  it('ignores leading and trailing whitespace', () => {
    expect(wordCount('  \n hello world \n ')).toBe(2);
  });

  it('is 0 for empty or blank text', () => {
    expect(wordCount('')).toBe(0);
    expect(wordCount(' \n\t ')).toBe(0);
  });
});
