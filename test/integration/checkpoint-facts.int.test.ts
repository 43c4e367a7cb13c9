import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { processesUsing } from '../../src/agent/session-processes.js';
import { collectToolFacts, type FactsRun } from '../../src/checkpoint/facts.js';
import { agentOfToolFinding } from '../../src/checkpoint/tool-output.js';
import { findInitJailTools } from '../../src/runner/init-jail.js';
import { createRedactor, MASK } from '../../src/security/redactor.js';
import type { ToolFact, ToolFactKind } from '../../src/shared/checkpoints.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait-for.js';

// Runs the real tsc, eslint, npm audit and npm run build (jailed and not): seconds each on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });

/**
 * The facts step of a checkpoint on small real projects: real TypeScript and ESLint (the repo's node_modules, linked),
 * a real `npm audit` against a registry on 127.0.0.1 that answers npm's bulk advisory endpoint (no internet), a real
 * build. With confinement null and, where bubblewrap works, in the jail.
 */

const SECRET = 'sk-fixture-SECRET-0123456789abcdef';
const REPO_NODE_MODULES = realpathSync(join(import.meta.dirname, '../../node_modules'));
const jailTools = findInitJailTools(process.platform, process.env.PATH);

let tmp: TempDir;
let registry: Server;
let registryUrl: string;
const registryRequests: string[] = [];
let runs = 0;

/** npm's audit endpoints: minimist below 1.2.6 has a critical advisory; its packument names 1.2.8 as the fix. */
function startRegistry(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      registryRequests.push(`${req.method} ${req.url} ${body}`);
      res.setHeader('content-type', 'application/json');
      const advisory = {
        id: 1179,
        url: 'https://github.com/advisories/GHSA-vh95-rmgr-6w4m',
        title: 'Prototype Pollution in minimist',
        severity: 'critical',
        vulnerable_versions: '<0.2.1 || >=1.0.0 <1.2.6',
        cwe: ['CWE-1321'],
        cvss: { score: 9.8 },
      };
      if (req.url === '/-/npm/v1/security/advisories/bulk') {
        const asked = JSON.parse(body) as Record<string, string[]>;
        res.end(JSON.stringify(asked.minimist ? { minimist: [advisory] } : {}));
      } else if (req.url === '/-/npm/v1/security/audits/quick') {
        res.end(JSON.stringify({ advisories: { 1179: { ...advisory, module_name: 'minimist' } } }));
      } else if (req.url === '/minimist') {
        const versions = Object.fromEntries(
          ['1.2.0', '1.2.8'].map((v) => [
            v,
            { name: 'minimist', version: v, dist: { tarball: `${registryUrl}x.tgz` } },
          ]),
        );
        res.end(JSON.stringify({ name: 'minimist', 'dist-tags': { latest: '1.2.8' }, versions }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  tmp = makeTempDir('ac-facts-');
  registry = await startRegistry();
  registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => registry.close(resolve));
  tmp.cleanup();
});

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** A project with a type error, a broken lint rule, a build that writes dist/ and a lockfile pinning minimist 1.2.0. */
function createToolProject(): string {
  const root = join(tmp.dir, `tools-${++runs}`);
  mkdirSync(root);
  writeFiles(root, {
    'package.json': JSON.stringify({
      name: 'fixture',
      version: '1.0.0',
      private: true,
      type: 'module',
      scripts: { build: 'node build.mjs' },
      dependencies: { minimist: '1.2.0' },
    }),
    'package-lock.json': JSON.stringify({
      name: 'fixture',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'fixture', version: '1.0.0', dependencies: { minimist: '1.2.0' } },
        'node_modules/minimist': {
          version: '1.2.0',
          resolved: 'https://registry.npmjs.org/minimist/-/minimist-1.2.0.tgz',
          integrity: 'sha512-7Wl+Jz+IGWuSdgsQEJ4JunV0si/iMhg42MnQQG6h1R6TNeVenp4U9x5CC5v/gYqz/fENLQITAWXidNtVL0NNbw==',
        },
      },
    }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler' },
      include: ['src'],
    }),
    'src/count.ts': `// ${SECRET}\nexport const count: number = 'three';\n`,
    'eslint.config.js':
      "export default [{ ignores: ['dist/**'] }, { files: ['**/*.js'], rules: { 'no-unused-vars': 'error' } }];\n",
    'src/util.js': 'function helper() {\n  return 1;\n}\nexport const y = 2;\n',
    // 600 kB of JavaScript and a small stylesheet: a bundle over 500 kB is a performance finding.
    'build.mjs': [
      "import { mkdirSync, writeFileSync } from 'node:fs';",
      "mkdirSync('dist/assets', { recursive: true });",
      "writeFileSync('dist/assets/app.js', '//' + 'x'.repeat(600_000));",
      "writeFileSync('dist/assets/app.css', 'body{}');",
      "console.log('built');",
    ].join('\n'),
  });
  symlinkSync(REPO_NODE_MODULES, join(root, 'node_modules'));
  return root;
}

