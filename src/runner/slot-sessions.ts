import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentRole, AgentSpec, ToolGuard } from '../agent/runtime.js';
import { renderPrompt } from '../agent/prompt-template.js';
import { codingPromptNames } from '../agent/design-guide.js';
import { loadPromptTemplate, renderPromptTemplates, type PromptName } from '../agent/prompts.js';
import { buildAgentEnv } from '../config/agent-env.js';
import { createSessionDir, disposeDir } from '../agent/session-dirs.js';
import type { Claim, Feature, HumanInputRequest } from '../db/ports.js';
import { AppError, errorMessage } from '../domain/errors.js';
import { addLocalExcludes, git, gitAsync, gitIdentitySteps, gitOkStep, runGitAsync } from '../git/git.js';
import { dropPreRebaseTips, dropPreRebaseTipsAsync, preRebaseRefs } from '../git/rebase.js';
import {
  checkoutFeatureAsync,
  commitWorkInProgressAsync,
  deleteMergedBranch,
  deleteMergedBranchAsync,
  ensureSlotWorktreeAsync,
  fastForwardMainAsync,
  featureBranch,
  landingCheckAsync,
  worktreeGitWritePaths,
} from '../git/workspaces.js';
import { createFeatureTools, withMaskedArguments, type FeatureTool } from '../mcp/feature-tools.js';
import { exportAcceptance } from '../projects/acceptance-export.js';
import { createToolSession } from '../mcp/tool-session.js';
import { modelFor } from '../config/run-settings.js';
import { copyEnvFile } from '../config/env-file.js';
import type { BrowserLocator } from '../shared/browser-view.js';
import { combineRedactors, type Redactor } from '../security/redactor.js';
import { readOnlyBashDecision } from '../security/read-only-bash.js';
import { answerAsSupervisor, answeredSecretsRedactor, ENV_FILE, envFilePath } from '../projects/human-input.js';
import {
  browserDisplay,
  browserLocator,
  browserSessionName,
  closeBrowserSession,
  findChromium,
  writePlaywrightConfig,
} from './browser.js';
import type { RunDeps } from './run-loop.js';
import { ROLE_PROFILES } from './roles.js';
import { writeInitJail, type InitJailTools } from './init-jail.js';
import { sandboxWriteDenyPaths, unsandboxedCommands } from './sandbox.js';
import { runRecordedSession, type SessionSummary } from './session-runner.js';
import {
  codingSessionVerdict,
  FEATURE_FAILED_OUTCOME,
  UNFINISHED_REASON,
  type FeatureOutcomeEvent,
  type SessionVerdict,
} from './session-verdict.js';
import type { MergeQueue } from './merge-queue.js';
import { BranchPusher, type RemoteSync } from './remote-sync.js';
import type { VerifierOutcome, VerifierReview } from './verifier.js';
import { countLine, freeVerificationPort, landingGroups, runVerification } from './verification.js';
import { failureNote, failureReport } from './verification-report.js';
import {
  rebaseForLanding,
  rebasedNote,
  sendBackMessage,
  type Integration,
  type IntegrationRequest,
} from './integrate.js';
import { timePhase, timePhaseAsync } from './phases.js';

/** What every session of one run shares. */
export interface RunContext {
  readonly id: string;
  /** The run row's incarnation: its sessions' temporary folders carry it as proof of ownership. */
  readonly incarnation: string;
  readonly sandbox: boolean;
  /** The programs of the init.sh jail, when sessions run `./init.sh` in one (sandbox on, Linux). */
  readonly initJail?: InitJailTools | null;
  /** The branch features land on (the root worktree's branch). */
  readonly main: string;
  /** Tells the scheduler something changed (a landing made dependents ready). */
  readonly wake?: () => void;
  /** The merge queue: landings and regression passes hold it one at a time. */
  readonly mergeQueue: MergeQueue;
  /**
   * The project's git remote, when the run is shared by several machines (#20): main follows the remote's, landings
   * publish there, feature branches are pushed as they are committed. Absent: main is the project folder's own.
   */
  readonly remote?: RemoteSync;
  /** Called once per feature that landed on main (the scheduler counts landings for regression passes, checkpoints). */
  readonly onLanded?: (feature: Feature) => void;
  /** The independent verifier (`--verifier`): reviews a feature whose checks passed, before main moves. */
  readonly review?: (review: VerifierReview, signal: AbortSignal) => Promise<VerifierOutcome>;
  /** This session's budget reservation (USD): the SDK ends the session as `max_budget` past it. */
  readonly maxBudgetUsd?: number;
  /** The reservation's id: settled as soon as the session's cost is recorded, so the cost never counts twice. */
  readonly reservationId?: string;
}

/** Ports of one slot: slot N owns basePort + 10·N … + 9 (its app listens on the first). */
export const slotPort = (basePort: number, slot: number): number => basePort + 10 * slot;

export interface SessionWhere {
  readonly slot: number;
  /** The session's working directory: the project root (initializer) or a slot's worktree. */
  readonly cwd: string;
  /** Lands the feature branch on main from `feature_mark_passing` (coding sessions in a worktree). */
  readonly land?: (featureId: number) => Promise<Landing>;
  /** Tools of this session only, besides its role's feature tools (the verifier's `verifier_verdict`). */
  readonly extraTools?: readonly FeatureTool[];
  /**
   * The prompt template, when the role has several (a checkpoint's reviewer: reviewer-code, -security, …), or the
   * templates rendered and joined in order (a UI feature's coding session: the coding prompt, then the design guide).
   */
  readonly prompt?: PromptName | readonly PromptName[];
  /**
   * The prompt, rendered already (a design persona's: its own file inside the shared frame, see design/personas.ts);
   * beats `prompt`.
   */
  readonly promptText?: string;
  /** Bash may only read (security/read-only-bash.ts), on top of the shell policy (a checkpoint's reviewers). */
  readonly readOnlyBash?: boolean;
  /** Judges how the session ended before it is recorded (coding sessions: whether the feature passed). */
  readonly judge?: (ended: SessionVerdict) => SessionVerdict;
  /** Told after each tool call's result (see SessionPlan.onToolResult). */
  readonly onToolResult?: () => void;
  /** Answers a human-input request as the supervisor (supervisor sessions only). */
  readonly supervise?: (
    requestId: string,
    answers: Readonly<Record<string, unknown>>,
    reasons: Readonly<Record<string, string>>,
  ) => Record<string, unknown>;
}

