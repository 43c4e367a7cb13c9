import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { createOwnedDir, disposeDir } from '../agent/session-dirs.js';
import { findOnPath } from '../config/sandbox-support.js';
import { AppError } from '../domain/errors.js';
import type { Logger } from '../logging/logger.js';
import { redactJson, type Redactor } from '../security/redactor.js';
import {
  AcceptanceSchema,
  DEFAULT_CHECK_TIMEOUT_MS,
  MAX_CHECK_TIMEOUT_MS,
  VERIFICATION_TRIGGERS,
  needsApp,
  type AcceptanceCheck,
  type CheckResult,
  type Verification,
} from '../shared/acceptance.js';
import { startApp, type RunningApp } from './app.js';
import { closeBrowser, launchBrowser, runBrowserCheck } from './browser-check.js';
import { leaseVerifyWorktree, prepareCheckout, type WorktreeLease } from './checkout.js';
import { runCommandCheck, type CheckOutcome } from './command-check.js';
import { APP_LOG_FILE, evidenceDirOf, VERIFICATION_ID, writeResult } from './evidence.js';
import { runHttpCheck } from './http-check.js';
import { confinementFor } from './jail-runner.js';
import { DEFAULT_OUTPUT_CHARS } from './output.js';
import { DEFAULT_PREPARE_MS, PREPARE_LOG_FILE, prepareDependencies } from './prepare.js';
import type { Browser } from 'playwright-core';

/**
 * The verification engine: runs the frozen acceptance checks of a feature (and of the passing
 * features it depends on) against exactly one commit, the way the runner decides whether that
 * commit may land, and keeps the evidence. Nothing here asks a model anything.
 */

export const DEFAULT_APP_START_MS = 60_000;
export const DEFAULT_STEP_MS = 5_000;

const LimitsSchema = z.strictObject({
  /** A check's time limit when it names none. */
  checkMs: z.number().int().min(1_000).max(MAX_CHECK_TIMEOUT_MS).default(DEFAULT_CHECK_TIMEOUT_MS),
  /** How long `./init.sh` may take until the app accepts connections. */
  appStartMs: z.number().int().min(500).max(MAX_CHECK_TIMEOUT_MS).default(DEFAULT_APP_START_MS),
  /** How long a browser step waits for its element or text. */
  stepMs: z.number().int().min(100).max(60_000).default(DEFAULT_STEP_MS),
  /** How long installing the checkout's dependencies may take (see prepare.ts). */
  prepareMs: z.number().int().min(1_000).max(MAX_CHECK_TIMEOUT_MS).default(DEFAULT_PREPARE_MS),
  /** Characters kept of each check's output (its end). */
  outputChars: z.number().int().min(200).max(100_000).default(DEFAULT_OUTPUT_CHARS),
});
export type VerifyLimits = z.infer<typeof LimitsSchema>;

/** The data of a verification request (what the caller decided), validated at the boundary. */
export const VerifyRequestSchema = z.strictObject({
  projectRoot: z.string().refine((p) => isAbsolute(p), 'the project root must be an absolute path'),
  /** The commit to verify: a sha (or a branch name, resolved once when the checkout is made). */
  commit: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/, 'a commit sha or a branch name'),
  /** The feature being verified: its evidence folder is named by it. */
  featureId: z.number().int().positive(),
  verificationId: z.string().regex(VERIFICATION_ID, 'letters, digits, _ and - (it names the evidence folder)'),
  trigger: z.enum(VERIFICATION_TRIGGERS),
  sessionId: z.string().min(1).nullable().default(null),
  /**
   * The checks to run, by feature (the feature's own and those of the passing features it depends on), run in this
   * order.
   */
  groups: z
    .array(z.strictObject({ featureId: z.number().int().positive(), checks: AcceptanceSchema }))
    .min(1, 'give the checks of at least one feature'),
  /** The port the app listens on (`PORT` for `./init.sh`); it must be free. */
  port: z.number().int().min(1_024).max(65_535),
  /** The OS sandbox: checks and the app run in the jail when it is on. */
  sandbox: z.boolean(),
  /** The project's allowlist extensions (as the Bash policy applies them to agents). */
  extraCommands: z.array(z.string()).default([]),
  /** What the jail hides (`sandboxReadDenyPaths`). */
  hiddenPaths: z.array(z.string().refine((p) => isAbsolute(p), 'hidden paths are absolute')).default([]),
  /** The Chromium to run browser checks in (`findChromium`); null when none was found. */
  chromium: z.string().min(1).nullable(),
  limits: LimitsSchema.default(LimitsSchema.parse({})),
});
export type VerifyRequest = z.infer<typeof VerifyRequestSchema>;

