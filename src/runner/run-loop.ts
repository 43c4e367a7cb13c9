import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentRole, AgentRuntime, AgentSpec, ToolGuard } from '../agent/runtime.js';
import { renderPrompt } from '../agent/prompt-template.js';
import { loadPromptTemplate, type PromptName } from '../agent/prompts.js';
import type { Claim, ClaimRepo } from '../db/claim-repo.js';
import type { Db } from '../db/connection.js';
import { appendEvent } from '../db/event-repo.js';
import type { FeatureRepo } from '../db/feature-repo.js';
import type { Feature } from '../db/feature-rows.js';
import type { RunRepo } from '../db/run-repo.js';
import type { SessionRepo } from '../db/session-repo.js';
import { buildAgentEnv } from '../config/agent-env.js';
import type { Env } from '../config/env.js';
import type { ProjectPaths } from '../config/paths.js';
import type { RunSettings } from '../config/run-settings.js';
import { AppError } from '../domain/errors.js';
import { createFeatureTools } from '../mcp/feature-tools.js';
import { createToolSession } from '../mcp/tool-session.js';
import { addLocalExcludes, gitIdentity } from '../git/git.js';
import { formatSpecProblems, validateAppSpec } from '../spec/validate-app-spec.js';
import { closeBrowserSession, findChromium, writePlaywrightConfig } from './browser.js';
import { ROLE_PROFILES } from './roles.js';
import { runRecordedSession, type SessionSummary } from './session-runner.js';
import { describeStall } from './stop-reason.js';
import { waitUntil } from './wait.js';
import { pauseRequested, waitForResume } from './pause.js';
import { decideSandbox, SANDBOX_MASKED_PATHS, UNSANDBOXED_COMMANDS } from './sandbox.js';
import type { WebhookEvent } from './webhooks.js';

const MAX_RATE_LIMIT_BACKOFF_MS = 15 * 60_000;

export interface RunDeps {
  readonly paths: ProjectPaths;
  readonly projectName: string;
  readonly db: Db;
  readonly features: FeatureRepo;
  readonly claims: ClaimRepo;
  readonly sessions: SessionRepo;
  readonly runs: RunRepo;
  readonly runtime: AgentRuntime;
  readonly settings: RunSettings;
  readonly env: Env;
  /** autocoder's own node_modules/.bin. */
  readonly packageBinDir: string;
  readonly makeGuard: (projectRoot: string) => ToolGuard;
  readonly redact: (text: string) => string;
  readonly now: () => number;
  /** One human-readable line per notable step (the CLI prints them). */
  readonly report: (line: string) => void;
  /** Tells webhooks about the run; must return at once (the notifier only enqueues). */
  readonly notify?: (event: WebhookEvent, data: Record<string, unknown>) => void;
}

/** What every session of one run shares. */
interface RunContext {
  readonly id: string;
  readonly sandbox: boolean;
}

export interface RunResult {
  readonly runId: string;
  readonly status: 'finished' | 'failed' | 'stopped';
  readonly reason: string;
  readonly sessions: number;
}

/**
 * One agent working a project: an initializer session when the backlog is empty, then one
 * fresh coding session per ready feature until everything passes or nothing can proceed.
 * The runner (not the model) claims, heartbeats and settles each feature.
 */
