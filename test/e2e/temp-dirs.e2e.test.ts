/**
 * Every agent session's temporary folder (`ac-…` with its HOME and TMPDIR) is gone once the
 * session ends — after a whole run, after a stop mid-session, after a spec chat is interrupted —
 * and a runner killed with SIGKILL has its orphans swept by the next run, which keeps folders
 * whose owner is alive. The runner gets a TMPDIR of its own, so the folders counted are this
 * test's only.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OWNER_FILE, readOwner, type OwnerMarker } from '../../src/agent/session-dirs.js';
import { processesUsing } from '../../src/agent/session-processes.js';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cli, cliAsync, startCli } from '../support/cli-process.js';
import { assignedFeature, codingSession, initializerSession, isSpecChat, reply, roleScript, SAMPLE_FEATURES, startScriptedModelServer, type Script, type ScriptedModelServer } from '../support/fake-anthropic/index.js';
import { createSampleProject } from '../support/sample-project.js';
import { waitFor } from '../support/wait-for.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let temp: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-temp-'));
  temp = join(root, 'tmp');
  mkdirSync(temp);
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(root, { recursive: true, force: true });
});

/** The session folders in the runner's temp folder, with their owner markers. */
function sessionFolders(): { name: string; owner: OwnerMarker | null }[] {
  return readdirSync(temp)
    .filter((n) => n.startsWith('ac-'))
    .sort()
    .map((name) => ({ name, owner: readOwner(join(temp, name)) }));
}

async function setup(script: Script) {
  server = await startScriptedModelServer(script);
  const env = agentTestEnv(root, server.url, { TMPDIR: temp });
  const { dir } = createSampleProject(root, env);
  return { env, dir, server };
}

/** A process's program name ('' once it is gone). */
function programOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The ids of the project's runs, oldest first. */
function runIds(dir: string): string[] {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return (store.db.prepare('SELECT id FROM runs ORDER BY started_at, rowid').all() as { id: string }[]).map((r) => r.id);
  } finally {
    store.close();
  }
}

/** How many sessions the project's runs recorded. */
function sessionCount(dir: string): number {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return store.db.prepare('SELECT count(*) FROM sessions').pluck().get() as number;
  } finally {
    store.close();
  }
}

/** A coding script that, at each session's first turn, notes which session folders exist. */
function watchingScript(seen: { name: string; owner: OwnerMarker | null }[][], hold?: (conv: Parameters<Script>[0]) => boolean): Script {
  const roles = roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() });
  return async (conv) => {
    if (conv.turn === 0) seen.push(sessionFolders());
    if (hold?.(conv)) await new Promise(() => undefined);
    return roles(conv);
  };
}

