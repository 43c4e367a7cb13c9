import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readOwner } from '../../src/agent/session-dirs.js';
import { processesUsing, stillRunning } from '../../src/agent/session-processes.js';
import { isAppError } from '../../src/domain/errors.js';
import { silentLogger } from '../../src/logging/logger.js';
import { findChromium } from '../../src/runner/browser.js';
import { createRedactor, MASK } from '../../src/security/redactor.js';
import type { z } from 'zod';
import {
  VerificationSchema,
  type AcceptanceCheckSchema,
  type CheckResult,
  type Verification,
} from '../../src/shared/acceptance.js';
import { verifyCommit, type VerifyInput } from '../../src/verify/verify-commit.js';
import { freePort } from '../support/free-port.js';
import { createAppRepo, type AppRepo } from '../support/verify-app.js';
import { waitFor } from '../support/wait-for.js';

// Starts real apps (in the bubblewrap jail), real Chromium and real git: seconds per test on a loaded machine.
vi.setConfig({ testTimeout: 90_000 });

/**
 * The verification engine against a real app (a Node server started by ./init.sh, a page with a
 * form and a list), in real Chromium, with the real Bash policy and bubblewrap jail. Nothing is
 * mocked; processes are looked for in /proc after each verification.
 */

/** A check as written (the schema's input: `method` defaults to GET). */
type AcceptanceCheck = z.input<typeof AcceptanceCheckSchema>;

const SECRET = 'sk-fixture-SECRET-0123456789abcdef';
const chromium = findChromium(undefined, process.env.PATH);
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };

let repo: AppRepo;
let ids = 0;

beforeAll(() => {
  repo = createAppRepo();
});

afterAll(() => {
  repo.cleanup();
});

function request(over: Partial<VerifyInput> & { checks?: AcceptanceCheck[] }): VerifyInput {
  const { checks, ...rest } = over;
  ids += 1;
  return {
    projectRoot: repo.root,
    commit: repo.good,
    featureId: 1,
    verificationId: `v${ids}`,
    trigger: 'landing',
    groups: [{ featureId: 1, checks: checks ?? [{ kind: 'command', run: 'true' }] }],
    port: 0,
    sandbox: true,
    chromium,
    env,
    redact: createRedactor([SECRET]),
    logger: silentLogger(),
    limits: { stepMs: 1_500, appStartMs: 15_000 },
    ...rest,
  };
}

async function verify(over: Partial<VerifyInput> & { checks?: AcceptanceCheck[] }): Promise<Verification> {
  return verifyCommit(request({ port: await freePort(), ...over }), new AbortController().signal);
}