export async function runProject(deps: RunDeps, signal: AbortSignal): Promise<RunResult> {
  const runId = `run_${randomBytes(6).toString('hex')}`;
  recoverDeadRuns(deps);
  if (pauseRequested(deps.paths.pauseDrain)) {
    // A pause left over from an earlier run must not freeze this one (the seed did the same).
    rmSync(deps.paths.pauseDrain, { force: true });
    deps.report('Cleared a pause request left over from an earlier run.');
  }
  const sandbox = decideSandbox(deps.settings.sandbox, process.platform, deps.env.PATH);
  if (sandbox.warning) deps.report(sandbox.warning);
  const run: RunContext = { id: runId, sandbox: sandbox.enabled };
  if (sandbox.enabled) addLocalExcludes(deps.paths.root, SANDBOX_MASKED_PATHS);
  deps.runs.start({ id: runId, pid: process.pid, host: hostname(), incarnation: randomBytes(8).toString('hex'), settings: { ...deps.settings } });
  writePlaywrightConfig(deps.paths.root, findChromium(deps.settings.chromium, deps.env.PATH), process.getuid?.() === 0);
  let sessions = 0;
  let codingSessions = 0;
  let rateLimits = 0;
  const finish = (status: RunResult['status'], reason: string): RunResult => {
    deps.runs.end(runId, status === 'failed' ? 'failed' : 'finished', reason, { stopped: status === 'stopped' });
    deps.report(reason);
    deps.notify?.(status === 'failed' ? 'run.failed' : 'run.finished', { runId, status, reason });
    return { runId, status, reason, sessions };
  };
  try {
    if (deps.features.stats().total === 0) {
      const spec = readSpec(deps.paths);
      deps.report('No features yet: running the initializer session.');
      const summary = await runSessionFor(deps, run, 'initializer', null, { spec, feature_count_rule: featureCountRule(spec) }, signal);
      sessions += 1;
      if (signal.aborted) return finish('stopped', 'Stopped during the initializer session.');
      const created = deps.features.stats().total;
      if (created === 0) return finish('failed', `The initializer session ended (${summary.outcome}${summary.error ? `: ${summary.error}` : ''}) without creating any features.`);
      deps.report(`The initializer created ${created} features.`);
    }
    for (;;) {
      if (signal.aborted) return finish('stopped', 'Stopped.');
      if (pauseRequested(deps.paths.pauseDrain)) {
        // Drain: the session that was running has finished its feature; start nothing new.
        if (deps.runs.get(runId)?.status !== 'draining') deps.runs.setStatus(runId, 'draining');
        deps.runs.setStatus(runId, 'paused');
        deps.report('Paused (drained): no session is running. Resume to continue.');
        await waitForResume(deps.paths.pauseDrain, signal);
        if (signal.aborted) return finish('stopped', 'Stopped while paused.');
        deps.runs.setStatus(runId, 'running');
        deps.report('Resumed.');
        continue;
      }
      if (deps.settings.maxIterations !== undefined && codingSessions >= deps.settings.maxIterations) {
        return finish('finished', `Reached --max-iterations ${deps.settings.maxIterations}; ${progressLine(deps)}.`);
      }
      deps.claims.reapExpired();
      const owner = `${runId}/ses_${randomBytes(6).toString('hex')}`;
      const claimed = deps.claims.claimNext(owner);
      if (!claimed) {
        const stall = describeStall(deps.features.list(), deps.now());
        if (stall.kind === 'done') return finish('finished', `All ${stall.total} features pass.`);
        if (stall.kind === 'stuck') return finish('finished', `Nothing can proceed: ${stall.reason}.`);
        const until = Math.min(stall.until, deps.now() + deps.settings.maxWaitMs);
        appendEvent(deps.db, { type: 'run.waiting', at: deps.now(), runId, payload: { until, reason: stall.reason } });
        deps.report(`Waiting until ${new Date(until).toISOString()}: ${stall.reason}.`);
        await waitUntil(until, deps.now, signal);
        continue;
      }
      const stopWatching = watchForDrain(deps, runId);
      const summary = await runCodingSession(deps, run, claimed.claim, claimed.feature, owner, signal).finally(stopWatching);
      sessions += 1;
      codingSessions += 1;
      rateLimits = summary.outcome === 'rate_limited' ? rateLimits + 1 : 0;
      if (summary.outcome === 'rate_limited') {
        // Wait for the reset time the provider named; without one, back off (doubling) so a
        // hard limit is never hammered.
        const backoff = Math.min(deps.settings.rateLimitBackoffMs * 2 ** (rateLimits - 1), MAX_RATE_LIMIT_BACKOFF_MS);
        const named = summary.retryAt !== null && summary.retryAt > deps.now() ? summary.retryAt : null;
        const until = Math.min(named ?? deps.now() + backoff, deps.now() + deps.settings.maxWaitMs);
        appendEvent(deps.db, { type: 'run.rate_limited', at: deps.now(), runId, payload: { until, error: summary.error } });
        deps.report(`The model provider refused for a usage or rate limit; waiting until ${new Date(until).toISOString()}.`);
        await waitUntil(until, deps.now, signal);
      }
    }
  } catch (err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    finish('failed', `The run failed: ${message}`);
    throw err;
  }
}

/** Marks the run `draining` as soon as a pause is requested while a session is working. */
function watchForDrain(deps: RunDeps, runId: string): () => void {
  const timer = setInterval(() => {
    if (!pauseRequested(deps.paths.pauseDrain)) return;
    clearInterval(timer);
    deps.runs.setStatus(runId, 'draining');
    deps.report('Pause requested: draining (the running session finishes its feature first).');
  }, 250);
  return () => clearInterval(timer);
}

/** Runs the session for one claimed feature and settles the claim however the session ended. */
async function runCodingSession(deps: RunDeps, run: RunContext, claim: Claim, feature: Feature, owner: string, signal: AbortSignal): Promise<SessionSummary> {
  deps.report(`Feature #${feature.id} ${feature.name}: attempt ${feature.attempts}/${feature.maxAttempts}.`);
  const sessionAbort = new AbortController();
  const onStop = () => sessionAbort.abort();
  signal.addEventListener('abort', onStop, { once: true });
  let leaseLost = false;
  const heartbeat = setInterval(() => {
    if (!deps.claims.heartbeat(claim)) {
      leaseLost = true;
      sessionAbort.abort();
    }
  }, deps.settings.heartbeatMs);
  let summary: SessionSummary;
  try {
    summary = await runSessionFor(deps, run, 'coding', { claim, feature, owner }, codingVars(feature, deps.settings.yolo), sessionAbort.signal);
  } finally {
    clearInterval(heartbeat);
    signal.removeEventListener('abort', onStop);
  }
  settle(deps, claim, summary, leaseLost, signal.aborted);
  const after = deps.features.get(feature.id);
  if (after.status === 'passing') deps.notify?.('feature.passed', { featureId: feature.id, featureName: feature.name });
  deps.report(`Feature #${feature.id} is now ${after.status} (session ${summary.outcome}, $${summary.costUsd.toFixed(4)}).`);
  return summary;
}

