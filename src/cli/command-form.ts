import type { Env } from '../config/env.js';
import { findOnPath } from '../config/sandbox-support.js';

/**
 * How the person can run autocoder where they are, so every hint names a command that works: `autocoder …` when it is
 * on their PATH (installed globally or linked), `npx autocoder …` otherwise (inside a clone after `npm ci`, where only
 * npx finds the package's own bin). Started through npm (`npx autocoder`, `npm start`), PATH holds npm's bin folders
 * for this process only, so the person's own shell does not have them: then it is npx too.
 */
export type CommandForm = 'autocoder' | 'npx autocoder';

export function commandForm(env: Env): CommandForm {
  if (env.npm_command !== undefined || env.npm_lifecycle_event !== undefined) return 'npx autocoder';
  return findOnPath('autocoder', env.PATH) === null ? 'npx autocoder' : 'autocoder';
}

/**
 * `text` with every `autocoder <command>` hint in the given form. JSON (it is data, not a hint), commander's help (its
 * usage lines name the program itself) and live views redrawn in place are left as they are. Pure.
 */
export function withCommandForm(text: string, form: CommandForm, commands: readonly string[]): string {
  if (form === 'autocoder' || commands.length === 0) return text;
  const start = text.trimStart();
  if (start.startsWith('{') || start.startsWith('[') || start.startsWith('Usage:')) return text;
  // A live view redrawn in place (escape sequences) is a screen, not a hint: its lines must keep their width.
  if (text.includes('\u001b[')) return text;
  const names = [...commands].sort((a, b) => b.length - a.length).map((c) => c.replace(/[-]/g, '\\-'));
  const hint = new RegExp(`(?<![\\w./-]|npx )autocoder (?=(?:${names.join('|')})(?![\\w-]))`, 'g');
  return text.replace(hint, `${form} `);
}
