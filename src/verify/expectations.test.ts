import { describe, expect, it } from 'vitest';
import { describeStep } from './browser-check.js';
import { commandFailure, createIncludesScanner, httpFailure } from './expectations.js';

describe('commandFailure', () => {
  it('expects exit code 0 by default, and the code asked for otherwise', () => {
    expect(commandFailure(undefined, { exitCode: 0, stdoutIncludes: true })).toBeNull();
    expect(commandFailure(undefined, { exitCode: 1, stdoutIncludes: true })).toBe('exit code 1, expected 0');
    expect(commandFailure({ exitCode: 2 }, { exitCode: 2, stdoutIncludes: true })).toBeNull();
    expect(commandFailure({ exitCode: 2 }, { exitCode: 0, stdoutIncludes: true })).toBe('exit code 0, expected 2');
  });

  it('checks stdout only once the exit code is right', () => {
    expect(commandFailure({ stdoutIncludes: 'ok' }, { exitCode: 0, stdoutIncludes: false })).toBe(
      'stdout does not include "ok"',
    );
    expect(commandFailure({ stdoutIncludes: 'ok' }, { exitCode: 1, stdoutIncludes: false })).toBe(
      'exit code 1, expected 0',
    );
  });
});

describe('httpFailure', () => {
  it('expects a 2xx status by default, and exactly the status asked for otherwise', () => {
    expect(httpFailure(undefined, { status: 204, body: '' })).toBeNull();
    expect(httpFailure(undefined, { status: 302, body: '' })).toBe('status 302, expected a 2xx status');
    expect(httpFailure({ status: 404 }, { status: 404, body: '' })).toBeNull();
    expect(httpFailure({ status: 201 }, { status: 200, body: '' })).toBe('status 200, expected 201');
  });

  it('matches the body text and the JSON as a subset', () => {
    expect(httpFailure({ bodyIncludes: 'milk' }, { status: 200, body: '[milk]' })).toBeNull();
    expect(httpFailure({ bodyIncludes: 'milk' }, { status: 200, body: '[]' })).toBe('the body does not include "milk"');
    const body = JSON.stringify([
      { id: 1, title: 'milk', done: false },
      { id: 2, title: 'eggs' },
    ]);
    expect(httpFailure({ json: [{ title: 'eggs' }] }, { status: 200, body })).toBeNull();
    expect(httpFailure({ json: [{ title: 'bread' }] }, { status: 200, body })).toBe(
      'the JSON does not include [{"title":"bread"}]',
    );
    expect(httpFailure({ json: { ok: true } }, { status: 200, body: '<html>' })).toMatch(
      /^the body is not JSON \(.+\), expected JSON including \{"ok":true\}$/,
    );
  });
});

describe('createIncludesScanner', () => {
  it('finds a needle split between pieces, and nothing that is not there', () => {
    const s = createIncludesScanner('NEEDLE');
    s.push('xxxNE');
    expect(s.found).toBe(false);
    s.push('ED');
    s.push('LEyyy');
    expect(s.found).toBe(true);
    const none = createIncludesScanner('NEEDLE');
    for (const piece of ['NEED', 'xLE', 'NEEDL']) none.push(piece);
    expect(none.found).toBe(false);
    expect(createIncludesScanner(undefined).found).toBe(true);
  });
});

describe('describeStep', () => {
  it('names each step and its element the way failure lines show them', () => {
    expect(describeStep({ click: { role: 'button', name: 'Save' } })).toBe('click role=button name=Save');
    expect(describeStep({ fill: { label: 'New todo' }, value: 'milk' })).toBe('fill label=New todo with "milk"');
    expect(describeStep({ press: 'Enter', on: { placeholder: 'What?' } })).toBe('press Enter on placeholder=What?');
    expect(describeStep({ select: { testId: 'size' }, value: 'L' })).toBe('select "L" in testId=size');
    expect(describeStep({ expectText: 'milk' })).toBe('expectText "milk"');
    expect(describeStep({ expectVisible: { text: 'eggs', exact: true } })).toBe('expectVisible text=eggs');
    expect(describeStep({ reload: true })).toBe('reload');
    expect(describeStep({ screenshot: 'after' })).toBe('screenshot after');
  });
});
