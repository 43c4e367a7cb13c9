import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { AgentRuntime, ToolGuard } from '../agent/runtime.js';
import type { ClaimPort, EventPort, FeaturePort, HumanInputPort, RunPort, SessionPort } from '../db/ports.js';
import type { Env } from '../config/env.js';
import type { ProjectPaths } from '../config/paths.js';
import type { RunSettings, SettingSource } from '../config/run-settings.js';
import { AppError } from '../domain/errors.js';
import { addLocalExcludes } from '../git/git.js';
import { holdConfigLock, mainBranch } from '../git/workspaces.js';
import type { Redactor } from '../security/redactor.js';
import { formatSpecProblems, validateAppSpec } from '../spec/validate-app-spec.js';
import { BROWSER_EXCLUDES, findChromium, writePlaywrightConfig } from './browser.js';
import type { SessionSummary } from './session-runner.js';
import { clearStaleGitLocks, pruneLandedBranches, runCodingSession, runSessionFor, runSupervisorSession, runTestingSession, type RunContext } from './slot-sessions.js';
import { describeStall } from './stop-reason.js';
import { waitUntil } from './wait.js';
import { sweepRunOrphans } from './temp-sweep.js';
import { pauseRequested, waitForResume } from './pause.js';
import { assertJailableTempDir, findInitJailTools } from './init-jail.js';
import { decideSandbox, SANDBOX_MASKED_PATHS } from './sandbox.js';
import { securitySummary } from './security-summary.js';
import type { WebhookNotify } from './webhooks.js';

const MAX_RATE_LIMIT_BACKOFF_MS = 15 * 60_000;

export interface RunDeps {
  readonly paths: ProjectPaths;
  readonly projectName: string;
  readonly features: FeaturePort;
  readonly claims: ClaimPort;
  readonly sessions: SessionPort;
  readonly runs: RunPort;
  readonly humanInput: HumanInputPort;
  readonly events: EventPort;
  readonly runtime: AgentRuntime;
  readonly settings: RunSettings;
  /** Which settings layer decided a key, for the security line (default: every key `default`). */
  readonly settingSource?: (key: keyof RunSettings) => SettingSource;
  /** The project's allowlist extensions, as the guard applies them. */
  readonly extraCommands?: readonly string[];
  /** Paths the OS sandbox hides from agent commands (`sandboxReadDenyPaths`); missing ones are skipped. */
  readonly sandboxReadDeny?: readonly string[];
  readonly env: Env;
  /** autocoder's own node_modules/.bin. */
  readonly packageBinDir: string;
  /** The guard of one session; `initJail` is its init.sh jail script, when it has one. */
  readonly makeGuard: (projectRoot: string, session?: { readonly initJail?: string }) => ToolGuard;
  readonly redact: Redactor;
  readonly now: () => number;
  /** One human-readable line per notable step (the CLI prints them). */
  readonly report: (line: string) => void;
  /** Tells webhooks about the run; must return at once (the notifier only enqueues). */
  readonly notify?: WebhookNotify;
}

export interface RunResult {
  readonly runId: string;
  readonly status: 'finished' | 'failed' | 'stopped';
  readonly reason: string;
  readonly sessions: number;
}

/** How often the scheduler looks again while sessions run (backoffs end, pause files appear). */
const TICK_MS = 500;

interface ActiveSession {
  readonly kind: 'coding' | 'testing' | 'supervisor';
  readonly featureIds: readonly number[];
  readonly done: Promise<SessionSummary | null>;
}

/**
 * The runner: an initializer session when the backlog is empty, then up to `concurrency` coding
 * agents, each in its own git worktree on its feature's branch, landing finished features on
 * main through the merge queue; beside them up to `testingRatio` testing agents re-verifying
 * passing features. The runner (not the model) claims, heartbeats and settles every feature.
 */
