import { basename, join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { buildCheckEnv } from '../config/agent-env.js';
import type { DesignPort, Feature } from '../db/ports.js';
import { captureDesign } from '../design/capture.js';
import { listPersonas, personaPrompt, selectPersonas, type Persona, type PersonaInputs } from '../design/personas.js';
import { designReportMarkdown } from '../design/report-markdown.js';
import { axeCounts, axeFinding, designFixFeatureOf, iterationOutcome } from '../domain/design-review.js';
import { FIXABLE } from '../domain/findings.js';
import { gitOk } from '../git/git.js';
import { createDesignTools } from '../mcp/design-tools.js';
import type { DesignCapture } from '../shared/design-capture.js';
import type { DesignFinding, DesignIteration, DesignTrigger } from '../shared/design.js';
import { findChromium } from './browser.js';
import { budgeted, budgetLimits, refusalLine, reserveSession } from './budget.js';
import type { RunDeps } from './run-loop.js';
import type { SessionSummary } from './session-runner.js';
import { runSessionFor, type RunContext } from './slot-sessions.js';
import { freeVerificationPort } from './verification.js';

/**
 * One design review iteration (issue #18): the app at main's tip photographed (design/capture.ts: every page at
 * desktop and mobile width, dark too where supported, axe-core, console errors, failed requests), then one read-only
 * `designer` session per persona that looks at the screenshots and reports findings and a vote. axe's violations are
 * findings too (source `tool`). Unless every persona approves and no serious or critical axe violation remains, the
 * critical and major findings become design fix features; the run's scheduler starts the next iteration once they
 * have passed (at most `designIterations`). The report is `.autocoder/design/iteration-<n>/report.md`.
 */

/** The slot number persona sessions report under (their own row in mission control, never a coding slot's). */
export const DESIGN_SLOT = 91;

export interface DesignRequest {
  readonly trigger: DesignTrigger;
  /** Persona ids to ask (`--personas`); all of the project's when absent. */
  readonly personas?: readonly string[] | undefined;
  /** Which iteration of the current review this is (1 for the first): the personas are told how many are left. */
  readonly round: number;
}

export interface DesignIterationOutcome {
  readonly iteration: DesignIteration;
  readonly fixFeatures: readonly Feature[];
}

export async function runDesignIteration(
  deps: RunDeps & { readonly design: DesignPort },
  run: RunContext,
  request: DesignRequest,
  signal: AbortSignal,
): Promise<DesignIterationOutcome> {
  const store = deps.design;
  // Bad persona files or names fail here, before anything is recorded or started.
  const personas = selectPersonas(listPersonas(deps.paths), request.personas ?? null);
  const commit = gitOk(deps.paths.root, ['rev-parse', run.main]).trim();
  const previous = store.latestFinished();
  const started = store.start({ runId: run.id, trigger: request.trigger, commit, personas: personas.map((p) => p.id) });
  const n = started.n;
  const dir = join(deps.paths.root, started.captureDir);
  mkdirSync(dir, { recursive: true });
  deps.report(
    `Design review ${n} (${request.trigger.replace(/_/g, ' ')}, round ${request.round} of ${deps.settings.designIterations}): photographing ${run.main} at ${commit.slice(0, 8)} for ${personas.map((p) => p.id).join(', ')}.`,
  );
  const sessions: SessionSummary[] = [];
  const fail = (why: string): DesignIterationOutcome => {
    const cost = sessions.reduce((t, s) => t + s.costUsd, 0);
    const ended = store.finish(n, {
      status: signal.aborted ? 'aborted' : 'failed',
      costUsd: cost,
      error: deps.redact(why),
    });
    deps.report(deps.redact(`Design review ${n} could not finish: ${why}`));
    return finished(deps, ended.iteration, []);
  };
  let capture: DesignCapture;
  try {
    capture = await captureDesign(
      {
        projectRoot: deps.paths.root,
        commit,
        iterationDir: dir,
        checks: deps.features.list().flatMap((f) => f.acceptance ?? []),
        port: await freeVerificationPort(),
        sandbox: run.sandbox,
        hiddenPaths: [...(deps.sandboxReadDeny ?? [])],
        chromium: findChromium(deps.settings.chromium, deps.env.PATH) ?? '',
        env: buildCheckEnv(deps.env),
        redact: deps.redact,
        logger: deps.logger,
      },
      signal,
    );
  } catch (err: unknown) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  if (capture.status !== 'captured')
    return fail(`the capture ${capture.status}: ${capture.error ?? 'no reason given'}`);

  // axe's violations are findings of their own (source tool), one per rule, page, viewport and theme.
  const shots = capture.pages.flatMap((page) =>
    page.shots.flatMap((shot) => (shot.file === null ? [] : [{ page, shot, file: basename(shot.file) }])),
  );
  const violations = shots.flatMap(({ page, shot, file }) =>
    shot.axe.map((v) => ({ page: page.path, viewport: shot.viewport, theme: shot.theme, file, v })),
  );
  store.recordAxe(n, axeCounts(violations.map(({ v }) => v)));
  for (const { page, viewport, theme, file, v } of violations)
    store.see(n, {
      ...axeFinding(
        {
          id: v.id,
          impact: v.impact,
          help: v.help,
          description: v.summary ?? v.help,
          helpUrl: v.helpUrl,
          nodes: v.targets.map((t) => ({ target: [t] })),
        },
        { page, viewport, theme, screenshot: file },
      ),
      source: 'tool',
      persona: null,
    });

  const screenshots = shots.map(({ page, shot, file }) => ({
    file,
    page: page.path,
    viewport: shot.viewport,
    theme: shot.theme,
  }));
  if (screenshots.length === 0) return fail('the capture has no screenshot: no page could be photographed');
  const previousFindings = previous === undefined ? [] : store.findings({ iteration: previous.n });
  const inputs: PersonaInputs = {
    projectName: deps.projectName,
    iteration: request.round,
    maxIterations: Math.max(request.round, deps.settings.designIterations),
    specFile: deps.paths.spec,
    captureDir: join(dir, 'screenshots'),
    screenshots,
    axeFile: join(dir, 'capture.json'),
    axeViolations: violations.map(({ page, viewport, theme, v }) => ({
      rule: v.id,
      impact: v.impact ?? 'minor',
      page,
      viewport,
      theme,
      nodes: v.nodes,
    })),
    consoleErrors: shots.flatMap(({ page, shot }) => shot.consoleErrors.map((text) => ({ page: page.path, text }))),
    failedRequests: shots.flatMap(({ page, shot }) =>
      shot.failedRequests.map((r) => ({
        page: page.path,
        url: r.url,
        reason: r.status === null ? (r.error ?? 'no answer') : `HTTP ${r.status}`,
      })),
    ),
    previousFindings: previousFindings.map((f) => ({
      persona: f.persona ?? 'axe-core',
      severity: f.severity,
      title: f.title,
      page: f.page,
      viewport: f.viewport,
      fixed: f.status === 'resolved' || f.status === 'fix_pending',
    })),
  };
  for (const persona of personas) {
    if (signal.aborted) break;
    const summary = await runPersona(deps, run, n, persona, inputs, signal);
    if (summary) sessions.push(summary);
  }
  if (signal.aborted) return fail('the run was stopped');

  // Judgement recorded: unless the iteration is approved, serious findings become design fix features.
  const now = store.get(n);
  const outcome = iterationOutcome(now.votes, now.axe);
  const fixFeatures: Feature[] = [];
  // The last iteration the review may take creates none: nothing would look again at what they change.
  const last = request.round >= deps.settings.designIterations;
  if (outcome === 'changes_requested' && !last) {
    const openFixes = new Set(
      deps.features
        .list()
        .filter((f) => f.status !== 'passing')
        .map((f) => f.id),
    );
    for (const f of store.findings({ iteration: n })) {
      if (!FIXABLE.has(f.severity) || f.status !== 'open' || openFixes.has(f.fixFeatureId ?? -1)) continue;
      const created = store.createFixFeature(n, f.id, designFixFeatureOf(fixSource(f), n));
      if (created) fixFeatures.push(created);
    }
  }
  const cost = sessions.reduce((t, s) => t + s.costUsd, 0);
  const ended = store.finish(n, { status: 'finished', costUsd: cost, error: null });
  return finished(deps, ended.iteration, fixFeatures);
}

/** The report written, the line told, the webhook called. */
function finished(
  deps: RunDeps & { readonly design: DesignPort },
  iteration: DesignIteration,
  fixFeatures: readonly Feature[],
): DesignIterationOutcome {
  const store = deps.design;
  const rel = join(iteration.captureDir, 'report.md');
  mkdirSync(join(deps.paths.root, iteration.captureDir), { recursive: true });
  writeFileSync(
    join(deps.paths.root, rel),
    designReportMarkdown({
      project: deps.projectName,
      iteration,
      findings: store.findings({ iteration: iteration.n }),
      resolved: store.findings({ resolvedIn: iteration.n }),
      fixFeatures: iteration.fixFeatureIds.map((id) => {
        const f = deps.features.get(id);
        return { id: f.id, name: f.name, status: f.status };
      }),
    }),
  );
  store.setReportPath(iteration.n, rel);
  const done = store.get(iteration.n);
  const votes = done.votes.map(
    (v) =>
      `${v.persona} ${v.status === 'voted' ? `${v.approve ? 'approves' : 'asks for changes'} (${v.score}/10)` : v.status}`,
  );
  const axe = done.axe;
  deps.report(
    `Design review ${done.n} ${done.status}${done.outcome ? `: ${done.outcome.replace(/_/g, ' ')}` : ''}; ${votes.join(', ') || 'no votes'}; axe ${axe ? `${axe.critical} critical, ${axe.serious} serious` : 'did not run'}; ${fixFeatures.length} fix feature(s)${fixFeatures.length > 0 ? ` (${fixFeatures.map((f) => `#${f.id}`).join(', ')})` : ''}; report ${rel}.`,
  );
  deps.notify?.('design.iteration_finished', {
    n: done.n,
    status: done.status === 'running' ? 'finished' : done.status,
    outcome: done.outcome,
    votes: done.votes.map((v) => ({ persona: v.persona, approve: v.approve, score: v.score })),
    axe: done.axe,
    fixFeatureIds: done.fixFeatureIds,
    costUsd: done.costUsd,
  });
  return { iteration: done, fixFeatures };
}

/** One persona's session: its findings stored as they come, its vote recorded; reserved like any paid session. */
async function runPersona(
  deps: RunDeps & { readonly design: DesignPort },
  run: RunContext,
  n: number,
  persona: Persona,
  inputs: PersonaInputs,
  signal: AbortSignal,
): Promise<SessionSummary | null> {
  const store = deps.design;
  const entry = { persona: persona.id, sessionId: null, approve: null, score: null, rationale: null };
  const held = reserveSession(deps.budget, budgetLimits(deps.settings), {
    runId: run.id,
    role: 'designer',
    featureId: null,
    featureLimitUsd: null,
    share: 1 / (deps.settings.concurrency + 1),
    now: deps.now(),
  });
  if (held !== null && 'refused' in held) {
    store.recordVote(n, { ...entry, status: 'failed', rationale: `did not run: ${refusalLine(held)}` });
    deps.report(`Design review ${n}: ${persona.name} did not run: ${refusalLine(held)}.`);
    return null;
  }
  let voted = false;
  const tools = createDesignTools({
    persona: persona.id,
    screenshots: inputs.screenshots.map((s) => s.file),
    addFinding: (report) => {
      const seen = store.see(n, report);
      return { finding: { id: seen.finding.id, status: seen.finding.status }, isNew: seen.isNew };
    },
    vote: (vote) => {
      voted = true;
      store.recordVote(n, { ...entry, status: 'voted', ...vote });
    },
  });
  store.recordVote(n, { ...entry, status: 'running' });
  deps.report(`Design review ${n}: ${persona.name} looks at ${inputs.screenshots.length} screenshot(s).`);
  let prompt: string;
  try {
    prompt = personaPrompt(persona, inputs);
  } catch (err: unknown) {
    const why = err instanceof Error ? err.message : String(err);
    store.recordVote(n, { ...entry, status: 'failed', rationale: deps.redact(why).slice(0, 1500) });
    return null;
  }
  const summary = await runSessionFor(
    deps,
    budgeted(run, held),
    'designer',
    // The project root: the screenshots, the capture and the spec are read there (its file tools read nothing else).
    { slot: DESIGN_SLOT, cwd: deps.paths.root, promptText: prompt, extraTools: tools },
    null,
    {},
    signal,
  );
  const current = store.get(n).votes.find((v) => v.persona === persona.id);
  if (current !== undefined && voted) store.recordVote(n, { ...current, sessionId: summary.sessionId });
  else
    store.recordVote(n, {
      ...entry,
      sessionId: summary.sessionId,
      status: 'incomplete',
      rationale:
        `the session ended (${summary.outcome}${summary.error ? `: ${summary.error}` : ''}) without design_vote; its findings are kept`.slice(
          0,
          1500,
        ),
    });
  return summary;
}

function fixSource(f: DesignFinding) {
  return {
    id: f.id,
    persona: f.persona,
    source: f.source,
    severity: f.severity,
    category: f.category,
    title: f.title,
    detail: f.detail,
    page: f.page,
    viewport: f.viewport,
    theme: f.theme,
    screenshot: f.screenshot,
    suggestedFix: f.suggestedFix ?? null,
    expect: f.expect ?? null,
  };
}
