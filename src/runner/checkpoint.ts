import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createOwnedDir, disposeDir } from '../agent/session-dirs.js';
import { collectToolFacts } from '../checkpoint/facts.js';
import { agentOfToolFinding } from '../checkpoint/tool-output.js';
import { checkpointReportMarkdown } from '../checkpoint/report-markdown.js';
import { buildCheckEnv } from '../config/agent-env.js';
import type { CheckpointPort, Feature } from '../db/ports.js';
import { fixFeatureOf, FIXABLE, toolFixFeatureOf } from '../domain/findings.js';
import { git, gitOk } from '../git/git.js';
import { createReviewTools } from '../mcp/review-tools.js';
import type { Checkpoint, CheckpointAgent, CheckpointTrigger, Finding, ToolFact } from '../shared/checkpoints.js';
import { startApp, type RunningApp } from '../verify/app.js';
import { leaseVerifyWorktree, prepareCheckout, type WorktreeLease } from '../verify/checkout.js';
import { confinementFor } from '../verify/jail-runner.js';
import { DEFAULT_PREPARE_MS, prepareDependencies } from '../verify/prepare.js';
import { budgeted, budgetLimits, refusalLine, reserveSession } from './budget.js';
import type { RunDeps } from './run-loop.js';
import type { SessionSummary } from './session-runner.js';
import { runSessionFor, type RunContext } from './slot-sessions.js';
import { freeVerificationPort } from './verification.js';

/**
 * A checkpoint (issue #17): main at one commit, reviewed in a checkout of its own while coding slots go on. Facts
 * first — the project's own tools (facts.ts) — then one read-only `reviewer` session per kind (code, security,
 * performance), each with the tool results, the diff since the previous checkpoint and the findings still open; the
 * security and performance reviewers also get the app, started with `./init.sh` on a free port. Findings are stored by
 * fingerprint; critical and major ones become fix features; the report is written to
 * `.autocoder/checkpoints/checkpoint-<n>.md`. Everything it started is stopped, also on abort.
 */

/** Where in the reviewers' checkout the runner puts what they read (the facts, the diff, the open findings). */
export const REVIEW_INPUTS_DIR = join('.autocoder', 'checkpoint-inputs');
/** The slot number reviewer sessions report under (their own row in mission control, never a coding slot's). */
export const CHECKPOINT_SLOT = 90;
/** Where a checkpoint's files go: the report beside a folder with what its reviewers read. */
export const CHECKPOINTS_DIR = join('.autocoder', 'checkpoints');
const APP_START_MS = 60_000;
const FACT_MS = 300_000;

export interface CheckpointRequest {
  readonly trigger: CheckpointTrigger;
  readonly agents: readonly CheckpointAgent[];
}

export interface CheckpointOutcome {
  readonly checkpoint: Checkpoint;
  /** Critical findings open after it (seen in it). */
  readonly critical: readonly Finding[];
  readonly fixFeatures: readonly Feature[];
}

/** One line per tool, for the reviewers' prompts. */
export function factsSummary(facts: readonly ToolFact[]): string {
  return facts.length === 0 ? 'no tools ran' : facts.map((f) => `${f.kind} ${f.status}: ${f.summary}`).join('; ');
}