/** A claim the session did not settle itself is settled here, so nothing is left in limbo. */
function settle(deps: RunDeps, claim: Claim, summary: SessionSummary, leaseLost: boolean, stopping: boolean): void {
  if (leaseLost || !deps.claims.holds(claim)) return;
  if (stopping || summary.outcome === 'aborted') {
    deps.claims.release(claim, 'the run was stopped during this session');
  } else if (summary.outcome === 'rate_limited') {
    deps.claims.release(claim, 'the model provider refused for a usage or rate limit');
  } else {
    const why = summary.outcome === 'success' ? 'the session ended without marking the feature passing' : `the session ended with ${summary.outcome}${summary.error ? `: ${summary.error}` : ''}`;
    deps.claims.markFailing(claim, why);
  }
}

async function runSessionFor(
  deps: RunDeps,
  run: RunContext,
  role: AgentRole,
  work: { claim: Claim; feature: Feature; owner: string } | null,
  vars: Record<string, string | boolean>,
  signal: AbortSignal,
): Promise<SessionSummary> {
  const sessionId = work ? (work.owner.split('/')[1] as string) : `ses_${randomBytes(6).toString('hex')}`;
  const profile = ROLE_PROFILES[role];
  const toolSession = createToolSession(work?.owner ?? `${run.id}/${sessionId}`, work ? [work.claim] : []);
  const tools = createFeatureTools({ features: deps.features, claims: deps.claims, session: toolSession }).filter((t) => profile.featureTools.includes(t.name));
  const sessionDir = join(tmpdir(), `ac-${sessionId.slice(-12)}`);
  mkdirSync(join(sessionDir, 'tmp'), { recursive: true });
  mkdirSync(join(sessionDir, 'home'), { recursive: true });
  const identity = gitIdentity(deps.paths.root);
  const port = deps.settings.basePort;
  const env = buildAgentEnv(deps.env, {
    sessionDir,
    packageBinDir: deps.packageBinDir,
    extra: {
      PLAYWRIGHT_CLI_SESSION: `ac-${sessionId.slice(-12)}`,
      PORT: String(port),
      GIT_AUTHOR_NAME: identity.name,
      GIT_AUTHOR_EMAIL: identity.email,
      GIT_COMMITTER_NAME: identity.name,
      GIT_COMMITTER_EMAIL: identity.email,
    },
  });
  const allVars = { project_name: deps.projectName, browser: !deps.settings.yolo, port: String(port), ...vars };
  const spec: AgentSpec = {
    role,
    prompt: prompt(deps, role, allVars),
    systemPrompt: prompt(deps, 'system', allVars),
    cwd: deps.paths.root,
    model: deps.settings.model,
    builtinTools: profile.builtinTools,
    mcpServerName: 'features',
    mcpTools: tools,
    guard: deps.makeGuard(deps.paths.root),
    maxTurns: deps.settings.maxTurns ?? profile.maxTurns,
    sandbox: { enabled: run.sandbox, unsandboxedCommands: UNSANDBOXED_COMMANDS },
    env,
  };
  try {
    const summary = await runRecordedSession(
      { db: deps.db, sessions: deps.sessions, runtime: deps.runtime, logsDir: deps.paths.logs, runId: run.id, now: deps.now, redact: deps.redact },
      { sessionId, slot: 0, featureIds: work ? [work.feature.id] : [], spec },
      signal,
    );
    if (summary.commands.some((c) => c.includes('playwright-cli'))) await closeBrowserSession(deps.paths.root, env);
    return summary;
  } finally {
    rmSync(sessionDir, { recursive: true, force: true });
  }
}

function prompt(deps: RunDeps, name: PromptName, vars: Record<string, string | boolean>): string {
  const template = loadPromptTemplate(name, deps.paths.prompts);
  return renderPrompt(template.text, vars, template.source);
}

function codingVars(f: Feature, yolo: boolean): Record<string, string | boolean> {
  return {
    feature_id: String(f.id),
    feature_name: f.name,
    feature_category: f.category,
    feature_description: f.description,
    feature_steps: f.steps.map((s, i) => `${i + 1}. ${s}`).join('\n'),
    previous_notes: f.notes ? `\nNotes from earlier attempts:\n${f.notes}` : '',
    browser: !yolo,
  };
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
