import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Adds each entry (e.g. `.autocoder/`) to the folder's .gitignore unless it is already there. */
export function ensureGitignored(root: string, entries: readonly string[]): void {
  const file = join(root, '.gitignore');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = new Set(current.split(/\r?\n/).map((l) => l.trim()));
  const missing = entries.filter((entry) => {
    const bare = entry.replace(/\/$/, '');
    return !lines.has(entry) && !lines.has(bare) && !lines.has(`/${entry}`) && !lines.has(`/${bare}`);
  });
  if (missing.length === 0) return;
  const separator = current.length > 0 && !current.endsWith('\n') ? '\n' : '';
  appendFileSync(file, `${separator}${missing.join('\n')}\n`);
}
