import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { startCli, type RunningCli } from '../support/cli-process.js';
import { createSampleProject } from '../support/sample-project.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait-for.js';

// Runs the real CLI in child processes (each start takes seconds under tsx on a loaded machine), several per test.
vi.setConfig({ testTimeout: 120_000 });

let tmp: TempDir;
let serve: RunningCli | undefined;

beforeEach(() => {
  tmp = makeTempDir('ac-serve-cli-');
});
afterEach(async () => {
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  tmp.cleanup();
});

it('serve prints the UI link with the token at every start, on loopback too, and --open opens exactly that link', async () => {
  const home = join(tmp.dir, 'ac-home');
  // A stand-in for the desktop opener: it writes down the address it was asked to open.
  const bin = join(tmp.dir, 'bin');
  const opened = join(tmp.dir, 'opened.txt');
  mkdirSync(bin);
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`, { mode: 0o755 });
  const env = {
    ...process.env,
    AUTOCODER_HOME: home,
    HOME: join(tmp.dir, 'home'),
    PATH: `${bin}:${process.env.PATH ?? ''}`,
  };
  const link = /Open the web UI: (http:\/\/127\.0\.0\.1:\d+\/#token=([0-9a-f]{64}))\n/;

  serve = startCli(['serve', '--port', '0', '--open'], env, tmp.dir);
  const first = await waitFor(() => link.exec(serve!.output()) ?? undefined, 30_000, 'the token link');
  const token = readFileSync(join(home, 'server-token'), 'utf8').trim();
  expect(first[2]).toBe(token);
  expect(statSync(join(home, 'server-token')).mode & 0o777).toBe(0o600);
  expect(serve.output()).toContain(`with the token from ${join(home, 'server-token')} (created now, mode 0600)`);
  await waitFor(() => existsSync(opened) && readFileSync(opened, 'utf8') !== '', 30_000, 'the opener to run');
  expect(readFileSync(opened, 'utf8')).toBe(first[1]);
  // The printed link works: its token opens the API that refuses a request without it.
  const port = new URL(first[1]!).port;
  expect((await fetch(`http://127.0.0.1:${port}/api/projects`)).status).toBe(401);
  expect(
    (await fetch(`http://127.0.0.1:${port}/api/projects`, { headers: { authorization: `Bearer ${token}` } })).status,
  ).toBe(200);
  serve.child.kill('SIGTERM');
  await serve.exited;

  // The second start prints the same link again (it is the way into the UI).
  serve = startCli(['serve', '--port', '0'], env, tmp.dir);
  const second = await waitFor(() => link.exec(serve!.output()) ?? undefined, 30_000, 'the second start');
  expect(second[2]).toBe(token);
  expect(serve.output()).not.toContain('created now');
});

it('serve logs JSON lines to stderr when it is not a terminal: every request at --log-level debug, a 5xx with its cause under the id its body names', async () => {
  const env = { ...process.env, AUTOCODER_HOME: join(tmp.dir, 'ac-home'), HOME: join(tmp.dir, 'home') };
  const { dir } = createSampleProject(tmp.dir, env);
  const db = projectPaths(dir).database;
  rmSync(db, { force: true });
  mkdirSync(db); // a folder where the database file should be: opening it fails on the server
  serve = startCli(['serve', '--port', '0', '--log-level', 'debug'], env, tmp.dir);
  const port = (
    await waitFor(
      () => /listening on http:\/\/127\.0\.0\.1:(\d+)\n/.exec(serve!.output()) ?? undefined,
      30_000,
      'the server to listen',
    )
  )[1];
  const token = readFileSync(join(env.AUTOCODER_HOME, 'server-token'), 'utf8').trim();
  const res = await fetch(`http://127.0.0.1:${port}/api/projects/notes/features`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(500);
  const id = res.headers.get('x-request-id');
  expect(((await res.json()) as { error: { requestId: string } }).error.requestId).toBe(id);
  const logged = () =>
    serve!
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const failure = await waitFor(
    () => logged().find((r) => r.msg === 'request failed'),
    30_000,
    'the failure in the log',
  );
  expect(failure).toMatchObject({
    level: 'error',
    name: 'server',
    requestId: id,
    path: '/api/projects/notes/features',
    status: 500,
    err: { type: 'AppError', code: 'IO_ERROR' },
  });
  expect((failure.err as { stack: string }).stack).toContain('connection.ts');
  expect(logged().filter((r) => r.msg === 'request' && r.requestId === id)).toEqual([
    expect.objectContaining({ level: 'debug', status: 500, method: 'GET' }),
  ]);
  expect(logged()[0]).toMatchObject({ level: 'info', msg: 'server listening', port: Number(port) });
});