/**
 * A slot's worktree, ready for a session: created or reused (its installed dependencies
 * survive), with the files the runner provides there (the app spec, the browser config).
 */
export async function prepareWorktree(deps: RunDeps, slot: number, main: string): Promise<string> {
  // Asynchronous git: the scheduler's loop goes on meanwhile (other slots' events, landings, sessions ending).
  const worktree = await ensureSlotWorktreeAsync(deps.paths.root, slot, main);
  const specCopy = join(worktree, '.autocoder', 'app_spec.txt');
  mkdirSync(join(worktree, '.autocoder'), { recursive: true });
  if (existsSync(deps.paths.spec)) copyFileSync(deps.paths.spec, specCopy);
  writePlaywrightConfig(
    worktree,
    findChromium(deps.settings.chromium, deps.env.PATH),
    process.getuid?.() === 0,
    browserDisplay(deps.settings.headed, deps.env).headed,
  );
  // Answered secrets live in the root's .env (never committed: info/exclude, shared by worktrees).
  if (
    existsSync(envFilePath(deps.paths)) &&
    (await gitAsync(deps.paths.root, ['ls-files', '--error-unmatch', '--', ENV_FILE])).status !== 0
  ) {
    addLocalExcludes(deps.paths.root, [ENV_FILE]);
    copyEnvFile(envFilePath(deps.paths), join(worktree, ENV_FILE));
  }
  return worktree;
}

/**
 * The run's redactor plus the values of the secrets humans gave through human-input requests
 * (read from the project's .env when a session starts, so a secret answered during the run is
 * masked from the next session on).
 */
export function sessionRedactor(deps: RunDeps): Redactor {
  return combineRedactors(deps.redact, answeredSecretsRedactor(deps.humanInput, deps.paths));
}

/** How many verifications may fail in one coding session before its feature is handed back. */
export const MAX_FAILED_VERIFICATIONS = 3;

/** What a landing gives `feature_mark_passing`: the commit main moved to, and the verification that let it. */
export interface Landing {
  readonly commit: string;
  /** Absent when the feature has no acceptance checks (it lands "not verified"). */
  readonly verificationId?: string;
  /** Set when main had moved on and the runner rebased the branch itself: the branch's tip before that rebase. */
  readonly rebasedFrom?: string;
}

/**
 * The landing gate, inside the run's merge queue (one landing at a time, so the commit verified is
 * exactly what lands): the branch must be committed and contain main; a branch that is ready but
 * behind main (another feature landed meanwhile) is rebased by the runner itself (integrate.ts), and
 * only a conflict goes back to the agent; then, when the feature has
 * acceptance checks, the runner verifies that commit (its checks and those of the passing features
 * it depends on, in a verification worktree, the app on the slot's verification port); only when
 * all pass is the landing recorded (a crash right after cannot lose it) and main fast-forwarded.
 * A failed verification lands nothing and answers with every failing check; the third in one
 * session hands the feature back (the attempt counts).
 */
