/**
 * The runner's slot start-up does not hold up its loop, and its phase recorder (RunDeps.phases, what `bench session`
 * prints) hears every phase of a session: a whole run through `runProject` with the scripted runtime, real git and
 * SQLite. The loop is observed by event order (turns of the event loop counted between two recorded phases), never by
 * timing.
 */
import { afterEach, expect, it, vi } from 'vitest';
import type { HarnessPhase } from '../../src/runner/phases.js';
import {
  initializerSession,
  landingCodingSession,
  roleScript,
  SAMPLE_FEATURES,
} from '../support/fake-anthropic/index.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';

vi.setConfig({ testTimeout: 60_000 });

let project: ScriptedProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

it("a slot's worktree is set up while the scheduler loop keeps turning, and every phase of a session is recorded", async () => {
  const p = (project = scriptedProject(
    roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: landingCodingSession() }),
  ));
  const phases: HarnessPhase[] = [];
  // From the claim (recorded just before the slot's session is started) to its worktree being ready: how many times
  // the event loop turned. Blocking git (spawnSync) in between would leave it at 0: nothing else could run meanwhile.
  const turnsDuringWorktree: number[] = [];
  let turns = 0;
  let beating = false;
  const beat = () => {
    if (!beating) return;
    turns += 1;
    setImmediate(beat);
  };
  const recorder = {
    record: (phase: HarnessPhase) => {
      phases.push(phase);
      if (phase === 'claim') {
        turns = 0;
        beating = true;
        setImmediate(beat);
      } else if (phase === 'worktree' && beating) {
        beating = false;
        turnsDuringWorktree.push(turns);
      }
    },
  };
  const result = await p.run({ concurrency: 1 }, { phases: recorder });
  expect(result.reason).toBe(`All ${SAMPLE_FEATURES.length} features pass.`);
  expect(turnsDuringWorktree).toHaveLength(SAMPLE_FEATURES.length);
  for (const n of turnsDuringWorktree) expect(n).toBeGreaterThan(0);
  // Every phase a coding session without the sandbox goes through (init-jail needs the sandbox on).
  expect(new Set(phases)).toEqual(
    new Set<HarnessPhase>([
      'claim',
      'worktree',
      'acceptance-export',
      'session-dir',
      'settings',
      'spawn-to-init',
      'db-writes',
      'event-writes',
      'landing',
      'session-end',
    ]),
  );
});