export async function runCheckpoint(
  deps: RunDeps & { readonly checkpoints: CheckpointPort },
  run: RunContext,
  request: CheckpointRequest,
  signal: AbortSignal,
): Promise<CheckpointOutcome> {
  const store = deps.checkpoints;
  const commit = gitOk(deps.paths.root, ['rev-parse', run.main]).trim();
  const previous = store.latestFinished();
  const checkpoint = store.start({
    runId: run.id,
    trigger: request.trigger,
    commit,
    previousCommit: previous?.commit ?? null,
    agents: request.agents,
    passing: deps.features.stats().passing,
  });
  const n = checkpoint.n;
  deps.report(
    `Checkpoint ${n} (${request.trigger.replace(/_/g, ' ')}): reviewing ${run.main} at ${commit.slice(0, 8)} (${request.agents.join(', ')}).`,
  );
  const dir = join(deps.paths.root, CHECKPOINTS_DIR, `checkpoint-${n}`);
  mkdirSync(dir, { recursive: true });
  let lease: WorktreeLease | null = null;
  let workDir: string | null = null;
  let app: RunningApp | null = null;
  const sessions: SessionSummary[] = [];
  const reviewed: CheckpointAgent[] = [];
  // The findings each tool reported, by tool: its serious ones share one fix feature.
  const toolFindings = new Map<string, { command: string; ids: string[] }>();
  try {
    lease = leaseVerifyWorktree(deps.paths.root);
    const { checkout } = await prepareCheckout(deps.paths.root, lease, commit);
    workDir = createOwnedDir(tmpdir(), `c${randomBytes(6).toString('hex')}`, {
      purpose: 'verification',
      run: null,
      project: deps.paths.root,
      keep: false,
    });
    const port = await freeVerificationPort();
    const env: Record<string, string> = {
      ...buildCheckEnv(deps.env),
      PORT: String(port),
      HOME: join(workDir, 'home'),
      TMPDIR: join(workDir, 'tmp'),
    };
    const confinement = confinementFor({
      sandbox: run.sandbox,
      path: deps.env.PATH,
      hidden: [...(deps.sandboxReadDeny ?? [])],
    });
    const marker = `ac-checkpoint-${randomBytes(8).toString('hex')}`;
    const redact = deps.redact;
    // The tools need the project's dependencies, as a verification's checks do.
    await prepareDependencies(
      {
        checkout,
        workDir,
        env,
        confinement,
        logFile: join(dir, 'prepare.log'),
        timeoutMs: DEFAULT_PREPARE_MS,
        redact,
        marker,
      },
      signal,
    );

    // Facts first: the project's own tools, their problems recorded as findings (source: tool).
    const facts = await collectToolFacts(
      {
        checkout,
        workDir,
        env,
        confinement,
        extraCommands: [...(deps.extraCommands ?? [])],
        redact,
        timeoutMs: FACT_MS,
        marker,
      },
      signal,
    );
    store.recordFacts(n, facts);
    for (const fact of facts)
      for (const f of fact.findings) {
        const seen = store.see(n, { ...f, agent: agentOfToolFinding(fact.kind, f), source: 'tool' });
        const group = toolFindings.get(fact.kind) ?? { command: fact.command, ids: [] };
        group.ids.push(seen.finding.id);
        toolFindings.set(fact.kind, group);
      }
    writeFileSync(join(dir, 'facts.json'), `${JSON.stringify(facts, null, 2)}\n`);
    // What the reviewers read goes into their checkout as well: their file tools may read only inside it (the
    // checkpoint's folder in the project's .autocoder is outside), and the next lease cleans it away.
    const inputs = join(checkout, REVIEW_INPUTS_DIR);
    mkdirSync(inputs, { recursive: true });
    const handOver = (file: string) => {
      const copy = join(inputs, basename(file));
      copyFileSync(file, copy);
      return copy;
    };
    const diffFile = join(dir, 'diff.patch');
    const range = previous === undefined ? null : `${previous.commit}..${commit}`;
    if (range === null)
      git(deps.paths.root, ['show', '--no-color', '--stat', '--patch', `--output=${diffFile}`, commit]);
    else git(deps.paths.root, ['diff', '--no-color', `--output=${diffFile}`, range]);

    // The app, for the reviewers who probe it.
    let appNote = 'no reviewer needs it';
    if (request.agents.some((a) => a === 'security' || a === 'performance') && !signal.aborted) {
      try {
        app = await startApp(
          {
            checkout,
            workDir,
            port,
            env,
            confinement,
            logFile: join(dir, 'app.log'),
            timeoutMs: APP_START_MS,
            redact,
            marker,
          },
          signal,
        );
      } catch (err: unknown) {
        appNote = `./init.sh did not start it: ${err instanceof Error ? err.message : String(err)}`;
        deps.report(`Checkpoint ${n}: the app did not start for the reviewers (${appNote}).`);
      }
    }

    for (const agent of request.agents) {
      if (signal.aborted) break;
      const open = store.findings({ agent, status: 'open' });
      const openFile = join(dir, `open-findings-${agent}.json`);
      writeFileSync(openFile, `${JSON.stringify(open, null, 2)}\n`);
      const review = await runReviewer(
        deps,
        run,
        n,
        agent,
        {
          checkpoint_n: String(n),
          commit: commit.slice(0, 12),
          checkout,
          facts_file: handOver(join(dir, 'facts.json')),
          facts_summary: factsSummary(facts),
          diff_file: handOver(diffFile),
          diff_range: range ?? `the first checkpoint: commit ${commit.slice(0, 8)} itself`,
          open_findings_file: handOver(openFile),
          app_running: app !== null,
          app_url: app === null ? '' : `http://127.0.0.1:${port}/`,
          app_note: appNote,
        },
        checkout,
        signal,
      );
      if (review.summary) sessions.push(review.summary);
      if (review.finished) reviewed.push(agent);
    }
  } catch (err: unknown) {
    const why = err instanceof Error ? err.message : String(err);
    const cost = sessions.reduce((t, s) => t + s.costUsd, 0);
    const ended = store.finish(n, {
      status: signal.aborted ? 'aborted' : 'failed',
      costUsd: cost,
      error: deps.redact(why),
      reviewed: [],
    });
    deps.report(deps.redact(`Checkpoint ${n} could not finish: ${why}`));
    writeReport(deps, store, ended.checkpoint);
    return { checkpoint: store.get(n), critical: [], fixFeatures: [] };
  } finally {
    await app?.stop();
    lease?.release();
    if (workDir !== null) await disposeDir(workDir);
  }

  // Judgement recorded: serious findings become fix features — a reviewer's one each, a tool's one per tool (its
  // command must then exit 0) — each only while the finding has no fix feature still to pass.
  const fixable = (f: Finding) =>
    FIXABLE.has(f.severity) && f.status === 'open' && !openFixes.has(f.fixFeatureId ?? -1);
  const openFixes = new Set(
    deps.features
      .list()
      .filter((f) => f.status !== 'passing')
      .map((f) => f.id),
  );
  const seen = store.findings({ checkpoint: n });
  const fixFeatures: Feature[] = [];
  for (const [kind, group] of toolFindings) {
    const serious = group.ids.map((id) => store.finding(id)).filter(fixable);
    const [first, ...rest] = serious;
    if (first === undefined) continue;
    const created = store.createFixFeature(
      n,
      first.id,
      toolFixFeatureOf(
        {
          kind,
          command: group.command,
          findings: serious.map((f) => ({
            severity: f.severity,
            title: f.title,
            file: f.file ?? null,
            line: f.line ?? null,
          })),
        },
        n,
      ),
      rest.map((f) => f.id),
    );
    if (created) fixFeatures.push(created);
  }
  for (const f of seen) {
    if (f.source === 'tool' || !fixable(f)) continue;
    const created = store.createFixFeature(
      n,
      f.id,
      fixFeatureOf(
        {
          id: f.id,
          agent: f.agent,
          severity: f.severity,
          category: f.category,
          title: f.title,
          detail: f.detail,
          file: f.file ?? null,
          line: f.line ?? null,
          suggestedFix: f.suggestedFix ?? null,
        },
        n,
      ),
    );
    if (created) fixFeatures.push(created);
  }
  const cost = sessions.reduce((t, s) => t + s.costUsd, 0);
  const ended = store.finish(n, {
    status: signal.aborted ? 'aborted' : 'finished',
    costUsd: cost,
    error: null,
    reviewed,
  });
  writeReport(deps, store, ended.checkpoint);
  const done = store.get(n);
  const critical = store.findings({ checkpoint: n, severity: 'critical', status: 'open' });
  const c = done.counts;
  deps.report(
    `Checkpoint ${n} ${done.status}: ${c.critical} critical, ${c.major} major, ${c.minor} minor, ${c.info} info (${done.newFindings} new, ${done.resolvedFindings} resolved); ${fixFeatures.length} fix feature(s)${fixFeatures.length > 0 ? ` (${fixFeatures.map((f) => `#${f.id}`).join(', ')})` : ''}; report ${done.reportPath ?? '(none)'}.`,
  );
  deps.notify?.('checkpoint.finished', {
    n,
    status: done.status === 'running' ? 'finished' : done.status,
    counts: done.counts,
    newFindings: done.newFindings,
    resolvedFindings: done.resolvedFindings,
    fixFeatureIds: done.fixFeatureIds,
    costUsd: done.costUsd,
  });
  return { checkpoint: done, critical, fixFeatures };
}

