/**
 * The shape of a schema — tables, columns, keys, indexes, foreign keys and CHECKs — read from SQLite and from
 * PostgreSQL into one comparable form, so a test can say "the PostgreSQL migrations build what the SQLite ones do"
 * with one `toEqual` and get a readable diff. Types are compared by class (a mapping below), defaults and
 * expressions after a normalisation that removes what only the spelling differs in (casts, parentheses, case,
 * `x = ANY (ARRAY[…])` for `x IN (…)`, BETWEEN, char_length, the one GLOB shape the registry uses).
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';

export interface TableShape {
  /** `name class [NOT NULL] [DEFAULT d]`, in column order. */
  readonly columns: string[];
  readonly primaryKey: string[];
  /** UNIQUE constraints, as `(a, b)`, sorted. */
  readonly unique: string[];
  /** Indexes created by name (not those behind a key or UNIQUE constraint): `name [UNIQUE] (a, b DESC) [WHERE e]`. */
  readonly indexes: string[];
  /** `(a) → table (b) ON DELETE x ON UPDATE y`, sorted. */
  readonly foreignKeys: string[];
  /** Normalised CHECK expressions, sorted; a JSON check is the column's class (`json`) instead. */
  readonly checks: string[];
}

export type SchemaShape = Record<string, TableShape>;

/** Column type classes: how a declared type of either engine compares. Anything else shows as `?type`. */
const SQLITE_CLASS: Record<string, string> = { INTEGER: 'integer', TEXT: 'text', REAL: 'real' };
const POSTGRES_CLASS: Record<string, string> = {
  bigint: 'integer',
  integer: 'integer',
  text: 'text',
  jsonb: 'json',
  json: 'json',
  'double precision': 'real',
};

const NUMERIC_TYPES = '(?:double precision|bigint|integer|numeric|real|smallint)';

/** Splits SQL text into string literals (kept as written) and the rest (passed to `f`). */
function outsideLiterals(sql: string, f: (code: string) => string): string {
  return sql
    .split(/('(?:[^']|'')*')/)
    .map((part, i) => (i % 2 === 1 ? part : f(part)))
    .join('');
}

/**
 * One spelling for an expression either engine wrote: PostgreSQL's casts, ANY(ARRAY[…]) and char_length become
 * SQLite's forms, SQLite's BETWEEN and `x GLOB '[…]*'` become PostgreSQL's, then case, parentheses and spacing go.
 */
export function normaliseExpression(sql: string): string {
  let s = sql
    .replace(new RegExp(`'(-?\\d+(?:\\.\\d+)?)'::${NUMERIC_TYPES}`, 'g'), '$1')
    .replace(new RegExp(`\\((-?\\d+(?:\\.\\d+)?)\\)::${NUMERIC_TYPES}`, 'g'), '$1')
    .replace(/::(?:text|jsonb|json|double precision|bigint|integer)(?:\[\])?/g, '');
  s = outsideLiterals(s, (code) => code.toLowerCase());
  s = s
    .replace(/\bchar_length\(/g, 'length(')
    .replace(/(\w+) = any \(array\[([^\]]*)\]\)/g, '$1 in ($2)')
    .replace(/([\w.]+(?:\([^()]*\))?) between (\S+) and (\S+)/g, '$1 >= $2 and $1 <= $3')
    .replace(/(\w+) glob '\[([^\]']+)\]\*'/g, "$1 ~ '^[$2]'")
    .replace(/!=/g, '<>');
  const flat = outsideLiterals(s, (code) => code.replace(/[()]/g, ' '))
    .replace(/\s*,\s*/g, ', ')
    .replace(/\s+/g, ' ')
    .trim();
  // Dropping parentheses loses grouping only where AND and OR meet: `(a OR b) AND c` would equal `a OR (b AND c)`.
  // No CHECK or index WHERE mixes them today; one that does must be compared some other way, not pass unseen.
  const code = flat.replace(/'(?:[^']|'')*'/g, "''");
  if (/ and /.test(code) && / or /.test(code)) {
    throw new Error(`cannot compare "${sql}": it mixes AND and OR, whose grouping this normalisation drops`);
  }
  return flat;
}

/** A default as either engine reports it, in one spelling (`'[]'::jsonb` and `'[]'` are the same default). */
export function normaliseDefault(sql: string | null): string | null {
  return sql === null ? null : normaliseExpression(sql);
}

