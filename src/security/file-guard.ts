/**
 * Confines Claude Code's file tools to the project folder. Reads (Read, Glob, Grep, LS) must stay
 * inside the project after resolving symlinks; writes (Write, Edit, MultiEdit, NotebookEdit)
 * additionally may not touch the protected folders (.git, .autocoder, .claude, .playwright), nor
 * leave keys in a package-manager config (.npmrc…) that npm would act on (see npm-config.ts).
 *
 * Pure except for the optional ctx.realpath (pass fs.realpathSync.native) and ctx.readFile (the
 * current text of a package-manager config an Edit changes); a missing path
 * resolves through its longest existing prefix (see resolveReal). Unknown tools are allowed:
 * the caller routes only file tools here. Any exception denies.
 */
import path from 'node:path';
import { forbiddenConfigKey, forbiddenKeyReason, isPackageManagerConfig } from './npm-config.js';
import { isInsideProject, isProtectedPath, PROTECTED_DIRS, resolveReal, type RealpathFn } from './paths.js';
import type { ReadTextFn } from './policy-types.js';

export { resolveReal };

const posix = path.posix;

export type FileGuardDecision = { allow: true } | { allow: false; reason: string };

export interface FileGuardContext {
  projectRoot: string;
  realpath?: RealpathFn;
  /**
   * Reads the current text of a file an Edit changes (package-manager config checks); without it the edit is judged
   * alone.
   */
  readFile?: ReadTextFn;
}

const READ_TOOLS: Readonly<Record<string, string>> = { Read: 'file_path', NotebookRead: 'notebook_path' };
const WRITE_TOOLS: Readonly<Record<string, string>> = {
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};
/** Tools whose `path` is optional and defaults to the working directory (the project root). */
const SEARCH_TOOLS = new Set(['Glob', 'Grep', 'LS']);

const ALLOWED: FileGuardDecision = { allow: true };

function denyWith(reason: string): FileGuardDecision {
  return { allow: false, reason };
}

function checkPath(tool: string, p: string, ctx: FileGuardContext, write: boolean): FileGuardDecision {
  const root = ctx.projectRoot;
  if (p.includes('\0')) return denyWith(`${tool}: the path contains a NUL byte`);
  if (p.startsWith('~'))
    return denyWith(`${tool}: \`~\` paths are outside the project; use a path inside the project folder ${root}`);
  const raw = posix.isAbsolute(p) ? p : `${root}/${p}`;
  if (!isInsideProject(raw, root, ctx.realpath)) {
    return denyWith(
      `${tool}: ${p} is outside the project folder (symlinks resolved); ${write ? 'write' : 'read'} inside the project folder ${root}`,
    );
  }
  if (write && isProtectedPath(raw, root, ctx.realpath)) {
    return denyWith(
      `${tool}: ${p} is inside a protected folder (${PROTECTED_DIRS.join(', ')}) managed by the runner; write your files elsewhere in the project folder ${root}`,
    );
  }
  return ALLOWED;
}

const GLOB_CHARS = /[*?[\]{}]/;

/** A Glob pattern may not be absolute outside the project, nor climb out with `..`. */
function checkGlobPattern(pattern: string, base: string, ctx: FileGuardContext): FileGuardDecision {
  const segments = pattern.split('/');
  const firstGlob = segments.findIndex((s) => GLOB_CHARS.test(s));
  const staticPart = (firstGlob < 0 ? segments : segments.slice(0, firstGlob)).join('/');
  const rest = firstGlob < 0 ? '' : segments.slice(firstGlob).join('/');
  if (/(^|[/{,])\.\.($|[/},])/.test(rest)) {
    return denyWith(
      `Glob: the pattern ${pattern} climbs out with ..; use a pattern relative to the project folder ${ctx.projectRoot}`,
    );
  }
  const prefix = posix.isAbsolute(pattern) ? staticPart || '/' : staticPart === '' ? base : `${base}/${staticPart}`;
  return checkPath('Glob', prefix, ctx, false);
}

