/**
 * Checkpoints in a whole run (SQLite, git, worktrees, the landing gate, the app started with ./init.sh) with the
 * scripted runtime playing the coders and the three reviewers: a checkpoint every 2 landings; the security reviewer's
 * critical finding becomes a fix feature, drains the run and asks in the Inbox; "continue" resumes it and the fix is
 * worked first; the second checkpoint sees the code reviewer's minor finding again (one finding, seen twice) and
 * resolves the critical one; both reports are written.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { gitOk } from '../../src/git/git.js';
import { answerHumanInput } from '../../src/projects/human-input.js';
import { requestCheckpoint } from '../../src/projects/run-control.js';
import { CONTINUE } from '../../src/runner/run-loop.js';
import {
  assignedFeature,
  isCoding,
  landingCodingSession,
  reply,
  type Conversation,
  type Script,
} from '../support/fake-anthropic/index.js';
import { checkedFeatures } from '../support/gate-backlog.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';
import { waitFor } from '../support/wait-for.js';
import { reviewer, reviewOf } from '../support/checkpoint-review.js';

vi.setConfig({ testTimeout: 120_000 });

let project: ScriptedProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

it('two checkpoints in a run of 4: a critical finding drains the run and asks; "continue" resumes it, the fix lands; a finding seen twice is one finding', async () => {
  // Feature 3 starts while checkpoint 1 runs (the slots go on) and is held until the checkpoint has asked, so it is
  // the one session the drain waits for: then the fix (first in line) and feature 4 land, and checkpoint 2 reviews
  // main with both.
  // Feature 2's session ends (its teardown runs off the scheduler loop) while checkpoint 1's reviewers work: the
  // first reviewer waits until feature 3's session has started, or the checkpoint could ask before 3 is claimed.
  let letGo!: () => void;
  const checkpointAsked = new Promise<void>((resolve) => (letGo = resolve));
  let threeStarted!: () => void;
  const threeClaimed = new Promise<void>((resolve) => (threeStarted = resolve));
  const landing = landingCodingSession();
  const coding = async (conv: Conversation) => {
    if (assignedFeature(conv) === 3 && conv.turn === 0) {
      threeStarted();
      await checkpointAsked;
    }
    return landing(conv);
  };
  const script: Script = async (conv) => {
    if (isCoding(conv)) return coding(conv);
    if (!reviewOf(conv)) return reply().text('-');
    await threeClaimed;
    return reviewer(conv);
  };
  const p = (project = scriptedProject(script));
  // An app for the reviewers who probe it: ./init.sh starts a server on $PORT and returns.
  writeFileSync(join(p.dir, 'README.md'), '# notes\n');
  writeFileSync(
    join(p.dir, 'init.sh'),
    `#!/usr/bin/env bash\nnohup node -e "require('http').createServer((q, s) => s.end('notes')).listen(process.env.PORT, '127.0.0.1')" >/dev/null 2>&1 &\n`,
  );
  chmodSync(join(p.dir, 'init.sh'), 0o755);
  gitOk(p.dir, ['add', '-A']);
  gitOk(p.dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'start']);
  p.inspect((store) => store.features.createBulk(checkedFeatures(4)));

  const running = p.run({ concurrency: 1, yolo: true, checkpointInterval: 2, regressionEvery: 0 });
  // The first checkpoint asks; the run drains and waits, paused.
  const requestId = await waitFor(
    () => p.inspect((store) => store.humanInput.list({ status: 'open' })[0]?.id),
    90_000,
    'the checkpoint to ask in the Inbox',
  );
  letGo();
  await waitFor(
    () => p.reports.includes('Paused (drained): no session is running. Resume to continue.'),
    60_000,
    'the run to pause',
  );
  const asked = p.inspect((store) => store.humanInput.get(requestId));
  expect(asked.prompt).toMatch(/^Checkpoint 1: 1 critical finding — continue, or stay paused\.\n- Search builds SQL/);
  const fix = p.inspect((store) => store.features.get(asked.featureId));
  expect(fix).toMatchObject({ category: 'fix', status: 'needs_input' });
  expect(fix.name).toBe('Fix critical: Search builds SQL from the query string');
  p.inspect((store) => answerHumanInput(store, requestId, { decision: CONTINUE }));

  const result = await running;
  expect(result).toMatchObject({ status: 'finished', reason: 'All 5 features pass.' });
  expect(p.reports).toContain('Checkpoint 1: "continue" was answered; resuming.');

  p.inspect((store) => {
    const checkpoints = store.checkpoints.list();
    expect(checkpoints.map((c) => [c.n, c.trigger, c.status])).toEqual([
      [1, 'interval', 'finished'],
      [2, 'interval', 'finished'],
    ]);
    // Three reviewer sessions each, recorded and costed like any session.
    const reviews = store.sessions.list({ runId: result.runId }).filter((s) => s.role === 'reviewer');
    expect(reviews).toHaveLength(6);
    expect(reviews.every((s) => s.costUsd > 0)).toBe(true);
    expect(checkpoints.map((c) => c.reviews.map((r) => [r.agent, r.status]))).toEqual([
      [
        ['code', 'finished'],
        ['security', 'finished'],
        ['performance', 'finished'],
      ],
      [
        ['code', 'finished'],
        ['security', 'finished'],
        ['performance', 'finished'],
      ],
    ]);
    expect(checkpoints[0]?.costUsd).toBeGreaterThan(0);
    // The fix was worked first after the answer, and passed.
    expect(store.features.get(fix.id).status).toBe('passing');
    const order = store.events
      .since(0, 10_000)
      .filter((e) => e.type === 'feature.passed')
      .map((e) => e.featureId);
    expect(order).toEqual([1, 2, 3, fix.id, 4]);
    // One finding seen twice; the critical one resolved by the second checkpoint (its fix landed in between).
    const [critical, minor] = [
      store.checkpoints.findings({ severity: 'critical' }),
      store.checkpoints.findings({ severity: 'minor' }),
    ];
    expect(minor).toHaveLength(1);
    expect(minor[0]).toMatchObject({ seenCount: 2, firstCheckpoint: 1, lastCheckpoint: 2, status: 'open' });
    expect(critical).toHaveLength(1);
    expect(critical[0]).toMatchObject({ status: 'resolved', resolvedIn: 2, fixFeatureId: fix.id });
    // The app ran for the reviewers at each checkpoint (its log is kept with the checkpoint).
    expect(existsSync(join(p.dir, '.autocoder', 'checkpoints', 'checkpoint-1', 'app.log'))).toBe(true);
  });
  for (const n of [1, 2]) {
    const report = readFileSync(join(p.dir, '.autocoder', 'checkpoints', `checkpoint-${n}.md`), 'utf8');
    expect(report).toContain('The request handler does everything in one function');
    if (n === 1) expect(report).toContain('Search builds SQL from the query string');
  }
  const events = p.inspect((store) =>
    store.events
      .since(0, 10_000)
      .map((e) => e.type)
      .filter((t) => t.startsWith('checkpoint.')),
  );
  expect(events).toEqual([
    'checkpoint.started',
    'checkpoint.finished',
    'checkpoint.critical',
    'checkpoint.started',
    'checkpoint.finished',
  ]);
});

it('asked for while a run works (autocoder checkpoint, the API): the run starts it beside its slots, with the reviewers asked for', async () => {
  let letGo!: () => void;
  const requested = new Promise<void>((resolve) => (letGo = resolve));
  const landing = landingCodingSession();
  const script: Script = async (conv) => {
    if (isCoding(conv)) {
      // The first session waits until the test has asked, so the run is at work when the request comes.
      if (assignedFeature(conv) === 1 && conv.turn === 0) await requested;
      return landing(conv);
    }
    return reviewOf(conv) ? reviewer(conv) : reply().text('-');
  };
  const p = (project = scriptedProject(script));
  writeFileSync(join(p.dir, 'README.md'), '# notes\n');
  gitOk(p.dir, ['add', '-A']);
  gitOk(p.dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'start']);
  p.inspect((store) => store.features.createBulk(checkedFeatures(2)));
  // Interval checkpoints off: only the one asked for runs (and none at the end).
  const running = p.run({ concurrency: 1, yolo: true, checkpointInterval: 0, regressionEvery: 0 });
  await waitFor(() => p.runtime.sessions.length === 1, 30_000, 'the first coding session');
  requestCheckpoint(p.paths, ['code']);
  letGo();
  expect(await running).toMatchObject({ status: 'finished', reason: 'All 2 features pass.' });
  p.inspect((store) => {
    expect(store.checkpoints.list().map((c) => [c.trigger, c.agents, c.status])).toEqual([
      ['manual', ['code'], 'finished'],
    ]);
    expect(store.sessions.list().filter((s) => s.role === 'reviewer')).toHaveLength(1);
  });
  expect(existsSync(p.paths.checkpointRequest)).toBe(false);
});