/** Host pids of the processes working in a folder (their cwd inside it), the jail's included. */
function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cwd = readlinkSync(`/proc/${name}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) pids.push(Number(name));
    } catch {
      // Gone meanwhile, or not ours to look at: not a process of the checkout.
      continue;
    }
  }
  return pids;
}

/** This process's verification temp folders still on disk. */
function ourVerificationFolders(): string[] {
  return readdirSync(tmpdir())
    .filter((n) => n.startsWith('ac-v'))
    .filter((n) => {
      const owner = readOwner(join(tmpdir(), n));
      return owner?.purpose === 'verification' && owner.pid === process.pid;
    });
}

const checkout = (n = 0) => join(repo.root, '.autocoder', 'worktrees', `verify-${n}`);
const evidence = (v: Verification) => join(repo.root, v.evidenceDir);

function expectNothingLeft(): void {
  expect(processesIn(repo.root)).toEqual([]);
  expect(ourVerificationFolders()).toEqual([]);
}

/** A real PNG: the signature and an image of some size (the IHDR chunk). */
function expectPng(file: string): void {
  const bytes = readFileSync(file);
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  expect(bytes.readUInt32BE(16)).toBeGreaterThanOrEqual(640);
  expect(bytes.readUInt32BE(20)).toBeGreaterThanOrEqual(400);
}

const byIndex = (v: Verification, featureId: number, index: number): CheckResult => {
  const found = v.checks.find((c) => c.featureId === featureId && c.index === index);
  if (!found) throw new Error(`no result for check ${index} of feature ${featureId}`);
  return found;
};

const TODO_CHECKS: AcceptanceCheck[] = [
  {
    kind: 'command',
    name: 'the server file is there',
    run: 'grep -c listen server.cjs',
    expect: { stdoutIncludes: '1' },
  },
  {
    kind: 'http',
    name: 'add a todo',
    method: 'POST',
    path: '/api/todos',
    body: { title: 'bread' },
    expect: { status: 201, json: { title: 'bread' } },
  },
  { kind: 'http', name: 'it is listed', method: 'GET', path: '/api/todos', expect: { json: [{ title: 'bread' }] } },
  { kind: 'http', name: 'the old address redirects', method: 'GET', path: '/old', expect: { bodyIncludes: 'bread' } },
  {
    kind: 'browser',
    name: 'a todo survives a reload',
    steps: [
      { goto: '/' },
      { fill: { label: 'New todo' }, value: 'milk' },
      { press: 'Enter', on: { label: 'New todo' } },
      { expectText: 'milk' },
      { fill: { placeholder: 'What needs doing?' }, value: 'eggs' },
      { click: { role: 'button', name: 'Add' } },
      { expectVisible: { text: 'eggs', exact: true } },
      { reload: true },
      { expectText: 'milk' },
      { expectNoText: 'no such todo' },
      { expectUrl: '/' },
      { screenshot: 'after-reload' },
    ],
  },
];

describe('verifyCommit on a commit that works', () => {
  it('passes command, http and browser checks in the jail and keeps the evidence: result.json, real screenshots, the trace, app.log', async () => {
    const recorded: { started: Verification[]; checks: CheckResult[]; finished: Verification[] } = {
      started: [],
      checks: [],
      finished: [],
    };
    const v = await verify({
      featureId: 3,
      sessionId: 'ses_1',
      // Steps that hold return as soon as they do; the default wait keeps a loaded machine from failing them.
      limits: { stepMs: 5_000 },
      groups: [
        { featureId: 3, checks: TODO_CHECKS },
        { featureId: 2, checks: [{ kind: 'command', name: 'a dependency still holds', run: 'ls init.sh' }] },
      ],
      recorder: {
        onStarted: (x) => recorded.started.push(x),
        onCheck: (r) => recorded.checks.push(r),
        onFinished: (x) => recorded.finished.push(x),
      },
    });
    expect(v.error).toBeNull();
    expect(v.checks.filter((c) => !c.passed)).toEqual([]);
    expect(v.status).toBe('passed');
    expect(v.commit).toBe(repo.good);
    expect(v.checks.map((c) => [c.featureId, c.index, c.kind])).toEqual([
      [3, 0, 'command'],
      [3, 1, 'http'],
      [3, 2, 'http'],
      [3, 3, 'http'],
      [3, 4, 'browser'],
      [2, 0, 'command'],
    ]);
    expect(byIndex(v, 3, 0).output).toBe('$ grep -c listen server.cjs\n1\n\n[exit code 0]');
    expect(byIndex(v, 3, 2).output).toContain('GET /api/todos → 200 OK (application/json)\n[{"id":1,"title":"bread"}]');
    expect(byIndex(v, 3, 3).output).toContain('GET /old → 302 Found, location: /api/todos\nGET /api/todos → 200 OK');
    expect(byIndex(v, 3, 4).output).toContain('12. screenshot after-reload: ok');

    // The evidence: result.json is the verification, the files it names exist and are what they say.
    expect(v.evidenceDir).toBe(`.autocoder/evidence/feature-3/${v.id}`);
    const stored = VerificationSchema.parse(JSON.parse(readFileSync(join(evidence(v), 'result.json'), 'utf8')));
    expect(stored).toEqual(v);
    expect(byIndex(v, 3, 4).evidence.sort()).toEqual(['5-after-reload.png', 'trace-5.zip']);
    expectPng(join(evidence(v), '5-after-reload.png'));
    expect(
      readFileSync(join(evidence(v), 'trace-5.zip'))
        .subarray(0, 2)
        .toString('latin1'),
    ).toBe('PK');
    const appLog = readFileSync(join(evidence(v), 'app.log'), 'utf8');
    expect(appLog).toContain(`init.sh: starting the app on port`);
    expect(appLog).toContain('added milk');

    // What the gate records: started (running), each check, finished (the same as returned).
    expect(recorded.started).toHaveLength(1);
    expect(recorded.started[0]).toMatchObject({
      status: 'running',
      checks: [],
      endedAt: null,
      sessionId: 'ses_1',
      trigger: 'landing',
    });
    expect(recorded.checks.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 0]);
    expect(recorded.finished).toEqual([v]);
    expectNothingLeft();
  });
});

describe('verifyCommit on a commit with a bug', () => {
  it('fails each check for its own reason: the JSON, the page text, a missing element; a screenshot of each failing step', async () => {
    const v = await verify({
      commit: repo.buggy,
      checks: [
        ...TODO_CHECKS,
        { kind: 'browser', name: 'a Save button', steps: [{ goto: '/' }, { click: { role: 'button', name: 'Save' } }] },
        {
          kind: 'browser',
          name: 'a link away',
          steps: [{ goto: '/' }, { click: { role: 'link', name: 'Elsewhere' } }, { expectUrl: '/elsewhere' }],
        },
        { kind: 'http', path: '/away' },
        { kind: 'http', path: '/missing', expect: { status: 200 } },
      ],
    });
    expect(v.status).toBe('failed');
    expect(v.commit).toBe(repo.buggy);
    const [command, post, list, redirect, page, save, away, awayHttp, missing] = v.checks;
    expect(command?.passed).toBe(true);
    expect(post?.passed).toBe(true);
    expect(list?.failure).toBe('the JSON does not include [{"title":"bread"}]');
    expect(list?.output).toContain('GET /api/todos → 200 OK (application/json)\n[]');
    // A failed request shows the app's own output too.
    expect(list?.output).toContain("--- the end of the app's output ---");
    expect(list?.output).toContain('added bread');
    expect(redirect?.failure).toBe('the body does not include "bread"');
    expect(page?.failure).toBe('step 4, expectText "milk": "milk" is not visible on the page within 1.5 s');
    expect(page?.evidence.sort()).toEqual(['5-step-4-failed.png', 'trace-5.zip']);
    expectPng(join(evidence(v), '5-step-4-failed.png'));
    expect(save?.failure).toBe('step 2, click role=button name=Save: no such element within 1.5 s');
    expectPng(join(evidence(v), '6-step-2-failed.png'));
    // The page may load nothing from another host: the click's navigation is refused before it leaves.
    expect(away?.passed).toBe(false);
    expect(away?.failure).toMatch(/^step 3, expectUrl \/elsewhere: the page is at .*, not \/elsewhere, after 1\.5 s$/);
    expect(away?.output).toContain('blocked a request to http://example.com (pages may load only from the app)');
    expect(awayHttp?.failure).toBe('status 302, expected a 2xx status');
    expect(awayHttp?.output).toContain("(not followed: http://example.com is not the app's origin)");
    expect(missing?.failure).toBe('status 404, expected 200');
    expect(missing?.output).toContain('not found: /missing');
    expectNothingLeft();
  });
});

describe('browser checks: axe rules and the mobile viewport', () => {
  it('an axe rule passes where nothing violates it, fails naming the elements where something does, and an unknown rule is an error of the check', async () => {
    const v = await verify({
      checks: [
        // The form's field has its label: nothing violates "label".
        { kind: 'browser', name: 'labelled', steps: [{ goto: '/' }, { expectNoAxeViolation: 'label' }] },
        // The page has no <main>: "landmark-one-main" finds the document.
        { kind: 'browser', name: 'no main', steps: [{ goto: '/' }, { expectNoAxeViolation: 'landmark-one-main' }] },
        { kind: 'browser', name: 'no such rule', steps: [{ goto: '/' }, { expectNoAxeViolation: 'no-such-rule' }] },
        // At 390 px wide: the screenshot is 390 wide.
        { kind: 'browser', name: 'on a phone', viewport: 'mobile', steps: [{ goto: '/' }, { screenshot: 'phone' }] },
      ],
    });
    const [labelled, noMain, unknown, phone] = v.checks;
    expect(labelled?.passed).toBe(true);
    expect(noMain?.failure).toMatch(
      /^step 2, expectNoAxeViolation landmark-one-main: axe rule landmark-one-main: 1 element violates it: html/,
    );
    expect(unknown?.failure).toBe('step 2, expectNoAxeViolation no-such-rule: axe-core has no rule "no-such-rule"');
    expect(phone?.passed).toBe(true);
    const png = readFileSync(join(evidence(v), '4-phone.png'));
    expect(png.readUInt32BE(16)).toBe(390);
    expectNothingLeft();
  });
});

describe('command checks', () => {
  it('fails a command the policy refuses with its reason, and runs nothing of it', async () => {
    const v = await verify({
      checks: [
        { kind: 'command', run: 'curl -s https://example.com/' },
        { kind: 'command', run: 'touch ../../../escaped.txt' },
        { kind: 'command', run: "node -e \"require('fs').writeFileSync('ran.txt', 'x')\"" },
        { kind: 'command', run: 'bash -c "touch ran.txt"' },
      ],
    });
    expect(v.status).toBe('failed');
    expect(v.checks.map((c) => c.failure?.replace(/\): .*/, ')'))).toEqual([
      'refused by the command policy (network)',
      'refused by the command policy (outside_project)',
      'refused by the command policy (interpreter)',
      'refused by the command policy (interpreter)',
    ]);
    expect(v.checks[0]?.output).toMatch(
      /^\$ curl -s https:\/\/example\.com\/\nrefused by the command policy \(network\): /,
    );
    expect(existsSync(join(repo.root, '.autocoder', 'escaped.txt'))).toBe(false);
    expect(existsSync(join(checkout(), 'ran.txt'))).toBe(false);
    expectNothingLeft();
  });

  it('applies expect: the exit code asked for, stdout over all of it (not only the kept end)', async () => {
    const print = repo.commit(
      { 'print.cjs': "process.stdout.write('NEEDLE-AT-THE-START\\n' + 'x'.repeat(20000) + '\\n'); process.exit(3);\n" },
      'a printer',
    );
    const v = await verify({
      commit: print,
      limits: { outputChars: 500 },
      checks: [
        { kind: 'command', run: 'node print.cjs', expect: { exitCode: 3, stdoutIncludes: 'NEEDLE-AT-THE-START' } },
        { kind: 'command', run: 'node print.cjs' },
        { kind: 'command', run: 'node print.cjs', expect: { exitCode: 3, stdoutIncludes: 'NOT-THERE' } },
      ],
    });
    expect(v.checks.map((c) => c.failure)).toEqual([
      null,
      'exit code 3, expected 0',
      'stdout does not include "NOT-THERE"',
    ]);
    expect(v.checks[0]?.output).toMatch(/^\[… 19,5\d\d earlier characters cut\]\nx+\n\n\[exit code 3\]$/);
    expect(v.checks[0]?.output).not.toContain('NEEDLE');
  });

  for (const sandbox of [true, false]) {
    it(`kills a command that hangs at its time limit, with everything it started (sandbox ${sandbox ? 'on' : 'off'})`, async () => {
      // A child in the group and a daemon that left it (setsid): neither may survive.
      const hang = repo.commit(
        {
          'hang.cjs': `const { spawn } = require('node:child_process');
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true }).unref();
console.log('hanging');
setInterval(() => {}, 1000);
`,
        },
        'a command that never ends',
      );
      const v = await verify({
        commit: hang,
        sandbox,
        checks: [{ kind: 'command', run: 'node hang.cjs', timeoutMs: 1_000 }],
      });
      expect(v.checks[0]?.failure).toBe('the command did not finish within 1 s; its processes were stopped');
      expect(v.checks[0]?.output).toContain('hanging');
      expectNothingLeft();
    });
  }

  it('with the sandbox on, a check cannot read what the jail hides nor write outside the checkout; with it off it can', async () => {
    const hidden = join(repo.root, 'autocoder-home');
    const secretFile = join(hidden, 'server-token');
    // The runner's own state beside the checkout: readable, never writable from a check.
    const outside = join(repo.root, '.autocoder', 'tampered.txt');
    const probe = repo.commit(
      {
        'probe.cjs': `const fs = require('node:fs');
