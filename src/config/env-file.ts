import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { ENV_KEY_PATTERN } from '../shared/human-input.js';

/**
 * The project's `.env`: `KEY=value` lines the agents' apps read. autocoder writes answered
 * secrets there (mode 0600, never committed: `.git/info/exclude` lists it) and nowhere else.
 */

/** A value as one `.env` line: bare when it is plain, else double-quoted with `\` and `"` escaped. */
export function formatEnvValue(value: string): string {
  if (/^[A-Za-z0-9_\-./:@+,%]*$/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$')}"`;
}

function parseValue(raw: string): string {
  const v = raw.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\$])/g, '$1');
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  return v;
}

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;

/** The `KEY=value` pairs of a `.env` file (missing file: none). */
export function readEnvFile(path: string): Map<string, string> {
  const values = new Map<string, string>();
  if (!existsSync(path)) return values;
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = LINE.exec(line);
    if (m) values.set(m[1] as string, parseValue(m[2] as string));
  }
  return values;
}

/**
 * Sets `values` in the `.env` at `path`: existing lines of those keys are replaced in place,
 * new keys are appended, everything else is kept. Written to a private temporary file first and
 * renamed over, so the file is never partly written and never readable by others (0600).
 */
export function writeEnvValues(
  path: string,
  values: Readonly<Record<string, string>>,
  options: { placeholders?: Readonly<Record<string, string>> } = {},
): void {
  for (const key of Object.keys(values)) {
    if (!ENV_KEY_PATTERN.test(key)) throw new Error(`"${key}" is not a valid .env key`);
  }
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split(/\r?\n/) : [];
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const pending = new Map(Object.entries(values));
  const placeholders = options.placeholders ?? {};
  const entry = (key: string, value: string): string[] => {
    const why = placeholders[key];
    return why === undefined
      ? [`${key}=${formatEnvValue(value)}`]
      : [`${PLACEHOLDER_MARK}${oneLine(why)}`, `${key}=${formatEnvValue(value)}`];
  };
  const out = lines.flatMap((line, i) => {
    // The marker above a key that is being written again goes with the old value.
    if (line.startsWith(PLACEHOLDER_MARK) && pending.has(LINE.exec(lines[i + 1] ?? '')?.[1] ?? '')) return [];
    const key = LINE.exec(line)?.[1];
    if (key === undefined || !pending.has(key)) return [line];
    if (!values[key]) return [];
    const value = pending.get(key) as string;
    pending.delete(key);
    return entry(key, value);
  });
  // An empty value removes the key (above); it is never written as `KEY=`.
  for (const [key, value] of pending) if (value) out.push(...entry(key, value));
  const tmp = join(dirname(path), `.env.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmp, `${out.join('\n')}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/**
 * The comment line above a value that is a development placeholder, not a real credential
 * (supervisor mode writes those); it goes away when the key is written again.
 */
export const PLACEHOLDER_MARK = '# autocoder: DEVELOPMENT PLACEHOLDER, not a real credential: ';

const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ').trim();

/** Copies the project's `.env` to `dest` (a worktree) when there is one, keeping it private. */
export function copyEnvFile(from: string, dest: string): boolean {
  if (!existsSync(from)) return false;
  writeFileSync(dest, readFileSync(from), { mode: 0o600 });
  chmodSync(dest, 0o600);
  return true;
}