/**
 * The bodies of every `CHECK (…)` in a CREATE TABLE statement as SQLite keeps it (its original text, comments
 * included, with ALTER TABLE … ADD COLUMN's text spliced in). SQLite has no catalogue of CHECKs, so this scans the
 * text: string literals, quoted names and comments are skipped, parentheses balanced.
 */
export function sqliteChecks(createSql: string): string[] {
  const checks: string[] = [];
  let i = 0;
  const n = createSql.length;
  const skip = (): boolean => {
    const c = createSql[i];
    if (c === "'" || c === '"') {
      const end = createSql.indexOf(c, i + 1);
      i = end < 0 ? n : end + 1;
      return true;
    }
    if (createSql.startsWith('--', i)) {
      const end = createSql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      return true;
    }
    return false;
  };
  while (i < n) {
    if (skip()) continue;
    const word = /^check\s*\(/i.exec(createSql.slice(i, i + 12));
    if (word && (i === 0 || !/\w/.test(createSql[i - 1] ?? ''))) {
      i += word[0].length;
      let depth = 1;
      let body = '';
      while (i < n && depth > 0) {
        const start = i;
        if (skip()) {
          const skipped = createSql.slice(start, i);
          body += skipped.startsWith('--') ? ' ' : skipped;
          continue;
        }
        const c = createSql[i] ?? '';
        if (c === '(') depth++;
        if (c === ')') depth--;
        if (depth > 0) body += c;
        i++;
      }
      checks.push(body.trim());
      continue;
    }
    i++;
  }
  return checks;
}

/** `json_valid(col)` or `col IS NULL OR json_valid(col)`, normalised: the column it checks, else null. */
function jsonCheckColumn(normalised: string): string | null {
  const m = /^(?:(\w+) is null or )?json_valid (\w+)$/.exec(normalised);
  if (!m || (m[1] !== undefined && m[1] !== m[2])) return null;
  return m[2] ?? null;
}

const column = (name: string, cls: string, notNull: boolean, dflt: string | null): string =>
  `${name} ${cls}${notNull ? ' NOT NULL' : ''}${dflt === null ? '' : ` DEFAULT ${dflt}`}`;

const sorted = (xs: string[]): string[] => [...xs].sort();

interface SqliteColumn {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

/** The shape of every table of a SQLite database. */
export function sqliteShape(db: Database.Database): SchemaShape {
  const tables = db
    .prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .all() as { name: string; sql: string }[];
  const shape: SchemaShape = {};
  for (const t of tables) {
    const checks = sqliteChecks(t.sql).map(normaliseExpression);
    const jsonColumns = new Set(checks.map(jsonCheckColumn).filter((c): c is string => c !== null));
    const cols = db.prepare(`SELECT * FROM pragma_table_xinfo(?)`).all(t.name) as SqliteColumn[];
    const indexList = db.prepare(`SELECT * FROM pragma_index_list(?)`).all(t.name) as {
      name: string;
      unique: number;
      origin: string;
    }[];
    const indexColumns = (index: string): string[] =>
      (
        db.prepare(`SELECT name, desc FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`).all(index) as {
          name: string;
          desc: number;
        }[]
      ).map((c) => (c.desc ? `${c.name} DESC` : c.name));
    const indexSql = (index: string): string =>
      (db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`).pluck().get(index) as string) ??
      '';
    const fks = db.prepare(`SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq`).all(t.name) as {
      id: number;
      table: string;
      from: string;
      to: string;
      on_delete: string;
      on_update: string;
    }[];
    const fkById = new Map<number, typeof fks>();
    for (const fk of fks) fkById.set(fk.id, [...(fkById.get(fk.id) ?? []), fk]);
    shape[t.name] = {
      columns: cols.map((c) => {
        const cls = jsonColumns.has(c.name) ? 'json' : (SQLITE_CLASS[c.type.toUpperCase()] ?? `?${c.type}`);
        // A key column is NOT NULL (SQLite lets a non-INTEGER key hold NULL for old bugs' sake; nothing writes one).
        return column(c.name, cls, c.notnull === 1 || c.pk > 0, normaliseDefault(c.dflt_value));
      }),
      primaryKey: cols
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
      unique: sorted(indexList.filter((ix) => ix.origin === 'u').map((ix) => `(${indexColumns(ix.name).join(', ')})`)),
      indexes: sorted(
        indexList
          .filter((ix) => ix.origin === 'c')
          .map((ix) => {
            const where = /\bWHERE\b([\s\S]*)$/i.exec(indexSql(ix.name))?.[1];
            const cols2 = indexColumns(ix.name).join(', ');
            return `${ix.name}${ix.unique ? ' UNIQUE' : ''} (${cols2})${where ? ` WHERE ${normaliseExpression(where)}` : ''}`;
          }),
      ),
      foreignKeys: sorted(
        [...fkById.values()].map((parts) => {
          const first = parts[0]!;
          const from = parts.map((p) => p.from).join(', ');
          const to = parts.map((p) => p.to).join(', ');
          return `(${from}) → ${first.table} (${to}) ON DELETE ${first.on_delete} ON UPDATE ${first.on_update}`;
        }),
      ),
      checks: sorted(checks.filter((c) => jsonCheckColumn(c) === null)),
    };
  }
  return shape;
}

const FK_ACTION: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

/** The shape of every table of one PostgreSQL schema. */
export async function postgresShape(client: pg.Client, schema: string): Promise<SchemaShape> {
  const q = async <R extends pg.QueryResultRow>(sql: string): Promise<R[]> =>
    (await client.query<R>(sql, [schema])).rows;
  const columns = await q<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
  }>(
    `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
      WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
  );
  const constraints = await q<{ table_name: string; contype: string; cols: string | null; def: string }>(
    `SELECT c.conrelid::regclass::text AS table_name, c.contype,
            (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS cols,
            CASE c.contype
              WHEN 'f' THEN '→ ' || cf.relname || ' (' ||
                (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) || ')|' ||
                c.confdeltype::text || '|' || c.confupdtype::text
              ELSE pg_get_constraintdef(c.oid) END AS def
       FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
       LEFT JOIN pg_class cf ON cf.oid = c.confrelid
      WHERE ns.nspname = $1 AND c.contype IN ('p', 'u', 'f', 'c')`,
  );
  const indexes = await q<{ table_name: string; name: string; def: string }>(
    `SELECT t.relname AS table_name, i.relname AS name, pg_get_indexdef(x.indexrelid) AS def
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace ns ON ns.oid = t.relnamespace
      WHERE ns.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
  );
  const shape: Record<string, { -readonly [K in keyof TableShape]: TableShape[K] }> = {};
  const table = (name: string) =>
    (shape[name.replace(/^.*\./, '')] ??= {
      columns: [],
      primaryKey: [],
      unique: [],
      indexes: [],
      foreignKeys: [],
      checks: [],
    });
  for (const c of columns) {
    // SQLite's implicit rowid, made an explicit column on PostgreSQL where the repositories order by it.
    if (c.column_name === 'rowid') continue;
    const cls = POSTGRES_CLASS[c.data_type] ?? `?${c.data_type}`;
    table(c.table_name).columns.push(
      column(c.column_name, cls, c.is_nullable === 'NO', normaliseDefault(c.column_default)),
    );
  }
  for (const c of constraints) {
    const t = table(c.table_name);
    if (c.contype === 'p') t.primaryKey = (c.cols ?? '').split(', ');
    if (c.contype === 'u') t.unique.push(`(${c.cols})`);
    if (c.contype === 'c') t.checks.push(normaliseExpression(c.def.replace(/^CHECK \(([\s\S]*)\)$/, '$1')));
    if (c.contype === 'f') {
      const [target, del, upd] = c.def.split('|');
      t.foreignKeys.push(`(${c.cols}) ${target} ON DELETE ${FK_ACTION[del!]} ON UPDATE ${FK_ACTION[upd!]}`);
    }
  }
  for (const ix of indexes) {
    const m = /^CREATE (UNIQUE )?INDEX \S+ ON \S+ USING \w+ \(([^()]*)\)(?: WHERE ([\s\S]*))?$/.exec(ix.def);
    const text = m
      ? `${ix.name}${m[1] ? ' UNIQUE' : ''} (${m[2]})${m[3] ? ` WHERE ${normaliseExpression(m[3])}` : ''}`
      : `?${ix.def}`;
    table(ix.table_name).indexes.push(text);
  }
  for (const t of Object.values(shape)) {
    t.unique.sort();
    t.indexes.sort();
    t.foreignKeys.sort();
    t.checks.sort();
  }
  return Object.fromEntries(Object.entries(shape).sort(([a], [b]) => a.localeCompare(b)));
}
