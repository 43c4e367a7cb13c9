/**
 * Differential check of the issue #14 rules for curl, git and npm/npx: each refused form is run
 * for real (real curl against local HTTP servers, real git, real npm and vite) in a scratch
 * folder, where it does escape: it reads a file outside the project, writes outside it, reaches a
 * host the policy refuses, runs a program, or wipes the repository. So the rule is needed; and the
 * policy, given the same real file system, refuses the command.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { evaluateBashCommand } from './bash-policy.js';
import { readPolicyFile } from './read-policy-file.js';

// Runs real bash on every command of its corpus.
vi.setConfig({ testTimeout: 30_000 });

const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
const SECRET = `OUTSIDE-SECRET-${process.pid}`;

let base: string;
let project: string;
let outside: string;
let env: NodeJS.ProcessEnv;
let appUrl: string;
let otherHostUrl: string;
const servers: http.Server[] = [];
/** Bodies the local app received; hits on the second host (one the policy does not allow). */
const received: string[] = [];
const otherHostHits: string[] = [];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in bash in the project folder (async: the HTTP servers live in this process). */
function run(command: string, cwd = project): Promise<Run> {
  return new Promise((resolve) => {
    execFile('/bin/bash', ['-c', command], { cwd, env, timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function listen(server: http.Server, host: string): Promise<string> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`)),
  );
}

function git(args: string, cwd = project): Promise<Run> {
  return run(`git ${args}`, cwd);
}

beforeAll(async () => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), 'autocoder-policy-escapes-')));
  project = path.join(base, 'proj');
  outside = path.join(base, 'outside');
  const bin = path.join(base, 'bin');
  for (const d of [project, outside, bin, path.join(base, 'home'), path.join(outside, 'pkg')])
    mkdirSync(d, { recursive: true });
  writeFileSync(path.join(outside, 'secret.txt'), `${SECRET}\n`);
  writeFileSync(path.join(outside, 'headers.txt'), `X-Leak: ${SECRET}\n`);
  writeFileSync(path.join(outside, 'pkg', 'package.json'), '{"name":"x","version":"1.0.0"}\n');
  writeFileSync(path.join(outside, 'evil.sh'), `#!/bin/sh\necho ran > ${outside}/npm-marker\n`);
  chmodSync(path.join(outside, 'evil.sh'), 0o755);
  // A merge strategy program somewhere on PATH (as in ~/bin): `-s evil` runs it.
  writeFileSync(path.join(bin, 'git-merge-evil'), `#!/bin/sh\necho ran > ${outside}/merge-marker\nexit 2\n`);
  chmodSync(path.join(bin, 'git-merge-evil'), 0o755);
  env = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: path.join(base, 'home'),
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@localhost',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@localhost',
    GIT_CONFIG_NOSYSTEM: '1',
    npm_config_cache: path.join(base, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_offline: 'true',
  };
  // The scratch project: a git repo with two branches, a package.json with a script.
  writeFileSync(path.join(project, 'README.md'), 'line one\n');
  writeFileSync(path.join(project, 'package.json'), '{"name":"p","version":"1.0.0","scripts":{"hello":"echo hi"}}\n');
  writeFileSync(path.join(project, 'index.html'), '<html><body>app</body></html>\n');
  for (const step of [
    'init -q -b main',
    'add -A',
    'commit -qm init',
    'checkout -qb other',
    'commit -q --allow-empty -m other',
    'checkout -q main',
  ])
    expect((await git(step)).code).toBe(0);
  const other = http.createServer((req, res) => {
    otherHostHits.push(req.url ?? '');
    res.end('other host');
  });
  // 127.0.0.2 is loopback on Linux but not an address the policy allows: it stands for "another host".
  otherHostUrl = await listen(other, '127.0.0.2');
  const app = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(`${JSON.stringify(req.headers)}\n${body}`);
      if (req.url === '/redirect') res.writeHead(302, { location: `${otherHostUrl}/hit` }).end();
      else res.end(`served ${req.url}`);
    });
  });
  appUrl = await listen(app, '127.0.0.1');
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(base, { recursive: true, force: true });
});

/** The policy's decision on the real file system of the scratch project. */
function decide(command: string) {
  return evaluateBashCommand(command, {
    projectRoot: project,
    realpath: (p) => realpathSync.native(p),
    readFile: readPolicyFile,
  });
}

const leaked = (): boolean => received.some((r) => r.includes(SECRET));

