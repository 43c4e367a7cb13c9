import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore } from '../../src/db/stores.js';
import { gitOk } from '../../src/git/git.js';
import { agentTestEnv } from '../support/agent-env.js';
import { reviewer, reviewOf, SQL_INJECTION } from '../support/checkpoint-review.js';
import { cliAsync } from '../support/cli-process.js';
import {
  assignedFeature,
  isCoding,
  landingCodingSession,
  reply,
  startScriptedModelServer,
  type Conversation,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { checkedFeatures } from '../support/gate-backlog.js';
import { createSampleProject } from '../support/sample-project.js';
import { waitFor } from '../support/wait-for.js';

// The real Claude Code binary plays 5 coders and 6 reviewers against the scripted model: minutes on a loaded machine.
vi.setConfig({ testTimeout: 420_000 });

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-checkpoint-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(root, { recursive: true, force: true });
});

it('run --checkpoint-interval 2 with the real binary: two checkpoints of three reviewers; the critical finding drains the run and asks; answering continue resumes it and the fix lands', async () => {
  // Feature 3 is held at its first model call until the checkpoint has asked: the drain then waits for it alone.
  let letGo!: () => void;
  const checkpointAsked = new Promise<void>((resolve) => (letGo = resolve));
  const landing = landingCodingSession();
  server = await startScriptedModelServer(async (conv: Conversation) => {
    if (isCoding(conv)) {
      if (assignedFeature(conv) === 3 && conv.turn === 0) await checkpointAsked;
      return landing(conv);
    }
    return reviewOf(conv) ? reviewer(conv, { readInputs: true }) : reply().text('-');
  });
  const env = agentTestEnv(root, server.url);
  const { dir } = createSampleProject(root, env);
  // The backlog and an app the security and performance reviewers can reach (./init.sh starts it on $PORT).
  writeFileSync(join(dir, 'README.md'), '# notes\n');
  writeFileSync(
    join(dir, 'init.sh'),
    `#!/usr/bin/env bash\nnohup node -e "require('http').createServer((q, s) => s.end('notes')).listen(process.env.PORT, '127.0.0.1')" >/dev/null 2>&1 &\n`,
  );
  chmodSync(join(dir, 'init.sh'), 0o755);
  gitOk(dir, ['add', '-A']);
  gitOk(dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'start']);
  const seed = openProjectStore(projectPaths(dir), { create: false });
  try {
    seed.features.createBulk(checkedFeatures(4));
  } finally {
    seed.close();
  }

  const run = cliAsync(['run', 'notes', '--checkpoint-interval', '2', '--regression-every', '0', '--yolo'], env);
  const openRequest = () => {
    const store = openProjectStore(projectPaths(dir), { create: false });
    try {
      return store.humanInput.list({ status: 'open' })[0];
    } finally {
      store.close();
    }
  };
  const asked = await waitFor(openRequest, 300_000, 'the checkpoint to ask in the Inbox');
  expect(asked.prompt).toMatch(/^Checkpoint 1: 1 critical finding — continue, or stay paused\./);
  letGo();
  const answered = await cliAsync(['answer', 'notes', asked.id, '--field', 'decision=continue'], env);
  expect(answered.stderr).toBe('');
  expect(answered.status).toBe(0);
  const result = await run;
  expect(result.stdout).toContain('Checkpoint 1: "continue" was answered; resuming.');
  expect(result.stdout).toContain('All 5 features pass.');
  expect(result.status).toBe(0);

  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    const checkpoints = store.checkpoints.list();
    expect(checkpoints.map((c) => [c.n, c.status, c.reviews.map((r) => r.status)])).toEqual([
      [1, 'finished', ['finished', 'finished', 'finished']],
      [2, 'finished', ['finished', 'finished', 'finished']],
    ]);
    // Each reviewer could read the facts, the diff and the open findings its prompt names.
    expect(checkpoints.flatMap((c) => c.reviews.map((r) => r.summary?.replace(/^.* done\. /, '')))).toEqual(
      Array(6).fill('inputs: 3 read'),
    );
    const reviews = store.sessions.list({}).filter((s) => s.role === 'reviewer');
    expect(reviews).toHaveLength(6);
    // The critical finding: a fix feature, worked after the answer, passing; resolved by the second checkpoint.
    const [critical] = store.checkpoints.findings({ severity: 'critical' });
    expect(critical).toMatchObject({ title: SQL_INJECTION.title, status: 'resolved', resolvedIn: 2 });
    expect(store.features.get(critical?.fixFeatureId ?? 0)).toMatchObject({ category: 'fix', status: 'passing' });
    // Reported again at the second checkpoint: one finding, seen twice.
    const [minor] = store.checkpoints.findings({ severity: 'minor' });
    expect(minor).toMatchObject({ seenCount: 2, firstCheckpoint: 1, lastCheckpoint: 2 });
  } finally {
    store.close();
  }
  for (const n of [1, 2]) {
    const report = join(dir, '.autocoder', 'checkpoints', `checkpoint-${n}.md`);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('The request handler does everything in one function');
  }
});