/**
 * The texts a write tool would leave in a file, to judge: Write's content; for Edit/MultiEdit the
 * file with the edits applied and each new_string on its own (the old text may not be readable).
 */
function textsAfterWrite(toolName: string, input: Record<string, unknown>, current: string): string[] | null {
  if (toolName === 'Write') return typeof input.content === 'string' ? [input.content] : null;
  const edits: unknown[] = toolName === 'MultiEdit' ? (Array.isArray(input.edits) ? input.edits : []) : [input];
  let text = current;
  const pieces: string[] = [];
  for (const e of edits) {
    if (typeof e !== 'object' || e === null) return null;
    const { old_string: from, new_string: to, replace_all: all } = e as Record<string, unknown>;
    if (typeof from !== 'string' || typeof to !== 'string') return null;
    text = all === true ? text.replaceAll(from, to) : text.replace(from, to);
    pieces.push(to);
  }
  return [text, ...pieces];
}

/** The file's text before an edit ('' when it cannot be read: the edit is then judged on its own). */
function currentText(abs: string, ctx: FileGuardContext): string {
  try {
    return ctx.readFile?.(abs) ?? '';
  } catch {
    return '';
  }
}

/**
 * Package-manager config (`.npmrc`, `.pnpmrc`, `.yarnrc*`) may not gain keys that pick programs,
 * registries or outside folders: npm reads the project's `.npmrc` at every later command.
 */
function checkConfigWrite(
  toolName: string,
  p: string,
  input: Record<string, unknown>,
  ctx: FileGuardContext,
): FileGuardDecision {
  if (!isPackageManagerConfig(p)) return ALLOWED;
  const abs = posix.isAbsolute(p) ? p : `${ctx.projectRoot}/${p}`;
  const texts = textsAfterWrite(toolName, input, toolName === 'Write' ? '' : currentText(abs, ctx));
  if (texts === null)
    return denyWith(`${toolName}: ${p} is package-manager config; the new content must be given as text`);
  for (const text of texts) {
    const key = forbiddenConfigKey(p, text);
    if (key !== null) return denyWith(`${toolName}: ${forbiddenKeyReason(posix.basename(p), key)}`);
  }
  return ALLOWED;
}

/** Decides whether a file tool call stays inside the project (and off protected folders when writing). */
export function checkFileToolCall(
  toolName: string,
  input: Record<string, unknown>,
  ctx: FileGuardContext,
): FileGuardDecision {
  try {
    if (!posix.isAbsolute(ctx.projectRoot)) return denyWith('file guard misconfigured: projectRoot must be absolute');
    const writeKey = WRITE_TOOLS[toolName];
    const readKey = READ_TOOLS[toolName];
    const key = writeKey ?? readKey;
    if (key !== undefined) {
      const p = input[key];
      if (typeof p !== 'string' || p === '')
        return denyWith(`${toolName}: ${key} must be a path inside the project folder ${ctx.projectRoot}`);
      const decision = checkPath(toolName, p, ctx, writeKey !== undefined);
      return decision.allow && writeKey !== undefined ? checkConfigWrite(toolName, p, input, ctx) : decision;
    }
    if (SEARCH_TOOLS.has(toolName)) {
      const given = input.path;
      if (given !== undefined && given !== null && typeof given !== 'string')
        return denyWith(`${toolName}: path must be a string`);
      const base = typeof given === 'string' && given !== '' ? given : ctx.projectRoot;
      const baseDecision = checkPath(toolName, base, ctx, false);
      if (!baseDecision.allow) return baseDecision;
      if (toolName === 'Glob') {
        const pattern = input.pattern;
        if (typeof pattern !== 'string' || pattern === '') return denyWith('Glob: pattern must be a non-empty string');
        const absBase = posix.isAbsolute(base) ? base : `${ctx.projectRoot}/${base}`;
        return checkGlobPattern(pattern, absBase, ctx);
      }
      return ALLOWED;
    }
    return ALLOWED;
  } catch (err) {
    return denyWith(
      `${toolName}: the file guard could not check this call (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}
