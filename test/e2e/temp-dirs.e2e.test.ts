/**
 * Temporary folders with the real Claude Code binary: what the agent left running in the
 * background through Claude Code's Bash tool is stopped before its session folder goes, and an
 * interrupted spec chat leaves no folder. The runner gets a TMPDIR of its own, so the folders
 * counted are this test's only. The folder lifecycle of runs, stops, failed starts, --keep-temp
 * and the sweep after a kill -9: test/integration/temp-dirs-run.int.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readOwner, type OwnerMarker } from '../../src/agent/session-dirs.js';
import { processesUsing } from '../../src/agent/session-processes.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cli, cliAsync, startCli } from '../support/cli-process.js';
import {
  assignedFeature,
  codingSession,
  initializerSession,
  isSpecChat,
  reply,
  roleScript,
  SAMPLE_FEATURES,
  startScriptedModelServer,
  type Script,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { createSampleProject } from '../support/sample-project.js';
import { waitFor } from '../support/wait-for.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
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

describe('session temporary folders', () => {
  it.skipIf(!existsSync('/proc/self/environ'))(
    'stops what the agent left running in the background before removing the folder',
    async () => {
      const roles = roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() });
      const sleepers = () =>
        sessionFolders()
          .flatMap((f) => processesUsing(join(temp, f.name)))
          .filter((pid) => programOf(pid) === 'sleep');
      let background: number[] = [];
      const script: Script = async (conv) => {
        if (assignedFeature(conv) !== 1) return roles(conv);
        // Feature #1 first starts "a server" in the background, then does its work as usual.
        if (conv.turn === 0)
          return reply().tool('Bash', {
            command: 'sleep 300',
            run_in_background: true,
            description: 'a server that never ends',
          });
        // It runs with the session's TMPDIR while the session goes on (inside the sandbox it takes a moment to start).
        if (conv.turn === 1)
          background = await waitFor(() => sleepers().length > 0 && sleepers(), 30_000, 'the background sleep');
        return roles({ ...conv, turn: conv.turn - 1 });
      };
      const { env } = await setup(script);
      const run = await cliAsync(['run', 'notes', '--max-iterations', '1'], env);
      expect(run.stdout).toContain('1/4 features pass');
      expect(background).toHaveLength(1);
      expect(existsSync(`/proc/${background[0]}`)).toBe(false);
      expect(processesUsing(temp)).toEqual([]);
      expect(sessionFolders()).toEqual([]);
    },
  );

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