try { console.log('read: ' + fs.readFileSync(${JSON.stringify(secretFile)}, 'utf8')); } catch (e) { console.log('read failed: ' + e.code); }
try { fs.writeFileSync(${JSON.stringify(outside)}, 'x'); console.log('wrote outside'); } catch (e) { console.log('write failed: ' + e.code); }
fs.writeFileSync('inside.txt', 'x'); console.log('wrote inside');
`,
      },
      'a probe',
    );
    const { mkdirSync } = await import('node:fs');
    mkdirSync(hidden, { recursive: true });
    writeFileSync(secretFile, 'TOKEN-0123456789');
    const jailed = await verify({
      commit: probe,
      sandbox: true,
      hiddenPaths: [hidden],
      checks: [{ kind: 'command', run: 'node probe.cjs' }],
    });
    expect(jailed.checks[0]?.output).toContain('read failed: ENOENT');
    expect(jailed.checks[0]?.output).toContain('write failed: EROFS');
    expect(jailed.checks[0]?.output).toContain('wrote inside');
    expect(existsSync(outside)).toBe(false);

    // The control: the same probe unconfined reads and writes both (so the probe works).
    const plain = await verify({
      commit: probe,
      sandbox: false,
      hiddenPaths: [hidden],
      checks: [{ kind: 'command', run: 'node probe.cjs' }],
    });
    expect(plain.checks[0]?.output).toContain('read: TOKEN-0123456789');
    expect(plain.checks[0]?.output).toContain('wrote outside');
    expect(existsSync(outside)).toBe(true);
  });
});

describe('secrets and outputs', () => {
  it("masks secrets (the project's .env copied into the checkout, a secret split across pieces) before the end is kept", async () => {
    writeFileSync(join(repo.root, '.env'), `API_KEY=${SECRET}\n`);
    try {
      const noisy = repo.commit(
        {
          'noisy.cjs': `process.stdout.write('y'.repeat(30000));\nconst s = ${JSON.stringify(SECRET)};\nprocess.stdout.write(s.slice(0, 9));\nsetTimeout(() => { process.stdout.write(s.slice(9) + '\\nTHE-END\\n'); }, 20);\n`,
        },
        'noisy output',
      );
      const v = await verify({
        commit: noisy,
        limits: { outputChars: 300 },
        checks: [
          { kind: 'command', run: 'cat .env' },
          { kind: 'command', run: 'node noisy.cjs', expect: { stdoutIncludes: SECRET } },
        ],
      });
      expect(v.status).toBe('passed');
      expect(v.checks[0]?.output).toBe(`$ cat .env\nAPI_KEY=${MASK}\n\n[exit code 0]`);
      expect(v.checks[1]?.output).toMatch(
        /^\[… 29,\d{3} earlier characters cut\]\ny+«redacted»\nTHE-END\n\n\[exit code 0\]$/,
      );
      const stored = readFileSync(join(evidence(v), 'result.json'), 'utf8');
      expect(stored).not.toContain(SECRET);
      expect(stored).not.toContain(SECRET.slice(0, 16));
    } finally {
      writeFileSync(join(repo.root, '.env'), '');
    }
  });
});

describe('the app', () => {
  it('fails clearly when the app never opens its port, with the end of its output, and leaves nothing running', async () => {
    const idle = repo.commit(
      {
        'init.sh':
          '#!/usr/bin/env bash\necho "idle app: up, but listening nowhere"\nnode -e "setInterval(() => {}, 1000)" &\n',
      },
      'an app that never listens',
    );
    const port = await freePort();
    const v = await verify({
      commit: idle,
      port,
      limits: { appStartMs: 1_500 },
      checks: [{ kind: 'http', path: '/' }],
    });
    expect(v.status).toBe('error');
    expect(v.checks).toEqual([]);
    expect(v.error).toBe(
      `the app did not start on port ${port} within 1.5 s (./init.sh returned, but nothing listens there; the app must listen on 127.0.0.1:$PORT)\nThe end of the app's output:\nidle app: up, but listening nowhere\n`,
    );
    expect(readFileSync(join(evidence(v), 'app.log'), 'utf8')).toBe('idle app: up, but listening nowhere\n');
    expectNothingLeft();
  });

  it('fails at once when ./init.sh exits with an error, and when it is missing', async () => {
    const broken = repo.commit(
      { 'init.sh': '#!/usr/bin/env bash\necho "cannot install" >&2\nexit 3\n' },
      'a broken init.sh',
    );
    const port = await freePort();
    const v = await verify({ commit: broken, port, checks: [{ kind: 'http', path: '/' }] });
    expect(v.error).toBe(
      `./init.sh exited with code 3 before the app listened on port ${port}\nThe end of the app's output:\ncannot install\n`,
    );

    const none = repo.commit({ 'init.sh': 'not executable\n' }, 'init.sh without its executable bit');
    const w = await verify({ commit: none, sandbox: false, checks: [{ kind: 'browser', steps: [{ goto: '/' }] }] });
    expect(w.error).toBe(
      'this commit has no executable ./init.sh, which http and browser checks need to start the app (commit it with its executable bit: chmod +x init.sh)',
    );
    expectNothingLeft();
  });

  it('refuses a port something already listens on: it would check that program instead', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as { port: number };
    try {
      const v = await verify({ port, checks: [{ kind: 'http', path: '/' }] });
      expect(v.status).toBe('error');
      expect(v.error).toMatch(new RegExp(`^port ${port} is already in use on 127\\.0\\.0\\.1`));
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('stops everything when aborted in the middle of a check, with the app running', async () => {
    const slow = repo.commit(
      { 'slow.cjs': "require('node:fs').writeFileSync('started.txt', 'x');\nsetInterval(() => {}, 1000);\n" },
      'a slow check',
    );
    const controller = new AbortController();
    const running = verifyCommit(
      request({
        commit: slow,
        port: await freePort(),
        checks: [
          { kind: 'http', path: '/' },
          { kind: 'command', run: 'node slow.cjs' },
          { kind: 'http', path: '/api/todos' },
        ],
      }),
      controller.signal,
    );
    await waitFor(() => existsSync(join(checkout(), 'started.txt')), 30_000, 'the slow check to start');
    expect(processesIn(repo.root).length).toBeGreaterThanOrEqual(2);
    controller.abort();
    const v = await running;
    expect(v.status).toBe('error');
    expect(v.error).toBe('the verification was aborted; everything it started was stopped');
    expect(v.checks.map((c) => [c.passed, c.failure])).toEqual([
      [true, null],
      [false, 'the verification was aborted while the command ran; its processes were stopped'],
    ]);
    expect(existsSync(join(evidence(v), 'result.json'))).toBe(true);
    expectNothingLeft();
  });
});

