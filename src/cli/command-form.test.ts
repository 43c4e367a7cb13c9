import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandForm, withCommandForm } from './command-form.js';

const COMMANDS = ['doctor', 'run', 'demo', 'serve', 'design-review', 'preview'];

describe('withCommandForm', () => {
  it('names npx autocoder in every hint of a command, and nothing else', () => {
    expect(withCommandForm('Fix them, then run `autocoder doctor` again.\n', 'npx autocoder', COMMANDS)).toBe(
      'Fix them, then run `npx autocoder doctor` again.\n',
    );
    expect(withCommandForm("Try 'autocoder demo' or autocoder run todo", 'npx autocoder', COMMANDS)).toBe(
      "Try 'npx autocoder demo' or npx autocoder run todo",
    );
    expect(withCommandForm('(autocoder design-review x)', 'npx autocoder', COMMANDS)).toBe(
      '(npx autocoder design-review x)',
    );
    // Not a command, not a hint, or already in the npx form.
    for (const same of [
      'autocoder server listening on http://127.0.0.1:8888',
      'autocoder runs agents',
      'npx autocoder doctor',
      '~/.autocoder doctor',
      'bin/autocoder run',
    ])
      expect(withCommandForm(same, 'npx autocoder', COMMANDS)).toBe(same);
  });

  it('leaves JSON, help and the plain form alone', () => {
    const json = '{\n  "fix": "run `autocoder doctor`"\n}\n';
    expect(withCommandForm(json, 'npx autocoder', COMMANDS)).toBe(json);
    const help = 'Usage: autocoder doctor [options]\n';
    expect(withCommandForm(help, 'npx autocoder', COMMANDS)).toBe(help);
    expect(withCommandForm('run `autocoder doctor`', 'autocoder', COMMANDS)).toBe('run `autocoder doctor`');
    const live = '\u001b[2Kautocoder metrics · alpha · 2/6 passing\n';
    expect(withCommandForm(live, 'npx autocoder', [...COMMANDS, 'metrics'])).toBe(live);
  });
});

describe('commandForm', () => {
  it('is autocoder when it is on PATH, npx autocoder in a clone without it or when npm started the process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-form-'));
    try {
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      expect(commandForm({ PATH: bin })).toBe('npx autocoder');
      writeFileSync(join(bin, 'autocoder'), '#!/bin/sh\n');
      chmodSync(join(bin, 'autocoder'), 0o755);
      expect(commandForm({ PATH: bin })).toBe('autocoder');
      expect(commandForm({ PATH: bin, npm_command: 'exec' })).toBe('npx autocoder');
      expect(commandForm({ PATH: bin, npm_lifecycle_event: 'start' })).toBe('npx autocoder');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
