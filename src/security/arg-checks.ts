/** Argument helpers for the per-command validators: option parsing and project path checks. */
import path from 'node:path';
import { isPackageManagerConfig } from './npm-config.js';
import { isInsideProject, isProjectRoot, isProtectedPath, PROTECTED_DIRS, resolveReal } from './paths.js';
import { deny, type CommandCheck, type Denial } from './policy-types.js';

const posix = path.posix;

export type PathMode = 'read' | 'write' | 'delete';

export interface ParsedOption {
  /** Option name without dashes (`m` for `-m`, `message` for `--message=x`). */
  name: string;
  long: boolean;
  value: string | undefined;
  /** Index in args of the token that started this option. */
  index: number;
  /** Index of the token holding the value (same as index when attached). */
  valueIndex: number | undefined;
}

export interface ParsedArgs {
  options: ParsedOption[];
  /** Non-option arguments, in order, with their index in args. */
  positionals: { value: string; index: number }[];
}

export interface OptionSpec {
  /** Short option letters that take a value (`-mMSG` or `-m MSG`). */
  shortWithValue?: string;
  /** Long option names that take a separate value (`--message MSG`); `--name=value` always works. */
  longWithValue?: readonly string[];
  /** Stop option parsing at the first positional (git global options, npx, node). */
  stopAtPositional?: boolean;
  /** A long option typed as a unique prefix of a longWithValue name takes a value too (git's parse-options). */
  longPrefixes?: boolean;
}

/** getopt-style parsing: clusters (`-rf`), attached values (`-n20`), `--name=value`, `--`. */
export function parseOptions(args: readonly string[], spec: OptionSpec = {}): ParsedArgs {
  const options: ParsedOption[] = [];
  const positionals: { value: string; index: number }[] = [];
  const shortValues = spec.shortWithValue ?? '';
  const longValues = new Set(spec.longWithValue ?? []);
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      i += 1;
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const start = i;
      let value = eq < 0 ? undefined : arg.slice(eq + 1);
      const takesValue =
        longValues.has(name) || (spec.longPrefixes === true && [...longValues].some((full) => abbreviates(name, full)));
      if (value === undefined && takesValue && i + 1 < args.length) value = args[++i];
      options.push({ name, long: true, value, index: start, valueIndex: value === undefined ? undefined : i });
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const start = i;
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j] as string;
        if (shortValues.includes(letter)) {
          let value: string | undefined = arg.slice(j + 1);
          if (value === '') value = i + 1 < args.length ? args[++i] : undefined;
          options.push({
            name: letter,
            long: false,
            value,
            index: start,
            valueIndex: value === undefined ? undefined : i,
          });
          break;
        }
        options.push({ name: letter, long: false, value: undefined, index: start, valueIndex: undefined });
      }
      continue;
    }
    positionals.push({ value: arg, index: i });
    if (spec.stopAtPositional) {
      i += 1;
      for (; i < args.length; i++) positionals.push({ value: args[i] as string, index: i });
      return { options, positionals };
    }
  }
  for (; i < args.length; i++) positionals.push({ value: args[i] as string, index: i });
  return { options, positionals };
}

/**
 * `table[key]` for own keys only: an option named `constructor` or `__proto__` must not find Object.prototype's
 * members.
 */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** True when a long option as typed (`--outp`) is the full name or a GNU/git-style abbreviation of it. */
export function abbreviates(typed: string, full: string): boolean {
  return typed.length > 0 && full.startsWith(typed);
}

/** Finds an option matching one of the names (long names also match their abbreviations). */
export function findOption(parsed: ParsedArgs, names: readonly string[]): ParsedOption | undefined {
  return parsed.options.find((o) =>
    names.some((n) => (o.long && n.length > 1 ? abbreviates(o.name, n) : o.name === n)),
  );
}

/**
 * Strings inside one argument that a program may treat as a path: the argument itself when it
 * is not an option, the value of `--name=value`, and every possible attached value of a short
 * cluster (`-f/etc/x` → `f/etc/x`… `/etc/x`).
 */
export function pathCandidates(arg: string, isOption: boolean): string[] {
  if (!isOption) return [arg];
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=');
    return eq < 0 ? [] : [arg.slice(eq + 1)];
  }
  const out: string[] = [];
  for (let k = 2; k < arg.length; k++) out.push(arg.slice(k));
  return out;
}

const DEVICE_OK = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/stdin']);

function protectedReason(p: string): string {
  return `\`${p}\` is inside a protected folder (${PROTECTED_DIRS.join(', ')}); those are managed by the runner and must not be modified`;
}

