import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { agentTestEnv } from '../support/agent-env.js';
import { cli, cliAsync, startCli } from '../support/cli-process.js';
import {
  assignedFeature,
  codingSession,
  initializerSession,
  roleScript,
  SAMPLE_FEATURES,
  startScriptedModelServer,
  type Script,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { gitOk } from '../../src/git/git.js';
import { createSampleProject } from '../support/sample-project.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-pause-'));
});
afterEach(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

// Pause and resume: test/integration/pause-run.int.test.ts and run-scripted.int.test.ts (no Claude Code needed).
describe('stop from another terminal', () => {
  it('stop ends the active run and hands its feature back', async () => {
    const coding = codingSession();
    const script: Script = async (conv) => {
      if (assignedFeature(conv) === 1 && conv.turn === 1) await new Promise(() => undefined);
      return roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding })(conv);
    };
    server = await startScriptedModelServer(script);
    const env = agentTestEnv(root, server.url);
    createSampleProject(root, env);
    const runner = startCli(['run', 'notes'], env);
    await server.waitForRequest((c) => assignedFeature(c) === 1 && c.turn === 1, 120_000);
    const stop = await cliAsync(['stop', 'notes'], env);
    expect(stop.stdout).toContain('Stop sent to run');
    expect((await runner.exited).code).toBe(0);
    const status = JSON.parse(cli(['status', 'notes', '--json'], env).stdout) as {
      in_progress: number;
      pending: number;
    };
    expect(status).toMatchObject({ in_progress: 0, pending: 4 });
    expect(cli(['stop', 'notes'], env).status).toBe(4);
    // What the session had written is committed to its feature branch, not lost; main is untouched.
    const { dir } = { dir: join(root, 'notes') };
    expect(gitOk(dir, ['log', '-1', '--format=%s', 'autocoder/feature-1'])).toContain('work in progress on feature #1');
    expect(gitOk(dir, ['show', 'autocoder/feature-1:features/feature-1.txt'])).toBe('feature 1 implemented\n');
    expect(gitOk(join(dir, '.autocoder', 'worktrees', 'slot-0'), ['status', '--porcelain']).trim()).toBe('');
    expect(gitOk(dir, ['log', '--format=%s', 'main'])).not.toContain('Feature #1');
  });
});
