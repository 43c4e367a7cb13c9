import { describe, expect, it } from 'vitest';
import type { AcceptanceCheck } from '@shared/acceptance';
import { checkText, diffChecks } from './check-text';

const cmd = (run: string): AcceptanceCheck => ({ kind: 'command', run });

describe('checkText', () => {
  it('says what each kind runs and expects, defaults included', () => {
    expect(checkText({ kind: 'command', run: 'node --test', expect: { stdoutIncludes: 'pass' } })).toEqual({
      title: 'Command “node --test”',
      lines: ['Run: node --test', 'Expect exit code 0 and output containing “pass”'],
    });
    expect(
      checkText({
        kind: 'http',
        name: 'adds a todo',
        method: 'POST',
        path: '/api/todos',
        body: { title: 'milk' },
        expect: { status: 201, json: { title: 'milk' } },
        timeoutMs: 5_000,
      }),
    ).toEqual({
      title: 'adds a todo',
      lines: [
        'Request: POST /api/todos',
        'Body: {"title":"milk"}',
        'Expect status 201, JSON including {"title":"milk"}',
        'time limit 5 s',
      ],
    });
    expect(checkText({ kind: 'http', method: 'GET', path: '/' }).lines).toContain('Expect a 2xx status');
    expect(
      checkText({
        kind: 'browser',
        steps: [
          { goto: '/' },
          { fill: { label: 'New todo' }, value: 'milk' },
          { press: 'Enter' },
          { click: { role: 'button', name: 'Save', exact: true } },
          { expectText: 'milk' },
          { expectNoText: 'eggs' },
          { check: { label: 'Done' } },
          { expectVisible: { testId: 'count' } },
          { reload: true },
          { screenshot: 'after-reload' },
        ],
      }),
    ).toEqual({
      title: 'Browser: 10 steps',
      lines: [
        '1. Open /',
        '2. Type “milk” into the field labelled “New todo”',
        '3. Press Enter',
        '4. Click the button “Save” (exactly)',
        '5. See “milk”',
        '6. Do not see “eggs”',
        '7. Tick the field labelled “Done”',
        '8. See the element with test id “count”',
        '9. Reload the page',
        '10. Screenshot “after-reload”',
      ],
    });
  });
});

describe('diffChecks', () => {
  it('keeps identical checks aligned (key order ignored) and pairs replaced ones as changed', () => {
    const before = [
      cmd('a'),
      { kind: 'http', method: 'GET', path: '/x', expect: { status: 200 } } as AcceptanceCheck,
      cmd('c'),
    ];
    const after = [
      cmd('a'),
      { kind: 'http', path: '/x', method: 'GET', expect: { status: 201 } } as AcceptanceCheck,
      cmd('c'),
    ];
    expect(diffChecks(before, after)).toEqual([
      { change: 'same', before: 0, after: 0 },
      { change: 'changed', before: 1, after: 1 },
      { change: 'same', before: 2, after: 2 },
    ]);
    expect(diffChecks(before, [...before].reverse().reverse()).every((r) => r.change === 'same')).toBe(true);
  });

  it('reports dropped and added checks where they are', () => {
    expect(diffChecks([cmd('a'), cmd('b'), cmd('c')], [cmd('a'), cmd('c'), cmd('d')])).toEqual([
      { change: 'same', before: 0, after: 0 },
      { change: 'removed', before: 1 },
      { change: 'same', before: 2, after: 1 },
      { change: 'added', after: 2 },
    ]);
    expect(diffChecks([], [cmd('a')])).toEqual([{ change: 'added', after: 0 }]);
    expect(diffChecks([cmd('a'), cmd('b')], [cmd('x')])).toEqual([
      { change: 'changed', before: 0, after: 0 },
      { change: 'removed', before: 1 },
    ]);
  });

  it('covers every check of both lists exactly once', () => {
    const a = [cmd('1'), cmd('2'), cmd('3'), cmd('4'), cmd('5')];
    const b = [cmd('2'), cmd('x'), cmd('4'), cmd('1'), cmd('y'), cmd('z')];
    const rows = diffChecks(a, b);
    const befores = rows.flatMap((r) => ('before' in r ? [r.before] : [])).sort();
    const afters = rows.flatMap((r) => ('after' in r ? [r.after] : [])).sort();
    expect(befores).toEqual([0, 1, 2, 3, 4]);
    expect(afters).toEqual([0, 1, 2, 3, 4, 5]);
    for (const r of rows) if (r.change === 'same') expect(a[r.before]).toEqual(b[r.after]);
  });
});