function factsRun(checkout: string, over: Partial<FactsRun> = {}): FactsRun {
  const workDir = join(tmp.dir, `work-${++runs}`);
  mkdirSync(workDir);
  return {
    checkout: realpathSync(checkout),
    workDir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      npm_config_registry: registryUrl,
    },
    confinement: null,
    extraCommands: [],
    redact: createRedactor([SECRET]),
    timeoutMs: 90_000,
    marker: `ac-facts-test-${runs}`,
    ...over,
  };
}

/** Whether a process runs (a zombie, dead but not yet reaped by its new parent, does not). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const byKind = (facts: readonly ToolFact[], kind: ToolFactKind): ToolFact => {
  const fact = facts.find((f) => f.kind === kind);
  if (!fact) throw new Error(`no ${kind} fact`);
  return fact;
};

const modes = [
  { name: 'unconfined', confinement: () => null },
  ...(jailTools ? [{ name: 'in the bubblewrap jail', confinement: () => ({ tools: jailTools, hidden: [] }) }] : []),
];

describe.each(modes)('tool facts, $name', ({ confinement }) => {
  it('records the type error, the lint rule, the advisory and the build with its sizes', async () => {
    const root = createToolProject();
    registryRequests.length = 0;
    const run = factsRun(root, { confinement: confinement() });
    const facts = await collectToolFacts(run, new AbortController().signal);
    expect(facts.map((f) => f.kind)).toEqual(['typecheck', 'lint', 'coverage', 'audit', 'build']);

    const typecheck = byKind(facts, 'typecheck');
    expect(typecheck).toMatchObject({ command: 'npx tsc --noEmit', status: 'failed', exitCode: 2 });
    expect(typecheck.figures).toEqual({ errors: 1, files: 1 });
    expect(typecheck.findings).toEqual([
      expect.objectContaining({
        severity: 'major',
        category: 'typescript/TS2322',
        file: 'src/count.ts',
        line: 2,
        title: "TS2322: Type 'string' is not assignable to type 'number'.",
      }),
    ]);

    const lint = byKind(facts, 'lint');
    expect(lint).toMatchObject({ command: 'npx eslint -f json .', status: 'failed', exitCode: 1 });
    expect(lint.figures).toMatchObject({ errors: 1, warnings: 0 });
    expect(lint.findings).toEqual([
      expect.objectContaining({ severity: 'major', category: 'eslint/no-unused-vars', file: 'src/util.js', line: 1 }),
    ]);

    // vitest is in the linked node_modules, but the project does not declare a test runner.
    expect(byKind(facts, 'coverage')).toMatchObject({ status: 'skipped', command: '' });
    expect(byKind(facts, 'coverage').summary).toMatch(/neither vitest nor jest/);

    const audit = byKind(facts, 'audit');
    expect(audit).toMatchObject({ command: 'npm audit --json', status: 'failed' });
    expect(audit.figures).toMatchObject({ critical: 1, total: 1 });
    expect(audit.findings).toEqual([
      expect.objectContaining({
        severity: 'critical',
        category: 'dependency/minimist',
        title: 'minimist: Prototype Pollution in minimist',
        suggestedFix: expect.stringContaining('Update minimist to 1.2.8') as unknown,
      }),
    ]);
    expect(agentOfToolFinding('audit', audit.findings[0]!)).toBe('security');
    // The real npm asked our registry, and only it: the lockfile's minimist 1.2.0.
    expect(registryRequests.some((r) => r.includes('/-/npm/v1/security/') && r.includes('"minimist":["1.2.0"]'))).toBe(
      true,
    );

    const build = byKind(facts, 'build');
    expect(build).toMatchObject({ command: 'npm run build', status: 'passed', exitCode: 0 });
    expect(build.figures).toMatchObject({
      totalBytes: 600_002 + 6,
      files: 2,
      'bytes:dist/assets/app.js': 600_002,
      'bytes:dist/assets/app.css': 6,
    });
    expect(build.summary).toBe('dist/: 600 kB (2 files)');
    expect(build.findings).toEqual([
      expect.objectContaining({ severity: 'minor', category: 'bundle-size', file: 'dist/assets/app.js' }),
    ]);
    expect(agentOfToolFinding('build', build.findings[0]!)).toBe('performance');
    expect(build.output).toContain('built');

    // Output is masked: the secret in the source never reaches a fact.
    expect(JSON.stringify(facts)).not.toContain(SECRET);
    expect(processesUsing(run.workDir)).toEqual([]);
  });

  it("runs the project's typecheck and lint scripts, and still reads their findings", async () => {
    const root = createToolProject();
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({ ...pkg, scripts: { typecheck: 'tsc --noEmit', lint: 'eslint src' } }),
    );
    const facts = await collectToolFacts(factsRun(root, { confinement: confinement() }), new AbortController().signal);
    expect(byKind(facts, 'typecheck')).toMatchObject({ command: 'npm run typecheck', status: 'failed' });
    expect(byKind(facts, 'typecheck').findings).toEqual([
      expect.objectContaining({ category: 'typescript/TS2322', file: 'src/count.ts', line: 2 }),
    ]);
    // `eslint src` is plain eslint: npm runs it with -f json added and prints nothing else.
    expect(byKind(facts, 'lint')).toMatchObject({ command: 'npm run --silent lint -- -f json', status: 'failed' });
    expect(byKind(facts, 'lint').findings).toEqual([
      expect.objectContaining({ category: 'eslint/no-unused-vars', file: 'src/util.js', line: 1 }),
    ]);
    expect(byKind(facts, 'build')).toMatchObject({
      status: 'skipped',
      summary: 'no build: package.json has no `build` script',
    });
  });

  it('a project with none of the tools gives five skipped facts, each saying why', async () => {
    const root = join(tmp.dir, `empty-${++runs}`);
    writeFiles(root, { 'README.md': '# nothing to run\n' });
    const facts = await collectToolFacts(factsRun(root, { confinement: confinement() }), new AbortController().signal);
    expect(facts.map((f) => [f.kind, f.status])).toEqual([
      ['typecheck', 'skipped'],
      ['lint', 'skipped'],
      ['coverage', 'skipped'],
      ['audit', 'skipped'],
      ['build', 'skipped'],
    ]);
    expect(facts.map((f) => f.summary)).toEqual([
      expect.stringMatching(/no tsconfig\.json/),
      expect.stringMatching(/no ESLint config/),
      expect.stringMatching(/neither vitest nor jest/),
      expect.stringMatching(/no package-lock\.json and no requirements\.txt/),
      'no build: no package.json',
    ]);
  });

  it('a tool past its time limit is killed, reported as an error, and nothing it started is left running', async () => {
    const root = join(tmp.dir, `hang-${++runs}`);
    writeFiles(root, {
      'package.json': JSON.stringify({ name: 'hang', version: '1.0.0', scripts: { build: 'node hang.mjs' } }),
      // Starts a child in a process group of its own (so the group kill misses it), says so, and never ends.
      'hang.mjs': [
        "import { spawn } from 'node:child_process';",
        "import { writeFileSync } from 'node:fs';",
        "const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });",
        "writeFileSync('escaped.pid', String(child.pid));",
        "console.log('started', child.pid);",
        'setInterval(() => {}, 1000);',
      ].join('\n'),
    });
    const run = factsRun(root, { confinement: confinement(), timeoutMs: 3_000 });
    const facts = await collectToolFacts(run, new AbortController().signal);
    const build = byKind(facts, 'build');
    expect(build).toMatchObject({ status: 'error', exitCode: null });
    expect(build.summary).toBe('the tool did not finish within 3 s; its processes were stopped');
    expect(existsSync(join(root, 'escaped.pid'))).toBe(true);
    expect(processesUsing(run.workDir)).toEqual([]);
    if (run.confinement === null) {
      // Outside the jail the pid is the host's: the escaped process is gone (or a zombie no one reaped yet).
      const pid = Number(readFileSync(join(root, 'escaped.pid'), 'utf8'));
      expect(isRunning(pid)).toBe(false);
    }
  });

  it('a command the policy refuses does not run: the fact is an error with the reason', async () => {
    const root = join(tmp.dir, `refused-${++runs}`);
    writeFiles(root, {
      'package.json': JSON.stringify({ name: 'refused', version: '1.0.0', scripts: { build: 'node mark.mjs' } }),
      'mark.mjs': "import { writeFileSync } from 'node:fs';\nwriteFileSync('ran.txt', 'yes');\n",
      // A project .npmrc that picks the program running scripts: every npm command is refused while it is there.
      '.npmrc': 'script-shell=/bin/sh\n',
    });
    const facts = await collectToolFacts(factsRun(root, { confinement: confinement() }), new AbortController().signal);
    const build = byKind(facts, 'build');
    expect(build).toMatchObject({ command: 'npm run build', status: 'error', exitCode: null });
    expect(build.summary).toMatch(/^refused by the command policy/);
    expect(build.summary).toContain('script-shell');
    expect(existsSync(join(root, 'ran.txt'))).toBe(false);
  });
});

describe('tool facts, bad input and abort', () => {
  it('refuses a relative checkout with a clear error', async () => {
    await expect(
      collectToolFacts(factsRun(tmp.dir, { checkout: 'relative/path' }), new AbortController().signal),
    ).rejects.toThrow(/checkout: the checkout must be an absolute path/);
  });

  it('an aborted checkpoint runs no tool: every planned tool is an error saying so', async () => {
    const root = createToolProject();
    const controller = new AbortController();
    controller.abort();
    const facts = await collectToolFacts(factsRun(root), controller.signal);
    expect(facts.filter((f) => f.status === 'error').map((f) => f.kind)).toEqual([
      'typecheck',
      'lint',
      'audit',
      'build',
    ]);
    expect(byKind(facts, 'build').summary).toBe('the checkpoint was aborted before this tool ran');
    expect(existsSync(join(root, 'dist'))).toBe(false);
  });

  it('an abort while a tool runs stops it and what it started: that fact is an error saying so', async () => {
    const root = join(tmp.dir, `abort-${++runs}`);
    writeFiles(root, {
      'package.json': JSON.stringify({ name: 'a', version: '1.0.0', scripts: { build: 'node hang.mjs' } }),
      'hang.mjs':
        "import { writeFileSync } from 'node:fs';\nwriteFileSync('started', '1');\nsetInterval(() => {}, 1000);\n",
    });
    const controller = new AbortController();
    const run = factsRun(root);
    const collecting = collectToolFacts(run, controller.signal);
    await waitFor(() => existsSync(join(root, 'started')), 60_000, 'the build to start');
    controller.abort();
    const facts = await collecting;
    expect(byKind(facts, 'build')).toMatchObject({
      status: 'error',
      summary: 'the checkpoint was aborted while the tool ran; its processes were stopped',
    });
    expect(processesUsing(run.workDir)).toEqual([]);
  });

  it('masks secrets in what the tools print', async () => {
    const root = join(tmp.dir, `secret-${++runs}`);
    writeFiles(root, {
      'package.json': JSON.stringify({ name: 's', version: '1.0.0', scripts: { build: 'node fail.mjs' } }),
      'fail.mjs': `console.log('token ${SECRET}');\nprocess.exit(3);\n`,
    });
    const facts = await collectToolFacts(factsRun(root), new AbortController().signal);
    const build = byKind(facts, 'build');
    expect(build).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(build.findings).toEqual([expect.objectContaining({ severity: 'major', category: 'build/failed' })]);
    expect(build.output).toContain(MASK);
    expect(JSON.stringify(build)).not.toContain(SECRET);
  });
});
