import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killIfRunning } from '../../test/support/kill.js';
import { makeTempDir } from '../../test/support/tmp.js';
import { waitFor } from '../../test/support/wait-for.js';
import { isAppError } from '../domain/errors.js';
import { gitAsync } from './git.js';
import { spawnFromHelper, spawnHelperPid } from './spawn-helper.js';

const tmp = makeTempDir('ac-spawn-helper-');
afterAll(() => tmp.cleanup());

const sh = (script: string, extra: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}) =>
  spawnFromHelper({
    file: '/bin/sh',
    args: ['-c', script],
    cwd: extra.cwd ?? tmp.dir,
    ...(extra.env ? { env: { PATH: '/usr/bin:/bin', ...extra.env } } : {}),
    ...(extra.timeoutMs === undefined ? {} : { timeoutMs: extra.timeoutMs }),
  });

/** test/support/spawn-helper-probe.ts in a Node process of its own (with the tsx loader, as bin/autocoder.js runs). */
const REPO_ROOT = join(import.meta.dirname, '..', '..');
const PROBE = ['--import', 'tsx', join(REPO_ROOT, 'test', 'support', 'spawn-helper-probe.ts')];

describe('spawnFromHelper', () => {
  it('runs a command in its folder with its environment: exit code, output (NULs and UTF-8 kept) and errors', async () => {
    const res = await sh(`pwd; printf 'a\\0b\\n'; printf 'ü %s' "$GREETING" >&2; exit 3`, { env: { GREETING: 'hi' } });
    expect(res).toEqual({
      status: 3,
      signal: null,
      timedOut: false,
      error: null,
      stdout: `${tmp.dir}\na\0b\n`,
      stderr: 'ü hi',
    });
    // The helper is another process than this one, and stays for the next command.
    const pid = spawnHelperPid();
    expect(pid).not.toBe(process.pid);
    expect((await sh('true')).status).toBe(0);
    expect(spawnHelperPid()).toBe(pid);
  });

  it('gives a command without an environment of its own this process’s as it is now, not as it was when the helper started', async () => {
    await sh('true');
    process.env.AC_SPAWN_HELPER_PROBE = 'changed later';
    try {
      expect((await sh('printf %s "$AC_SPAWN_HELPER_PROBE"')).stdout).toBe('changed later');
    } finally {
      delete process.env.AC_SPAWN_HELPER_PROBE;
    }
  });

  it('says why a command could not start (no such program, no such folder), and gitAsync makes that an IO_ERROR', async () => {
    const missing = await spawnFromHelper({ file: 'no-such-program-ac', args: [], cwd: tmp.dir });
    expect(missing).toMatchObject({ status: null, error: expect.stringContaining('ENOENT') as unknown });
    const nowhere = await spawnFromHelper({ file: '/bin/sh', args: ['-c', 'true'], cwd: join(tmp.dir, 'gone') });
    expect(nowhere.error).toContain('ENOENT');
    const err = await gitAsync(join(tmp.dir, 'gone'), ['status']).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('IO_ERROR');
  });

  it('kills a command that outlives its time-out and says so', async () => {
    const res = await sh('echo started; exec sleep 30', { timeoutMs: 200 });
    expect(res).toMatchObject({ status: null, signal: 'SIGKILL', timedOut: true, stdout: 'started\n' });
  });

  it('answers many commands at once, each with its own output', async () => {
    const all = await Promise.all(Array.from({ length: 24 }, (_, i) => sh(`echo ${i}; exit ${i % 3}`)));
    expect(all.map((r) => [r.stdout, r.status])).toEqual(Array.from({ length: 24 }, (_, i) => [`${i}\n`, i % 3]));
  });

  it('fails the commands in flight when the helper dies, and starts a new one for the next', async () => {
    await sh('true');
    const helperPid = spawnHelperPid() as number;
    const inFlight = sh('exec sleep 30');
    const sleeper = Number(
      await waitFor(
        () => spawnSync('pgrep', ['-P', String(helperPid)], { encoding: 'utf8' }).stdout.trim() || undefined,
        10_000,
        'the command the helper started',
      ),
    );
    try {
      process.kill(helperPid, 'SIGKILL');
      const err = await inFlight.catch((e: unknown) => e);
      expect(isAppError(err) && err.code).toBe('IO_ERROR');
      expect((err as Error).message).toMatch(/ended \(signal SIGKILL\); whether the command ran is not known/);
    } finally {
      // Killed with -9, the helper could not stop it.
      killIfRunning(sleeper, 'SIGKILL');
    }
    expect((await sh('echo again')).stdout).toBe('again\n');
    expect(spawnHelperPid()).not.toBe(helperPid);
  });

  it('never keeps its process alive: a script that ran git ends by itself', () => {
    // From the repository, where `--import tsx` finds the loader.
    const res = spawnSync(process.execPath, [...PROBE, 'one-git'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^git version /);
  }, 40_000);

  it('ends, with what it started, when its process dies (kill -9)', async () => {
    const child = spawn(process.execPath, [...PROBE, 'dies'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const helperPid = Number(await waitFor(() => /^(\d+)\n/.exec(out)?.[1], 30_000, 'the helper pid'));
      const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(statusOf(pid));
      await waitFor(() => alive(helperPid), 5_000, 'the helper running');
      const sleeper = Number(
        await waitFor(
          () => spawnSync('pgrep', ['-P', String(helperPid)], { encoding: 'utf8' }).stdout.trim() || undefined,
          10_000,
          'the command the helper started',
        ),
      );
      child.kill('SIGKILL');
      await waitFor(() => !alive(helperPid), 10_000, 'the helper to end');
      await waitFor(() => !alive(sleeper), 10_000, 'its command to end');
    } finally {
      killIfRunning(child.pid as number, 'SIGKILL');
    }
  }, 60_000);
});

function statusOf(pid: number): string {
  const res = spawnSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' });
  return res.stdout;
}
