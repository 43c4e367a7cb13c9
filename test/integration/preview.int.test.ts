import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { processesUsing, stillRunning } from '../../src/agent/session-processes.js';
import { projectPaths } from '../../src/config/paths.js';
import { readPreviewRecord, type PreviewRecord } from '../../src/preview/preview-record.js';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import { PreviewStateSchema, type PreviewState } from '../../src/shared/preview.js';
import { portAccepts } from '../../src/verify/processes.js';
import { commitPreviewApp } from '../support/preview-app.js';

// Starts real servers, git repositories, npm-less Node apps and jails: slower than a unit test on a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

/**
 * The app preview through the real server on 127.0.0.1: main's ./init.sh started in the agents' jail on a free port,
 * its URL answering, one per project, stopped with every process it started (by DELETE and when the server closes).
 * The folders live under test-artifacts/ (not the temp folder, which the jail empties anyway), so hiding the server
 * token is the deny list's doing.
 */
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

/** A JSON answer: a preview state, or an error. */
type ApiBody = PreviewState & { error: { code: string; message: string } };

let root: string;
let server: RunningServer | null;
let env: Record<string, string>;
let project: string;
const token = randomBytes(32).toString('hex');

beforeEach(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  root = realpathSync(mkdtempSync(join(ARTIFACTS, 'preview-')));
  const home = join(root, 'ac-home');
  const user = join(root, 'user');
  mkdirSync(home);
  mkdirSync(user);
  env = {
    AUTOCODER_HOME: home,
    HOME: user,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  // The install token in the control plane's home: what the jail must keep from the app.
  writeFileSync(join(home, 'server-token'), `${token}\n`, { mode: 0o600 });
  server = await startServer({ env, cwd: root, host: '127.0.0.1', port: 0, token, uiDir: join(root, 'no-ui') });
  project = join(root, 'app');
  const created = await api('POST', '/api/projects', { name: 'app', path: project });
  expect(created.status).toBe(201);
});