/** Checks one path used from every possible working directory. */
export function checkPath(p: string, c: CommandCheck, mode: PathMode): Denial | null {
  if (p === '') return null;
  const { projectRoot, realpath } = c.ctx;
  if (/^\/dev\/(tcp|udp)\//.test(p))
    return deny(
      'network',
      `\`${p}\` opens a network connection; network access from the shell is limited to curl on localhost`,
    );
  if (DEVICE_OK.has(p) && mode !== 'delete') return null;
  for (const cwd of c.cwds) {
    const raw = posix.isAbsolute(p) ? p : `${cwd}/${p}`;
    if (!isInsideProject(raw, projectRoot, realpath)) {
      return deny(
        'outside_project',
        `\`${p}\` is outside the project folder ${projectRoot}; only read and write files inside it (use paths relative to the project)`,
      );
    }
    if (mode !== 'read' && isProtectedPath(raw, projectRoot, realpath))
      return deny('protected_path', protectedReason(p));
    if (mode === 'write' && [raw, ...(realpath ? [resolveReal(raw, realpath)] : [])].some(isPackageManagerConfig)) {
      return deny(
        'dangerous_args',
        `\`${p}\` is package-manager config (npm reads it at every command); write it with the Write or Edit tool, which checks its keys`,
      );
    }
    if (mode === 'delete' && isProjectRoot(raw, projectRoot)) {
      return deny(
        'dangerous_args',
        `\`${p}\` is the project folder itself; delete specific files or subfolders instead`,
      );
    }
  }
  return null;
}

/**
 * Path-checks the arguments at the given indexes (default: all): option values by their
 * candidates, other arguments as whole paths. Arguments after `--` are always whole paths.
 */
export function checkArgPaths(c: CommandCheck, mode: PathMode, skip: ReadonlySet<number> = new Set()): Denial | null {
  let afterDashDash = false;
  for (let i = 0; i < c.args.length; i++) {
    const arg = c.args[i] as string;
    if (!afterDashDash && arg === '--') {
      afterDashDash = true;
      continue;
    }
    if (skip.has(i)) continue;
    const isOption = !afterDashDash && arg.startsWith('-') && arg !== '-';
    for (const candidate of pathCandidates(arg, isOption)) {
      // Option values are checked in 'write' mode for write commands but never as deletions.
      const d = checkPath(candidate, c, isOption && mode === 'delete' ? 'write' : mode);
      if (d) return d;
    }
  }
  return null;
}

/** Checks a list of standalone values (e.g. an option's value) as paths. */
export function checkValuesAsPaths(
  values: readonly (string | undefined)[],
  c: CommandCheck,
  mode: PathMode,
): Denial | null {
  for (const v of values) {
    if (v === undefined) continue;
    const d = checkPath(v, c, mode);
    if (d) return d;
  }
  return null;
}

/** A URL with a scheme (`postgres://…`, `https://…`, `file:///…`): what egress checks look at. */
export const SCHEME_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * True for `<scheme>://[user[:pw]@]localhost|127.0.0.1|[::1][:port][/…]`: any tool's URL argument
 * (database URLs carry credentials, hence the userinfo). Nothing after the host may hold `@` or
 * `\`, so the host cannot be re-read as userinfo by a laxer URL parser.
 */
export function isLoopbackUrl(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/@\s\\]*@)?(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?([/?#][^\s\\@]*)?$/i.test(
    url,
  );
}

/**
 * Egress check for the arguments of tools without their own URL rules (npx tools, project
 * extensions): every `scheme://` value, standalone or after `--name=`, must be loopback;
 * `file:` URLs (`file:///x`, `file:./dev.db`) are paths and must stay in the project.
 */
export function checkUrlArgs(c: CommandCheck, hint: string): Denial | null {
  for (const arg of c.args) {
    const eq = arg.startsWith('-') ? arg.indexOf('=') : -1;
    const value = eq >= 0 ? arg.slice(eq + 1) : arg;
    if (/^file:/i.test(value)) {
      const d = checkPath(decodeFileUrl(value), c, 'read');
      if (d) return d;
      continue;
    }
    if (!SCHEME_URL.test(value)) continue;
    if (!isLoopbackUrl(value)) return deny('network', `\`${value}\` is not a local address: ${hint}`);
  }
  return null;
}

/**
 * The path of a `file:` URL: `file:///abs`, `file://localhost/abs`, and the relative `file:./dev.db`
 * database URLs use (query dropped, percent-decoded; an undecodable one keeps its text, still checked).
 */
export function decodeFileUrl(url: string): string {
  const rest = url.replace(/^file:(\/\/(localhost)?)?/i, '').replace(/\?.*$/s, '');
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

/** A file read through ctx.readFile: its text, absent (or no reader), or present but unreadable. */
export type FileText = { kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'unreadable'; why: string };

export function readText(c: CommandCheck, absolutePath: string): FileText {
  if (c.ctx.readFile === undefined) return { kind: 'missing' };
  try {
    const text = c.ctx.readFile(absolutePath);
    return text === null ? { kind: 'missing' } : { kind: 'text', text };
  } catch (err) {
    return { kind: 'unreadable', why: err instanceof Error ? err.message : String(err) };
  }
}

/** True for a `http(s)://localhost|127.0.0.1|[::1][:port][/…]` URL with no userinfo or odd characters. */
export function isLocalUrl(url: string, allowNoScheme: boolean): boolean {
  const withScheme = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?([/?#][^\s\\@]*)?$/i;
  const noScheme = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?([/?#][^\s\\@]*)?$/i;
  return withScheme.test(url) || (allowNoScheme && noScheme.test(url));
}
