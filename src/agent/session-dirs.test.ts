import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/tmp.js';
import {
  createOwnedDir,
  OWNER_FILE,
  ownerIsGone,
  readOwner,
  removeDir,
  sweepOrphanedDirs,
  type OwnerFacts,
  type OwnerMarker,
} from './session-dirs.js';

// Creates and removes real folder trees and processes: slower than a unit test on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });

let tmp: TempDir;
let base: string;
beforeEach(() => {
  tmp = makeTempDir('ac-dirs-test-');
  base = tmp.dir;
});
afterEach(() => tmp.cleanup());

const marker = (over: Partial<OwnerMarker> = {}): OwnerMarker => ({
  version: 1,
  purpose: 'spec-chat',
  pid: 4242,
  host: 'box',
  run: null,
  project: null,
  keep: false,
  createdAt: 1,
  ...over,
});

/** A folder under `base` with the given marker, written as another process would have. */
function planted(name: string, m: OwnerMarker | string | null): string {
  const dir = join(base, name);
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  writeFileSync(join(dir, 'tmp', 'scratch.txt'), 'x');
  if (m !== null) writeFileSync(join(dir, OWNER_FILE), typeof m === 'string' ? m : JSON.stringify(m));
  return dir;
}

/** The pid of a process that has exited (and was reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

describe('createOwnedDir', () => {
  it('creates a private ac- folder with home/ and tmp/ and a marker naming this process and host', () => {
    const dir = createOwnedDir(
      base,
      'abc123',
      { purpose: 'session', run: { id: 'run_1', incarnation: 'inc' }, project: '/p', keep: false },
      { now: 77 },
    );
    expect(dir).toBe(join(base, 'ac-abc123'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir).sort()).toEqual(['home', OWNER_FILE, 'tmp']);
    expect(readOwner(dir)).toEqual({
      version: 1,
      purpose: 'session',
      pid: process.pid,
      host: hostname(),
      run: { id: 'run_1', incarnation: 'inc' },
      project: '/p',
      keep: false,
      createdAt: 77,
    });
  });

  it('never reuses an existing folder', () => {
    mkdirSync(join(base, 'ac-taken'));
    expect(() =>
      createOwnedDir(base, 'taken', { purpose: 'spec-chat', run: null, project: null, keep: false }),
    ).toThrow(/EEXIST/);
  });

  it('makes just the marked folder when no session folders are wanted (the demo model config)', () => {
    const dir = createOwnedDir(
      base,
      'demo-1',
      { purpose: 'demo-model', run: null, project: null, keep: false },
      { sessionFolders: false },
    );
    expect(readdirSync(dir)).toEqual([OWNER_FILE]);
  });
});

describe('readOwner', () => {
  it('returns null for a missing, malformed or unknown marker', () => {
    expect(readOwner(planted('ac-none', null))).toBeNull();
    expect(readOwner(planted('ac-bad', '{not json'))).toBeNull();
    expect(readOwner(planted('ac-extra', JSON.stringify({ ...marker(), extra: 1 })))).toBeNull();
    expect(readOwner(planted('ac-ok', marker()))).toEqual(marker());
  });
});

describe('ownerIsGone', () => {
  const facts = (over: Partial<OwnerFacts> = {}): OwnerFacts => ({ host: 'box', pidAlive: () => false, ...over });

  it('declares a dead process folder gone, but not a live process, another host, or a kept one', () => {
    expect(ownerIsGone(marker(), facts())).toBe(true);
    expect(ownerIsGone(marker(), facts({ pidAlive: (pid) => pid === 4242 }))).toBe(false);
    expect(ownerIsGone(marker({ host: 'other' }), facts())).toBe(false);
    expect(ownerIsGone(marker({ keep: true }), facts())).toBe(false);
  });

  it("leaves a run's folder to the run's row: gone only when runIsOver says so, never on a dead pid alone", () => {
    const run = marker({ purpose: 'session', run: { id: 'run_a', incarnation: 'i1' } });
    expect(ownerIsGone(run, facts())).toBe(false);
    expect(ownerIsGone(run, facts({ runIsOver: () => false }))).toBe(false);
    const asked: unknown[] = [];
    expect(ownerIsGone(run, facts({ runIsOver: (r, pid) => (asked.push([r, pid]), true) }))).toBe(true);
    expect(asked).toEqual([[{ id: 'run_a', incarnation: 'i1' }, 4242]]);
    expect(ownerIsGone({ ...run, keep: true }, facts({ runIsOver: () => true }))).toBe(false);
  });
});

describe('removeDir', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('removes read-only files, a live unix socket and a symlink without following it', async () => {
    const outside = join(base, 'outside.txt');
    writeFileSync(outside, 'keep me');
    const dir = planted('ac-tree', marker());
    writeFileSync(join(dir, 'tmp', 'ro.txt'), 'x', { mode: 0o400 });
    symlinkSync(outside, join(dir, 'tmp', 'link'));
    const socket = join(dir, 'tmp', 's.sock');
    server = createServer();
    await new Promise<void>((resolve) => server?.listen(socket, resolve));
    expect(statSync(socket).isSocket()).toBe(true);
    removeDir(dir);
    expect(existsSync(dir)).toBe(false);
    expect(readFileSync(outside, 'utf8')).toBe('keep me');
  });

  it('removes a tree with read-only folders in it (as a user file permissions apply to)', () => {
    // Root ignores folder permissions, so as root the check runs in a child process as nobody.
    const script = `
      import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
      import { join } from 'node:path';
      const { removeDir } = await import(${JSON.stringify(join(import.meta.dirname, 'session-dirs.ts'))});
      const dir = join(process.argv[1], 'ac-readonly');
      mkdirSync(join(dir, 'pkg', 'mod@v1', 'sub'), { recursive: true });
      writeFileSync(join(dir, 'pkg', 'mod@v1', 'sub', 'f.go'), 'package x');
      for (const d of [join(dir, 'pkg', 'mod@v1', 'sub'), join(dir, 'pkg', 'mod@v1')]) chmodSync(d, 0o555);
      let plain = 'removed';
      try { (await import('node:fs')).rmSync(dir, { recursive: true, force: true }); } catch (err) { plain = err.code; }
      removeDir(dir);
      console.log(JSON.stringify({ plain, exists: existsSync(dir) }));
    `;
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chmodSync(base, 0o777);
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, base], {
      cwd: join(import.meta.dirname, '..', '..'),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, TMPDIR: base },
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(res.stderr).toBe('');
    // A plain recursive rm fails there; removeDir does not.
    expect(JSON.parse(res.stdout.trim().split('\n').at(-1) as string)).toEqual({ plain: 'EACCES', exists: false });
  });
});

describe('sweepOrphanedDirs', () => {
  it('removes the folders whose owner is provably gone and touches nothing else', async () => {
    const dead = await deadPid();
    const here = hostname();
    const orphan = planted('ac-spec-dead', marker({ pid: dead, host: here }));
    const overRun = planted(
      'ac-run-over',
      marker({ purpose: 'session', pid: dead, host: here, run: { id: 'run_over', incarnation: 'i' } }),
    );
    const kept = [
      planted('ac-spec-live', marker({ pid: process.pid, host: here })),
      planted(
        'ac-run-live',
        marker({ purpose: 'session', pid: process.pid, host: here, run: { id: 'run_live', incarnation: 'i' } }),
      ),
      planted('ac-kept', marker({ pid: dead, host: here, keep: true })),
      planted('ac-elsewhere', marker({ pid: dead, host: `${here}-other` })),
      planted('ac-unmarked', null),
      planted('ac-garbled', '{'),
      planted('other-dead', marker({ pid: dead, host: here })),
    ];
    // A symlink named like a session folder, pointing at an orphan elsewhere: not followed, not removed.
    const elsewhere = makeTempDir('ac-dirs-elsewhere-');
    try {
      const target = join(elsewhere.dir, 'ac-target');
      mkdirSync(target);
      writeFileSync(join(target, OWNER_FILE), JSON.stringify(marker({ pid: dead, host: here })));
      symlinkSync(target, join(base, 'ac-link'));

      const removed = await sweepOrphanedDirs({ runIsOver: (run) => run.id === 'run_over' }, base);
      expect(removed.sort()).toEqual([overRun, orphan].sort());
      expect(existsSync(orphan) || existsSync(overRun)).toBe(false);
      for (const dir of kept) expect(existsSync(dir)).toBe(true);
      expect(existsSync(join(target, OWNER_FILE))).toBe(true);
    } finally {
      elsewhere.cleanup();
    }
  });

  it("keeps every run's folder when it cannot ask a runs table (a spec chat sweeping)", async () => {
    const dead = await deadPid();
    const run = planted(
      'ac-run',
      marker({ purpose: 'session', pid: dead, host: hostname(), run: { id: 'run_x', incarnation: 'i' } }),
    );
    expect(await sweepOrphanedDirs({}, base)).toEqual([]);
    expect(existsSync(run)).toBe(true);
  });

  it.skipIf(!existsSync('/proc/self/environ'))(
    'stops a process still working in an orphan before removing it',
    async () => {
      const dead = await deadPid();
      const orphan = planted('ac-busy', marker({ pid: dead, host: hostname() }));
      // What a killed runner leaves: a child (say, a dev server) still running with its TMPDIR in the folder.
      const child = spawn('sleep', ['60'], {
        env: { PATH: process.env.PATH, TMPDIR: join(orphan, 'tmp') },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      await new Promise((resolve) => child.on('spawn', resolve));
      expect(await sweepOrphanedDirs({}, base)).toEqual([orphan]);
      expect(await exited).toBe('SIGTERM');
      expect(existsSync(orphan)).toBe(false);
    },
  );
});
