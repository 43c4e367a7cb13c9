import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  initJailArgv,
  initJailMarker,
  initJailScript,
  jailedInitCommand,
  shellQuote,
  type InitJailPlan,
} from './init-jail.js';
import { UNSANDBOXED_COMMANDS, unsandboxedCommands } from './sandbox.js';

const JAIL = '/tmp/ac-0123456789ab/init-jail';

describe('which commands run in the init.sh jail', () => {
  it('rewrites exactly ./init.sh, with its literal arguments as written', () => {
    expect(jailedInitCommand('./init.sh', JAIL)).toBe(`${JAIL} ./init.sh`);
    expect(jailedInitCommand('./init.sh --fresh "a b" \'c\'', JAIL)).toBe(`${JAIL} ./init.sh --fresh "a b" 'c'`);
    expect(jailedInitCommand('  ./init.sh   --fresh\n', JAIL)).toBe(`${JAIL} ./init.sh --fresh`);
  });

  it('leaves every command that merely contains ./init.sh as it is (it then runs inside the sandbox)', () => {
    const notExact = [
      './init.sh && curl -s http://localhost:3000/',
      'curl -s http://localhost:3000/ && ./init.sh',
      './init.sh; ls',
      './init.sh || true',
      './init.sh | cat',
      './init.sh > init.log 2>&1',
      './init.sh 2>&1',
      './init.sh < input.txt',
      './init.sh &',
      'PORT=3001 ./init.sh',
      './init.sh $HOME',
      './init.sh "$(id)"',
      './init.sh `id`',
      "'./init.sh'",
      'init.sh',
      '../init.sh',
      '/work/app/init.sh',
      './init.shx',
      './init.sh.bak',
      'echo ./init.sh',
      'chmod +x init.sh',
      './init.sh "unterminated',
      '',
    ];
    for (const command of notExact) expect(jailedInitCommand(command, JAIL), command).toBeNull();
  });

  it('never rewrites into a jail path that would need quoting', () => {
    expect(jailedInitCommand('./init.sh', '/tmp/my dir/init-jail')).toBeNull();
    expect(jailedInitCommand('./init.sh', "/tmp/x'y/init-jail")).toBeNull();
    expect(jailedInitCommand('./init.sh', 'relative/init-jail')).toBeNull();
  });

  it('lets only the jailed form out of the sandbox when there is a jail, and ./init.sh itself otherwise', () => {
    expect(unsandboxedCommands(JAIL)).toEqual([`${JAIL} ./init.sh:*`, 'curl:*', 'playwright-cli:*']);
    expect(unsandboxedCommands(null)).toEqual([...UNSANDBOXED_COMMANDS]);
  });
});

const plan: InitJailPlan = {
  bwrap: '/usr/bin/bwrap',
  bash: '/usr/bin/bash',
  projectDir: '/work/app',
  privateDirs: ['/tmp', '/run/user'],
  emptyDirs: ['/tmp/ac-0123456789ab/tmp'],
  writable: ['/home/u/.npm'],
  readOnly: ['/work/app-root/.git'],
  hidden: [
    { path: '/home/u/.autocoder', kind: 'dir' },
    { path: '/home/u/.npmrc', kind: 'file' },
  ],
  env: { TMPDIR: '/tmp/ac-0123456789ab/tmp' },
  marker: 'ac-jail-00112233aabbccdd',
};

/** The position of `option value…` in argv (the first match), or -1. */
function at(argv: readonly string[], ...words: string[]): number {
  return argv.findIndex((_, i) => words.every((w, j) => argv[i + j] === w));
}