export function landingGate(
  deps: RunDeps,
  run: RunContext,
  where: {
    readonly worktree: string;
    readonly slot: number;
    /** Pushes the feature branch (shared runs, #20): its tip goes to the remote before main moves there. */
    readonly pusher?: BranchPusher;
  },
  claim: Claim,
  sessionId: string,
  signal: AbortSignal,
): (featureId: number) => Promise<Landing> {
  const steps = (lines: readonly string[]) => lines.map((l, i) => `${i + 1}. ${l}`).join('\n');
  const { worktree, slot } = where;
  let failed = 0;
  /** A verification (or the verifier) said no: the agent fixes it and calls again, or, the third time, stops. */
  const refuse = (featureId: number, report: string, note: string): never => {
    failed += 1;
    if (failed >= MAX_FAILED_VERIFICATIONS) {
      deps.claims.markFailing(
        claim,
        `${MAX_FAILED_VERIFICATIONS} verifications failed in one session; the last: ${note}`,
      );
      deps.report(
        `Slot ${slot}: feature #${featureId} failed verification ${failed} times in one session; handed back.`,
      );
      throw new AppError(
        'CONFLICT',
        `${report}\n\nThat was the ${MAX_FAILED_VERIFICATIONS}rd failed verification in this session: the feature is handed back (this attempt counts) with these failures as a note. Stop now: commit what you have and end the session without calling other feature tools.`,
      );
    }
    throw new AppError(
      'CONFLICT',
      `${report}\n\nNothing landed; the feature is not passing. Fix the code (never the checks: they are frozen), commit, and call feature_mark_passing again (failed verifications in this session: ${failed} of ${MAX_FAILED_VERIFICATIONS}; at ${MAX_FAILED_VERIFICATIONS} the feature is handed back).`,
    );
  };
  return (featureId) =>
    run.mergeQueue.run(async () => {
      // A shared run's main is the remote's, where other machines land too: this landing starts from its tip.
      if (run.remote) await syncForLanding(deps, run.remote, slot, featureId);
      const check = await landingCheckAsync(worktree, featureId, run.main);
      if (!check.ok && !check.behind) throw new AppError('CONFLICT', sendBackMessage(check, null));
      const lost = () =>
        new AppError('CONFLICT', `your claim on feature ${featureId} is no longer valid; stop working on it`);
      if (!deps.claims.holds(claim)) throw lost();
      const feature = deps.features.get(featureId);
      const groups = landingGroups(feature, deps.features);
      let head: string;
      /** Set when the runner rebased the branch itself (main had moved on): the agent is not asked to. */
      let rebased: Extract<Integration, { kind: 'rebased' }> | undefined;
      if (check.ok) head = check.head;
      else {
        const behind = check.behind as NonNullable<typeof check.behind>;
        // Without frozen checks nothing would verify the rebased commit: the agent rebases and re-runs its tests.
        const integration: Integration =
          groups.length === 0
            ? { kind: 'declined', why: 'the feature has no acceptance checks to verify a rebased commit with' }
            : await tryRebaseForLanding(deps.paths.root, {
                featureId,
                worktree,
                head: behind.head,
                mainTip: behind.main,
              });
        if (integration.kind !== 'rebased') {
          deps.report(
            `Slot ${slot}: feature #${featureId} is behind ${run.main} and the runner did not rebase it (${integration.kind === 'conflict' ? `conflicts${integration.files.length > 0 ? ` in ${integration.files.join(', ')}` : `: ${integration.detail.split('\n')[0] ?? ''}`}` : integration.why}); sent back to the agent.`,
          );
          throw new AppError('CONFLICT', sendBackMessage(check, integration));
        }
        rebased = integration;
        head = integration.head;
        deps.report(
          `Slot ${slot}: ${run.main} had moved on; the runner rebased feature #${featureId} onto it (${integration.from.slice(0, 8)} → ${head.slice(0, 8)}).`,
        );
      }
      const onRebased = (text: string) => (rebased ? `${rebasedNote(run.main, featureId, rebased)}\n\n${text}` : text);
      let verificationId: string | undefined;
      if (groups.length > 0) {
        deps.report(
          `Slot ${slot}: verifying feature #${featureId} on ${head.slice(0, 8)} (${groups.reduce((n, g) => n + g.checks.length, 0)} checks).`,
        );
        const verification = await runVerification(
          { ...deps, redact: sessionRedactor(deps) },
          {
            featureId,
            commit: head,
            trigger: 'landing',
            sessionId,
            groups,
            // A free port from the system's ephemeral range: a fixed one would clash with the verifications of another
            // run on this machine (the engine then refuses: the port is taken), and no slot's app uses that range.
            port: await freeVerificationPort(),
            sandbox: run.sandbox,
            exportTo: [worktree],
          },
          signal,
        );
        if (signal.aborted)
          throw new AppError('CONFLICT', 'the run is stopping: nothing landed; stop here, the feature will be retried');
        if (verification.status !== 'passed') {
          deps.report(
            `Slot ${slot}: feature #${featureId} did not pass verification ${verification.id} (${verification.status === 'error' ? `could not run: ${verification.error ?? ''}` : countLine(verification)}).`,
          );
          // The session may read only its worktree: the evidence goes there too (`.autocoder/` is never committed).
          const copied = copyEvidence(deps.paths.root, worktree, verification.evidenceDir);
          refuse(
            featureId,
            onRebased(failureReport(verification, copied ? worktree : deps.paths.root)),
            failureNote(verification),
          );
        }
        deps.report(
          `Slot ${slot}: feature #${featureId} passed verification ${verification.id} (${countLine(verification)}).`,
        );
        if (run.review) {
          const outcome = await run.review(
            {
              slot,
              feature,
              verification,
              checkout: worktree,
              ...(run.reservationId === undefined ? {} : { codingReservationId: run.reservationId }),
            },
            signal,
          );
          if (signal.aborted)
            throw new AppError(
              'CONFLICT',
              'the run is stopping: nothing landed; stop here, the feature will be retried',
            );
          const { verdict } = outcome;
          deps.report(
            `Slot ${slot} (verifier): ${verdict.verdict === 'pass' ? 'passed' : 'rejected'} feature #${featureId}${verdict.reasons.length > 0 ? `: ${verdict.reasons.join('; ')}` : ''}.`,
          );
          if (verdict.verdict !== 'pass')
            refuse(
              featureId,
              onRebased(
                `The checks passed (verification ${verification.id}), but the independent verifier rejected the change:\n${verdict.reasons.map((r, i) => `${i + 1}. ${r}`).join('\n')}`,
              ),
              `the verifier rejected it after verification ${verification.id} passed: ${verdict.reasons.join('; ')}`,
            );
        }
        verificationId = verification.id;
      }
      if (!deps.claims.recordLanding(claim, head)) throw lost();
      try {
        if (run.remote) {
          // The branch at the commit that lands (a runner's rebase moved it), then the remote's main: a fast-forward,
          // which git refuses when main moved there outside the shared queue.
          await where.pusher?.flush();
          const published = await run.remote.publishMain(head);
          if (!published.ok)
            throw new AppError(
              'CONFLICT',
              `the remote refused ${run.main} at ${head.slice(0, 8)}: ${published.rejected}`,
              {
                details: { head },
              },
            );
        } else await fastForwardMainAsync(deps.paths.root, run.main, head);
      } catch (err: unknown) {
        const details = err instanceof AppError ? err.details : undefined;
        if (details && 'head' in details) {
          // Main moved outside the merge queue (a person committed on it): rebase and verify again.
          throw new AppError(
            'CONFLICT',
            `${run.main} moved on while you finished. The feature is not passing yet. Do this, then call feature_mark_passing again:\n${steps([`git rebase ${run.main}`, '(on conflicts: edit the files, git add them, git commit --no-edit, git rebase --continue)', 're-run the tests and the checks of this feature'])}`,
          );
        }
        // Not the agent's to fix (the project folder has changes in the way): report and retry later.
        const why = err instanceof Error ? err.message : String(err);
        deps.report(`Feature #${featureId}: could not move ${run.main}: ${why}`);
        throw new AppError(
          'CONFLICT',
          `The runner could not merge your branch into ${run.main}: ${why}. This is not something you can fix from your worktree: stop here; the feature will be retried.`,
        );
      }
      // Main holds the rebased commit and the landing is recorded: the tip kept from before the rebase is not needed.
      await dropPreRebaseTipsAsync(deps.paths.root, featureId);
      deps.report(
        `Merged feature #${featureId} into ${run.main} (${head.slice(0, 8)}${rebased ? ', rebased by the runner' : ''}).`,
      );
      run.onLanded?.(feature);
      // Features that depend on this one become ready once it is recorded passing (right after this returns).
      if (run.wake) setImmediate(run.wake);
      return {
        commit: head,
        ...(verificationId === undefined ? {} : { verificationId }),
        ...(rebased ? { rebasedFrom: rebased.from } : {}),
      };
    });
}

