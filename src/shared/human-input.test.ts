import { describe, expect, it } from 'vitest';
import {
  answerBodyForm,
  envKeyOf,
  HumanInputFieldSchema,
  HumanInputFieldsSchema,
  questionsToFields,
  validateHumanInput,
  type HumanInputField,
} from './human-input.js';

const field = (f: Partial<HumanInputField> & Pick<HumanInputField, 'id' | 'type'>): HumanInputField =>
  HumanInputFieldSchema.parse({ label: f.id, ...f });

const FIELDS = [
  field({ id: 'apiKey', type: 'secret' }),
  field({ id: 'notes', type: 'textarea', required: false }),
  field({ id: 'name', type: 'text' }),
  field({ id: 'plan', type: 'select', options: ['free', 'pro'] }),
  field({ id: 'beta', type: 'boolean', required: false }),
  field({ id: 'seats', type: 'number', required: false }),
];
const GOOD = { apiKey: '  sk_abc123  ', name: 'Acme', plan: 'pro' };

describe('validateHumanInput', () => {
  it('accepts good answers, trimming secrets and omitting empty optional fields', () => {
    expect(validateHumanInput(FIELDS, { ...GOOD, notes: '', beta: null })).toEqual({
      ok: true,
      values: { apiKey: 'sk_abc123', name: 'Acme', plan: 'pro' },
    });
  });

  it('parses numbers and booleans given as strings (the CLI) or as JSON values', () => {
    const r = validateHumanInput(FIELDS, { ...GOOD, beta: 'yes', seats: ' 12.5 ' });
    expect(r).toMatchObject({ ok: true, values: { beta: true, seats: 12.5 } });
    expect(validateHumanInput(FIELDS, { ...GOOD, beta: false, seats: -3 })).toMatchObject({
      ok: true,
      values: { beta: false, seats: -3 },
    });
    expect(validateHumanInput(FIELDS, { ...GOOD, beta: 'OFF', seats: '1e3' })).toMatchObject({
      ok: true,
      values: { beta: false, seats: 1000 },
    });
  });

  it.each([
    [{ name: 'Acme', plan: 'pro' }, 'apiKey', 'is required'],
    [{ ...GOOD, name: '   ' }, 'name', 'is required'],
    [{ ...GOOD, plan: 'enterprise' }, 'plan', 'must be one of: "free", "pro" (got "enterprise")'],
    [{ ...GOOD, beta: 'maybe' }, 'beta', 'must be true or false (got "maybe")'],
    [{ ...GOOD, seats: 'ten' }, 'seats', 'must be a number (got "ten")'],
    [{ ...GOOD, seats: Number.NaN }, 'seats', 'must be a number'],
    [{ ...GOOD, seats: '12abc' }, 'seats', 'must be a number'],
    [{ ...GOOD, name: 42 }, 'name', 'must be a string (got 42)'],
    [{ ...GOOD, name: 'two\nlines' }, 'name', 'must be a single line (use a textarea field for more)'],
    [{ ...GOOD, apiKey: 'abc\ndef' }, 'apiKey', 'must be a single line (no line breaks)'],
    [{ ...GOOD, other: 1 }, 'other', 'unknown field (this request asks for: apiKey, notes, name, plan, beta, seats)'],
  ])('refuses %j: %s %s', (answers, fieldId, message) => {
    const r = validateHumanInput(FIELDS, answers);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems).toContainEqual({ field: fieldId, message: expect.stringContaining(message) as string });
  });

  it('lists every problem at once', () => {
    const r = validateHumanInput(FIELDS, { plan: 'x', seats: 'y' });
    expect(r.ok ? [] : r.problems.map((p) => p.field)).toEqual(['apiKey', 'name', 'plan', 'seats']);
  });

  it('never quotes the value of a secret field', () => {
    const r = validateHumanInput(FIELDS, { ...GOOD, apiKey: 12345678 });
    expect(JSON.stringify(r)).not.toContain('12345678');
    const long = validateHumanInput(FIELDS, { ...GOOD, apiKey: 'x'.repeat(5000) });
    expect(JSON.stringify(long)).not.toContain('xxxxxxxx');
  });
});

