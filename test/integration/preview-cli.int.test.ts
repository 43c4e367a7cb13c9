import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { processesUsing, stillRunning } from '../../src/agent/session-processes.js';
import { projectPaths } from '../../src/config/paths.js';
import { readPreviewRecord } from '../../src/preview/preview-record.js';
import { portAccepts } from '../../src/verify/processes.js';
import { cliAsync, startCli, type RunningCli } from '../support/cli-process.js';
import { killIfRunning } from '../support/kill.js';
import { commitPreviewApp } from '../support/preview-app.js';
import { createSampleProject } from '../support/sample-project.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait-for.js';

// Runs the real CLI in child processes, with real git and jails.
vi.setConfig({ testTimeout: 90_000 });

/** `autocoder preview` in a terminal: the URL printed, Ctrl-C and `--stop` stop every process it started. */
let tmp: TempDir;
let env: NodeJS.ProcessEnv;
let dir: string;
let preview: RunningCli | null = null;

beforeEach(() => {
  tmp = makeTempDir('autocoder-preview-cli-');
  env = {
    ...process.env,
    AUTOCODER_HOME: `${tmp.dir}/ac-home`,
    HOME: `${tmp.dir}/home`,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  dir = createSampleProject(tmp.dir, env).dir;
});

afterEach(async () => {
  if (preview) {
    killIfRunning(preview.child.pid!, 'SIGKILL');
    await preview.exited;
  }
  preview = null;
  tmp.cleanup();
});

const URL_LINE = /The app runs at (http:\/\/127\.0\.0\.1:(\d+)\/) \(main at [0-9a-f]{8}\)\. Ctrl-C stops it\./;

async function startedPreview(): Promise<{ url: string; port: number; pids: number[] }> {
  preview = startCli(['preview', 'notes'], env, tmp.dir);
  const match = await waitFor(() => URL_LINE.exec(preview!.output()) ?? undefined, 60_000, 'the preview URL');
  const record = readPreviewRecord(projectPaths(dir));
  expect(record).toMatchObject({ by: 'cli', status: 'running', port: Number(match[2]) });
  const pids = processesUsing(record!.workDir!);
  expect(pids.length).toBeGreaterThan(0);
  return { url: match[1]!, port: Number(match[2]), pids };
}

it('prints the URL of the app from main, refuses a second preview, and stops every process on Ctrl-C', async () => {
  commitPreviewApp(dir, { title: 'Notes preview' });
  const { url, port, pids } = await startedPreview();
  expect(await (await fetch(url)).text()).toContain('<h1>Notes preview</h1>');

  const second = await cliAsync(['preview', 'notes'], env, tmp.dir);
  expect(second.status).toBe(4);
  expect(second.stderr).toContain(`a preview of this project is running already on http://127.0.0.1:${port}/`);

  preview!.child.kill('SIGINT');
  expect((await preview!.exited).code).toBe(0);
  expect(preview!.output()).toContain('Preview stopped.');
  expect(pids.filter((p) => stillRunning(p))).toEqual([]);
  expect(await portAccepts(port)).toBe(false);
  expect(readPreviewRecord(projectPaths(dir))).toBeNull();
});

it('preview --stop from another terminal stops it, and the first one says so and ends', async () => {
  commitPreviewApp(dir, { title: 'Stopped elsewhere' });
  const { port, pids } = await startedPreview();

  const stop = await cliAsync(['preview', 'notes', '--stop'], env, tmp.dir);
  expect(stop.status).toBe(0);
  expect(stop.stdout).toContain(`Stopped the preview on port ${port} (started in a terminal).`);
  expect(pids.filter((p) => stillRunning(p))).toEqual([]);
  expect(await portAccepts(port)).toBe(false);

  expect((await preview!.exited).code).toBe(0);
  expect(preview!.output()).toContain('The preview was stopped from elsewhere');
  const again = await cliAsync(['preview', 'notes', '--stop'], env, tmp.dir);
  expect(again.stdout).toContain('No preview of this project is running.');
});

it('prints JSON with --json', async () => {
  commitPreviewApp(dir, { title: 'JSON' });
  preview = startCli(['preview', 'notes', '--json'], env, tmp.dir);
  const json = await waitFor(() => /\{[\s\S]*?\}\n/.exec(preview!.output())?.[0], 60_000, 'the JSON');
  const parsed = JSON.parse(json) as { url: string; port: number; commit: string };
  expect(parsed.url).toBe(`http://127.0.0.1:${parsed.port}/`);
  expect(parsed.commit).toMatch(/^[0-9a-f]{40}$/);
  preview.child.kill('SIGTERM');
  expect((await preview.exited).code).toBe(0);
});

it('says clearly that a project without init.sh on main has no app to open', async () => {
  const res = await cliAsync(['preview', 'notes'], env, tmp.dir);
  expect(res.status).toBe(3);
  expect(res.stderr).toMatch(/error: .*(no commits yet|has no init\.sh yet)/);
  expect(readPreviewRecord(projectPaths(dir))).toBeNull();
});
