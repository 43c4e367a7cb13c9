/**
 * Issue #23 (1), the merge queue integrates by itself, with `runProject`, real git, SQLite and the
 * landing gate's verifications, the scripted runtime in place of Claude Code: a branch that is
 * ready but behind main (another feature landed while it was worked on) is rebased and verified by
 * the runner and lands without the agent hearing of it; a conflict still reaches the agent, which
 * resolves it; a check that fails on the rebased commit goes back to the agent saying so, with its
 * worktree at that commit and the old tip kept until the feature lands.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { git, gitOk } from '../../src/git/git.js';
import { preRebaseRefs } from '../../src/git/rebase.js';
import { MAX_VERIFY_WORKTREES } from '../../src/verify/checkout.js';
import {
  assignedFeature,
  FEATURE_TOOL,
  initializerSession,
  landingCodingSession,
  reply,
  roleScript,
  type PlannedFeature,
  type Step,
} from '../support/fake-anthropic/index.js';
import { seedBacklog } from '../support/gate-backlog.js';
import { orderedLandings } from '../support/ordered-landings.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';

// Whole runs with two slots and a verification per landing: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 90_000 });

const MARK = FEATURE_TOOL('feature_mark_passing');

let project: ScriptedProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const two: PlannedFeature[] = [
  { category: 'core', name: 'One', description: 'one', steps: ['check'] },
  { category: 'core', name: 'Two', description: 'two', steps: ['check'] },
];

function passedEvents(p: ScriptedProject): { feature: number; payload: Record<string, unknown> }[] {
  return p.inspect((store) =>
    (
      store.db
        .prepare(`SELECT feature_id AS feature, payload FROM events WHERE type = 'feature.passed' ORDER BY id`)
        .all() as { feature: number; payload: string }[]
    ).map((r) => ({ feature: r.feature, payload: JSON.parse(r.payload) as Record<string, unknown> })),
  );
}

describe('the merge queue rebases a branch behind main itself', () => {
  it('two features editing different files land without either agent being asked to rebase', async () => {
    const order = orderedLandings(roleScript({ initializer: initializerSession(two), coding: landingCodingSession() }));
    const p = (project = scriptedProject(order.script));
    expect(await p.run({ concurrency: 2, yolo: true })).toMatchObject({ reason: 'All 2 features pass.' });

    // Each agent called feature_mark_passing once and was told it landed; nobody was told to rebase.
    for (const said of [order.answers(1), order.answers(2)]) {
      expect(said.map((r) => r.isError)).toEqual([false]);
      expect(said[0]?.text).not.toMatch(/git rebase/);
    }
    expect(order.answers(2)[0]?.text).toMatch(
      /"rebased_by_runner": "main had moved on: the runner rebased your branch/,
    );
    expect(order.answers(1)[0]?.text).not.toContain('rebased_by_runner');
    expect(p.reports.some((l) => /^Slot \d: main had moved on; the runner rebased feature #2 onto it/.test(l))).toBe(
      true,
    );

    // #2 landed as a commit on top of #1's, the exact commit its linked verification passed on; its event says rebased.
    expect(passedEvents(p)).toEqual([
      { feature: 1, payload: { status: 'passing' } },
      { feature: 2, payload: { status: 'passing', rebased: true } },
    ]);
    const [one, twoF] = p.inspect((store) => [store.features.get(1), store.features.get(2)]);
    const v2 = p.inspect((store) => store.verifications.get(twoF?.verificationId as string));
    expect(v2).toMatchObject({ featureId: 2, trigger: 'landing', status: 'passed' });
    expect(gitOk(p.dir, ['rev-parse', 'main']).trim()).toBe(v2.commit);
    const v1 = p.inspect((store) => store.verifications.get(one?.verificationId as string));
    expect(gitOk(p.dir, ['rev-parse', `${v2.commit}^`]).trim()).toBe(v1.commit);
    expect(gitOk(p.dir, ['show', 'main:features/feature-1.txt'])).toBe('feature 1 implemented\n');
    expect(gitOk(p.dir, ['show', 'main:features/feature-2.txt'])).toBe('feature 2 implemented\n');
    // Nothing left behind: no kept tip, no unmerged branch, clean slots.
    expect(preRebaseRefs(p.dir)).toEqual([]);
    expect(gitOk(p.dir, ['for-each-ref', 'refs/heads/autocoder/']).trim()).toBe('');
    for (const slot of [0, 1])
      expect(gitOk(join(p.dir, '.autocoder', 'worktrees', `slot-${slot}`), ['status', '--porcelain']).trim()).toBe('');
  });

  it('two features editing the same lines still reach the agent, which resolves the conflict and lands', async () => {
    const order = orderedLandings(
      roleScript({ initializer: initializerSession(two), coding: landingCodingSession({ sharedFile: 'shared.txt' }) }),
    );
    const p = (project = scriptedProject(order.script));
    expect(await p.run({ concurrency: 2, yolo: true })).toMatchObject({ reason: 'All 2 features pass.' });

    const said = order.answers(2);
    expect(said.map((r) => r.isError)).toEqual([true, false]);
    expect(said[0]?.text).toContain(
      'The runner tried to rebase it for you and it conflicts in shared.txt: resolve that yourself.',
    );
    expect(said[0]?.text).toContain('1. git rebase main');
    expect(order.answers(1).map((r) => r.isError)).toEqual([false]);
    expect(p.reports).toContain(
      'Slot 1: feature #2 is behind main and the runner did not rebase it (conflicts in shared.txt); sent back to the agent.',
    );
    expect(gitOk(p.dir, ['show', 'main:shared.txt']).split('\n').sort()).toEqual(['', 'feature 1', 'feature 2']);
    // The agent rebased it itself: no runner rebase recorded, no tip kept.
    expect(passedEvents(p).map((e) => e.payload)).toEqual([{ status: 'passing' }, { status: 'passing' }]);
    expect(preRebaseRefs(p.dir)).toEqual([]);
  });

  it('a feature without acceptance checks is left to the agent: nothing would verify a rebased commit', async () => {
    const order = orderedLandings(roleScript({ coding: landingCodingSession() }));
    const p = (project = scriptedProject(order.script));
    seedBacklog(
      p,
      two.map((f) => ({ category: f.category, name: f.name, description: f.description, steps: f.steps })),
    );
    expect(await p.run({ concurrency: 2, yolo: true })).toMatchObject({ reason: 'All 2 features pass.' });
    const said = order.answers(2);
    expect(said.map((r) => r.isError)).toEqual([true, false]);
    expect(said[0]?.text).toContain(
      'The runner did not rebase it for you: the feature has no acceptance checks to verify a rebased commit with.',
    );
    expect(said[0]?.text).toContain('1. git rebase main');
    expect(passedEvents(p).map((e) => e.payload)).toEqual([{ status: 'passing' }, { status: 'passing' }]);
  });

  it('a rebase the runner cannot run (no verification worktree free) is left to the agent, which rebases and lands', async () => {
    const locks = () =>
      Array.from({ length: MAX_VERIFY_WORKTREES }, (_, n) =>
        join(project?.dir as string, '.autocoder', 'worktrees', `verify-${n}.lock`),
      );
    const landing = landingCodingSession();
    const busy: Step = (conv) => {
      const last = conv.lastToolResults[0];
      const command = typeof last?.input.command === 'string' ? last.input.command : '';
      // Every verification worktree taken by a live process (this one) while #2 lands first; free again after.
      if (assignedFeature(conv) === 2 && command.startsWith('git add -A && git commit') && conv.turn < 4) {
        mkdirSync(dirname(locks()[0] as string), { recursive: true });
        for (const lock of locks())
          writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: Date.now() }));
      }
      if (assignedFeature(conv) === 2 && last?.name === MARK && last.isError)
        for (const lock of locks()) rmSync(lock, { force: true });
      return landing(conv);
    };
    const order = orderedLandings(roleScript({ initializer: initializerSession(two), coding: busy }));
    const p = (project = scriptedProject(order.script));
    expect(await p.run({ concurrency: 2, yolo: true })).toMatchObject({ reason: 'All 2 features pass.' });
    const said = order.answers(2);
    expect(said.map((r) => r.isError)).toEqual([true, false]);
    expect(said[0]?.text).toContain("The runner did not rebase it for you: the runner's rebase could not run (");
    expect(said[0]?.text).toContain('1. git rebase main');
    expect(passedEvents(p).map((e) => e.payload)).toEqual([{ status: 'passing' }, { status: 'passing' }]);
  });

  it('a run’s end drops the tips kept for a passing feature (a run that died before dropping them), never others', async () => {
    const landing = landingCodingSession();
    const leftovers: Step = (conv) => {
      // While #2 is worked on, #1 has landed: leave what a run killed between landing #1 and dropping its tip would.
      if (assignedFeature(conv) === 2 && conv.turn === 0) {
        const dir = project?.dir as string;
        const tip = gitOk(dir, ['rev-parse', 'main']).trim();
        gitOk(dir, ['update-ref', 'refs/autocoder/pre-rebase/1-1', tip]);
        gitOk(dir, ['update-ref', 'refs/autocoder/pre-rebase/9-1', tip]);
      }
      return landing(conv);
    };
    const p = (project = scriptedProject(roleScript({ initializer: initializerSession(two), coding: leftovers })));
    expect(await p.run({ concurrency: 1, yolo: true })).toMatchObject({ reason: 'All 2 features pass.' });
    // #9 does not exist (nothing says its work landed): kept.
    expect(preRebaseRefs(p.dir)).toEqual(['refs/autocoder/pre-rebase/9-1']);
  });

  it('a check that fails on the rebased commit goes back to the agent, its worktree at that commit, the old tip kept until it lands', async () => {
    const withAdapt: PlannedFeature[] = [
      two[0] as PlannedFeature,
      {
        ...(two[1] as PlannedFeature),
        acceptance: [
          {
            kind: 'command',
            name: 'feature 2 file',
            run: 'cat features/feature-2.txt',
            expect: { stdoutIncludes: 'feature 2 implemented' },
          },
          { kind: 'command', name: 'adapted to feature 1', run: 'cat features/feature-2-adapted.txt' },
        ],
      },
    ];
    const landing = landingCodingSession();
    let seenOnRefusal: { refs: string[]; head: string; parent: string; main: string; original: string } | undefined;
    const adapting: Step = (conv) => {
      const last = conv.lastToolResults[0];
      if (assignedFeature(conv) === 2 && last?.name === MARK && last.isError) {
        const slot = join(project?.dir as string, '.autocoder', 'worktrees', 'slot-1');
        const refs = preRebaseRefs(project?.dir as string);
        seenOnRefusal = {
          refs,
          head: gitOk(slot, ['rev-parse', 'HEAD']).trim(),
          parent: gitOk(slot, ['rev-parse', 'HEAD^']).trim(),
          main: gitOk(slot, ['rev-parse', 'main']).trim(),
          original: refs[0] === undefined ? '' : gitOk(slot, ['rev-parse', refs[0]]).trim(),
        };
        return reply().tool('Write', { file_path: 'features/feature-2-adapted.txt', content: 'adapted\n' });
      }
      if (last?.name === 'Write' && last.input.file_path === 'features/feature-2-adapted.txt')
        return reply().tool('Bash', { command: 'git add -A && git commit -m "Feature #2 adapted"' });
      return landing(conv);
    };
    const order = orderedLandings(roleScript({ initializer: initializerSession(withAdapt), coding: adapting }));
    const p = (project = scriptedProject(order.script));
    expect(await p.run({ concurrency: 2, yolo: true })).toMatchObject({ reason: 'All 2 features pass.' });

    const said = order.answers(2);
    expect(said.map((r) => r.isError)).toEqual([true, false]);
    expect(said[0]?.text).toMatch(
      /^(Error: )?main had moved on, so the runner rebased your branch onto it: autocoder\/feature-2 is now at [0-9a-f]{12} in your worktree \(your commits before the rebase: [0-9a-f]{12}, kept as refs\/autocoder\/pre-rebase\/2-1\)/,
    );
    expect(said[0]?.text).toContain('adapted to feature 1');
    expect(said[0]?.text).not.toMatch(/git rebase/);
    // When refused: the agent's branch was the rebased commit on main's tip, the original tip kept beside it.
    expect(seenOnRefusal?.refs).toEqual(['refs/autocoder/pre-rebase/2-1']);
    expect(seenOnRefusal?.parent).toBe(seenOnRefusal?.main);
    expect(seenOnRefusal?.original).not.toBe(seenOnRefusal?.head);
    expect(git(p.dir, ['merge-base', '--is-ancestor', seenOnRefusal?.original as string, 'main']).status).toBe(1);
    // The fix was committed on the rebased commit and landed as is (no second rebase); the kept tip is gone.
    expect(gitOk(p.dir, ['rev-parse', 'main^']).trim()).toBe(seenOnRefusal?.head);
    expect(passedEvents(p).map((e) => e.payload)).toEqual([{ status: 'passing' }, { status: 'passing' }]);
    expect(preRebaseRefs(p.dir)).toEqual([]);
  });
});
