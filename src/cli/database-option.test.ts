import { describe, expect, it } from 'vitest';
import { takeDatabaseOption } from './program.js';

describe('takeDatabaseOption', () => {
  it('takes --database <url> or --database=<url> from anywhere before "--"', () => {
    expect(takeDatabaseOption(['new', 'x', '--database', 'postgres://h/db', '--dir', 'd'])).toEqual({
      argv: ['new', 'x', '--dir', 'd'],
      database: 'postgres://h/db',
    });
    expect(takeDatabaseOption(['--database=postgres://h/db', 'list'])).toEqual({
      argv: ['list'],
      database: 'postgres://h/db',
    });
    expect(takeDatabaseOption(['run', 'x', '--', '--database', 'kept'])).toEqual({
      argv: ['run', 'x', '--', '--database', 'kept'],
      database: undefined,
    });
  });

  it('refuses --database without a URL', () => {
    expect(() => takeDatabaseOption(['list', '--database'])).toThrow(/--database needs a URL/);
    expect(() => takeDatabaseOption(['list', '--database', '--json'])).toThrow(/--database needs a URL/);
    expect(() => takeDatabaseOption(['list', '--database='])).toThrow(/--database needs a URL/);
  });
});