/** What the caller records about a verification (the gate connects it to the store). */
export interface VerificationRecorder {
  /** The verification began (status `running`); called before anything runs. */
  onStarted(verification: Verification): void;
  /** One check finished. */
  onCheck?(result: CheckResult, verification: Verification): void;
  /** It ended (passed, failed or error), after everything it started was stopped and result.json was written. */
  onFinished(verification: Verification): void;
}

export type VerifyInput = z.input<typeof VerifyRequestSchema> & {
  /** The environment programs start from (PATH, locale…); `PORT`, `HOME` and `TMPDIR` are the verification's own. */
  readonly env: Readonly<Record<string, string>>;
  /** Masks secrets in every output before it is cut, kept or written. */
  readonly redact: Redactor;
  readonly logger: Logger;
  readonly recorder?: VerificationRecorder;
  readonly now?: () => number;
};

/** The verification was stopped from outside. */
class Aborted extends Error {}

/**
 * Verifies one commit: checks it out in a verification worktree of its own, starts the app with
 * `./init.sh` when an http or browser check needs it, runs every check in order (commands
 * through the Bash policy and the jail, requests to the app, steps in Chromium), stops
 * everything it started, and writes the evidence (`result.json`, screenshots, traces,
 * `app.log`) under `.autocoder/evidence/feature-<id>/<verification-id>/`. Invalid input
 * throws; anything that goes wrong while verifying ends as status `error` with the reason.
 */
