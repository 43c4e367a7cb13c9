import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/logging/logger.js';
import { createRedactor } from '../../src/security/redactor.js';
import type { Verification } from '../../src/shared/acceptance.js';
import { PREPARE_LOG_FILE, PREPARED_MARKER } from '../../src/verify/prepare.js';
import { verifyCommit } from '../../src/verify/verify-commit.js';
import { freePort } from '../support/free-port.js';
import { createAppRepo, type AppRepo } from '../support/verify-app.js';

// npm in the bubblewrap jail and real git: seconds per test on a loaded machine.
vi.setConfig({ testTimeout: 90_000 });

/**
 * Dependencies in the verification checkout: a fresh verification worktree has no node_modules,
 * so the engine installs them (npm ci with a lockfile) in the jail before the checks, keeps them
 * for the next verification of the same manifests, and fails clearly when the install fails.
 * The dependency is a local package (`file:`), so npm needs no network.
 */

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
const HELPER = {
  'helper/package.json': '{ "name": "helper", "version": "1.0.0", "main": "index.js" }\n',
  'helper/index.js': "module.exports = 'helped';\n",
  'use-helper.js': "console.log('the helper says ' + require('helper'));\n",
};
const manifest = (dep: string) =>
  `${JSON.stringify({ name: 'todo-fixture', version: '1.0.0', private: true, dependencies: { helper: dep } }, null, 2)}\n`;
/** The lockfile `npm install` writes for the `file:./helper` dependency. */
const LOCKFILE = `${JSON.stringify(
  {
    name: 'todo-fixture',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'todo-fixture', version: '1.0.0', dependencies: { helper: 'file:./helper' } },
      helper: { version: '1.0.0' },
      'node_modules/helper': { resolved: 'helper', link: true },
    },
  },
  null,
  2,
)}\n`;

let repo: AppRepo;
let ids = 0;

beforeAll(() => {
  repo = createAppRepo();
});

afterAll(() => {
  repo.cleanup();
});

async function verify(commit: string): Promise<Verification> {
  ids += 1;
  return verifyCommit(
    {
      projectRoot: repo.root,
      commit,
      featureId: 1,
      verificationId: `p${ids}`,
      trigger: 'landing',
      groups: [
        {
          featureId: 1,
          checks: [
            { kind: 'command', run: 'node use-helper.js', expect: { stdoutIncludes: 'the helper says helped' } },
          ],
        },
      ],
      port: await freePort(),
      sandbox: true,
      chromium: null,
      env,
      redact: createRedactor([]),
      logger: silentLogger(),
    },
    new AbortController().signal,
  );
}

describe('verification: dependencies of the checkout', () => {
  it('installs them with npm ci in the jail before the checks (prepare.log), and not again while the manifests are the same', async () => {
    const commit = repo.commit(
      { ...HELPER, 'package.json': manifest('file:./helper'), 'package-lock.json': LOCKFILE },
      'use a local helper package',
    );
    const first = await verify(commit);
    expect(first).toMatchObject({ status: 'passed', error: null });
    const log = readFileSync(join(repo.root, first.evidenceDir, PREPARE_LOG_FILE), 'utf8');
    expect(log).toMatch(/^\$ npm ci --no-audit --no-fund\n/);
    expect(log).toMatch(/\[done after [\d.]+ (s|ms)\]\n$/);
    const modules = join(repo.root, '.autocoder', 'worktrees', 'verify-0', 'node_modules');
    expect(readFileSync(join(modules, PREPARED_MARKER), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);

    const again = await verify(commit);
    expect(again.status).toBe('passed');
    expect(existsSync(join(repo.root, again.evidenceDir, PREPARE_LOG_FILE))).toBe(false);
  });

  it('a failing install ends the verification as an error that names the command and prepare.log; no check runs', async () => {
    // The lockfile no longer matches package.json: npm ci refuses.
    const commit = repo.commit(
      { ...HELPER, 'package.json': manifest('file:./elsewhere'), 'package-lock.json': LOCKFILE },
      'a lockfile out of step',
    );
    const v = await verify(commit);
    expect(v.status).toBe('error');
    expect(v.checks).toEqual([]);
    expect(v.error).toContain('installing the dependencies (npm ci --no-audit --no-fund) exited with code 1');
    expect(v.error).toContain('prepare.log');
    expect(readFileSync(join(repo.root, v.evidenceDir, PREPARE_LOG_FILE), 'utf8')).toContain('npm');
  });
});