describe('curl: the refused forms escape when run', () => {
  it.each([
    ['-F with a quoted file name', () => `curl -s -F 'f=@"${outside}/secret.txt"' ${appUrl}/a`],
    ['-F headers=@file', () => `curl -s -F 'f=x;headers=@${outside}/headers.txt' ${appUrl}/b`],
    ['-F with a comma file list', () => `curl -s -F 'f=@README.md,${outside}/secret.txt' ${appUrl}/c`],
  ])('%s sends a file from outside the project', async (_name, command) => {
    received.length = 0;
    expect(decide(command()).decision).toBe('deny');
    expect((await run(command())).code).toBe(0);
    expect(leaked()).toBe(true);
  });

  it('URL globbing with -o "#1" writes outside the project', async () => {
    const command = `curl -s '${appUrl}/{../outside/glob.txt}' -o '#1'`;
    expect(decide(command)).toMatchObject({ decision: 'deny', category: 'dangerous_args' });
    expect((await run(command)).code).toBe(0);
    expect(readFileSync(path.join(outside, 'glob.txt'), 'utf8')).toContain('served');
    expect(decide(`curl -s -g '${appUrl}/{../outside/glob.txt}' -o '#1'`).decision).toBe('allow'); // -g: the braces are literal
  });

  it('-L follows a redirect to a host the policy refuses', async () => {
    const command = `curl -s -L ${appUrl}/redirect`;
    expect(decide(command)).toMatchObject({ decision: 'deny', category: 'dangerous_args' });
    expect(decide(`curl -s ${otherHostUrl}/hit`)).toMatchObject({ decision: 'deny', category: 'network' });
    otherHostHits.length = 0;
    expect((await run(command)).stdout).toBe('other host');
    expect(otherHostHits).toEqual(['/hit']);
  });
});

describe('git: the refused forms escape when run', () => {
  it('blame --conte= (an abbreviation of --contents) prints a file from outside', async () => {
    const command = `git blame --conte=${outside}/secret.txt README.md`;
    expect(decide(command)).toMatchObject({ decision: 'deny', category: 'outside_project' });
    expect((await run(command)).stdout).toContain(SECRET);
  });

  it('commit --fil= (an abbreviation of --file) takes its message from outside', async () => {
    const command = `git commit --allow-empty -q --fil=${outside}/secret.txt`;
    expect(decide(command)).toMatchObject({ decision: 'deny', category: 'outside_project' });
    expect((await run(command)).code).toBe(0);
    expect((await git('log -1 --format=%B')).stdout).toContain(SECRET);
  });

  it('add --pathspec-from= reads a file from outside (its lines show up in the error)', async () => {
    const command = `git add --pathspec-from=${outside}/secret.txt`;
    expect(decide(command)).toMatchObject({ decision: 'deny', category: 'outside_project' });
    expect((await run(command)).stderr).toContain(SECRET);
  });

  it('cherry-pick --strategy=<name> runs a git-merge-<name> program', async () => {
    const command = 'git cherry-pick --strategy=evil other';
    expect(decide(command)).toMatchObject({ decision: 'deny', category: 'dangerous_args' });
    await run(command);
    await git('cherry-pick --abort');
    expect(existsSync(path.join(outside, 'merge-marker'))).toBe(true);
  });
});

describe('npm / npx: the refused forms escape when run', () => {
  it('an alias to a file: spec links a folder from outside into node_modules', async () => {
    const command = 'npm install x@file:../outside/pkg --no-save';
    expect(decide(command)).toMatchObject({ decision: 'deny', category: 'dangerous_args' });
    expect((await run(command)).code).toBe(0);
    expect(path.resolve(project, 'node_modules', readlinkSync(path.join(project, 'node_modules', 'x')))).toBe(
      path.join(outside, 'pkg'),
    );
    rmSync(path.join(project, 'node_modules'), { recursive: true, force: true });
  });

  it('script-shell in the project .npmrc runs any program at the next npm run', async () => {
    writeFileSync(path.join(project, '.npmrc'), `script-shell=${outside}/evil.sh\n`);
    try {
      expect(decide('npm run hello')).toMatchObject({ decision: 'deny', category: 'dangerous_args' });
      expect(decide('npx vite --version')).toMatchObject({ decision: 'deny', category: 'dangerous_args' });
      await run('npm run hello');
      expect(readFileSync(path.join(outside, 'npm-marker'), 'utf8')).toBe('ran\n');
    } finally {
      rmSync(path.join(project, '.npmrc'));
    }
    expect(decide('npm run hello').decision).toBe('allow');
  });

  it('npx vite build --outDir .git --emptyOutDir wipes the repository', async () => {
    const scratch = path.join(base, 'vite-proj');
    mkdirSync(scratch);
    writeFileSync(path.join(scratch, 'index.html'), '<html><body>app</body></html>\n');
    writeFileSync(path.join(scratch, 'package.json'), '{"name":"v","type":"module"}\n');
    symlinkSync(NODE_MODULES, path.join(scratch, 'node_modules'));
    expect((await git('init -q', scratch)).code).toBe(0);
    const command = 'npx --no-install vite build --outDir .git --emptyOutDir --logLevel silent';
    expect(
      evaluateBashCommand(command, {
        projectRoot: scratch,
        realpath: (p) => realpathSync.native(p),
        readFile: readPolicyFile,
      }),
    ).toMatchObject({ decision: 'deny', category: 'protected_path' });
    expect(existsSync(path.join(scratch, '.git', 'HEAD'))).toBe(true);
    expect((await run(command, scratch)).code).toBe(0);
    expect(existsSync(path.join(scratch, '.git', 'HEAD'))).toBe(false);
  });
});