describe('session temporary folders', () => {
  it('exist, marked as the run’s, while each session runs and are all gone after the run', async () => {
    const seen: { name: string; owner: OwnerMarker | null }[][] = [];
    const { env, dir } = await setup(watchingScript(seen));
    const run = await cliAsync(['run', 'notes'], env);
    expect(run.stdout).toContain('All 4 features pass.');
    expect(run.status).toBe(0);
    const [runId] = runIds(dir);

    // One session at a time: each saw exactly its own folder, owned by this run.
    expect(seen).toHaveLength(sessionCount(dir));
    for (const folders of seen) {
      expect(folders).toHaveLength(1);
      expect(folders[0]?.owner).toMatchObject({ purpose: 'session', run: { id: runId }, host: hostname(), keep: false });
    }
    expect(new Set(seen.map((f) => f[0]?.name)).size).toBe(5);
    expect(sessionFolders()).toEqual([]);
  });

  it('removes the folder of a session stopped mid-way (autocoder stop)', async () => {
    const seen: { name: string; owner: OwnerMarker | null }[][] = [];
    const { env, server: s } = await setup(watchingScript(seen, (c) => assignedFeature(c) === 1 && c.turn === 1));
    const runner = startCli(['run', 'notes'], env);
    await s.waitForRequest((c) => assignedFeature(c) === 1 && c.turn === 1, 120_000);
    // The held session's folder is there, with Claude Code working in it.
    expect(sessionFolders()).toHaveLength(1);
    expect(cli(['stop', 'notes'], env).status).toBe(0);
    expect((await runner.exited).code).toBe(0);
    expect(runner.output()).toContain('Stopped.');
    expect(sessionFolders()).toEqual([]);
  });

  it.skipIf(!existsSync('/proc/self/environ'))('stops what the agent left running in the background before removing the folder', async () => {
    const roles = roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() });
    const sleepers = () =>
      sessionFolders()
        .flatMap((f) => processesUsing(join(temp, f.name)))
        .filter((pid) => programOf(pid) === 'sleep');
    let background: number[] = [];
    const script: Script = async (conv) => {
      if (assignedFeature(conv) !== 1) return roles(conv);
      // Feature #1 first starts "a server" in the background, then does its work as usual.
      if (conv.turn === 0) return reply().tool('Bash', { command: 'sleep 300', run_in_background: true, description: 'a server that never ends' });
      // It runs with the session's TMPDIR while the session goes on (inside the sandbox it takes a moment to start).
      if (conv.turn === 1) background = await waitFor(() => sleepers().length > 0 && sleepers(), 30_000, 'the background sleep');
      return roles({ ...conv, turn: conv.turn - 1 });
    };
    const { env } = await setup(script);
    const run = await cliAsync(['run', 'notes', '--max-iterations', '1'], env);
    expect(run.stdout).toContain('1/4 features pass');
    expect(background).toHaveLength(1);
    expect(existsSync(`/proc/${background[0]}`)).toBe(false);
    expect(processesUsing(temp)).toEqual([]);
    expect(sessionFolders()).toEqual([]);
  });

  it('removes the folder of a session that fails before Claude Code starts (a broken prompt override)', async () => {
    const { env, dir } = await setup(roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }));
    const prompts = projectPaths(dir).prompts;
    mkdirSync(prompts, { recursive: true });
    writeFileSync(join(prompts, 'coding.md'), 'Work on feature {{feature_id}} with {{no_such_placeholder}}.\n');
    const run = await cliAsync(['run', 'notes', '--max-iterations', '1'], env);
    expect(run.stdout).toContain('The initializer created 4 features.');
    expect(run.stdout).toMatch(/Slot 0: the session could not run: .*coding\.md: unknown placeholder \{\{no_such_placeholder\}\}/);
    expect(sessionFolders()).toEqual([]);
  });

  it('sweeps what a runner killed with SIGKILL left at the next start, keeping folders whose owner lives', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const roles = roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() });
    const { env, dir, server: s } = await setup(async (conv) => {
      if (assignedFeature(conv) === 2 && conv.turn === 1) await gate;
      return roles(conv);
    });
    const first = startCli(['run', 'notes'], env);
    await s.waitForRequest((c) => assignedFeature(c) === 2 && c.turn === 1, 120_000);
    first.child.kill('SIGKILL');
    await first.exited;
    release();
    const [deadRun] = runIds(dir);
    const left = sessionFolders();
    expect(left).toHaveLength(1);
    expect(left[0]?.owner?.run?.id).toBe(deadRun);

    // Beside it: a spec chat folder of a live process (this test), a session folder of another
    // project's run, an unmarked folder, and a spec chat folder of a process that died.
    const plant = (name: string, owner: Partial<OwnerMarker> | null) => {
      mkdirSync(join(temp, name, 'tmp'), { recursive: true });
      const marker: OwnerMarker = { version: 1, purpose: 'spec-chat', pid: process.pid, host: hostname(), run: null, project: null, keep: false, createdAt: Date.now(), ...owner };
      if (owner !== null) writeFileSync(join(temp, name, OWNER_FILE), JSON.stringify(marker));
    };
    plant('ac-spec-live', {});
    plant('ac-other-project', { purpose: 'session', pid: 1, run: { id: 'run_000000000000', incarnation: 'x' } });
    plant('ac-unmarked', null);
    // Above the largest pid Linux hands out (pid_max ≤ 2^22): no such process.
    plant('ac-spec-dead', { pid: 2 ** 22 + 1 });

    const second = await cliAsync(['run', 'notes'], env);
    expect(second.stdout).toContain('Removed 2 temporary folder(s) left behind by runs or chats that died.');
    expect(second.stdout).toContain('All 4 features pass.');
    expect(second.status).toBe(0);
    expect(sessionFolders().map((f) => f.name)).toEqual(['ac-other-project', 'ac-spec-live', 'ac-unmarked']);
  });

  it('keeps every session folder with --keep-temp, says where, and the next run does not sweep them', async () => {
    const { env, dir } = await setup(roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }));
    const run = await cliAsync(['run', 'notes', '--keep-temp', '--max-iterations', '1'], env);
    expect(run.status).toBe(0);
    const kept = sessionFolders();
    expect(kept).toHaveLength(2);
    for (const { name, owner } of kept) {
      expect(owner).toMatchObject({ purpose: 'session', keep: true });
      expect(run.stdout).toMatch(new RegExp(`Kept the temporary folder of session ses_\\w+ \\(--keep-temp\\): ${join(temp, name)}`));
    }
    expect(runIds(dir)).toHaveLength(1);

    const next = await cliAsync(['run', 'notes', '--max-iterations', '1'], env);
    expect(next.status).toBe(0);
    expect(next.stdout).not.toContain('Kept the temporary folder');
    expect(sessionFolders()).toEqual(kept);
  });

  it('removes the folder of a spec chat interrupted with Ctrl+C', async () => {
    server = await startScriptedModelServer(async (conv) => {
      // The first question never comes: the person interrupts while Claude "thinks".
      if (isSpecChat(conv)) await new Promise(() => undefined);
      throw new Error('not a spec chat');
    });
    const env = agentTestEnv(root, server.url, { TMPDIR: temp });
    const dir = join(root, 'later');
    expect(cli(['new', 'later', '--dir', dir], env).status).toBe(0);
    const chat = startCli(['spec', 'later'], env);
    await server.waitForRequest(isSpecChat, 120_000);
    const during = sessionFolders();
    expect(during).toHaveLength(1);
    expect(during[0]?.owner).toMatchObject({ purpose: 'spec-chat', pid: chat.child.pid, project: dir });
    chat.child.kill('SIGINT');
    expect((await chat.exited).code).toBe(1);
    expect(chat.output()).toContain('No spec was written.');
    expect(sessionFolders()).toEqual([]);
  });
});
