/**
 * Every agent session's temporary folder (`ac-…` with its HOME and TMPDIR) is gone once the
 * session ends — after a whole run, after a stop mid-session, after a session that failed to
 * start — and a runner killed with SIGKILL has its orphans swept by the next run, which keeps
 * folders whose owner is alive. Runs here use the scripted runtime (in this process, or in a
 * runner process for the kill); this file's TMPDIR is a folder of the test's own, so the
 * folders counted are this test's only. Claude Code's background shells and the spec chat:
 * test/e2e/temp-dirs.e2e.test.ts.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OWNER_FILE, readOwner, type OwnerMarker } from '../../src/agent/session-dirs.js';
import {
  assignedFeature,
  codingSession,
  initializerSession,
  roleScript,
  SAMPLE_FEATURES,
  type Script,
} from '../support/fake-anthropic/index.js';
import { startScriptedCli } from '../support/scripted-cli-process.js';
import { HOLDING } from '../support/scripted-scenarios.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';
import { waitFor } from '../support/wait-for.js';

// Whole runs (git, worktrees, SQLite, the scheduler) in this process: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

const ORIGINAL_TMPDIR = process.env.TMPDIR;
let project: ScriptedProject | undefined;
let temp: string;

afterEach(() => {
  if (ORIGINAL_TMPDIR === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = ORIGINAL_TMPDIR;
  project?.cleanup();
  project = undefined;
});

/** The project, with this process's TMPDIR (where sessions get their folders) inside its temp root. */
function setup(script: Script): ScriptedProject {
  const p = (project = scriptedProject(script, { prefix: 'ac-temp-' }));
  temp = join(p.root, 'tmp');
  mkdirSync(temp);
  process.env.TMPDIR = temp;
  return p;
}

/** The session folders in the runner's temp folder, with their owner markers. */
function sessionFolders(): { name: string; owner: OwnerMarker | null }[] {
  return readdirSync(temp)
    .filter((n) => n.startsWith('ac-'))
    .sort()
    .map((name) => ({ name, owner: readOwner(join(temp, name)) }));
}

/** The ids of the project's runs, oldest first. */
function runIds(p: ScriptedProject): string[] {
  return p.inspect(
    (store) => store.db.prepare('SELECT id FROM runs ORDER BY started_at, rowid').pluck().all() as string[],
  );
}

const sample = () => roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() });

