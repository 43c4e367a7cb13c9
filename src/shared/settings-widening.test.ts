import { describe, expect, it } from 'vitest';
import { describeChange, wideningChanges } from './settings-widening.js';

const keys = (...args: Parameters<typeof wideningChanges>) => wideningChanges(...args).map((c) => c.key);

describe('wideningChanges', () => {
  it('an added command widens; the same list, a removal or a reorder does not', () => {
    const [added] = wideningChanges({ extraCommands: ['make'] }, { extraCommands: ['make', 'cargo', 'cargo'] });
    expect(added).toMatchObject({ key: 'extraCommands', old: ['make'], new: ['cargo', 'make'] });
    expect(added?.why).toContain('cargo');
    expect(keys({ extraCommands: ['make', 'cargo'] }, { extraCommands: ['cargo', 'make'] })).toEqual([]);
    expect(keys({ extraCommands: ['make', 'cargo'] }, { extraCommands: ['make'] })).toEqual([]);
    expect(keys({}, { extraCommands: [] })).toEqual([]);
  });

  it('the sandbox turned off widens, from unset, auto or on; off again, auto, on and clearing do not', () => {
    expect(wideningChanges({}, { defaultSandbox: 'off' })).toMatchObject([
      { key: 'defaultSandbox', old: null, new: 'off' },
    ]);
    expect(keys({ defaultSandbox: 'on' }, { defaultSandbox: 'off' })).toEqual(['defaultSandbox']);
    expect(keys({ defaultSandbox: 'off' }, { defaultSandbox: 'off' })).toEqual([]);
    expect(keys({ defaultSandbox: 'off' }, { defaultSandbox: 'on' })).toEqual([]);
    // auto (and unset, which means auto) runs without the sandbox where it is missing: weaker than on.
    expect(keys({ defaultSandbox: 'on' }, { defaultSandbox: null })).toEqual(['defaultSandbox']);
    expect(keys({ defaultSandbox: 'on' }, { defaultSandbox: 'auto' })).toEqual(['defaultSandbox']);
    expect(keys({ defaultSandbox: 'auto' }, { defaultSandbox: 'on' })).toEqual([]);
    expect(keys({ defaultSandbox: 'off' }, { defaultSandbox: 'auto' })).toEqual([]);
    expect(keys({}, { defaultSandbox: 'auto' })).toEqual([]);
  });

  it('a base URL set or changed widens; the same URL or clearing it does not', () => {
    expect(wideningChanges({}, { baseUrl: 'http://127.0.0.1:9' })).toMatchObject([
      { key: 'baseUrl', old: null, new: 'http://127.0.0.1:9' },
    ]);
    expect(keys({ baseUrl: 'https://a.example' }, { baseUrl: 'https://b.example' })).toEqual(['baseUrl']);
    expect(keys({ baseUrl: 'https://a.example' }, { baseUrl: 'https://a.example' })).toEqual([]);
    expect(keys({ baseUrl: 'https://a.example' }, { baseUrl: null })).toEqual([]);
  });

  it('YOLO turned on widens; on again, off and clearing do not', () => {
    expect(wideningChanges({ yolo: false }, { yolo: true })).toMatchObject([{ key: 'yolo', old: false, new: true }]);
    expect(keys({ yolo: true }, { yolo: true })).toEqual([]);
    expect(keys({ yolo: true }, { yolo: false })).toEqual([]);
    expect(keys({}, { yolo: null })).toEqual([]);
  });

  it('lists every widening key of one request, and nothing for keys left out', () => {
    expect(
      keys({}, { extraCommands: ['make'], defaultSandbox: 'off', baseUrl: 'http://x.example', yolo: true }),
    ).toEqual(['extraCommands', 'defaultSandbox', 'baseUrl', 'yolo']);
    expect(keys({}, {})).toEqual([]);
  });
});

describe('describeChange', () => {
  it('names the setting and both values', () => {
    expect(describeChange({ key: 'defaultSandbox', old: 'on', new: 'off' })).toBe('OS sandbox: "on" → "off"');
    expect(describeChange({ key: 'baseUrl', old: null, new: 'http://x.example' })).toBe(
      'Model base URL: unset → "http://x.example"',
    );
    expect(describeChange({ key: 'extraCommands', old: [], new: ['make'] })).toBe(
      'Extra commands agents may run: none → make',
    );
  });
});