/** One reviewer session: its findings stored as they come, its summary recorded; reserved like any paid session. */
async function runReviewer(
  deps: RunDeps & { readonly checkpoints: CheckpointPort },
  run: RunContext,
  n: number,
  agent: CheckpointAgent,
  vars: Record<string, string | boolean>,
  checkout: string,
  signal: AbortSignal,
): Promise<{ summary: SessionSummary | null; finished: boolean }> {
  const store = deps.checkpoints;
  let found = 0;
  let summaryText: string | null = null;
  const held = reserveSession(deps.budget, budgetLimits(deps.settings), {
    runId: run.id,
    role: 'reviewer',
    featureId: null,
    featureLimitUsd: null,
    share: 1 / (deps.settings.concurrency + 1),
    now: deps.now(),
  });
  if (held !== null && 'refused' in held) {
    const why = `the ${agent} review did not run: ${refusalLine(held)}`;
    store.recordReview(n, { agent, sessionId: null, status: 'failed', summary: why, findings: 0 });
    deps.report(`Checkpoint ${n}: ${why}.`);
    return { summary: null, finished: false };
  }
  const reviewRun = budgeted(run, held);
  const tools = createReviewTools({
    addFinding: (finding) => {
      found += 1;
      const stored = store.see(n, { ...finding, agent, source: 'agent' });
      return { id: stored.finding.id, isNew: stored.isNew };
    },
    finish: (summary) => {
      summaryText = summary;
    },
  });
  store.recordReview(n, { agent, sessionId: null, status: 'running', summary: null, findings: 0 });
  deps.report(`Checkpoint ${n}: the ${agent} reviewer starts.`);
  const summary = await runSessionFor(
    deps,
    reviewRun,
    'reviewer',
    { slot: CHECKPOINT_SLOT, cwd: checkout, prompt: `reviewer-${agent}`, readOnlyBash: true, extraTools: tools },
    null,
    vars,
    signal,
  );
  const given = summaryText as string | null;
  store.recordReview(n, {
    agent,
    sessionId: summary.sessionId,
    status: given === null ? 'incomplete' : 'finished',
    summary:
      given ??
      `the session ended (${summary.outcome}${summary.error ? `: ${summary.error}` : ''}) without review_finish; its findings are kept, nothing is marked resolved by it`,
    findings: found,
  });
  return { summary, finished: given !== null };
}

/** `.autocoder/checkpoints/checkpoint-<n>.md`, and its path on the checkpoint. */
function writeReport(deps: RunDeps, store: CheckpointPort, checkpoint: Checkpoint): void {
  const rel = join(CHECKPOINTS_DIR, `checkpoint-${checkpoint.n}.md`);
  const findings = store.findings({ checkpoint: checkpoint.n });
  const resolved = store.findings({ resolvedIn: checkpoint.n });
  const fixFeatures = checkpoint.fixFeatureIds.map((id) => {
    const f = deps.features.get(id);
    return { id: f.id, name: f.name, status: f.status };
  });
  const text = checkpointReportMarkdown({
    project: deps.projectName,
    checkpoint,
    findings,
    resolved,
    fixFeatures,
  });
  writeFileSync(join(deps.paths.root, rel), text);
  store.setReportPath(checkpoint.n, rel);
}