afterEach(async () => {
  await server?.close();
  server = null;
  rmSync(root, { recursive: true, force: true });
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: ApiBody }> {
  const res = await fetch(`${server!.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json', origin: server!.url }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

const preview = (method: string, body?: unknown) => api(method, '/api/projects/app/preview', body);

function recordOf(): PreviewRecord {
  const record = readPreviewRecord(projectPaths(project));
  if (record === null) throw new Error('no preview record');
  return record;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Every process the preview runs now: whatever carries its temp folder (HOME and TMPDIR), inside the jail's PID
 * namespace or not. The bwrap that started the jail is gone once ./init.sh returned; its namespace's init stays.
 */
function previewProcesses(record: PreviewRecord): number[] {
  return processesUsing(record.workDir!);
}

describe('the app preview API', () => {
  it("starts main's init.sh on a free port in the jail, answers with its URL, returns the running one on a second start, and DELETE stops every process it started", async () => {
    commitPreviewApp(project, { title: 'Committed on main' });
    // Uncommitted work in the project folder is not what the preview shows: it runs main.
    writeFileSync(join(project, 'server.cjs'), 'throw new Error("uncommitted")\n');

    const before = PreviewStateSchema.parse((await preview('GET')).body);
    expect(before).toMatchObject({ status: 'stopped', available: true, unavailableReason: null, url: null });

    const started = await preview('POST', {});
    expect(started.status).toBe(200);
    const state: PreviewState = PreviewStateSchema.parse(started.body);
    expect(state).toMatchObject({ status: 'running', by: 'server', lastError: null });
    expect(state.url).toBe(`http://127.0.0.1:${state.port}/`);
    expect(state.port).not.toBe(server!.port);
    const page = await fetch(state.url!);
    expect(await page.text()).toContain('<h1>Committed on main</h1>');

    const record = recordOf();
    expect(record.workDir).not.toBeNull();
    const pids = previewProcesses(record);
    // The jail's init (bwrap) and, inside it, the server init.sh left running.
    expect(pids.length).toBeGreaterThanOrEqual(2);
    expect(pids.every((p) => stillRunning(p))).toBe(true);

    const again = await preview('POST', {});
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'running', port: state.port, startedAt: state.startedAt });
    expect((await preview('GET')).body).toMatchObject({ status: 'running', url: state.url });

    const stopped = await preview('DELETE');
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: 'stopped', url: null });
    expect(pids.filter((p) => stillRunning(p))).toEqual([]);
    expect(groupAlive(record.pid!)).toBe(false);
    expect(processesUsing(record.workDir!)).toEqual([]);
    expect(await portAccepts(state.port!)).toBe(false);
    expect(readPreviewRecord(projectPaths(project))).toBeNull();
  });

  it('runs the app in the jail: it cannot read the server token in the autocoder home', async () => {
    commitPreviewApp(project, { title: 'Jailed', secretFile: join(root, 'ac-home', 'server-token') });
    const state = PreviewStateSchema.parse((await preview('POST', {})).body);
    const seen = await (await fetch(`${state.url}secret`)).text();
    expect(seen).not.toContain(token);
    expect(seen).toBe('unreadable: ENOENT');
    await preview('DELETE');
  });

  it('stops the preview when the server closes', async () => {
    commitPreviewApp(project, { title: 'Closing' });
    const state = PreviewStateSchema.parse((await preview('POST', {})).body);
    const record = recordOf();
    const pids = previewProcesses(record);
    expect(pids.every((p) => stillRunning(p))).toBe(true);

    await server!.close();
    server = null;
    expect(pids.filter((p) => stillRunning(p))).toEqual([]);
    expect(processesUsing(record.workDir!)).toEqual([]);
    expect(await portAccepts(state.port!)).toBe(false);
    expect(readPreviewRecord(projectPaths(project))).toBeNull();
  });

  it('says why a project without init.sh on main cannot be opened, and refuses to start it', async () => {
    const state = PreviewStateSchema.parse((await preview('GET')).body);
    expect(state.available).toBe(false);
    expect(state.unavailableReason).toMatch(/no commits yet|no init\.sh/);

    writeFileSync(join(project, 'README.md'), '# app\n');
    const git = (args: string[]) =>
      import('node:child_process').then(({ execFileSync }) => execFileSync('git', args, { cwd: project, env }));
    await git(['add', 'README.md']);
    await git(['commit', '--quiet', '-m', 'readme']);
    // An init.sh that is not committed does not count: the preview runs main.
    writeFileSync(join(project, 'init.sh'), '#!/bin/sh\n');

    const now = PreviewStateSchema.parse((await preview('GET')).body);
    expect(now.available).toBe(false);
    expect(now.unavailableReason).toContain('has no init.sh yet');
    const refused = await preview('POST', {});
    expect(refused.status).toBe(404);
    expect(refused.body.error.message).toContain('has no init.sh yet');
    expect(readPreviewRecord(projectPaths(project))).toBeNull();
  });

  it('reports an init.sh that fails with the end of its output, and leaves nothing running', async () => {
    commitPreviewApp(project, { title: 'Broken' });
    writeFileSync(join(project, 'init.sh'), '#!/usr/bin/env bash\necho "cannot find the database" >&2\nexit 3\n');
    const { execFileSync } = await import('node:child_process');
    execFileSync('git', ['commit', '--quiet', '-am', 'break init.sh'], { cwd: project, env });

    const res = await preview('POST', {});
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('./init.sh exited with code 3');
    expect(res.body.error.message).toContain('cannot find the database');
    const state = PreviewStateSchema.parse((await preview('GET')).body);
    expect(state.status).toBe('stopped');
    expect(state.lastError).toContain('exited with code 3');
    expect(readPreviewRecord(projectPaths(project))).toBeNull();
  });

  it('refuses a malformed body and an unknown project', async () => {
    const bad = await preview('POST', { port: 80 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('port');
    expect((await api('GET', '/api/projects/nope/preview')).status).toBe(404);
  });

  it('needs the server token like every API route', async () => {
    const res = await fetch(`${server!.url}/api/projects/app/preview`);
    expect(res.status).toBe(401);
  });
});
