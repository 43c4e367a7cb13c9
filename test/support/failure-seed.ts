/**
 * A backlog with failures as the runner records them, for the views of #21's readable failures: each attempt is a
 * coding session that claims its feature, a landing verification that fails with the real output of node's test
 * runner on a failing test, the claim marked failing with the runner's note and the session ended with the runner's
 * verdict; plus an agent's skip with a blocker class and an older skip without one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import { failureNote } from '../../src/runner/verification-report.js';
import { codingSessionVerdict } from '../../src/runner/session-verdict.js';
import type { AcceptanceCheck, Verification } from '../../src/shared/acceptance.js';
import { keepEnd, DEFAULT_OUTPUT_CHARS } from '../../src/verify/output.js';
import { seedProject, type UiServer } from './ui-fixture.js';

const TESTS: AcceptanceCheck = { kind: 'command', name: 'todo tests pass', run: 'node --test' };

/** What node's test runner prints for a failing assertion (run for real once). */
function failingTestOutput(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ac-failing-test-'));
  try {
    writeFileSync(
      join(dir, 'todos.test.js'),
      "const test = require('node:test');\nconst assert = require('node:assert');\ntest('lists todos', () => assert.ok(true));\ntest('adds a todo', () => assert.strictEqual(['milk'].length + 1, 3));\n",
    );
    const run = spawnSync(process.execPath, ['--test'], { cwd: dir, encoding: 'utf8' });
    return `${run.stdout}${run.stderr}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FailureBacklog {
  readonly dir: string;
  /** Failed for good after two attempts (two failed verifications: the first is outdated). */
  readonly failed: number;
  /** One failed attempt: pending, waiting for its retry. */
  readonly retrying: number;
  /** Skipped by its agent as an external service blocker. */
  readonly skipped: number;
  /** Skipped by a person before blocker classes (unclassified). */
  readonly oldSkip: number;
  /** The verification ids of `failed`, oldest first. */
  readonly verifications: readonly string[];
  /** When `retrying` is retried. */
  readonly retryAt: number;
}

export function seedFailures(ui: UiServer, name: string): FailureBacklog {
  const { dir } = seedProject(ui, name, { count: 3, passing: 1 });
  const output = keepEnd(failingTestOutput(), DEFAULT_OUTPUT_CHARS);
  // A clock a second on per reading, an hour back: every record of the attempts is in a strict order, as in a run.
  let t = Date.now() - 3_600_000;
  const store = openProjectStore(projectPaths(dir), { create: false, clock: { now: () => (t += 1_000) } });
  try {
    const created = store.features.createBulk([
      {
        category: 'functional',
        name: 'Add a todo',
        description: 'Type a todo and press Enter.',
        steps: ['Type', 'Enter'],
        acceptance: [TESTS],
        maxAttempts: 2,
      },
      {
        category: 'functional',
        name: 'Complete a todo',
        description: 'Tick a todo.',
        steps: ['Tick'],
        acceptance: [TESTS],
      },
      { category: 'api', name: 'Charge a card', description: 'Pay with Stripe.', steps: ['Pay'], acceptance: [TESTS] },
      { category: 'data', name: 'Import notes', description: 'Import a file.', steps: ['Import'] },
    ]).created;
    const [failed, retrying, skipped, oldSkip] = created.map((f) => f.id) as [number, number, number, number];
    let n = 0;
    const attempt = (featureId: number): string => {
      n += 1;
      const session = `ses_seed${n}`;
      const owner = `run_seed/${session}`;
      store.sessions.start({
        id: session,
        runId: null,
        slot: 0,
        role: 'coding',
        featureIds: [featureId],
        model: 'claude-sonnet-4-5',
        transcriptPath: join(dir, `${session}.jsonl`),
      });
      const { claim } = store.claims.claimFeature(featureId, owner);
      const running: Verification = {
        id: `ver_seed${n}`,
        featureId,
        commit: `${n}`.repeat(40).slice(0, 40),
        trigger: 'landing',
        status: 'running',
        sessionId: session,
        startedAt: t,
        endedAt: null,
        evidenceDir: `.autocoder/evidence/feature-${featureId}/ver_seed${n}`,
        checks: [],
        error: null,
      };
      store.verifications.start(running);
      const finished = store.verifications.finish({
        ...running,
        status: 'failed',
        endedAt: t,
        checks: [
          {
            featureId,
            index: 0,
            kind: 'command',
            name: TESTS.name ?? null,
            passed: false,
            durationMs: 812,
            output,
            failure: 'exit code 1, expected 0',
            evidence: [],
          },
        ],
      });
      const reason = `3 verifications failed in one session; the last: ${failureNote(finished)}`;
      store.claims.markFailing(claim, reason);
      const verdict = codingSessionVerdict({ outcome: 'success', error: null }, store.features.get(featureId).status, {
        type: 'feature.failed',
        reason,
      });
      store.sessions.end(session, {
        status: 'failed',
        outcome: verdict.outcome,
        usage: {
          turns: 12,
          inputTokens: 24_000,
          outputTokens: 1_800,
          cacheReadTokens: 0,
          cacheCreationTokens: 0,
          costUsd: 0.21,
        },
        error: verdict.error,
      });
      return finished.id;
    };
    const first = attempt(failed);
    const second = attempt(failed);
    attempt(retrying);
    // The claim policy's backoff is seconds; a view under test needs the retry to stay ahead of it.
    const retryAt = Date.now() + 30 * 60_000;
    store.db.prepare('UPDATE features SET run_after = ? WHERE id = ?').run(retryAt, retrying);
    const skip = store.claims.claimFeature(skipped, 'run_seed/ses_skip').claim;
    store.claims.skip(skip, 'The Stripe test account needs a person to sign up.', 'external_service');
    store.features.humanSkip(oldSkip, 'later');
    return { dir, failed, retrying, skipped, oldSkip, verifications: [first, second], retryAt };
  } finally {
    store.close();
  }
}