describe('field definitions', () => {
  it('default to required and derive UPPER_SNAKE .env keys', () => {
    expect(field({ id: 'stripe_key', type: 'secret' }).required).toBe(true);
    expect(envKeyOf({ id: 'stripe_key' })).toBe('STRIPE_KEY');
    expect(envKeyOf({ id: 'mapsApiKey' })).toBe('MAPS_API_KEY');
    expect(envKeyOf({ id: 'x', env: 'CUSTOM_NAME' })).toBe('CUSTOM_NAME');
  });

  it.each([
    [{ id: 'p', label: 'P', type: 'select' }, 'options'],
    [{ id: 'p', label: 'P', type: 'select', options: ['a', 'a'] }, 'distinct'],
    [{ id: 'p', label: 'P', type: 'text', options: ['a', 'b'] }, 'only a select'],
    [{ id: 'p', label: 'P', type: 'text', env: 'P' }, 'only a secret'],
    [{ id: 'p', label: 'P', type: 'secret', env: 'lower' }, 'UPPER_SNAKE'],
    [{ id: '9p', label: 'P', type: 'text' }, 'starts with a letter'],
    [{ id: 'p', label: 'P', type: 'date' }, ''],
    [{ id: 'p', label: 'P', type: 'text', extra: 1 }, ''],
  ])('refuses %j', (def, message) => {
    const r = HumanInputFieldSchema.safeParse(def);
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues.map((i) => i.message).join(' ')).toContain(message);
  });

  it('refuses duplicate ids and two secrets saved under one key', () => {
    expect(
      HumanInputFieldsSchema.safeParse([
        { id: 'a', label: 'A', type: 'text' },
        { id: 'A', label: 'B', type: 'text' },
      ]).success,
    ).toBe(false);
    expect(
      HumanInputFieldsSchema.safeParse([
        { id: 'a_b', label: 'A', type: 'secret' },
        { id: 'aB', label: 'B', type: 'secret' },
      ]).success,
    ).toBe(false);
    expect(HumanInputFieldsSchema.safeParse([]).success).toBe(false);
  });

  it('turns ask_user questions into select fields q1, q2', () => {
    expect(
      questionsToFields([
        { question: 'Which DB?', options: ['sqlite', 'postgres'] },
        { question: 'Auth?', options: ['none', 'oauth'], help: 'h' },
      ]),
    ).toEqual([
      { id: 'q1', label: 'Which DB?', type: 'select', required: true, options: ['sqlite', 'postgres'] },
      { id: 'q2', label: 'Auth?', type: 'select', required: true, options: ['none', 'oauth'], help: 'h' },
    ]);
  });
});

describe('answerBodyForm', () => {
  it('tells the wrapped form, the seed flat form and a body that could be read either way apart', () => {
    expect(answerBodyForm({ answers: { a: 1 } })).toBe('wrapped');
    expect(answerBodyForm({ requestId: 'hir_1', answers: {} })).toBe('wrapped');
    expect(answerBodyForm({ a: 'x', b: true })).toBe('flat');
    expect(answerBodyForm({})).toBe('flat');
    expect(answerBodyForm({ answers: { a: 1 }, b: 2 })).toBe('ambiguous');
    expect(answerBodyForm({ answers: 'x', b: 2 })).toBe('ambiguous');
    expect(answerBodyForm({ answers: ['x'] })).toBe('ambiguous');
    expect(answerBodyForm({ requestId: 'hir_1', a: 'x' })).toBe('ambiguous');
    expect(answerBodyForm('a')).toBe('other');
    expect(answerBodyForm(null)).toBe('other');
    expect(answerBodyForm([1])).toBe('other');
  });
});