describe('the jail bubblewrap builds', () => {
  const argv = initJailArgv(plan);

  it('shares the network, but has its own user (no capabilities), PID (fresh /proc), IPC and terminal session', () => {
    expect(argv).not.toContain('--unshare-net');
    expect(argv).not.toContain('--unshare-all');
    expect(argv).not.toContain('--share-net');
    for (const flag of ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--new-session'])
      expect(argv).toContain(flag);
    expect(at(argv, '--cap-drop', 'ALL')).toBeGreaterThanOrEqual(0);
    expect(at(argv, '--proc', '/proc')).toBeGreaterThan(at(argv, '--ro-bind', '/', '/'));
    // Servers must outlive init.sh: nothing ties the jail to the shell that started it.
    expect(argv).not.toContain('--die-with-parent');
  });

  it('starts from a read-only host, then empties the temp folders, then opens the project for writing', () => {
    const root = at(argv, '--ro-bind', '/', '/');
    expect(root).toBe(argv.indexOf('--ro-bind'));
    expect(at(argv, '--tmpfs', '/tmp')).toBeGreaterThan(root);
    expect(at(argv, '--dir', '/tmp/ac-0123456789ab/tmp')).toBeGreaterThan(at(argv, '--tmpfs', '/run/user'));
    expect(at(argv, '--bind', '/work/app', '/work/app')).toBeGreaterThan(at(argv, '--dir', '/tmp/ac-0123456789ab/tmp'));
    expect(at(argv, '--bind-try', '/home/u/.npm', '/home/u/.npm')).toBeGreaterThan(root);
    expect(at(argv, '--ro-bind', '/work/app-root/.git', '/work/app-root/.git')).toBeGreaterThan(root);
  });

  it('keeps the folders the policy protects read-only inside the project (git hooks and config, autocoder state, browser config)', () => {
    const project = at(argv, '--bind', '/work/app', '/work/app');
    for (const dir of ['.git', '.autocoder', '.claude', '.playwright']) {
      expect(at(argv, '--ro-bind-try', `/work/app/${dir}`, `/work/app/${dir}`)).toBeGreaterThan(project);
    }
  });

  it('hides folders under an empty tmpfs and files under /dev/null, after every bind (so no bind uncovers them)', () => {
    const lastBind = Math.max(
      at(argv, '--bind', '/work/app', '/work/app'),
      at(argv, '--bind-try', '/home/u/.npm', '/home/u/.npm'),
      at(argv, '--ro-bind', '/work/app-root/.git', '/work/app-root/.git'),
      at(argv, '--ro-bind-try', '/work/app/.playwright', '/work/app/.playwright'),
    );
    expect(at(argv, '--tmpfs', '/home/u/.autocoder')).toBeGreaterThan(lastBind);
    expect(at(argv, '--ro-bind', '/dev/null', '/home/u/.npmrc')).toBeGreaterThan(lastBind);
  });

  it('sets the private TMPDIR and the slot marker in the environment, and nothing about autocoder home', () => {
    expect(at(argv, '--setenv', 'TMPDIR', '/tmp/ac-0123456789ab/tmp')).toBeGreaterThanOrEqual(0);
    expect(at(argv, '--setenv', 'AUTOCODER_INIT_JAIL', 'ac-jail-00112233aabbccdd')).toBeGreaterThanOrEqual(0);
    const setenv = argv.flatMap((a, i) => (a === '--setenv' ? [argv[i + 1]] : []));
    expect(setenv).toEqual(['TMPDIR', 'AUTOCODER_INIT_JAIL']);
  });

  it('names one marker per project and slot port', () => {
    const a = initJailMarker('/work/app', 4000);
    expect(a).toMatch(/^ac-jail-[0-9a-f]{16}$/);
    expect(initJailMarker('/work/app', 4000)).toBe(a);
    expect(initJailMarker('/work/app', 4010)).not.toBe(a);
    expect(initJailMarker('/work/other', 4000)).not.toBe(a);
  });
});

describe('the jail script', () => {
  it('runs with the given bash, stops the slot previous jail, then execs bwrap with every argument quoted and the command last', () => {
    const script = initJailScript({ ...plan, projectDir: "/work/it's" });
    const lines = script.split('\n');
    expect(lines[0]).toBe('#!/usr/bin/bash');
    expect(script).toContain(`marker='ac-jail-00112233aabbccdd'`);
    expect(script.indexOf('pkill -KILL -f -- "$marker"')).toBeLessThan(script.indexOf('exec '));
    const exec = lines.find((l) => l.startsWith('exec ')) ?? '';
    expect(exec.startsWith(`exec '/usr/bin/bwrap' '--unshare-user'`)).toBe(true);
    expect(exec).toContain(`'--bind' '/work/it'\\''s' '/work/it'\\''s'`);
    expect(exec.endsWith(' -- "$@"')).toBe(true);
  });

  it('quotes any text as one shell word that bash reads back unchanged', () => {
    const texts = ["a'b c", '', '$HOME', '`id`', '"; rm -rf /', "''", 'line\nbreak', '\\', '*'];
    const echoed = execFileSync('bash', ['-c', `printf '%s\\0' ${texts.map(shellQuote).join(' ')}`], {
      encoding: 'utf8',
    });
    expect(echoed.split('\0').slice(0, -1)).toEqual(texts);
  });
});