export async function runProject(deps: RunDeps, signal: AbortSignal): Promise<RunResult> {
  const runId = `run_${randomBytes(6).toString('hex')}`;
  recoverDeadRuns(deps);
  if (pauseRequested(deps.paths.pauseDrain)) {
    // A pause left over from an earlier run must not freeze this one (the seed did the same).
    rmSync(deps.paths.pauseDrain, { force: true });
    deps.report('Cleared a pause request left over from an earlier run.');
  }
  // After recoverDeadRuns: the runs that died are recorded as crashed, so their folders are provably orphans now.
  const orphans = await sweepRunOrphans(deps.runs);
  if (orphans.length > 0) deps.report(`Removed ${orphans.length} temporary folder(s) left behind by runs or chats that died.`);
  const locks = clearStaleGitLocks(deps.paths.root, Date.now());
  if (locks.length > 0) deps.report(`Removed ${locks.length} lock file(s) a stopped git process left in .git.`);
  const sandbox = decideSandbox(deps.settings.sandbox, process.platform, deps.env.PATH);
  if (sandbox.warning) deps.report(sandbox.warning);
  // With the sandbox on, ./init.sh and its app leave it to stay reachable; on Linux they go into a jail of their own instead.
  const initJail = sandbox.enabled ? findInitJailTools(process.platform, deps.env.PATH) : null;
  if (initJail) assertJailableTempDir(tmpdir());
  if (sandbox.enabled && initJail === null) deps.report('Warning: ./init.sh and the app it starts run outside the sandbox without a jail (bubblewrap is not available here); they can read your files and autocoder\'s home.');
  deps.report(securitySummary({ settings: deps.settings, sandbox, source: deps.settingSource ?? (() => 'default'), extraCommands: deps.extraCommands ?? [] }));
  // Never committed, shared by every worktree: the runner's own files stay out of commits.
  addLocalExcludes(deps.paths.root, [...(sandbox.enabled ? SANDBOX_MASKED_PATHS : []), '.autocoder/', ...BROWSER_EXCLUDES]);
  const incarnation = randomBytes(8).toString('hex');
  deps.runs.start({ id: runId, pid: process.pid, host: hostname(), incarnation, settings: { ...deps.settings } });
  writePlaywrightConfig(deps.paths.root, findChromium(deps.settings.chromium, deps.env.PATH), process.getuid?.() === 0);
  // Parallel sandboxes share .git: keep its config.lock steady for all of them (see holdConfigLock).
  const releaseConfigLock = sandbox.enabled ? holdConfigLock(deps.paths.root) : () => undefined;
  let sessions = 0;
  const finish = (status: RunResult['status'], reason: string): RunResult => {
    deps.runs.end(runId, status === 'failed' ? 'failed' : 'finished', reason, { stopped: status === 'stopped' });
    deps.report(reason);
    if (status === 'failed') deps.notify?.('run.failed', { runId, status, reason });
    else deps.notify?.('run.finished', { runId, status, reason });
    return { runId, status, reason, sessions };
  };
  try {
    if (deps.features.stats().total === 0) {
      const spec = readSpec(deps.paths);
      deps.report('No features yet: running the initializer session.');
      const initRun: RunContext = { id: runId, incarnation, sandbox: sandbox.enabled, initJail, main: '' };
      const summary = await runSessionFor(deps, initRun, 'initializer', { slot: 0, cwd: deps.paths.root }, null, { spec, feature_count_rule: featureCountRule(spec) }, signal);
      sessions += 1;
      if (signal.aborted) return finish('stopped', 'Stopped during the initializer session.');
      const created = deps.features.stats().total;
      if (created === 0) return finish('failed', `The initializer session ended (${summary.outcome}${summary.error ? `: ${summary.error}` : ''}) without creating any features.`);
      deps.report(`The initializer created ${created} features.`);
    }
    const run: RunContext = { id: runId, incarnation, sandbox: sandbox.enabled, initJail, main: mainBranch(deps.paths.root) };
    const result = await schedule(deps, run, signal);
    sessions += result.sessions;
    pruneLandedBranches(deps, run.main);
    return finish(result.status, result.reason);
  } catch (err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    finish('failed', `The run failed: ${message}`);
    throw err;
  } finally {
    releaseConfigLock();
  }
}

/** How many supervisor sessions may try one request before it is left to a human. */
const SUPERVISOR_TRIES = 2;

