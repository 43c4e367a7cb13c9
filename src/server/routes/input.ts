import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { describeIssues } from '../../shared/zod-issues.js';

/**
 * Parses `raw` with a shared schema; the first problem becomes a 400 naming the field the way it is written
 * (`features[3].acceptance[1].path`; a failed union narrowed to the branch that was meant).
 */
export function parseWith<S extends z.ZodType>(schema: S, raw: unknown, where = 'body'): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const unknownKey = issue?.code === 'unrecognized_keys' && issue.path.length === 0 ? issue.keys[0] : undefined;
  const problem = issue ? describeIssues([issue])[0] : undefined;
  const field = unknownKey ?? (problem && problem.field !== 'input' ? problem.field : where);
  const message =
    issue?.code === 'unrecognized_keys' && issue.path.length === 0
      ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
      : (problem?.message ?? 'invalid');
  throw new AppError('INVALID_INPUT', `${field}: ${message}`, { details: { field } });
}

/** The JSON body of a request (an empty body counts as `{}`). */
export async function jsonBody(c: Context): Promise<unknown> {
  const raw = await c.req.text();
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new AppError('INVALID_INPUT', 'the body is not valid JSON', { details: { field: 'body' } });
  }
}

export async function body<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  return parseWith(schema, await jsonBody(c));
}

export function query<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parseWith(schema, c.req.query(), 'query');
}

/** A positive integer path parameter (feature ids). */
export function idParam(c: Context, name: string): number {
  const raw = c.req.param(name) ?? '';
  const n = /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1) {
    throw new AppError(
      'INVALID_INPUT',
      `${name}: "${raw.slice(0, 40)}" is not a feature id (a positive whole number)`,
      { details: { field: name } },
    );
  }
  return n;
}

const FS_INPUT_ERRORS = new Set([
  'ENOENT',
  'ENOTDIR',
  'EEXIST',
  'EACCES',
  'EPERM',
  'EROFS',
  'ENAMETOOLONG',
  'ELOOP',
  'EISDIR',
  'ENOTEMPTY',
  'EINVAL',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_ARG_TYPE',
]);

/** Turns filesystem failures caused by the given path into 400s instead of 500s. */
export function fsInput<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err: unknown) {
    if (err instanceof AppError) throw err;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && FS_INPUT_ERRORS.has(code)) {
      throw new AppError(
        'INVALID_INPUT',
        `${field}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `cannot use this path (${code})`}`,
        { details: { field, code } },
      );
    }
    throw err;
  }
}

/** Runs `fn`; an INVALID_INPUT from deeper layers that names no field is attributed to `field`. */
export function blameField<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err: unknown) {
    if (err instanceof AppError && err.code === 'INVALID_INPUT' && err.details?.field === undefined) {
      throw new AppError('INVALID_INPUT', err.message, { details: { ...err.details, field }, cause: err });
    }
    throw err;
  }
}
