import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/tmp.js';
import { waitFor } from '../../test/support/wait-for.js';
import { environUses, processesUsing, stillRunning, stopProcessesUsing } from './session-processes.js';

describe('environUses', () => {
  const env = (...pairs: string[]) => `${pairs.join('\0')}\0`;

  it('matches TMPDIR or HOME equal to the folder or inside it', () => {
    expect(environUses(env('PATH=/bin', 'TMPDIR=/tmp/ac-1/tmp'), '/tmp/ac-1')).toBe(true);
    expect(environUses(env('HOME=/tmp/ac-1/home'), '/tmp/ac-1')).toBe(true);
    expect(environUses(env('TMPDIR=/tmp/ac-1'), '/tmp/ac-1')).toBe(true);
  });

  it('ignores siblings with the same prefix, other variables and values merely mentioning the folder', () => {
    expect(environUses(env('TMPDIR=/tmp/ac-10/tmp'), '/tmp/ac-1')).toBe(false);
    expect(environUses(env('OLDPWD=/tmp/ac-1/tmp', 'X=TMPDIR=/tmp/ac-1/tmp'), '/tmp/ac-1')).toBe(false);
    expect(environUses(env('MY_TMPDIR=/tmp/ac-1/tmp'), '/tmp/ac-1')).toBe(false);
  });
});

describe.skipIf(!existsSync('/proc/self/environ'))('stopProcessesUsing (Linux /proc)', () => {
  let tmp: TempDir;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    tmp = makeTempDir('ac-procs-test-');
  });
  afterEach(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    children.length = 0;
    tmp.cleanup();
  });

  /**
   * Starts `command` with TMPDIR=`tmpdir`; resolves once it runs (or, with `ready`, once it has
   * printed that line: a shell has then installed its traps), with a promise of its exit signal.
   */
  async function start(
    tmpdir: string,
    command: string[],
    ready?: string,
  ): Promise<{ pid: number; exit: Promise<NodeJS.Signals | null> }> {
    const child = spawn(command[0] as string, command.slice(1), {
      env: { PATH: process.env.PATH, TMPDIR: tmpdir },
      stdio: ['ignore', ready === undefined ? 'ignore' : 'pipe', 'ignore'],
    });
    children.push(child);
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    await new Promise((resolve) => child.on('spawn', resolve));
    if (ready !== undefined) {
      let out = '';
      await new Promise<void>((resolve) =>
        child.stdout?.on('data', (d: Buffer) => ((out += d.toString()), out.includes(ready) && resolve())),
      );
    }
    return { pid: child.pid as number, exit };
  }

  it("finds and stops the folder's processes with SIGTERM and leaves every other process alone", async () => {
    const session = join(tmp.dir, 'ac-s1');
    const mine = await start(join(session, 'tmp'), ['sleep', '60']);
    const neighbour = await start(join(tmp.dir, 'ac-s10', 'tmp'), ['sleep', '60']);
    expect(processesUsing(session)).toEqual([mine.pid]);
    expect(await stopProcessesUsing(session)).toEqual([mine.pid]);
    expect(await mine.exit).toBe('SIGTERM');
    expect(processesUsing(session)).toEqual([]);
    expect(processesUsing(join(tmp.dir, 'ac-s10'))).toEqual([neighbour.pid]);
  });

  it("finds a marked process's descendants whatever their own environment says, and stops them too", async () => {
    const session = join(tmp.dir, 'ac-s3');
    // The child's TMPDIR points elsewhere: only its parent carries the mark.
    const parent = await start(
      join(session, 'tmp'),
      ['sh', '-c', `TMPDIR=${join(tmp.dir, 'elsewhere')} sleep 60 & echo started; wait`],
      'started',
    );
    const child = await waitFor(
      () => processesUsing(session).find((pid) => pid !== parent.pid),
      10_000,
      'the unmarked child under the marked shell',
    );
    expect(readFileSync(`/proc/${child}/environ`, 'latin1')).not.toContain(session);
    expect(processesUsing(session).sort()).toEqual([parent.pid, child].sort());
    expect((await stopProcessesUsing(session)).sort()).toEqual([parent.pid, child].sort());
    expect(stillRunning(child)).toBe(false);
    expect(processesUsing(session)).toEqual([]);
  });

  it('kills with SIGKILL what ignores SIGTERM once the grace period is over', async () => {
    const session = join(tmp.dir, 'ac-s2');
    // An ignored signal stays ignored across exec, so the shell's sleeps ignore SIGTERM as well.
    // Signalled before its trap is in place, the shell would die of SIGTERM: wait until it says so.
    const stubborn = await start(
      join(session, 'tmp'),
      ['sh', '-c', 'trap "" TERM; echo trapped; while :; do sleep 1; done'],
      'trapped',
    );
    const found = await stopProcessesUsing(session, { graceMs: 200 });
    expect(found).toContain(stubborn.pid);
    expect(await stubborn.exit).toBe('SIGKILL');
    expect(processesUsing(session)).toEqual([]);
  });

  it('finds nothing for a folder no process uses', async () => {
    expect(await stopProcessesUsing(join(tmp.dir, 'ac-idle'))).toEqual([]);
  });
});
