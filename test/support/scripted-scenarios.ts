/**
 * Named scenarios for runners in a child process (`scripted-cli.ts`), which cannot share a
 * script's closures with the test: each builds the Script that child's runtime plays.
 */
import {
  assignedFeature,
  codingSession,
  initializerSession,
  landingCodingSession,
  roleScript,
  SAMPLE_FEATURES,
  type PlannedFeature,
  type Script,
} from './fake-anthropic/index.js';

/** 12 features: four roots, each with two dependents (the crash test's backlog). */
export const CRASH_FEATURES: PlannedFeature[] = Array.from({ length: 12 }, (_, i) => ({
  category: 'core',
  name: `Feature ${i + 1}`,
  description: `feature ${i + 1}`,
  steps: ['check'],
  ...(i >= 4 ? { depends_on_indices: [i % 4] } : {}),
}));

/** Printed by the child when a session reaches a turn it holds forever (the test's cue to act). */
export const HOLDING = '[scripted] holding';

export const SCENARIOS: Record<string, (log: (line: string) => void) => Script> = {
  /** The crash test: 12 features landing through the merge queue, sessions in parallel. */
  'landing-12': () => roleScript({ initializer: initializerSession(CRASH_FEATURES), coding: landingCodingSession() }),
  /** The sample backlog; feature 2's session never gets its second turn. */
  'sample-hold-2': (log) => {
    const roles = roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() });
    return async (conv) => {
      if (assignedFeature(conv) === 2 && conv.turn === 1) {
        log(`${HOLDING} feature 2 turn 1`);
        await new Promise(() => undefined);
      }
      return roles(conv);
    };
  },
};