/** Fetches the remote's main for a landing; a remote that cannot be reached is not the agent's to fix. */
async function syncForLanding(deps: RunDeps, remote: RemoteSync, slot: number, featureId: number): Promise<void> {
  try {
    await remote.syncMain();
  } catch (err: unknown) {
    const why = errorMessage(err);
    deps.report(`Slot ${slot}: feature #${featureId} could not land: ${why}`);
    throw new AppError(
      'CONFLICT',
      `The runner could not read the project's git remote: ${why}. This is not something you can fix from your worktree: stop here; the feature will be retried.`,
    );
  }
}

/** The runner's rebase; one that could not run (no verification worktree free, git failing) leaves it to the agent. */
async function tryRebaseForLanding(root: string, req: IntegrationRequest): Promise<Integration> {
  try {
    return await rebaseForLanding(root, req);
  } catch (err: unknown) {
    return { kind: 'declined', why: `the runner's rebase could not run (${errorMessage(err)})` };
  }
}

/** Copies a verification's evidence folder from the project into a worktree; false when it could not. */
function copyEvidence(root: string, worktree: string, evidenceDir: string): boolean {
  try {
    cpSync(join(root, evidenceDir), join(worktree, evidenceDir), { recursive: true });
    return true;
  } catch {
    // The report then names the project's copy, which the session cannot read but a person can.
    return false;
  }
}

/** Rewrites the read-only export of the acceptance checks in the project root and in `cwd` (a slot's worktree). */
function exportAcceptanceTo(deps: RunDeps, cwd: string): void {
  exportAcceptance(deps.paths.root, deps.features);
  if (cwd !== deps.paths.root) exportAcceptance(cwd, deps.features);
}