export async function verifyCommit(input: VerifyInput, signal: AbortSignal): Promise<Verification> {
  const { env: baseEnv, redact, logger, recorder, now: clock, ...data } = input;
  const parsed = VerifyRequestSchema.safeParse(data);
  if (!parsed.success) {
    throw new AppError(
      'INVALID_INPUT',
      `invalid verification request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  const req = parsed.data;
  const now = clock ?? Date.now;
  const evidenceDir = evidenceDirOf(req.featureId, req.verificationId);
  const evidenceAbs = join(req.projectRoot, evidenceDir);
  if (!existsSync(req.projectRoot))
    throw new AppError('NOT_FOUND', `the project folder ${req.projectRoot} does not exist`);
  if (existsSync(evidenceAbs))
    throw new AppError(
      'INVALID_INPUT',
      `the evidence folder ${evidenceDir} exists already: each verification needs an id of its own`,
    );
  mkdirSync(evidenceAbs, { recursive: true });

  const verification: Verification = {
    id: req.verificationId,
    featureId: req.featureId,
    commit: req.commit,
    trigger: req.trigger,
    status: 'running',
    sessionId: req.sessionId,
    startedAt: now(),
    endedAt: null,
    evidenceDir,
    checks: [],
    error: null,
  };
  recorder?.onStarted(structuredClone(verification));
  const log = logger.child({ verification: req.verificationId, feature: req.featureId });
  log.info({ commit: req.commit, checks: req.groups.reduce((n, g) => n + g.checks.length, 0) }, 'verification started');

  let lease: WorktreeLease | null = null;
  let workDir: string | null = null;
  let app: RunningApp | null = null;
  let browser: Browser | null = null;
  try {
    if (signal.aborted) throw new Aborted();
    const all = req.groups.flatMap((g) => g.checks);
    if (all.some((c) => c.kind === 'browser') && req.chromium === null) {
      throw new AppError(
        'NOT_FOUND',
        'browser checks need Chromium, and none was found: install chromium (Debian/Ubuntu: apt-get install chromium) or set the chromium setting to its path',
      );
    }
    lease = leaseVerifyWorktree(req.projectRoot);
    const { checkout, commit } = await prepareCheckout(req.projectRoot, lease, req.commit);
    verification.commit = commit;
    workDir = createOwnedDir(tmpdir(), `v${randomBytes(6).toString('hex')}`, {
      purpose: 'verification',
      run: null,
      project: req.projectRoot,
      keep: false,
    });
    const env: Record<string, string> = {
      ...baseEnv,
      PORT: String(req.port),
      HOME: join(workDir, 'home'),
      TMPDIR: join(workDir, 'tmp'),
    };
    const confinement = confinementFor({ sandbox: req.sandbox, path: baseEnv.PATH, hidden: req.hiddenPaths }, () =>
      log.warn('the sandbox is on, but bubblewrap is not available here: the checks and the app run outside any jail'),
    );
    const marker = `ac-verify-${randomBytes(8).toString('hex')}`;
    const origin = `http://127.0.0.1:${req.port}`;
    // A fresh checkout has no node_modules: `npm test` must not fail for that reason.
    const prepared = await prepareDependencies(
      {
        checkout,
        workDir,
        env,
        confinement,
        logFile: join(evidenceAbs, PREPARE_LOG_FILE),
        timeoutMs: req.limits.prepareMs,
        redact,
        marker,
      },
      signal,
    );
    if (prepared.ran) log.info({ command: prepared.command, ms: prepared.ms }, 'dependencies installed');
    if (signal.aborted) throw new Aborted();
    if (needsApp(all)) {
      app = await startApp(
        {
          checkout,
          workDir,
          port: req.port,
          env,
          confinement,
          logFile: join(evidenceAbs, APP_LOG_FILE),
          timeoutMs: req.limits.appStartMs,
          redact,
          marker,
        },
        signal,
      );
    }
    const bash = confinement?.tools.bash ?? findOnPath('bash', env.PATH) ?? '/bin/bash';
    let n = 0;
    for (const group of req.groups) {
      for (const [index, check] of group.checks.entries()) {
        if (signal.aborted) throw new Aborted();
        n += 1;
        const timeoutMs = check.timeoutMs ?? req.limits.checkMs;
        let outcome: CheckOutcome;
        if (check.kind === 'command') {
          outcome = await runCommandCheck(
            check,
            {
              checkout,
              workDir,
              n,
              env,
              confinement,
              extraCommands: req.extraCommands,
              bash,
              timeoutMs,
              redact,
              outputChars: req.limits.outputChars,
              marker,
            },
            signal,
          );
        } else if (check.kind === 'http') {
          outcome = await runHttpCheck(
            check,
            { origin, timeoutMs, redact, outputChars: req.limits.outputChars },
            signal,
          );
        } else {
          const browserEnv = { ...env, TMPDIR: join(workDir, 'browser') };
          mkdirSync(browserEnv.TMPDIR, { recursive: true });
          browser ??= await launchBrowser({
            executablePath: req.chromium as string,
            env: browserEnv,
            timeoutMs: 30_000,
          });
          outcome = await runBrowserCheck(
            check,
            {
              browser,
              origin,
              evidenceDir: evidenceAbs,
              n,
              timeoutMs,
              stepMs: req.limits.stepMs,
              redact,
              outputChars: req.limits.outputChars,
            },
            signal,
          );
        }
        const result = checkResult(group.featureId, index, check, outcome, app);
        verification.checks.push(result);
        log.debug(
          { check: n, kind: check.kind, passed: result.passed, ms: result.durationMs },
          result.failure ?? 'check passed',
        );
        recorder?.onCheck?.(result, structuredClone(verification));
      }
    }
    if (signal.aborted) throw new Aborted();
    verification.status = verification.checks.every((c) => c.passed) ? 'passed' : 'failed';
  } catch (err: unknown) {
    verification.status = 'error';
    verification.error = redact(
      signal.aborted || err instanceof Aborted
        ? 'the verification was aborted; everything it started was stopped'
        : err instanceof Error
          ? err.message
          : String(err),
    );
    if (!(err instanceof AppError) && !(err instanceof Aborted)) log.error({ err }, 'verification failed unexpectedly');
  } finally {
    // Everything it started stops, whatever happened: the browser, the app, and anything left with its TMPDIR.
    const cleanup: [string, () => Promise<void> | void][] = [
      ['close the browser', () => (browser === null ? undefined : closeBrowser(browser, log))],
      ['stop the app', () => app?.stop()],
      ['stop what is left and remove the temporary folder', () => (workDir === null ? undefined : disposeDir(workDir))],
      ['release the verification worktree', () => lease?.release()],
    ];
    for (const [what, step] of cleanup) {
      try {
        await step();
      } catch (err: unknown) {
        log.warn({ err }, `could not ${what} after the verification`);
      }
    }
  }
  verification.endedAt = now();
  const done = redactJson(redact, verification);
  writeResult(evidenceAbs, done);
  log.info(
    {
      status: done.status,
      ms: done.endedAt === null ? null : done.endedAt - done.startedAt,
      failed: done.checks.filter((c) => !c.passed).length,
    },
    'verification finished',
  );
  recorder?.onFinished(done);
  return done;
}

function checkResult(
  featureId: number,
  index: number,
  check: AcceptanceCheck,
  outcome: CheckOutcome,
  app: RunningApp | null,
): CheckResult {
  // A request or page that failed is often explained by the app's own output.
  const appTail = !outcome.passed && check.kind !== 'command' && app !== null ? app.logTail() : '';
  return {
    featureId,
    index,
    kind: check.kind,
    name: check.name ?? null,
    passed: outcome.passed,
    durationMs: Math.max(0, Math.round(outcome.durationMs)),
    output:
      appTail.trim() === '' ? outcome.output : `${outcome.output}\n--- the end of the app's output ---\n${appTail}`,
    failure: outcome.failure,
    evidence: [...outcome.evidence],
  };
}
