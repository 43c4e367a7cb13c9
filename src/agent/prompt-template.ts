import { AppError } from '../domain/errors.js';

export type PromptVars = Readonly<Record<string, string | boolean>>;

/**
 * Renders a prompt template: `{{name}}` inserts a string variable, `{{#flag}}…{{/flag}}`
 * keeps a section when the flag is true and `{{^flag}}…{{/flag}}` when it is false.
 * A variable the template uses but the caller did not give is an error, so a typo in a
 * project's own prompt override is reported instead of reaching the model.
 */
export function renderPrompt(template: string, vars: PromptVars, source = 'prompt'): string {
  const sections = template.replace(
    /\{\{([#^])([a-z_]+)\}\}([\s\S]*?)\{\{\/\2\}\}/g,
    (_m, kind: string, name: string, body: string) => {
      const value = vars[name];
      if (typeof value !== 'boolean')
        throw new AppError(
          'INVALID_INPUT',
          `${source}: section {{${kind}${name}}} needs a true/false value, and "${name}" is not one`,
        );
      return (kind === '#') === value ? body : '';
    },
  );
  return sections.replace(/\{\{([a-z_]+)\}\}/g, (_m, name: string) => {
    const value = vars[name];
    if (typeof value !== 'string') throw new AppError('INVALID_INPUT', `${source}: unknown placeholder {{${name}}}`);
    return value;
  });
}

export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}
