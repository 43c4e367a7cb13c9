/**
 * Issue #16's proof with the real `autocoder` CLI and the real Claude Code binary against the
 * scripted model server: "passing" means the runner verified the exact commit that landed with the
 * feature's frozen acceptance checks. An honest coder gets every feature to passing, each with a
 * passing verification and its evidence; a coder that claims done without the work never gets a
 * feature to passing and is told which check failed; a coder that tries to change its checks is
 * refused and the stored hash stays; a regression committed to main is found by `autocoder verify`.
 * The backlog is seeded through the store (as a person would create it), with the sandbox and the
 * verification jail on where this machine has them.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import type { BulkFeature } from '../../src/db/ports.js';
import { openProjectStore, type SqliteProjectStore } from '../../src/db/stores.js';
import { gitOk } from '../../src/git/git.js';
import type { AcceptanceCheck } from '../../src/shared/acceptance.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync } from '../support/cli-process.js';
import {
  assignedFeature,
  codingSession,
  FEATURE_TOOL,
  roleScript,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { exportPath, fileCheck, lazyCoder, tamperAttempts, tamperingCoder } from '../support/gate-backlog.js';
import { freePort } from '../support/free-port.js';
import { createSampleProject } from '../support/sample-project.js';

// Real Claude Code sessions (one per feature) and verifications in the jail on a loaded 2-core machine.
vi.setConfig({ testTimeout: 300_000 });

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const MARK_PASSING = FEATURE_TOOL('feature_mark_passing');

let base: string | undefined;
let server: ScriptedModelServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  if (base) rmSync(base, { recursive: true, force: true });
  base = undefined;
});

/** A tiny app for http checks: serves `features/<name>` on $PORT (started by ./init.sh). */
const SERVE = `const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
http.createServer((req, res) => {
  fs.readFile(path.join(__dirname, 'features', path.basename(req.url)), 'utf8', (err, text) => {
    res.writeHead(err ? 404 : 200, { 'content-type': 'text/plain' });
    res.end(err ? 'missing' : text);
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;
const INIT_SH = '#!/usr/bin/env bash\ncd "$(dirname "$0")"\nnode serve.cjs &\n';

/**
 * Project `notes` under test-artifacts/ (the verification jail empties the temp folder), its own
 * repository with a first commit (the app and init.sh), the backlog created through the store.
 */
async function setup(script: Parameters<typeof startScriptedModelServer>[0], features: BulkFeature[], extra = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  base = mkdtempSync(join(ARTIFACTS, 'acceptance-e2e-'));
  server = await startScriptedModelServer(script);
  // A block of ports of its own: slot 0's verifications use basePort + 9.
  const env = agentTestEnv(base, server.url, { AUTOCODER_BASE_PORT: String((await freePort()) - 9), ...extra });
  const dir = join(base, 'notes');
  // Its own repository: test-artifacts/ lies inside autocoder's, which `new` would otherwise adopt.
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', dir]);
  createSampleProject(base, env);
  writeFileSync(join(dir, 'serve.cjs'), SERVE);
  writeFileSync(join(dir, 'init.sh'), INIT_SH);
  chmodSync(join(dir, 'init.sh'), 0o755);
  gitOk(dir, ['add', '-A']);
  gitOk(dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'app skeleton']);
  inspect(dir, (store) => store.features.createBulk(features));
  return { env, dir };
}

function inspect<T>(dir: string, fn: (store: SqliteProjectStore) => T): T {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

const feature = (id: number, checks: AcceptanceCheck[]): BulkFeature => ({
  category: 'notes',
  name: `Feature ${id}`,
  description: `feature ${id}`,
  steps: ['check its file'],
  acceptance: checks,
});

/** Every tool result the model was sent, in order. */
const toolResults = (s: ScriptedModelServer) => s.requests.flatMap((r) => r.lastToolResults);

describe('done means proven (real Claude Code, scripted model)', () => {
  it('an honest coder gets every feature to passing through a passing verification with its evidence; a regression committed to main is found by autocoder verify (exit 1, back to pending)', async () => {
    const httpCheck: AcceptanceCheck = {
      kind: 'http',
      name: 'served by the app',
      method: 'GET',
      path: '/feature-2.txt',
      expect: { status: 200, bodyIncludes: 'feature 2 implemented' },
    };
    const { env, dir } = await setup(roleScript({ coding: codingSession() }), [
      feature(1, [fileCheck(1)]),
      feature(2, [fileCheck(2), httpCheck]),
      feature(3, [fileCheck(3)]),
    ]);
    const run = await cliAsync(['run', 'notes', '--regression-every', '0'], env);
    expect(run.stdout).toContain('All 3 features pass.');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Slot 0: feature #2 passed verification ver_\w+ \(2\/2 checks passed\)\./);

    const verifications = inspect(dir, (store) =>
      store.features.list().map((f) => {
        expect(f.status).toBe('passing');
        const v = store.verifications.get(f.verificationId as string);
        expect(v).toMatchObject({ featureId: f.id, trigger: 'landing', status: 'passed' });
        expect(gitOk(dir, ['merge-base', '--is-ancestor', v.commit, 'main'])).toBe('');
        return v;
      }),
    );
    for (const v of verifications) {
      const folder = join(dir, v.evidenceDir);
      expect(JSON.parse(readFileSync(join(folder, 'result.json'), 'utf8'))).toMatchObject({
        id: v.id,
        status: 'passed',
      });
    }
    // Feature 2's http check ran against the app ./init.sh started on the verification port.
    const v2 = verifications[1];
    expect(v2?.checks.map((c) => [c.kind, c.passed])).toEqual([
      ['command', true],
      ['http', true],
    ]);
    expect(existsSync(join(dir, v2?.evidenceDir ?? '', 'app.log'))).toBe(true);
    expect(JSON.parse(succeeded(await cliAsync(['status', 'notes', '--json'], env)))).toMatchObject({ passing: 3 });

    // Someone breaks feature 2 on main; no model is asked to notice.
    gitOk(dir, ['rm', '-q', 'features/feature-2.txt']);
    gitOk(dir, ['-c', 'user.name=T', '-c', 'user.email=t@example.test', 'commit', '-q', '-m', 'a careless change']);
    const verify = await cliAsync(['verify', 'notes'], env);
    expect(verify.status).toBe(1);
    expect(verify.stdout).toMatch(
      /^#2 Feature 2: REGRESSED, back to pending: verification ver_\w+ on [0-9a-f]{8} failed 2\/2/m,
    );
    expect(verify.stdout).toMatch(/^#1 Feature 1: passed/m);
    inspect(dir, (store) => {
      expect(store.features.get(2)).toMatchObject({ status: 'pending', verificationId: null });
      expect(store.features.get(2).notes).toContain('regression: verification ver_');
      expect(store.features.get(1).status).toBe('passing');
    });
  });

  it('a coder that claims done without the work never lands (0 of 11) and is told the failing check; a coder that tries to change its checks is refused, the hash unchanged', async () => {
    const lazy = lazyCoder();
    const tamper = tamperingCoder();
    const features = Array.from({ length: 11 }, (_, i) => feature(i + 1, [fileCheck(i + 1)]));
    const { env, dir } = await setup(
      roleScript({ coding: (c) => (assignedFeature(c) === 1 ? tamper(c) : lazy(c)) }),
      features,
      // A failed feature waits long before its retry: each of the 11 sessions takes a different feature.
      { AUTOCODER_RETRY_BACKOFF_MS: '3600000' },
    );
    // By id: list() is in claim order, which the run's duration estimates may change.
    const byId = (store: SqliteProjectStore) =>
      store.features
        .list()
        .sort((a, b) => a.id - b.id)
        .map((f) => f.acceptanceHash);
    const hashes = inspect(dir, byId);
    const run = await cliAsync(['run', 'notes', '--concurrency', '2', '--max-iterations', '11'], env);
    expect(run.stdout).toContain('Reached --max-iterations 11; 0/11 features pass.');
    expect(run.status).toBe(0);

    const results = toolResults(server as ScriptedModelServer);
    const marks = results.filter((r) => r.name === MARK_PASSING);
    expect(marks).toHaveLength(11);
    for (const m of marks) {
      expect(m.isError).toBe(true);
      const id = Number(/"feature_id":\s*(\d+)/.exec(JSON.stringify(m.input))?.[1]);
      expect(m.text).toContain(`check 1 (command "feature ${id} file")`);
      expect(m.text).toContain('Nothing landed; the feature is not passing.');
    }
    // Every attempt on feature 1's export was refused by the guard or the policy.
    for (const attempt of tamperAttempts(1)) {
      // Claude Code may add its defaults to a call's input (Edit's replace_all): match what the coder sent.
      const r = results.find(
        (x) => x.name === attempt.tool && Object.entries(attempt.input).every(([k, v]) => x.input[k] === v),
      );
      expect(r, JSON.stringify(attempt.input)).toBeDefined();
      expect(r?.isError).toBe(true);
      expect(r?.text).toMatch(/protected folder|runs arbitrary code/);
    }
    const exported = join(dir, '.autocoder', 'worktrees', 'slot-0', exportPath(1));
    expect(statSync(exported).mode & 0o777).toBe(0o444);
    expect(JSON.parse(readFileSync(exported, 'utf8'))).toMatchObject({
      acceptanceHash: hashes[0],
      acceptance: [fileCheck(1)],
    });
    inspect(dir, (store) => {
      expect(byId(store)).toEqual(hashes);
      expect(store.features.list().filter((f) => f.status === 'passing')).toEqual([]);
      expect(store.verifications.verifiedCount()).toBe(0);
      expect(
        store.features
          .list()
          .flatMap((f) => store.verifications.list(f.id))
          .map((v) => v.status),
      ).toEqual(Array<string>(11).fill('failed'));
    });
    // Main never moved past the skeleton.
    expect(gitOk(dir, ['log', '--format=%s', 'main']).trim()).toBe('app skeleton');
  });
});

/** A CLI result's stdout (asserting it succeeded). */
function succeeded(result: { status: number; stdout: string; stderr: string }): string {
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}
