import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CHECK_COMMAND,
  DEMO_APP_DIR,
  DEMO_FEATURES,
  FEATURE_MARKER,
  REGISTRY_FILE,
  registryLine,
  SKELETON_FILES,
} from './demo-app.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-demo-app-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `node --test` in the app folder, as every demo session runs it (it spawns a process: slow tests get 30 s). */
const nodeTest = (cwd: string) =>
  spawnSync(process.execPath, CHECK_COMMAND.split(' ').slice(1), { cwd, encoding: 'utf8', timeout: 30_000 });

describe('the demo app files (src/demo/app)', () => {
  it('are read as they are on disk: the skeleton, and a module and a test per feature', () => {
    for (const f of SKELETON_FILES) expect(f.content).toBe(readFileSync(join(DEMO_APP_DIR, f.path), 'utf8'));
    for (const f of DEMO_FEATURES) {
      expect(f.module).toBe(readFileSync(join(DEMO_APP_DIR, 'src', 'features', `${f.slug}.js`), 'utf8'));
      expect(f.test).toBe(readFileSync(join(DEMO_APP_DIR, 'test', `${f.slug}.test.js`), 'utf8'));
    }
  });

  it('make a skeleton whose own test passes with no feature registered', () => {
    for (const f of SKELETON_FILES) {
      cpSync(join(DEMO_APP_DIR, f.path), join(dir, f.path), { recursive: true });
    }
    const run = nodeTest(dir);
    expect(run.stderr + run.stdout).toMatch(/# pass 2\n# fail 0\n/);
    expect(run.status).toBe(0);
  }, 30_000);

  it('make, with every feature registered as the scenario does it, an app whose tests all pass', () => {
    cpSync(DEMO_APP_DIR, dir, { recursive: true });
    const registry = join(dir, REGISTRY_FILE);
    const lines = DEMO_FEATURES.map((f) => registryLine(f.slug)).join('\n');
    writeFileSync(registry, readFileSync(registry, 'utf8').replace(FEATURE_MARKER, `${lines}\n${FEATURE_MARKER}`));
    const run = nodeTest(dir);
    expect(run.stdout).toMatch(/# fail 0\n/);
    expect(run.stdout).toMatch(
      new RegExp(`# pass ${2 + DEMO_FEATURES.reduce((n, f) => n + (f.test.match(/^test\(/gm) ?? []).length, 0)}\\n`),
    );
    expect(run.status).toBe(0);
  }, 30_000);
});
