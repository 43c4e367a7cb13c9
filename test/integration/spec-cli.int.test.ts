import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../support/cli-process.js';

// Runs the real CLI in child processes (each start takes seconds under tsx on a loaded machine), several per test.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-spec-cli-'));
  env = { PATH: process.env.PATH, HOME: root, AUTOCODER_HOME: join(root, 'home') };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('spec commands', () => {
  it('prints a template that check-spec accepts', () => {
    const template = cli(['spec-template'], env);
    expect(template.status).toBe(0);
    expect(template.stdout).toContain('<project_specification>');
    const file = join(root, 'spec.txt');
    writeFileSync(file, template.stdout);
    const check = cli(['check-spec', file, '--json'], env);
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, problems: [], featureCount: 40 });
  });

  it("reports a project's spec problems as file:line: message and exits 1", () => {
    const spec = join(root, 'bad.txt');
    writeFileSync(
      spec,
      '<project_specification>\n  <project_name>p</project_name>\n  <overview></overview>\n</project_specification>\n',
    );
    expect(cli(['new', 'p', '--dir', join(root, 'p'), '--spec', spec], env).status).toBe(0);
    const check = cli(['check-spec', 'p'], env);
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/app_spec\.txt:3: <overview> is empty/);
    expect(check.stderr).toMatch(/app_spec\.txt:1: missing required section <core_features>/);
  });

  it('says how to get a spec when the project has none', () => {
    expect(cli(['new', 'empty', '--dir', join(root, 'empty')], env).status).toBe(0);
    const check = cli(['check-spec', 'empty'], env);
    expect(check.status).toBe(3);
    expect(check.stderr).toContain('autocoder spec-template');
  });
});