/** Runs one session of `role` and records it; the caller settles any claim. */
export async function runSessionFor(
  deps: RunDeps,
  run: RunContext,
  role: AgentRole,
  where: SessionWhere,
  work: { claims: readonly Claim[]; featureIds: readonly number[]; owner: string } | null,
  vars: Record<string, string | boolean>,
  signal: AbortSignal,
): Promise<SessionSummary> {
  const sessionId = work ? (work.owner.split('/')[1] as string) : `ses_${randomBytes(6).toString('hex')}`;
  const profile = ROLE_PROFILES[role];
  const settingsStarted = performance.now();
  const toolSession = createToolSession(work?.owner ?? `${run.id}/${sessionId}`, work ? work.claims : []);
  const redact = sessionRedactor(deps);
  // Whatever the agent passes to a feature tool (reasons, evidence, prompts) is stored: mask secrets first.
  const tools = createFeatureTools({
    features: deps.features,
    claims: deps.claims,
    humanInput: deps.humanInput,
    ...(deps.disputes ? { disputes: deps.disputes } : {}),
    // New checks are exported at once, where this session reads them and in the project root.
    acceptanceChanged: () => exportAcceptanceTo(deps, where.cwd),
    session: toolSession,
    ...(where.land ? { land: where.land } : {}),
    ...(where.supervise ? { supervise: where.supervise } : {}),
  })
    .filter((t) => profile.featureTools.includes(t.name))
    .concat(where.extraTools ?? [])
    .map((t) => withMaskedArguments(t, () => redact));
  // The session's HOME/TMPDIR, marked as this run's (see agent/session-dirs.ts). Whatever ends
  // the session (its end, an error, an abort, the watchdog, a failure to start it) removes it below.
  const keep = deps.settings.keepTemp;
  deps.phases?.record('settings', performance.now() - settingsStarted);
  // The frozen checks, rewritten from the database where this session reads them (whatever happened to the files).
  timePhase(deps.phases, 'acceptance-export', () => exportAcceptanceTo(deps, where.cwd));
  const sessionDir = timePhase(deps.phases, 'session-dir', () =>
    createSessionDir(sessionId.slice(-12), {
      purpose: 'session',
      run: { id: run.id, incarnation: run.incarnation },
      project: deps.paths.root,
      keep,
    }),
  );
  try {
    const envStarted = performance.now();
    // Without blocking the event loop: the other slots' sessions and landings go on meanwhile.
    const identity = await runGitAsync(gitIdentitySteps(deps.paths.root));
    const port = slotPort(deps.settings.basePort, where.slot);
    const env = buildAgentEnv(deps.env, {
      sessionDir,
      packageBinDir: deps.packageBinDir,
      extra: {
        // A headed browser's window needs the display (nothing when headless: see browserDisplay).
        ...browserDisplay(deps.settings.headed, deps.env).env,
        PLAYWRIGHT_CLI_SESSION: browserSessionName(sessionId),
        PORT: String(port),
        // Nothing may wait for an editor: `git rebase --continue` and friends keep their messages.
        GIT_EDITOR: 'true',
        GIT_AUTHOR_NAME: identity.name,
        GIT_AUTHOR_EMAIL: identity.email,
        GIT_COMMITTER_NAME: identity.name,
        GIT_COMMITTER_EMAIL: identity.email,
      },
    });
    deps.phases?.record('settings', performance.now() - envStarted);
    const jailTools = run.sandbox && profile.builtinTools.includes('Bash') ? (run.initJail ?? null) : null;
    const initJail =
      jailTools !== null
        ? timePhase(deps.phases, 'init-jail', () =>
            writeInitJail({
              tools: jailTools,
              sessionDir,
              cwd: where.cwd,
              projectRoot: deps.paths.root,
              port,
              env,
              hidden: deps.sandboxReadDeny ?? [],
              tempDir: tmpdir(),
            }),
          )
        : null;
    const specStarted = performance.now();
    const allVars = {
      project_name: deps.projectName,
      browser: !deps.settings.yolo,
      port: String(port),
      main_branch: run.main,
      ...vars,
    };
    const spec: AgentSpec = {
      role,
      prompt:
        where.promptText ??
        renderPromptTemplates(
          typeof where.prompt === 'string' ? [where.prompt] : (where.prompt ?? [defaultPrompt(role)]),
          allVars,
          deps.paths.prompts,
        ),
      systemPrompt: prompt(deps, 'system', allVars),
      cwd: where.cwd,
      model: modelFor(deps.settings, role),
      builtinTools: profile.builtinTools,
      mcpServerName: 'features',
      mcpTools: tools,
      guard: readOnlyWhen(where.readOnlyBash === true, deps.makeGuard(where.cwd, initJail ? { initJail } : {})),
      maxTurns: deps.settings.maxTurns ?? profile.maxTurns,
      ...(run.maxBudgetUsd !== undefined ? { maxBudgetUsd: run.maxBudgetUsd } : {}),
      // A worktree's commits are written to the project's shared .git, outside the worktree. The paths count only
      // with the sandbox on (claude-runtime passes none without it): no git and no folder listing otherwise.
      sandbox: run.sandbox
        ? {
            enabled: true,
            unsandboxedCommands: unsandboxedCommands(initJail),
            writablePaths: where.cwd === deps.paths.root ? [] : worktreeGitWritePaths(where.cwd),
            readDeniedPaths: (deps.sandboxReadDeny ?? []).filter((p) => existsSync(p)),
            writeDeniedPaths: sandboxWriteDenyPaths({
              projectRoot: deps.paths.root,
              cwd: where.cwd,
              dataDirEntries: readdirSync(deps.paths.dataDir),
            }).filter((p) => existsSync(p)),
          }
        : { enabled: false, unsandboxedCommands: unsandboxedCommands(initJail) },
      env,
    };
    deps.phases?.record('settings', performance.now() - specStarted);
    const summary = await runRecordedSession(
      {
        ...(deps.phases ? { phases: deps.phases } : {}),
        events: deps.events,
        sessions: deps.sessions,
        runtime: deps.runtime,
        logsDir: deps.paths.logs,
        runId: run.id,
        now: deps.now,
        redact,
      },
      {
        sessionId,
        slot: where.slot,
        featureIds: work ? work.featureIds : [],
        ...withBrowser(browserLocator(env, where.cwd)),
        spec,
        limits: { idleMs: deps.settings.stallMs, maxMs: deps.settings.maxSessionMs },
        ...(where.judge ? { judge: where.judge } : {}),
        ...(where.onToolResult ? { onToolResult: where.onToolResult } : {}),
      },
      signal,
    );
    // The cost is recorded (sessions.cost_usd): the hold goes now, before anything else can read both.
    if (run.reservationId !== undefined) deps.budget?.settle(run.reservationId, summary.costUsd);
    if (summary.commands.some((c) => c.includes('playwright-cli')))
      await timePhaseAsync(deps.phases, 'session-end', () => closeBrowserSession(where.cwd, env));
    return summary;
  } finally {
    if (keep) deps.report(`Kept the temporary folder of session ${sessionId} (--keep-temp): ${sessionDir}`);
    else {
      try {
        // Claude Code and whatever the agent started are stopped first, so nothing writes into the folder as it goes.
        await timePhaseAsync(deps.phases, 'session-end', () => disposeDir(sessionDir));
      } catch (err: unknown) {
        deps.report(
          `Could not remove the temporary folder ${sessionDir} of session ${sessionId} (${err instanceof Error ? err.message : String(err)}); the next run removes it.`,
        );
      }
    }
  }
}

/** The plan's `browser`, when the session has one to find (exactOptionalPropertyTypes: no `undefined` value). */
const withBrowser = (browser: BrowserLocator | undefined) => (browser ? { browser } : {});

/** A role's prompt template when the session names none. A designer's is always given (`promptText`). */
function defaultPrompt(role: AgentRole): PromptName {
  if (role === 'reviewer') return 'reviewer-code';
  if (role === 'designer') throw new Error('a designer session needs its persona prompt (promptText)');
  return role;
}

/** With `readOnly`, Bash must pass the read-only rule before the session's own guard judges it. */
function readOnlyWhen(readOnly: boolean, guard: ToolGuard): ToolGuard {
  if (!readOnly) return guard;
  return (toolName, input, context) => {
    if (toolName === 'Bash' && typeof input.command === 'string') {
      const decision = readOnlyBashDecision(input.command);
      if (!decision.allow) return { allow: false, reason: `command refused (read-only): ${decision.reason}` };
    }
    return guard(toolName, input, context);
  };
}

function prompt(deps: RunDeps, name: PromptName, vars: Record<string, string | boolean>): string {
  const template = loadPromptTemplate(name, deps.paths.prompts);
  return renderPrompt(template.text, vars, template.source);
}

function codingVars(f: Feature, yolo: boolean, branch: string, continued: boolean): Record<string, string | boolean> {
  return {
    feature_id: String(f.id),
    feature_name: f.name,
    feature_category: f.category,
    feature_description: f.description,
    feature_steps: f.steps.map((s, i) => `${i + 1}. ${s}`).join('\n'),
    previous_notes: f.notes ? `\nNotes from earlier attempts:\n${f.notes}` : '',
    branch,
    continued,
    browser: !yolo,
  };
}