describe('bad requests', () => {
  it('throws on invalid input, naming the field, before anything runs', async () => {
    const bad = async (over: Partial<VerifyInput>) => {
      try {
        await verifyCommit(request({ port: 45_678, ...over }), new AbortController().signal);
      } catch (err: unknown) {
        if (isAppError(err)) return `${err.code}: ${err.message}`;
        throw err;
      }
      throw new Error('expected an error');
    };
    expect(await bad({ port: 80 })).toMatch(/^INVALID_INPUT: invalid verification request: port: /);
    expect(await bad({ verificationId: '../escape' })).toMatch(/verificationId: letters, digits, _ and -/);
    expect(await bad({ groups: [{ featureId: 1, checks: [{ kind: 'command', run: '' }] }] })).toMatch(
      /groups\.0\.checks\.0\.run: run must not be empty/,
    );
    const first = await verify({ verificationId: 'same-id' });
    expect(first.status).toBe('passed');
    expect(await bad({ verificationId: 'same-id' })).toBe(
      `INVALID_INPUT: the evidence folder .autocoder/evidence/feature-1/same-id exists already: each verification needs an id of its own`,
    );
  });

  it('ends with an error naming what is missing: Chromium for browser checks, a commit that does not exist', async () => {
    const noBrowser = await verify({ chromium: null, checks: [{ kind: 'browser', steps: [{ goto: '/' }] }] });
    expect(noBrowser.status).toBe('error');
    expect(noBrowser.error).toMatch(/^browser checks need Chromium, and none was found/);
    const noCommit = await verify({ commit: 'no-such-branch' });
    expect(noCommit.status).toBe('error');
    expect(noCommit.error).toBe(`no-such-branch is not a commit in ${repo.root}`);
    expectNothingLeft();
  });
});

