import { describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.js';
import { bindValues, castFor, parseSql, renderSql } from './sql-translate.js';

/** The PostgreSQL text and sent values of `source` called with `args`. */
function translate(source: string, ...args: unknown[]): { text: string; params: unknown[] } {
  const parsed = parseSql(source);
  const values = bindValues(parsed, args, source);
  const { text, sent } = renderSql(parsed, values.map(castFor));
  return { text, params: sent.map((i) => values[i]) };
}

describe('parseSql / renderSql', () => {
  it('numbers positional parameters in order, with a cast for numbers', () => {
    expect(translate('SELECT * FROM t WHERE a = ? AND b = ? LIMIT ?', 'x', 1.5, 10)).toEqual({
      text: 'SELECT * FROM t WHERE a = $1 AND b = $2::double precision LIMIT $3::bigint',
      params: ['x', 1.5, 10],
    });
  });

  it('gives a named parameter used twice one number', () => {
    expect(translate('UPDATE t SET a = @now, b = @now + @lease WHERE id = @id', { now: 5, lease: 7, id: 'f' })).toEqual(
      {
        text: 'UPDATE t SET a = $1::bigint, b = $1::bigint + $2::bigint WHERE id = $3',
        params: [5, 7, 'f'],
      },
    );
  });

  it('writes nulls into the text as NULL and numbers the sent values without gaps', () => {
    expect(translate('SELECT ? IS NULL, ?, ?', null, 'a', 3)).toEqual({
      text: 'SELECT NULL IS NULL, $1, $2::bigint',
      params: ['a', 3],
    });
  });

  it('leaves quoted strings, quoted identifiers and comments alone', () => {
    const source = `SELECT '?@x', "a?b", 'it''s ?' -- why? @no
      /* ? @none */ FROM t WHERE x = ?`;
    expect(translate(source, 1).text).toBe(`SELECT '?@x', "a?b", 'it''s ?' -- why? @no
      /* ? @none */ FROM t WHERE x = $1::bigint`);
  });

  it("drops SQLite's INDEXED BY hint", () => {
    expect(translate('SELECT id FROM features f INDEXED BY features_ready WHERE a = ?', 'p').text).toBe(
      'SELECT id FROM features f  WHERE a = $1',
    );
  });

  it('tells writes from reads', () => {
    expect(parseSql('SELECT * FROM features WHERE updated_at > ?').writes).toBe(false);
    expect(parseSql('WITH x AS (SELECT 1) SELECT * FROM x').writes).toBe(false);
    expect(parseSql("SELECT 'UPDATE' FROM t").writes).toBe(false);
    expect(parseSql('UPDATE features SET a = 1 RETURNING *').writes).toBe(true);
    expect(parseSql('INSERT INTO events (at) VALUES (?) RETURNING id').writes).toBe(true);
    expect(parseSql('DELETE FROM t').writes).toBe(true);
  });

  it('refuses what it cannot translate faithfully', () => {
    expect(() => parseSql("SELECT 'open")).toThrow(/unterminated quote/);
    expect(() => parseSql('SELECT 1 /* open')).toThrow(/unterminated comment/);
    expect(() => parseSql('SELECT ? , @a')).toThrow(/mixes/);
    expect(() => parseSql('SELECT @ FROM t')).toThrow(AppError);
  });
});

describe('bindValues', () => {
  it('takes positional values (arrays spread) or one object of named values', () => {
    const positional = parseSql('SELECT ?, ?, ?');
    expect(bindValues(positional, [1, ['a', 'b']], 'q')).toEqual([1, 'a', 'b']);
    const named = parseSql('SELECT @a, @b');
    expect(bindValues(named, [{ a: 1, b: null, extra: 3 }], 'q')).toEqual([1, null]);
  });

  it('sends a Uint8Array as a value, not as named parameters', () => {
    const bytes = new Uint8Array([1, 2]);
    expect(bindValues(parseSql('SELECT ?'), [bytes], 'q')).toEqual([bytes]);
  });

  it('refuses a missing or undefined value, as better-sqlite3 does', () => {
    expect(() => bindValues(parseSql('SELECT ?, ?'), [1], 'SELECT ?, ?')).toThrow(/missing parameter 2/);
    expect(() => bindValues(parseSql('SELECT @a'), [{}], 'SELECT @a')).toThrow(/named parameter "@a"/);
    expect(() => bindValues(parseSql('SELECT @a'), [{ a: undefined }], 'SELECT @a')).toThrow(/"@a"/);
  });
});