/** Fills free slots with work until everything passes, nothing can proceed, or the run is stopped. */
async function schedule(deps: RunDeps, run: RunContext, signal: AbortSignal): Promise<{ status: RunResult['status']; reason: string; sessions: number }> {
  const coding = deps.settings.concurrency;
  const testing = deps.settings.yolo ? 0 : deps.settings.testingRatio;
  // Supervisor mode: one more slot, after the testing ones, answers human-input requests.
  const supervisorSlot = coding + testing;
  const supervisorTries = new Map<string, number>();
  const humanInput = deps.humanInput;
  let waitingFor = '';
  const active = new Map<number, ActiveSession>();
  let sessions = 0;
  let codingSessions = 0;
  let rateLimits = 0;
  let rateLimitedUntil = 0;
  let wake: () => void = () => undefined;
  const poke = () => wake();
  const ticker = setInterval(poke, TICK_MS);
  const live: RunContext = { ...run, wake: poke };
  signal.addEventListener('abort', poke, { once: true });
  const status = () => deps.runs.get(run.id)?.status;
  const setStatus = (next: 'running' | 'draining' | 'paused') => {
    if (status() !== next) deps.runs.setStatus(run.id, next);
  };

  const track = (slot: number, kind: ActiveSession['kind'], featureIds: readonly number[], work: Promise<SessionSummary | null>) => {
    const done = work
      .catch((err: unknown) => {
        deps.report(deps.redact(`Slot ${slot}: the session could not run: ${err instanceof Error ? err.message : String(err)}`));
        return null;
      })
      .then((summary) => {
        active.delete(slot);
        sessions += 1;
        if (summary?.outcome === 'rate_limited') {
          rateLimits += 1;
          // Wait for the reset time the provider named; without one, back off (doubling) so a hard limit is never hammered.
          const backoff = Math.min(deps.settings.rateLimitBackoffMs * 2 ** (rateLimits - 1), MAX_RATE_LIMIT_BACKOFF_MS);
          const named = summary.retryAt !== null && summary.retryAt > deps.now() ? summary.retryAt : null;
          rateLimitedUntil = Math.max(rateLimitedUntil, Math.min(named ?? deps.now() + backoff, deps.now() + deps.settings.maxWaitMs));
          deps.events.append({ type: 'run.rate_limited', at: deps.now(), runId: run.id, payload: { until: rateLimitedUntil, error: summary.error } });
          deps.report(`The model provider refused for a usage or rate limit; no session starts before ${new Date(rateLimitedUntil).toISOString()}.`);
        } else if (summary) {
          rateLimits = 0;
        }
        poke();
        return summary;
      });
    active.set(slot, { kind, featureIds, done });
  };

  try {
    for (;;) {
      const woke = new Promise<void>((resolve) => (wake = resolve));
      if (signal.aborted) {
        await Promise.all([...active.values()].map((a) => a.done));
        return { status: 'stopped', reason: 'Stopped.', sessions };
      }
      const pausing = pauseRequested(deps.paths.pauseDrain);
      if (pausing && active.size === 0) {
        setStatus('draining');
        setStatus('paused');
        deps.report('Paused (drained): no session is running. Resume to continue.');
        await waitForResume(deps.paths.pauseDrain, signal);
        if (signal.aborted) return { status: 'stopped', reason: 'Stopped while paused.', sessions };
        setStatus('running');
        deps.report('Resumed.');
        continue;
      }
      if (pausing && status() !== 'draining') {
        setStatus('draining');
        deps.report(`Pause requested: draining (${active.size} running session${active.size === 1 ? '' : 's'} finish their features first).`);
      }
      if (!pausing && status() === 'draining') setStatus('running');
      const limited = deps.now() < rateLimitedUntil;
      const iterationsLeft = () => deps.settings.maxIterations === undefined || codingSessions < deps.settings.maxIterations;

      if (!pausing && !limited) {
        // Coding slots first: they move the backlog.
        for (let slot = 0; slot < coding && iterationsLeft(); slot++) {
          if (active.has(slot)) continue;
          deps.claims.reapExpired();
          const owner = `${run.id}/ses_${randomBytes(6).toString('hex')}`;
          const claimed = deps.claims.claimNext(owner);
          if (!claimed) break;
          codingSessions += 1;
          waitingFor = '';
          track(slot, 'coding', [claimed.feature.id], runCodingSession(deps, live, slot, { ...claimed, owner }, signal));
        }
        if (deps.settings.supervisor && !active.has(supervisorSlot)) {
          const open = humanInput.list({ status: 'open' }).filter((r) => (supervisorTries.get(r.id) ?? 0) < SUPERVISOR_TRIES);
          if (open.length > 0) {
            for (const r of open) supervisorTries.set(r.id, (supervisorTries.get(r.id) ?? 0) + 1);
            track(supervisorSlot, 'supervisor', open.map((r) => r.featureId), runSupervisorSession(deps, live, supervisorSlot, open, signal));
          }
        }
        // Testing slots only while coding work remains, so a finished backlog ends the run.
        const stats = deps.features.stats();
        if (testing > 0 && stats.passing > 0 && stats.pending + stats.in_progress > 0) {
          const verifying = new Set([...active.values()].filter((a) => a.kind === 'testing').flatMap((a) => a.featureIds));
          for (let slot = coding; slot < coding + testing; slot++) {
            if (active.has(slot)) continue;
            const targets = deps.features.forRegression(10).filter((f) => !verifying.has(f.id)).slice(0, 2);
            if (targets.length === 0) break;
            for (const f of targets) verifying.add(f.id);
            track(slot, 'testing', targets.map((f) => f.id), runTestingSession(deps, run, slot, targets, signal));
          }
        }
      }

      const codingActive = [...active.values()].some((a) => a.kind === 'coding');
      if (!codingActive && !pausing) {
        if (!iterationsLeft()) {
          await Promise.all([...active.values()].map((a) => a.done));
          return { status: 'finished', reason: `Reached --max-iterations ${deps.settings.maxIterations ?? 0}; ${progressLine(deps)}.`, sessions };
        }
        if (limited) {
          if (active.size === 0) await waitUntil(rateLimitedUntil, deps.now, signal);
          else await woke;
          continue;
        }
        const stall = describeStall(deps.features.list(), deps.now());
        if (stall.kind === 'done' || stall.kind === 'stuck') {
          // Testing sessions still running finish first (they may send a feature back).
          if (active.size > 0) {
            await woke;
            continue;
          }
          const waiting = stall.kind === 'stuck' && deps.settings.waitForInput ? humanInput.list({ status: 'open' }) : [];
          if (stall.kind === 'stuck' && waiting.length > 0) {
            // Features wait for answers: the run stays up and goes on as soon as one comes (the tick sees it).
            const ids = waiting.map((r) => r.id).join(',');
            if (ids !== waitingFor) {
              waitingFor = ids;
              const how = waiting.map((r) => `autocoder answer ${deps.projectName} ${r.id}`).join('; ');
              deps.events.append({ type: 'run.waiting', at: deps.now(), runId: run.id, payload: { until: null, reason: `${waiting.length} human-input request(s) open`, requests: waiting.map((r) => r.id) } });
              deps.report(`Waiting for ${waiting.length} human answer${waiting.length === 1 ? '' : 's'} (${stall.reason}); answer in the web UI inbox or with: ${how}. Stop with Ctrl+C or autocoder stop ${deps.projectName}.`);
            }
            await woke;
            continue;
          }
          return { status: 'finished', reason: stall.kind === 'done' ? `All ${stall.total} features pass.` : `Nothing can proceed: ${stall.reason}.`, sessions };
        }
        if (active.size === 0) {
          const until = Math.min(stall.until, deps.now() + deps.settings.maxWaitMs);
          deps.events.append({ type: 'run.waiting', at: deps.now(), runId: run.id, payload: { until, reason: stall.reason } });
          deps.report(`Waiting until ${new Date(until).toISOString()}: ${stall.reason}.`);
          await waitUntil(until, deps.now, signal);
          continue;
        }
      }
      await woke;
    }
  } finally {
    clearInterval(ticker);
    signal.removeEventListener('abort', poke);
  }
}

