import { AppError } from '../../domain/errors.js';

/**
 * Turns the repositories' SQLite-style statements into PostgreSQL's (pg-db.ts): `?` and `@name` placeholders become
 * `$1`, `$2`… (a name used twice is one parameter), and SQLite's planner hint `INDEXED BY <index>` goes (PostgreSQL
 * plans with its statistics). Quoted strings, quoted identifiers and comments are left alone. Everything else in the
 * statement must already be SQL both dialects accept; the statements that are not pick their text per dialect
 * (sql.ts `bySql`).
 *
 * Parameter types: the client sends every value as untyped text, and PostgreSQL cannot type a parameter that stands
 * alone in an expression (`$1 + $2`, `coalesce(x, $1)`), which SQLite never needs to. So a number is sent with a cast
 * that says what it is (`$1::bigint` for an integer, `$1::double precision` otherwise); strings stay untyped and take
 * the type of the column they meet, as SQLite's values do; a null is written as the literal NULL (`renderSql`).
 */

/** A parameter: the index of a positional `?` (0-based) or an `@name`. */
export type ParamRef = number | string;

export interface ParsedSql {
  /** The statement cut at its placeholders: `parts.length === slots.length + 1`. */
  readonly parts: readonly string[];
  /** For each placeholder in order, which PostgreSQL parameter ($n, 1-based) it is. */
  readonly slots: readonly number[];
  /** For each PostgreSQL parameter ($1 first), the value it takes. */
  readonly refs: readonly ParamRef[];
  /** Whether the statement may write (anything but a plain read): run in the store's write lock. */
  readonly writes: boolean;
}

const INDEXED_BY = /\bINDEXED\s+BY\s+[A-Za-z_][A-Za-z0-9_]*/gi;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const WRITE_WORD = /\b(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|TRUNCATE)\b/i;

export function parseSql(source: string): ParsedSql {
  const parts: string[] = [];
  const slots: number[] = [];
  const refs: ParamRef[] = [];
  const byName = new Map<string, number>();
  let positional = 0;
  let current = '';
  let outside = '';
  let i = 0;
  const take = (end: number): void => {
    current += source.slice(i, end);
    i = end;
  };
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "'" || c === '"') {
      // A quoted string or identifier; a doubled quote inside is an escaped one.
      let end = i + 1;
      for (;;) {
        const close = source.indexOf(c, end);
        if (close === -1) throw unterminated(source, 'quote');
        if (source[close + 1] === c) end = close + 2;
        else {
          end = close + 1;
          break;
        }
      }
      take(end);
    } else if (c === '-' && source[i + 1] === '-') {
      const close = source.indexOf('\n', i);
      take(close === -1 ? source.length : close);
    } else if (c === '/' && source[i + 1] === '*') {
      const close = source.indexOf('*/', i + 2);
      if (close === -1) throw unterminated(source, 'comment');
      take(close + 2);
    } else if (c === '?') {
      refs.push(positional++);
      cut(refs.length);
      i += 1;
    } else if (c === '@') {
      NAME.lastIndex = i + 1;
      const name = NAME.exec(source)?.[0];
      if (name === undefined) throw new AppError('INTERNAL', `"@" without a parameter name in: ${firstLine(source)}`);
      let slot = byName.get(name);
      if (slot === undefined) {
        refs.push(name);
        slot = refs.length;
        byName.set(name, slot);
      }
      cut(slot);
      i += 1 + name.length;
    } else {
      outside += c;
      take(i + 1);
    }
  }
  parts.push(current);
  if (positional > 0 && byName.size > 0) {
    throw new AppError('INTERNAL', `a statement mixes "?" and "@name" parameters: ${firstLine(source)}`);
  }
  return {
    parts: parts.map((p) => p.replace(INDEXED_BY, '')),
    slots,
    refs,
    writes: WRITE_WORD.test(outside),
  };

  function cut(slot: number): void {
    parts.push(current);
    current = '';
    slots.push(slot);
  }
}

/** How a value is sent: as a parameter with this cast (see the module comment), or `NULL` written in its place. */
export function castFor(value: unknown): string {
  if (value === null) return NULL_LITERAL;
  if (typeof value === 'bigint') return '::bigint';
  if (typeof value === 'number') return Number.isInteger(value) ? '::bigint' : '::double precision';
  return '';
}

/**
 * A null is written into the statement as the literal NULL rather than sent: PostgreSQL cannot type a parameter whose
 * first use is `$1 IS NULL` (the repositories' `@x IS NULL OR col = @x` filters), while a NULL literal takes whatever
 * type its place needs, as a null parameter does on SQLite.
 */
const NULL_LITERAL = 'NULL';

/**
 * The PostgreSQL text of `parsed` for values of these casts (one per parameter, from `castFor`), and which values
 * are sent as `$1`, `$2`… in order (the nulls are not: they are in the text).
 */
export function renderSql(parsed: ParsedSql, casts: readonly string[]): { text: string; sent: number[] } {
  const sent: number[] = [];
  const numbers = casts.map((cast, i) => {
    if (cast === NULL_LITERAL) return 0;
    sent.push(i);
    return sent.length;
  });
  let text = parsed.parts[0] as string;
  parsed.slots.forEach((slot, k) => {
    const cast = casts[slot - 1] ?? '';
    const value = cast === NULL_LITERAL ? NULL_LITERAL : `$${numbers[slot - 1] as number}${cast}`;
    text += `${value}${parsed.parts[k + 1] as string}`;
  });
  return { text, sent };
}

/**
 * The values of `parsed`'s parameters from a call's arguments, as better-sqlite3 takes them: positional values (an
 * array is spread) or one object of named values. A missing value is refused, as better-sqlite3 refuses it.
 */
export function bindValues(parsed: ParsedSql, args: readonly unknown[], source: string): unknown[] {
  const positional: unknown[] = [];
  let named: Record<string, unknown> | undefined;
  for (const arg of args) {
    if (Array.isArray(arg)) positional.push(...(arg as unknown[]));
    else if (arg !== null && typeof arg === 'object' && !(arg instanceof Uint8Array)) {
      named = { ...named, ...(arg as Record<string, unknown>) };
    } else positional.push(arg);
  }
  return parsed.refs.map((ref) => {
    const value = typeof ref === 'number' ? positional[ref] : named?.[ref];
    const present = typeof ref === 'number' ? ref < positional.length : named !== undefined && ref in named;
    if (!present || value === undefined) {
      throw new AppError(
        'INTERNAL',
        `missing ${typeof ref === 'number' ? `parameter ${ref + 1}` : `named parameter "@${ref}"`} for: ${firstLine(source)}`,
      );
    }
    if (typeof value === 'boolean') return value ? 1 : 0;
    return value;
  });
}

function unterminated(source: string, what: string): AppError {
  return new AppError('INTERNAL', `unterminated ${what} in SQL: ${firstLine(source)}`);
}

function firstLine(sql: string): string {
  const line = sql.trim().split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