describe('session temporary folders', () => {
  it('exist, marked as the run’s, while each session runs and are all gone after the run', async () => {
    const seen: { name: string; owner: OwnerMarker | null }[][] = [];
    const roles = sample();
    const p = setup((conv) => {
      if (conv.turn === 0) seen.push(sessionFolders());
      return roles(conv);
    });
    expect(await p.run()).toMatchObject({ reason: 'All 4 features pass.' });
    const [runId] = runIds(p);

    // One session at a time: each saw exactly its own folder, owned by this run.
    expect(seen).toHaveLength(5);
    for (const folders of seen) {
      expect(folders).toHaveLength(1);
      expect(folders[0]?.owner).toMatchObject({
        purpose: 'session',
        run: { id: runId },
        host: hostname(),
        keep: false,
      });
    }
    expect(new Set(seen.map((f) => f[0]?.name)).size).toBe(5);
    expect(sessionFolders()).toEqual([]);
  });

  it('removes the folder of a session stopped mid-way', async () => {
    const roles = sample();
    const p = setup(async (conv) => {
      if (assignedFeature(conv) === 1 && conv.turn === 1) await new Promise(() => undefined);
      return roles(conv);
    });
    const stop = new AbortController();
    const held = p.runtime.waitForTurn((c) => assignedFeature(c) === 1 && c.turn === 1, 30_000);
    const running = p.run({}, { signal: stop.signal });
    await held;
    // The held session's folder is there while it works.
    expect(sessionFolders()).toHaveLength(1);
    stop.abort();
    expect(await running).toMatchObject({ status: 'stopped', reason: 'Stopped.' });
    expect(sessionFolders()).toEqual([]);
  });

  it('removes the folder of a session that fails before its agent starts (a broken prompt override)', async () => {
    const p = setup(sample());
    mkdirSync(p.paths.prompts, { recursive: true });
    writeFileSync(join(p.paths.prompts, 'coding.md'), 'Work on feature {{feature_id}} with {{no_such_placeholder}}.\n');
    await p.run({ maxIterations: 1 });
    expect(p.reports).toContain('The initializer created 4 features.');
    expect(p.reports.find((l) => l.startsWith('Slot 0: the session could not run: '))).toMatch(
      /coding\.md: unknown placeholder \{\{no_such_placeholder\}\}/,
    );
    expect(p.runtime.sessions.map((s) => s.spec.role)).toEqual(['initializer']);
    expect(sessionFolders()).toEqual([]);
  });

  it('sweeps what a runner killed with SIGKILL left at the next start, keeping folders whose owner lives', async () => {
    const p = setup(sample());
    // The first run in a runner process of its own (scripted too): feature 2's session never gets its second turn.
    const first = startScriptedCli('sample-hold-2', ['run', 'notes'], { ...p.env, TMPDIR: temp });
    try {
      await waitFor(
        () => first.output().includes(`${HOLDING} feature 2 turn 1`),
        60_000,
        'the runner to reach feature 2',
      );
    } catch (err: unknown) {
      first.child.kill('SIGKILL');
      throw new Error(`${String(err)}\n--- runner output ---\n${first.output()}`, { cause: err });
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const [deadRun] = runIds(p);
    const left = sessionFolders();
    expect(left).toHaveLength(1);
    expect(left[0]?.owner?.run?.id).toBe(deadRun);

    // Beside it: a spec chat folder of a live process (this test), a session folder of another
    // project's run, an unmarked folder, and a spec chat folder of a process that died.
    const plant = (name: string, owner: Partial<OwnerMarker> | null) => {
      mkdirSync(join(temp, name, 'tmp'), { recursive: true });
      const marker: OwnerMarker = {
        version: 1,
        purpose: 'spec-chat',
        pid: process.pid,
        host: hostname(),
        run: null,
        project: null,
        keep: false,
        createdAt: Date.now(),
        ...owner,
      };
      if (owner !== null) writeFileSync(join(temp, name, OWNER_FILE), JSON.stringify(marker));
    };
    plant('ac-spec-live', {});
    plant('ac-other-project', { purpose: 'session', pid: 1, run: { id: 'run_000000000000', incarnation: 'x' } });
    plant('ac-unmarked', null);
    // Above the largest pid Linux hands out (pid_max ≤ 2^22): no such process.
    plant('ac-spec-dead', { pid: 2 ** 22 + 1 });

    expect(await p.run()).toMatchObject({ status: 'finished', reason: 'All 4 features pass.' });
    expect(p.reports).toContain('Removed 2 temporary folder(s) left behind by runs or chats that died.');
    expect(sessionFolders().map((f) => f.name)).toEqual(['ac-other-project', 'ac-spec-live', 'ac-unmarked']);
  });

  it('keeps every session folder with --keep-temp, says where, and the next run does not sweep them', async () => {
    const p = setup(sample());
    await p.run({ keepTemp: true, maxIterations: 1 });
    const kept = sessionFolders();
    expect(kept).toHaveLength(2);
    for (const { name, owner } of kept) {
      expect(owner).toMatchObject({ purpose: 'session', keep: true });
      const line = new RegExp(
        `^Kept the temporary folder of session ses_\\w+ \\(--keep-temp\\): ${join(temp, name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
      );
      expect(p.reports.filter((l) => line.test(l))).toHaveLength(1);
    }
    expect(runIds(p)).toHaveLength(1);

    const before = p.reports.length;
    await p.run({ maxIterations: 1 });
    expect(p.reports.slice(before).filter((l) => l.startsWith('Kept the temporary folder'))).toEqual([]);
    expect(sessionFolders()).toEqual(kept);
  });
});