function readSpec(paths: ProjectPaths): string {
  if (!existsSync(paths.spec)) {
    throw new AppError('NOT_FOUND', `the project has no features and no app spec; write one to ${paths.spec} (template: \`autocoder spec-template\`)`);
  }
  const text = readFileSync(paths.spec, 'utf8');
  const check = validateAppSpec(text);
  if (!check.ok) throw new AppError('INVALID_INPUT', `the app spec has problems:\n${formatSpecProblems(paths.spec, check)}`);
  return text;
}

function featureCountRule(spec: string): string {
  const n = validateAppSpec(spec).featureCount;
  return n === null
    ? 'Size the backlog to the spec: enough features that each is small and testable (typically 20–200).'
    : `The spec asks for about ${n} features; create close to that many.`;
}

function progressLine(deps: RunDeps): string {
  const s = deps.features.stats();
  return `${s.passing}/${s.total} features pass`;
}

/** Frees what runs that died (kill -9, power loss) left behind, before a new run starts. */
function recoverDeadRuns(deps: RunDeps): void {
  const dead = deps.runs.active().filter((r) => {
    if (r.host !== hostname() || r.pid === null) return false;
    if (r.pid === process.pid) return false;
    try {
      process.kill(r.pid, 0);
      throw new AppError('CONFLICT', `a run of this project is already active (pid ${r.pid}, ${r.id}); stop it first`);
    } catch (err: unknown) {
      if (err instanceof AppError) throw err;
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  });
  for (const run of dead) {
    const freed = deps.claims.releaseOwnedBy(`${run.id}/`, `recovered from run ${run.id}, which stopped without finishing`);
    deps.sessions.abortRunning([run.id], 'the runner process died');
    deps.runs.end(run.id, 'crashed', 'the runner process died', { released: freed });
    if (freed.length > 0) deps.report(`Recovered ${freed.length} feature(s) from a run that died: ${freed.map((id) => `#${id}`).join(', ')}.`);
  }
  deps.claims.reapExpired();
}
