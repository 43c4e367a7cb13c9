import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Feature } from '../db/ports.js';
import { git } from '../git/git.js';
import { createVerdictTool, type Verdict } from '../mcp/verdict-tool.js';
import { isScreenshot, type Verification } from '../shared/acceptance.js';
import { acceptanceExportFile } from '../projects/acceptance-export.js';
import { RESULT_FILE } from '../verify/evidence.js';
import type { RunDeps } from './run-loop.js';
import type { SessionSummary } from './session-runner.js';
import { runSessionFor, type RunContext } from './slot-sessions.js';
import { writeFileSync } from 'node:fs';

/**
 * The optional independent verifier (`--verifier`): after a feature's checks passed and before
 * main moves, a read-only session (Read, Glob, Grep; no Bash) reviews the diff, the spec, the
 * checks and the evidence (it can Read the screenshots), and answers through `verifier_verdict`.
 * Its session is recorded and costed like any other (on the feature it reviewed).
 */

export const DIFF_FILE = 'diff.patch';
export const VERDICT_FILE = 'verdict.json';

export interface VerifierReview {
  readonly slot: number;
  readonly feature: Feature;
  /** The passed verification of the commit about to land. */
  readonly verification: Verification;
  /** The coding session's worktree, at that commit (the session waits in its tool call). */
  readonly checkout: string;
  /** The coding session's budget reservation: the verifier runs inside that session, so its hold is not in the way. */
  readonly codingReservationId?: string;
}

/** A verdict, or none when the session ended without giving one (that is never a pass). */
export interface VerifierOutcome {
  readonly verdict: Verdict;
  readonly given: boolean;
  /** The verifier's session; null when none ran (see unreviewed). */
  readonly summary: SessionSummary | null;
}

/** The outcome when no verifier session could run (`why`): a reject, so the change does not land unreviewed. */
export function unreviewed(why: string): VerifierOutcome {
  return {
    verdict: { verdict: 'reject', reasons: [`no review was possible: ${why}; the change does not land yet`] },
    given: false,
    summary: null,
  };
}

export async function runVerifierSession(
  deps: RunDeps,
  run: RunContext,
  review: VerifierReview,
  signal: AbortSignal,
): Promise<VerifierOutcome> {
  const { feature, verification } = review;
  const evidence = join(deps.paths.root, verification.evidenceDir);
  const diffFile = join(evidence, DIFF_FILE);
  // Written by git itself: a big diff never passes through memory.
  git(deps.paths.root, ['diff', '--no-color', `--output=${diffFile}`, `${run.main}...${verification.commit}`]);
  const screenshots = verification.checks
    .flatMap((c) => c.evidence)
    .filter(isScreenshot)
    .map((f) => `\`${join(evidence, f)}\``);
  let verdict: Verdict | null = null;
  const tool = createVerdictTool((v) => {
    verdict = v;
  });
  deps.report(`Slot ${review.slot} (verifier): reviewing feature #${feature.id} before it lands.`);
  const summary = await runSessionFor(
    deps,
    run,
    'verifier',
    { slot: review.slot, cwd: deps.paths.root, extraTools: [tool] },
    { claims: [], featureIds: [feature.id], owner: `${run.id}/ses_${randomBytes(6).toString('hex')}` },
    {
      feature_id: String(feature.id),
      feature_name: feature.name,
      feature_description: feature.description,
      feature_steps: feature.steps.map((s, i) => `${i + 1}. ${s}`).join('\n'),
      commit: verification.commit.slice(0, 12),
      diff_file: diffFile,
      checks_file: join(deps.paths.root, acceptanceExportFile(feature.id)),
      result_file: join(evidence, RESULT_FILE),
      screenshots: screenshots.length > 0 ? screenshots.join(', ') : '(none: no browser check)',
      checkout: review.checkout,
    },
    signal,
  );
  const given = verdict as Verdict | null;
  const outcome: VerifierOutcome =
    given !== null ? { verdict: given, given: true, summary } : { verdict: noVerdict(summary), given: false, summary };
  // Kept with the evidence it judged (the files API serves it).
  writeFileSync(
    join(evidence, VERDICT_FILE),
    `${JSON.stringify({ ...outcome.verdict, given: outcome.given, sessionId: summary.sessionId }, null, 2)}\n`,
  );
  return outcome;
}

/** A session that gave no verdict (an error, max turns): never a pass. */
function noVerdict(summary: SessionSummary): Verdict {
  return {
    verdict: 'reject',
    reasons: [
      `the verifier ended without a verdict (session ${summary.outcome}${summary.error ? `: ${summary.error}` : ''}); the change was not reviewed, so it does not land yet`,
    ],
  };
}
