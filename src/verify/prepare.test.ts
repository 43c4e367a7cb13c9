import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PREPARED_MARKER, preparePlan } from './prepare.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-prepare-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
const installed = (key: string) => {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  write(join('node_modules', PREPARED_MARKER), `${key}\n`);
};

describe('preparePlan', () => {
  it('nothing for a checkout without package.json (other ecosystems are not prepared)', () => {
    write('requirements.txt', 'flask\n');
    expect(preparePlan(dir)).toBeNull();
  });

  it('npm ci with a lockfile (package-lock.json or npm-shrinkwrap.json)', () => {
    write('package.json', '{}');
    write('npm-shrinkwrap.json', '{}');
    expect(preparePlan(dir)?.args).toEqual(['ci', '--no-audit', '--no-fund']);
  });

  it('npm install without writing a lockfile when there is none', () => {
    write('package.json', '{}');
    expect(preparePlan(dir)?.args).toEqual(['install', '--no-audit', '--no-fund', '--no-package-lock']);
  });

  it('nothing while node_modules was installed from the same manifests; again once the lockfile changes', () => {
    write('package.json', '{}');
    write('package-lock.json', '{"v":1}');
    const plan = preparePlan(dir);
    installed(plan?.key ?? '');
    expect(preparePlan(dir)).toBeNull();
    write('package-lock.json', '{"v":2}');
    expect(preparePlan(dir)?.key).not.toBe(plan?.key);
  });

  it('a node_modules without the marker (not installed by a verification) is installed again', () => {
    write('package.json', '{}');
    mkdirSync(join(dir, 'node_modules'));
    expect(preparePlan(dir)).not.toBeNull();
  });
});
