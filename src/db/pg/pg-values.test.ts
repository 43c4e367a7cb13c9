import { describe, expect, it } from 'vitest';
import { converterFor, toRows, UnsafeNumberError } from './pg-values.js';

const INT8 = 20;
const NUMERIC = 1700;
const convert = (oid: number, text: string) => converterFor(oid)(text);

describe('converterFor', () => {
  it('reads int8 as a number up to Number.MAX_SAFE_INTEGER and throws beyond, never rounding', () => {
    expect(convert(INT8, '9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(convert(INT8, '-9007199254740991')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(() => convert(INT8, '9007199254740992')).toThrow(UnsafeNumberError);
    expect(() => convert(INT8, '-9223372036854775808')).toThrow(/bigint value -9223372036854775808 cannot be/);
  });

  it('reads numeric as a number only when a double holds it exactly', () => {
    expect(convert(NUMERIC, '12.50')).toBe(12.5);
    expect(convert(NUMERIC, '0.000000000000001')).toBe(1e-15);
    expect(convert(NUMERIC, '123456789012345')).toBe(123_456_789_012_345);
    expect(convert(NUMERIC, '12345678901234.5')).toBe(12_345_678_901_234.5);
    expect(convert(NUMERIC, '-1000000.000')).toBe(-1_000_000);
    expect(convert(NUMERIC, 'NaN')).toBeNaN();
    expect(convert(NUMERIC, 'Infinity')).toBe(Infinity);
    expect(() => convert(NUMERIC, '1234567890123456.7')).toThrow(UnsafeNumberError);
    expect(() => convert(NUMERIC, '0.10000000000000001')).toThrow(UnsafeNumberError);
    expect(() => convert(NUMERIC, '90071992547409930')).toThrow(UnsafeNumberError);
  });

  it('parses json and jsonb, keeps time types as text, and leaves text and unknown types as text', () => {
    expect(convert(114, '{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(convert(3802, '"s"')).toBe('s');
    expect(convert(1184, '2025-01-01 00:00:00+00')).toBe('2025-01-01 00:00:00+00');
    expect(convert(1114, '2025-01-01 00:00:00')).toBe('2025-01-01 00:00:00');
    expect(convert(1082, '2025-01-01')).toBe('2025-01-01');
    expect(convert(25, 'plain')).toBe('plain');
    expect(convert(16, 't')).toBe(true);
    expect(convert(701, '0.25')).toBe(0.25);
    expect(convert(1016, '{1,NULL,{3}}')).toEqual([1, null, [3]]);
    expect(() => convert(1016, '{1,9007199254740993}')).toThrow(UnsafeNumberError);
  });
});

describe('toRows', () => {
  it('builds objects by column name with nulls kept, the later of two same-named columns winning', () => {
    const rows = toRows({
      fields: [
        { name: 'id', type: INT8 },
        { name: 'name', type: 25 },
        { name: 'name', type: 25 },
      ],
      rows: [
        ['1', 'a', 'b'],
        ['2', null, null],
      ],
    });
    expect(rows).toEqual([
      { id: 1, name: 'b' },
      { id: 2, name: null },
    ]);
  });
});