describe('a browser that stops answering', () => {
  const cmdline = (pid: number): string => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      return '';
    }
  };
  /** Chromium's processes of this process's running verification (TMPDIR its browser folder, or a parent's). */
  const ourChromium = (): number[] =>
    ourVerificationFolders().flatMap((name) => processesUsing(join(tmpdir(), name, 'browser')));
  /**
   * Waits until the check's page exists (a renderer), then stops every Chromium process with SIGSTOP: from then on
   * nothing the check asks is answered, the way a wedged browser (or a page created while its context closed) never
   * answers. Returns the frozen pids.
   */
  async function freezeChromium(): Promise<number[]> {
    const pids = await waitFor(
      () => {
        const found = ourChromium();
        return found.some((pid) => cmdline(pid).includes('--type=renderer')) ? found : undefined;
      },
      60_000,
      "the check's page in Chromium",
    );
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    return pids;
  }
  const waiting: AcceptanceCheck = {
    kind: 'browser',
    name: 'waits for a text',
    steps: [{ goto: '/' }, { expectText: 'a text that never comes' }],
  };

  it('an abort still ends the verification at once, and stops the frozen browser and the app', async () => {
    const controller = new AbortController();
    const verifying = verifyCommit(
      request({
        port: await freePort(),
        checks: [{ ...waiting, timeoutMs: 120_000 }],
        limits: { stepMs: 60_000, appStartMs: 15_000 },
      }),
      controller.signal,
    );
    const frozen = await freezeChromium();
    controller.abort();
    const v = await verifying;
    expect(v.status).toBe('error');
    expect(v.error).toBe('the verification was aborted; everything it started was stopped');
    expect(v.checks.map((c) => c.failure)).toEqual(['the verification was aborted']);
    expect(frozen.filter((pid) => stillRunning(pid))).toEqual([]);
    expectNothingLeft();
  });
});
