import { describe, expect, it } from 'vitest';
import type { HumanInputField } from '@shared/human-input';
import { checkAnswers, initialValues, prefilledValues, serverFieldErrors } from './inbox-form';

const FIELDS: HumanInputField[] = [
  { id: 'name', label: 'Name', type: 'text', required: true },
  { id: 'bio', label: 'Bio', type: 'textarea', required: false },
  { id: 'key', label: 'Key', type: 'secret', required: true },
  { id: 'plan', label: 'Plan', type: 'select', required: true, options: ['free', 'pro'] },
  { id: 'beta', label: 'Beta', type: 'boolean', required: true },
  { id: 'limit', label: 'Limit', type: 'number', required: false },
];

describe('inbox form rules (the shared validator behind the form)', () => {
  it('starts empty, unchecked checkboxes', () => {
    expect(initialValues(FIELDS)).toEqual({ name: '', bio: '', key: '', plan: '', beta: false, limit: '' });
  });

  it("an override starts from the supervisor's non-secret values; the secret stays empty", () => {
    expect(prefilledValues(FIELDS, { name: 'Ada', plan: 'pro', beta: true, limit: 12, key: 'never' })).toEqual({
      name: 'Ada',
      bio: '',
      key: '',
      plan: 'pro',
      beta: true,
      limit: '12',
    });
    expect(prefilledValues(FIELDS, null)).toEqual(initialValues(FIELDS));
  });

  it('an empty form: every required text-like field is refused; a checkbox always answers', () => {
    expect(checkAnswers(FIELDS, initialValues(FIELDS))).toEqual({
      ok: false,
      errors: { name: 'Required', key: 'Required', plan: 'Required' },
    });
  });

  it('blank input counts as empty; numbers, selects and the secret are checked by type', () => {
    const r = checkAnswers(FIELDS, { name: '  ', bio: '', key: 'a\nb', plan: 'gold', beta: false, limit: '12x' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors['name']).toBe('Required');
    expect(r.errors['key']).toBe('Must be a single line (no line breaks)');
    expect(r.errors['plan']).toMatch(/^Must be one of: "free", "pro"/);
    expect(r.errors['limit']).toMatch(/^Must be a number/);
  });

  it('sends typed values and leaves optional empty fields out', () => {
    expect(
      checkAnswers(FIELDS, { name: 'Ada', bio: '', key: ' sk_1 ', plan: 'pro', beta: true, limit: '2.5' }),
    ).toEqual({
      ok: true,
      answers: { name: 'Ada', key: 'sk_1', plan: 'pro', beta: true, limit: 2.5 },
    });
  });

  it("maps the server's per-field problems of a 400, ignoring unknown fields and other shapes", () => {
    expect(
      serverFieldErrors(
        {
          field: 'key',
          problems: [
            { field: 'key', message: 'is required' },
            { field: 'other', message: 'unknown field' },
          ],
        },
        FIELDS,
      ),
    ).toEqual({ key: 'Required' });
    expect(serverFieldErrors({ problems: 'nope' }, FIELDS)).toEqual({});
    expect(serverFieldErrors(undefined, FIELDS)).toEqual({});
  });
});
