import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { activeRun } from '../../src/projects/run-control.js';
import { killIfRunning } from './kill.js';
import type { UiServer } from './ui-fixture.js';
import { waitFor } from './wait-for.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** How long a test's cleanup may take with stopDemoRun in it: the runner's exit, plus closing the server. */
export const STOP_DEMO_RUN_MS = 90_000;
const RUNNER_EXIT_MS = 60_000;
/** How much of the runner's log a failure to exit shows. */
const LOG_LINES = 30;

/**
 * Stops the demo-model run a UI test started in `project` (default: the demo project) if it is still going, and waits
 * until its runner has exited: the test's folder is removed next, and a runner still writing there makes that removal
 * fail (ENOTEMPTY).
 */
export async function stopDemoRun(ui: UiServer, project = 'demo'): Promise<void> {
  const demoPaths = projectPaths(join(ui.tmp.dir, 'projects', project));
  if (!existsSync(demoPaths.database)) return;
  const store = openProjectStore(demoPaths, { create: false });
  let pid: number | null;
  try {
    pid = activeRun(store.runs)?.pid ?? null;
  } finally {
    store.close();
  }
  if (pid === null) return;
  const runner = pid;
  killIfRunning(runner, 'SIGTERM');
  try {
    await waitFor(() => !alive(runner), RUNNER_EXIT_MS, `the demo runner (pid ${runner}) to exit`);
  } catch (err: unknown) {
    // What the runner was doing is the lead to the cause: its log's end goes into the failure.
    const log = join(demoPaths.logs, 'runner.log');
    const tail = existsSync(log)
      ? readFileSync(log, 'utf8').trimEnd().split('\n').slice(-LOG_LINES).join('\n')
      : '(no log)';
    killIfRunning(-runner, 'SIGKILL');
    throw new Error(`${(err as Error).message}; the end of its log:\n${tail}`, { cause: err });
  }
}
