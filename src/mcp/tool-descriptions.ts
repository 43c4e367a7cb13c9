/** What each feature tool tells a model. Short: every word is sent in every session. */
export const DESCRIPTIONS = {
  feature_get_stats:
    'Backlog progress: counts by status (pending, in_progress, needs_input, passing, failed), percentage passing, and how many features are ready or blocked.',
  feature_get_next: 'Show the next ready feature (pending, all dependencies passing) without claiming it.',
  feature_claim_next:
    'Atomically claim the next ready feature for this session and return it. Only the claiming session can then mark it passing, failing, skip or release it.',
  feature_get_by_id:
    'Full details of one feature: description, verification steps, its frozen acceptance checks and their hash, status, dependencies, attempts and notes from earlier attempts.',
  feature_mark_passing:
    'Mark the feature you hold as passing, after you implemented it, verified every step, and committed. Include evidence (commands and their output, screenshot paths).',
  feature_mark_failing:
    'For the feature you hold: this attempt failed (it is retried later, or fails for good after its maximum attempts). For a passing feature you re-tested: it regressed, and goes back to pending with your evidence.',
  feature_skip:
    'Give up the feature you hold for now because something outside your control blocks it (missing credentials, an external service, an unclear spec, an unfinished dependency). It moves to the back of the queue with the reason. Never skip to avoid work.',
  feature_release: 'Hand back the feature you hold without counting a failed attempt, with notes for the next session.',
  feature_create:
    'Create one feature (category, name, description, verification steps, acceptance checks; optional priority and ids of features it depends on). A name that already exists in the category is rejected.',
  feature_create_bulk:
    'Create many features in one call (up to 500). Each item: category, name, description, steps, acceptance (1-20 checks derived from the steps), optional priority, optional depends_on_indices (indices of EARLIER items in the same list). Items that already exist (same category and name) are not created again.',
  feature_add_dependency:
    'Make feature_id depend on dependency_id. Refused if it would create a cycle (the error names the cycle).',
  feature_remove_dependency: 'Remove one dependency of a feature.',
  feature_set_dependencies:
    'Replace all dependencies of a feature. Refused, with nothing changed, if it would create a cycle.',
  feature_get_ready: 'Features ready to work on now (pending, dependencies passing), in scheduling order.',
  feature_get_blocked: 'Features waiting for dependencies that are not passing yet, with blocked_by ids.',
  feature_get_graph:
    'The dependency graph: nodes (id, name, category, status, priority, dependencies, ready, blocked) and edges (source = dependency, target = dependent).',
  feature_get_for_regression: 'Passing features to re-verify, least recently verified first.',
  feature_mark_verified: 'Record that a passing feature you re-tested still works.',
  feature_request_human_input:
    'Ask a human for values you genuinely cannot get yourself (credentials, account ids, a decision the spec leaves open) for the feature you hold. Fields: text, textarea, secret (saved to the project .env, you only get the key name), select (options), boolean, number. The feature waits until answered and the next session gets the answers. After calling it, stop: end your session. Never use it to avoid work.',
  ask_user:
    'Ask a human to decide between 2-4 options per question (up to 4 questions) when the spec leaves a choice open that you must not guess, for the feature you hold. The feature waits until answered and the next session gets the choices. After calling it, stop: end your session.',
  feature_dispute_acceptance:
    'For the feature you hold: you believe one of its frozen acceptance checks is wrong (contradicts the spec or the steps, or cannot pass on any correct app). Give the reason and the complete list of checks you propose. A person or the supervisor decides; the feature waits meanwhile. After calling it, stop: end your session. Never dispute a check because your code fails it.',
  supervisor_answer:
    'Supervisor only: answer one open human-input request (by request_id) so the run need not wait for a person. answers: field id -> value for every non-secret field (choose what the spec implies, else the simplest sensible default; a select value must be one of its options). reasons: field id -> one sentence why. Leave secret fields out: the runner writes a marked development placeholder to .env for each. Invalid answers are refused with the problems; fix them and call again.',
} as const;
