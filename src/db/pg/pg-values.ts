import pg from 'pg';

/**
 * PostgreSQL's text values to JavaScript, by type OID. The worker sends every value as text (sync-client.ts);
 * this decides what autocoder sees, close to what better-sqlite3 gives on SQLite:
 * - int2/int4/oid and int8 (bigint, what COUNT(*) returns): numbers. int8 beyond Number.MAX_SAFE_INTEGER
 *   throws instead of rounding silently.
 * - numeric: a number when that is exact (an integer within the safe range, or at most 15 significant digits,
 *   which a double holds exactly); anything else throws. NaN and ±Infinity pass.
 * - float4/float8, bool: numbers and booleans (pg's own parsers).
 * - json/jsonb: parsed.
 * - date, time and timestamp types stay PostgreSQL's text: autocoder stores times as epoch-ms integers, as on
 *   SQLite, so no Date conversion (and no time zone) is involved anywhere.
 * - arrays of int8 or numeric are converted element by element; every other type uses pg's default parser
 *   (text stays text).
 */
export type Converter = (text: string) => unknown;

const INT8 = 20;
const NUMERIC = 1700;
const INT8_ARRAY = 1016;
const NUMERIC_ARRAY = 1231;
/** date, time, timestamp, timestamptz, timetz and their arrays: kept as text. */
const TIME_TYPES = new Set([1082, 1083, 1114, 1184, 1266, 1182, 1183, 1115, 1185, 1270]);
const MAX_EXACT_DIGITS = 15;

/** A value that would lose precision as a number; sync-client.ts adds the statement to the message. */
export class UnsafeNumberError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeNumberError';
  }

  static of(type: string, text: string): UnsafeNumberError {
    return new UnsafeNumberError(
      `${type} value ${text} cannot be a JavaScript number without rounding (beyond ±${Number.MAX_SAFE_INTEGER} ` +
        `or more than ${MAX_EXACT_DIGITS} significant digits); cast it to text in the query to read it exactly`,
    );
  }
}

function int8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw UnsafeNumberError.of('bigint', text);
  return value;
}

function numeric(text: string): number {
  const value = Number(text);
  if (Number.isNaN(value) || !Number.isFinite(value)) return value;
  if (!text.includes('.') && !/e/i.test(text)) {
    if (!Number.isSafeInteger(value)) throw UnsafeNumberError.of('numeric', text);
    return value;
  }
  // Significant digits: everything between the first and the last non-zero digit of the mantissa.
  const digits = (text.split(/e/i)[0] ?? '')
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  if (digits.length > MAX_EXACT_DIGITS) throw UnsafeNumberError.of('numeric', text);
  return value;
}

/** Elements of a PostgreSQL array literal as pg parses them (text, nested arrays, null), each converted. */
function arrayOf(element: Converter, arrayType: number): Converter {
  const parseArray = pg.types.getTypeParser(arrayType, 'text') as (text: string) => unknown;
  const convert = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(convert) : typeof value === 'string' ? element(value) : value;
  return (text) => convert(parseArray(text));
}

const OVERRIDES = new Map<number, Converter>([
  [INT8, int8],
  [NUMERIC, numeric],
  [INT8_ARRAY, arrayOf(int8, INT8_ARRAY)],
  [NUMERIC_ARRAY, arrayOf(numeric, NUMERIC_ARRAY)],
]);

const identity: Converter = (text) => text;

/** The converter of one column type (pg's parsers are looked up once per type and process). */
const converters = new Map<number, Converter>();

export function converterFor(typeOid: number): Converter {
  let converter = converters.get(typeOid);
  if (converter === undefined) {
    converter =
      OVERRIDES.get(typeOid) ??
      (TIME_TYPES.has(typeOid) ? identity : (pg.types.getTypeParser(typeOid, 'text') as Converter));
    converters.set(typeOid, converter);
  }
  return converter;
}

export interface RawResult {
  readonly fields: readonly { readonly name: string; readonly type: number }[];
  readonly rows: readonly (readonly (string | null)[])[];
}

const BOOL = 16;
const JSON_TYPE = 114;
const JSONB = 3802;

/**
 * Values as SQLite gives them, for the repositories that run on both (src/db/pg/pg-db.ts): json and jsonb as their
 * text (the repositories parse their JSON columns themselves), booleans as 1 and 0, numeric as a double (SQLite's
 * avg() and real arithmetic round the same way). int8 still throws beyond the safe range rather than round an id.
 */
const SQLITE_LIKE = new Map<number, Converter>([
  [BOOL, (text) => (text === 't' ? 1 : 0)],
  [JSON_TYPE, (text) => text],
  [JSONB, (text) => text],
  [NUMERIC, (text) => Number(text)],
]);

/** How values are converted: PostgreSQL's own types (the default), or as SQLite would give them. */
export type RowStyle = 'pg' | 'sqlite';

/** Rows as objects keyed by column name (a later column of the same name wins, as in pg and better-sqlite3). */
export function toRows<R>(result: RawResult, style: RowStyle = 'pg'): R[] {
  const convert = result.fields.map((f) =>
    style === 'sqlite' ? (SQLITE_LIKE.get(f.type) ?? converterFor(f.type)) : converterFor(f.type),
  );
  return result.rows.map((raw) => {
    const row: Record<string, unknown> = {};
    result.fields.forEach((field, i) => {
      const text = raw[i];
      row[field.name] = text === null || text === undefined ? null : (convert[i] as Converter)(text);
    });
    return row as R;
  });
}