/**
 * Supervisor mode: one session that answers the open human-input requests listed in its prompt
 * (read-only tools plus `supervisor_answer`), in the project root. Each answer is recorded as
 * the supervisor's at once, so its feature is ready again while the session goes on.
 */
export async function runSupervisorSession(
  deps: RunDeps,
  run: RunContext,
  slot: number,
  requests: readonly HumanInputRequest[],
  signal: AbortSignal,
): Promise<SessionSummary> {
  const store = { paths: deps.paths, humanInput: deps.humanInput };
  const asked = new Set(requests.map((r) => r.id));
  const supervise = (
    requestId: string,
    answers: Readonly<Record<string, unknown>>,
    reasons: Readonly<Record<string, string>>,
  ) => {
    if (!asked.has(requestId))
      throw new AppError(
        'NOT_FOUND',
        `request ${requestId} is not one of yours; answer only: ${[...asked].join(', ')}`,
      );
    const { request, feature } = answerAsSupervisor(store, requestId, answers, reasons);
    const placeholders =
      request.placeholderKeys.length > 0
        ? `; development placeholders in .env: ${request.placeholderKeys.join(', ')}`
        : '';
    deps.report(`Slot ${slot} (supervisor): answered ${request.id} for feature #${feature.id}${placeholders}.`);
    run.wake?.();
    return {
      request_id: request.id,
      feature_id: feature.id,
      feature_status: feature.status,
      answered: request.answer ?? {},
      placeholders: request.placeholderKeys,
      left: [...asked].filter((id) => store.humanInput.get(id).status === 'open'),
    };
  };
  deps.report(
    `Slot ${slot} (supervisor): answering ${requests.map((r) => `${r.id} (feature #${r.featureId})`).join(', ')}.`,
  );
  return runSessionFor(
    deps,
    run,
    'supervisor',
    { slot, cwd: deps.paths.root, supervise },
    null,
    { request_list: describeRequests(requests) },
    signal,
  );
}

/** The requests as the supervisor's prompt lists them: prompt, then one line per field. */
export function describeRequests(requests: readonly HumanInputRequest[]): string {
  return requests
    .map((r) => {
      const fields = r.fields.map((f) => {
        const kind =
          f.type === 'select'
            ? `select: ${(f.options ?? []).join(' | ')}`
            : f.type === 'secret'
              ? 'secret: leave it out, the runner writes a placeholder'
              : f.type;
        return `- ${f.id} (${kind}${f.required ? '' : ', optional'}): ${f.label}${f.help ? ` (${f.help})` : ''}`;
      });
      return [
        `## Request ${r.id} (feature #${r.featureId}${r.featureName ? ` "${r.featureName}"` : ''})`,
        r.prompt,
        'Fields:',
        ...fields,
      ].join('\n');
    })
    .join('\n\n');
}

/**
 * One coding session in slot `slot` for a claimed feature: the slot's worktree on the feature's
 * branch (continuing an earlier attempt's branch when there is one), the runner's heartbeat on
 * the lease, and the claim settled however the session ended. Work is never left uncommitted.
 */
export async function runCodingSession(
  deps: RunDeps,
  run: RunContext,
  slot: number,
  claimed: { claim: Claim; feature: Feature; owner: string },
  signal: AbortSignal,
): Promise<SessionSummary | null> {
  const { claim, feature, owner } = claimed;
  // A shared run (#20): main as the remote has it now, before anything is decided from it.
  let mainTip: string | null = null;
  if (run.remote) {
    try {
      mainTip = await run.remote.syncMain();
    } catch (err: unknown) {
      deps.claims.release(claim, `the runner could not read the project's git remote: ${errorMessage(err)}`);
      throw err;
    }
  }
  const landed =
    feature.landingCommit !== null && landedOnMain(deps.paths.root, feature.landingCommit, run.main)
      ? feature.landingCommit
      : null;
  if (landed) {
    // The merge queue had fast-forwarded main to this branch when the runner died, before the
    // feature was recorded as passing: record it now instead of redoing verified work.
    // The verification that let it land, when it had checks (the gate verifies before main moves).
    const verified = deps.verifications
      .list(feature.id, 20)
      .find((v) => v.trigger === 'landing' && v.status === 'passed' && v.commit === landed);
    deps.claims.markPassing(
      claim,
      {
        by: 'runner',
        text: `recovered: its branch had landed on ${run.main} (${landed.slice(0, 8)}) before the runner stopped`,
        commit: landed,
        ...(verified ? { verificationId: verified.id } : {}),
      },
      verified ? { verificationId: verified.id } : undefined,
    );
    deleteMergedBranch(deps.paths.root, featureBranch(feature.id), run.main);
    deps.report(
      `Slot ${slot}: feature #${feature.id} had landed on ${run.main} before the runner stopped; recorded as passing.`,
    );
    deps.notify?.('feature.passed', { featureId: feature.id, featureName: feature.name });
    return null;
  }
  let worktree: string;
  let branch: string;
  let continued: boolean;
  let remoteTip: string | null = null;
  const worktreeStarted = performance.now();
  try {
    worktree = await prepareWorktree(deps, slot, run.main);
    const checkout = await checkoutFeatureAsync(worktree, feature.id, run.main);
    deps.phases?.record('worktree', performance.now() - worktreeStarted);
    branch = checkout.branch;
    continued = checkout.continued;
    if (checkout.rescued)
      deps.report(`Slot ${slot}: uncommitted work left in its worktree was saved on ${checkout.rescued}.`);
    if (run.remote && mainTip !== null) {
      // What was pushed for the feature (by a machine that lost it, or this one before a crash) is where it goes on.
      const adopted = await run.remote.adoptPushed(worktree, feature.id, checkout.head, mainTip);
      remoteTip = adopted.remoteTip;
      if (adopted.adopted) {
        continued = true;
        deps.report(
          `Slot ${slot}: feature #${feature.id} goes on from its branch as pushed to the remote (${(adopted.remoteTip ?? '').slice(0, 8)})${adopted.keptAs ? `; the local commits it lacked are kept as ${adopted.keptAs}` : ''}.`,
        );
      }
    }
    deps.report(
      `Slot ${slot}: feature #${feature.id} ${feature.name}, attempt ${feature.attempts}/${feature.maxAttempts}, on ${branch}${checkout.continued ? ' (continuing the earlier attempt)' : ''}.`,
    );
  } catch (err: unknown) {
    // The workspace could not be prepared: hand the feature back and let the run report it.
    deps.claims.release(
      claim,
      `the runner could not prepare a git worktree: ${err instanceof Error ? err.message : String(err)}`,
    );
    throw err;
  }
  // Pushed as it is committed (#20): a machine lost mid-feature loses at most what was not committed.
  const pusher = run.remote ? new BranchPusher(run.remote, worktree, feature.id, remoteTip, deps.report) : undefined;
  const sessionAbort = new AbortController();
  const onStop = () => sessionAbort.abort();
  if (signal.aborted) sessionAbort.abort();
  else signal.addEventListener('abort', onStop, { once: true });
  let leaseLost = false;
  const heartbeat = setInterval(() => {
    if (!deps.claims.heartbeat(claim)) {
      // The session handed its feature to a human: let it finish its notes and end by itself.
      if (deps.features.get(feature.id).status === 'needs_input') {
        clearInterval(heartbeat);
        return;
      }
      leaseLost = true;
      sessionAbort.abort();
    }
  }, deps.settings.heartbeatMs);
  let summary: SessionSummary;
  try {
    summary = await runSessionFor(
      deps,
      run,
      'coding',
      {
        slot,
        cwd: worktree,
        // A feature people look at gets the design guide after the coding prompt.
        prompt: codingPromptNames(feature),
        land: timedLanding(
          deps,
          landingGate(
            deps,
            run,
            { worktree, slot, ...(pusher ? { pusher } : {}) },
            claim,
            owner.split('/')[1] ?? owner,
            sessionAbort.signal,
          ),
        ),
        judge: (ended) => judgeCodingSession(deps, feature.id, owner, ended),
        ...(pusher ? { onToolResult: () => pusher.poke() } : {}),
      },
      { claims: [claim], featureIds: [feature.id], owner },
      codingVars(feature, deps.settings.yolo, branch, continued),
      sessionAbort.signal,
    );
  } finally {
    clearInterval(heartbeat);
    signal.removeEventListener('abort', onStop);
  }
  const endStarted = performance.now();
  const after = deps.features.get(feature.id);
  if (after.status === 'passing') {
    await deleteMergedBranchAsync(deps.paths.root, branch, run.main);
    await dropRemoteBranch(deps, run, feature.id, pusher);
  } else {
    // Keep whatever the agent did on its branch for the next attempt (or a human).
    const saved = await commitWorkInProgressAsync(
      worktree,
      `autocoder: work in progress on feature #${feature.id} (${signal.aborted ? 'run stopped' : `session ${summary.outcome}`})`,
    );
    if (saved) deps.report(`Slot ${slot}: saved uncommitted work on ${branch} (${saved.slice(0, 8)}).`);
    // …and for the machine that takes it next.
    await pusher?.flush();
  }
  settle(deps, claim, summary, leaseLost, signal.aborted);
  const final = deps.features.get(feature.id);
  if (final.status === 'passing') deps.notify?.('feature.passed', { featureId: feature.id, featureName: feature.name });
  deps.phases?.record('session-end', performance.now() - endStarted);
  if (final.status === 'needs_input') {
    const request = deps.humanInput.openFor(feature.id);
    deps.report(
      `Slot ${slot}: feature #${feature.id} waits for a human answer${request ? ` (request ${request.id}: autocoder answer ${deps.projectName} ${request.id})` : ''}.`,
    );
    deps.notify?.('feature.needs_input', {
      featureId: feature.id,
      featureName: feature.name,
      ...(request
        ? {
            requestId: request.id,
            prompt: request.prompt,
            fields: request.fields.map((f) => ({ id: f.id, label: f.label, type: f.type })),
          }
        : {}),
    });
  }
  deps.report(
    `Slot ${slot}: feature #${feature.id} is now ${final.status} (session ${summary.stalled ? 'stalled' : summary.outcome}, $${summary.costUsd.toFixed(4)}).`,
  );
  return summary;
}

/** A landed feature's remote branch goes once main holds its tip (one main lacks is kept: nothing unmerged is lost). */
async function dropRemoteBranch(
  deps: RunDeps,
  run: RunContext,
  featureId: number,
  pusher: BranchPusher | undefined,
): Promise<void> {
  const tip = pusher?.remoteTip ?? null;
  if (!run.remote || tip === null) return;
  try {
    await run.remote.dropMerged(featureId, tip);
  } catch (err: unknown) {
    // Only tidiness: the branch stays on the remote, merged.
    deps.report(`Feature #${featureId}: its merged branch stays on the remote (${errorMessage(err)}).`);
  }
}

/** The recorded outcome of a coding session (session-verdict.ts), from its feature and this session's verdict. */
function judgeCodingSession(deps: RunDeps, featureId: number, owner: string, ended: SessionVerdict): SessionVerdict {
  if (ended.outcome !== 'success') return ended;
  const newest = deps.events.latest({
    featureId,
    sessionId: owner,
    types: ['feature.failed', 'feature.skipped'],
    limit: 1,
  })[0];
  const event: FeatureOutcomeEvent | null =
    newest?.type === 'feature.failed'
      ? { type: 'feature.failed', reason: newest.payload.reason }
      : newest?.type === 'feature.skipped'
        ? {
            type: 'feature.skipped',
            reason: newest.payload.reason,
            blockerType: 'blockerType' in newest.payload ? (newest.payload.blockerType ?? null) : null,
          }
        : null;
  return codingSessionVerdict(ended, deps.features.get(featureId).status, event);
}

/** The landing gate, its time told to the phase recorder (when there is one). */
function timedLanding(
  deps: RunDeps,
  land: (featureId: number) => Promise<Landing>,
): (featureId: number) => Promise<Landing> {
  const phases = deps.phases;
  return phases === undefined ? land : (featureId) => timePhaseAsync(phases, 'landing', () => land(featureId));
}

/** A claim the session did not settle itself is settled here, so nothing is left in limbo. */
function settle(deps: RunDeps, claim: Claim, summary: SessionSummary, leaseLost: boolean, stopping: boolean): void {
  if (leaseLost || !deps.claims.holds(claim)) return;
  if (summary.stalled) {
    // Counted as an attempt, so a feature that always hangs ends up failed instead of looping.
    deps.claims.markFailing(claim, `aborted: ${summary.stalled}`);
  } else if (stopping || summary.outcome === 'aborted') {
    deps.claims.release(claim, 'the run was stopped during this session');
  } else if (summary.outcome === 'rate_limited') {
    deps.claims.release(claim, 'the model provider refused for a usage or rate limit');
  } else {
    const why =
      summary.outcome === 'success' || summary.outcome === FEATURE_FAILED_OUTCOME
        ? UNFINISHED_REASON
        : `the session ended with ${summary.outcome}${summary.error ? `: ${summary.error}` : ''}`;
    deps.claims.markFailing(claim, why);
  }
}

/**
 * One testing session in slot `slot`: re-verifies passing features on main's current state in
 * a worktree of its own (detached at main's tip; it changes no code). A regression goes back to
 * the coding agents through `feature_mark_failing`.
 */
export async function runTestingSession(
  deps: RunDeps,
  run: RunContext,
  slot: number,
  targets: readonly Feature[],
  signal: AbortSignal,
): Promise<SessionSummary> {
  // A shared run re-verifies main as the remote has it (#20).
  await run.remote?.syncMain();
  const worktree = await prepareWorktree(deps, slot, run.main);
  // Testing sessions change nothing worth keeping: start from main's tip, keep ignored files (installed dependencies).
  await runGitAsync(gitOkStep(worktree, ['checkout', '--quiet', '--force', '--detach', run.main]));
  await runGitAsync(gitOkStep(worktree, ['clean', '-fdq']));
  deps.report(`Slot ${slot} (testing): re-verifying ${targets.map((f) => `#${f.id}`).join(', ')} on ${run.main}.`);
  const featureList = targets.map((f) => `- #${f.id} ${f.name}`).join('\n');
  const owner = `${run.id}/ses_${randomBytes(6).toString('hex')}`;
  const summary = await runSessionFor(
    deps,
    run,
    'testing',
    { slot, cwd: worktree },
    { claims: [], featureIds: targets.map((f) => f.id), owner },
    { feature_list: featureList },
    signal,
  );
  // What this session found, from its own events: the features' status now may already be a coding session's (a
  // regressed feature is claimed again, even passed again, while this session is still ending).
  const regressed = deps.events
    // It is asked about `targets`, but feature_mark_failing takes any passing feature: room for those too.
    .latest({ sessionId: owner, types: ['feature.regressed'], limit: targets.length + 100 })
    .map((e) => e.featureId)
    .filter((id): id is number => id !== null)
    .sort((a, b) => a - b);
  for (const id of new Set(regressed))
    deps.report(`Slot ${slot} (testing): feature #${id} regressed; it is pending again.`);
  return summary;
}

/** Whether `commit` (a landing the merge queue recorded) is on main. */
export function landedOnMain(root: string, commit: string, main: string): boolean {
  return git(root, ['merge-base', '--is-ancestor', commit, `refs/heads/${main}`]).status === 0;
}

/**
 * Lock files a killed git process left behind (index, HEAD, refs) in the project's .git and
 * its worktrees. Called when a run starts, after dead runs were recovered: no other run of this
 * project is alive then. Locks younger than `minAgeMs` are left alone (a git command of the
 * user's may hold them right now).
 */
export function clearStaleGitLocks(root: string, now: number, minAgeMs = 1_000): string[] {
  const gitDir = join(root, '.git');
  if (!existsSync(gitDir) || !statSync(gitDir).isDirectory()) return [];
  const cleared: string[] = [];
  const visit = (dir: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        // objects/ is big and never holds these locks.
        if (depth < 6 && entry.name !== 'objects') visit(full, depth + 1);
      } else if (entry.name.endsWith('.lock') && now - statSync(full).mtimeMs >= minAgeMs) {
        rmSync(full, { force: true });
        cleared.push(full);
      }
    }
  };
  visit(gitDir, 0);
  return cleared;
}

/**
 * At the end of a run: deletes feature branches main already contains (a crash can leave them
 * behind). deleteMergedBranch proves each merged first; unmerged work is never touched. The tips
 * kept from before a runner's rebase go once their feature is passing (its rebased commit is on
 * main: a run that died between the landing and dropping them leaves them); a feature that has
 * not landed keeps them.
 */
export function pruneLandedBranches(deps: RunDeps, main: string): number {
  const refs = git(deps.paths.root, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/autocoder/feature-*'])
    .stdout.split('\n')
    .filter(Boolean);
  let deleted = 0;
  for (const branch of refs) {
    if (deleteMergedBranch(deps.paths.root, branch, main)) deleted += 1;
  }
  const kept = new Set(preRebaseRefs(deps.paths.root).map((r) => Number(/(\d+)-\d+$/.exec(r)?.[1])));
  for (const id of kept) {
    if (Number.isSafeInteger(id) && deps.features.find(id)?.status === 'passing')
      dropPreRebaseTips(deps.paths.root, id);
  }
  return deleted;
}
