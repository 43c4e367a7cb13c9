import { randomBytes } from 'node:crypto';
import type { Feature, FeaturePort, VerificationPort } from '../db/ports.js';
import { buildCheckEnv } from '../config/agent-env.js';
import type { Env } from '../config/env.js';
import type { ProjectPaths } from '../config/paths.js';
import type { Logger } from '../logging/logger.js';
import type { Redactor } from '../security/redactor.js';
import type { AcceptanceCheck, Verification } from '../shared/acceptance.js';
import { exportAcceptance } from '../projects/acceptance-export.js';
import { verifyCommit } from '../verify/verify-commit.js';
import { findChromium } from './browser.js';
import type { WebhookNotify } from './webhooks.js';

/**
 * The runner's side of a verification: which checks run (the feature's own and those of the
 * passing features it depends on), the export agents read written again from the database, the
 * engine started with what the run has (sandbox, hidden paths, the project's allowlist, Chromium,
 * the redactor, the logger), and every step recorded in the store (its events with it).
 */

export interface VerificationDeps {
  readonly paths: ProjectPaths;
  readonly features: FeaturePort;
  readonly verifications: VerificationPort;
  readonly env: Env;
  readonly settings: { readonly chromium?: string | undefined };
  readonly extraCommands?: readonly string[];
  readonly sandboxReadDeny?: readonly string[];
  readonly redact: Redactor;
  readonly logger: Logger;
  /** Webhooks (`verification.finished`); must return at once. */
  readonly notify?: WebhookNotify;
}

export interface CheckGroup {
  readonly featureId: number;
  readonly checks: readonly AcceptanceCheck[];
}

export interface VerificationRequest {
  readonly featureId: number;
  readonly commit: string;
  readonly trigger: Verification['trigger'];
  readonly sessionId: string | null;
  readonly groups: readonly CheckGroup[];
  readonly port: number;
  readonly sandbox: boolean;
  /** Folders (worktrees) whose export is written again too; the project root's always is. */
  readonly exportTo?: readonly string[];
}

/**
 * The checks a landing of `feature` runs: its own, then those of each passing feature it depends
 * on directly (a change must not break what it builds on); none when it has no checks itself.
 */
export function landingGroups(feature: Feature, features: FeaturePort): CheckGroup[] {
  if (feature.acceptance === null) return [];
  const groups: CheckGroup[] = [{ featureId: feature.id, checks: feature.acceptance }];
  for (const id of feature.dependencies) {
    const dep = features.get(id);
    if (dep.status === 'passing' && dep.acceptance !== null) groups.push({ featureId: dep.id, checks: dep.acceptance });
  }
  return groups;
}

/** Runs one verification and records it: the store has it as running from the start and every check as it ends. */
export async function runVerification(
  deps: VerificationDeps,
  req: VerificationRequest,
  signal: AbortSignal,
): Promise<Verification> {
  for (const dir of [deps.paths.root, ...(req.exportTo ?? [])]) exportAcceptance(dir, deps.features);
  return verifyCommit(
    {
      projectRoot: deps.paths.root,
      commit: req.commit,
      featureId: req.featureId,
      verificationId: `ver_${randomBytes(6).toString('hex')}`,
      trigger: req.trigger,
      sessionId: req.sessionId,
      groups: req.groups.map((g) => ({ featureId: g.featureId, checks: [...g.checks] })),
      port: req.port,
      sandbox: req.sandbox,
      extraCommands: [...(deps.extraCommands ?? [])],
      hiddenPaths: [...(deps.sandboxReadDeny ?? [])],
      chromium: findChromium(deps.settings.chromium, deps.env.PATH),
      env: buildCheckEnv(deps.env),
      redact: deps.redact,
      logger: deps.logger,
      recorder: {
        onStarted: (v) => deps.verifications.start(v),
        onCheck: (_result, v) => {
          deps.verifications.progress(v);
        },
        onFinished: (v) => {
          deps.verifications.finish(v);
          deps.notify?.('verification.finished', {
            featureId: v.featureId,
            featureName: deps.features.get(v.featureId).name,
            verificationId: v.id,
            trigger: v.trigger,
            verdict: v.status === 'passed' ? 'passed' : v.status === 'failed' ? 'failed' : 'error',
            commit: v.commit,
            checks: v.checks.length,
            passed: v.checks.filter((c) => c.passed).length,
          });
        },
      },
    },
    signal,
  );
}

/** A port nothing listens on now, from the system's ephemeral range (far from the slots' blocks). */
export { freeLoopbackPort as freeVerificationPort } from '../verify/processes.js';

/** `3/3 checks passed` for a report line. */
export function countLine(v: Verification): string {
  return `${v.checks.filter((c) => c.passed).length}/${v.checks.length} checks passed`;
}
