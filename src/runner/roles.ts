import type { AgentRole } from '../agent/runtime.js';

/** What each role may use. Anything else is not even offered to the model. */
export interface RoleProfile {
  readonly builtinTools: readonly string[];
  readonly featureTools: readonly string[];
  readonly maxTurns: number;
}

export const ROLE_PROFILES: Readonly<Record<AgentRole, RoleProfile>> = {
  initializer: {
    builtinTools: ['Bash', 'Read', 'Write', 'Edit', 'Glob', 'Grep'],
    featureTools: [
      'feature_create_bulk',
      'feature_create',
      'feature_add_dependency',
      'feature_remove_dependency',
      'feature_set_dependencies',
      'feature_get_stats',
      'feature_get_graph',
      'feature_get_ready',
    ],
    maxTurns: 300,
  },
  coding: {
    builtinTools: ['Bash', 'Read', 'Write', 'Edit', 'Glob', 'Grep'],
    featureTools: [
      'feature_get_by_id',
      'feature_get_stats',
      'feature_mark_passing',
      'feature_mark_failing',
      'feature_skip',
      'feature_release',
      'feature_request_human_input',
      'ask_user',
      'feature_dispute_acceptance',
    ],
    maxTurns: 300,
  },
  testing: {
    builtinTools: ['Bash', 'Read', 'Glob', 'Grep'],
    featureTools: ['feature_get_by_id', 'feature_get_stats', 'feature_mark_failing', 'feature_mark_verified'],
    maxTurns: 100,
  },
  // Answers human-input requests in supervisor mode: reads the spec and the code, changes nothing.
  supervisor: {
    builtinTools: ['Read', 'Glob', 'Grep'],
    featureTools: ['feature_get_by_id', 'supervisor_answer'],
    maxTurns: 60,
  },
  // The optional independent verifier (--verifier): reads the diff, the spec, the checks and the evidence, changes
  // nothing, and answers with verifier_verdict (the runner hands that tool to the session itself).
  verifier: {
    builtinTools: ['Read', 'Glob', 'Grep'],
    featureTools: ['feature_get_by_id'],
    maxTurns: 60,
  },
  // A checkpoint's reviewer (code, security or performance; its prompt names which): reads the code at one commit of
  // main in its own worktree, may run reading commands only (security/read-only-bash.ts) and curl/playwright-cli
  // against the app, and reports through review_add_finding / review_finish (handed to the session by the runner).
  reviewer: {
    builtinTools: ['Bash', 'Read', 'Glob', 'Grep'],
    featureTools: ['feature_get_stats'],
    maxTurns: 80,
  },
  // A design review's persona: looks at the screenshots of one iteration (Read shows PNGs as images) and the axe
  // results in its own copy of the capture, changes nothing, runs nothing, and reports through review_add_finding /
  // design_vote (handed to the session by the runner).
  designer: {
    builtinTools: ['Read', 'Glob', 'Grep'],
    featureTools: [],
    maxTurns: 80,
  },
};
