import type { Command } from 'commander';
import { Option } from 'commander';
import { openProjectStore, openRegistry } from '../../compose.js';
import { FEATURE_STATUSES, type FeatureStatus } from '../../domain/feature.js';
import { resolveProject } from '../../projects/projects.js';
import { runStatus } from '../../projects/run-state.js';
import { endingFacts, endingTitle, outcomeAdvice } from '../../shared/run-outcome-text.js';
import type { RunEnding, RunStatus } from '../../shared/runs.js';
import { type CliContext, printJson } from '../context.js';
import type { ProjectStore } from '../../compose.js';
import { SHARED_RUN_MARKER } from '../../projects/run-control.js';
import { sharedRunWorkersLine, workerStatus } from '../../shared/workers.js';

/** The run's lines of `status`: what runs now, or how the last run ended and what to do next. */
function runLines(
  root: string,
  project: string,
  status: RunStatus['status'],
  runId: string | null,
  ending: RunEnding | null,
): string {
  if (ending === null) return runId === null ? 'Run: none yet\n' : `Run: ${status} (${runId})\n`;
  const why = ending.reason === null ? '' : ` — ${ending.reason}`;
  // The name the person typed when it is a registered name; a path stays a path (both work with every command).
  const name = project.includes('/') ? root : project;
  return (
    `Last run: ${endingTitle(ending)}${why}\n` +
    `  ${endingFacts(ending)} (${ending.runId})\n` +
    (ending.outcome === null ? '' : `  Next: ${outcomeAdvice(ending.outcome, name, 'cli')}\n`)
  );
}

/** Whether the state is a shared run at work (its features are worked by workers on any machine). */
function sharedRunAtWork(state: RunStatus): boolean {
  return state.settings[SHARED_RUN_MARKER] === true && !['stopped', 'crashed'].includes(state.status);
}

/** The names of the workers online now on the shared store. */
function onlineWorkers(ctx: CliContext): string[] {
  const reg = openRegistry(ctx.env);
  try {
    const now = Date.now();
    return reg.registry
      .workers()
      .filter((w) => workerStatus(w, now) === 'online')
      .map((w) => w.name);
  } finally {
    reg.close();
  }
}

/** Opens the project named (or pointed to) by `nameOrPath` for the duration of `fn`. */
export function withProject<T>(ctx: CliContext, nameOrPath: string, fn: (store: ProjectStore) => T): T {
  const reg = openRegistry(ctx.env);
  let store: ProjectStore;
  try {
    store = openProjectStore(resolveProject(reg.registry, nameOrPath, ctx.cwd).paths, { create: false, env: ctx.env });
  } finally {
    reg.close();
  }
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** What a passing feature's line says about its proof; other statuses say nothing (no pass to prove yet). */
function passingProof(status: FeatureStatus, verified: boolean): string {
  if (status !== 'passing') return '';
  return verified ? '  ✓ verified' : '  (not verified: its newest verification did not pass, or it has none)';
}

/** features, status: read the backlog. */
export function registerBacklogCommands(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
): void {
  program
    .command('features')
    .description('list the features of a project')
    .argument('<project>', 'registered name or path')
    .addOption(new Option('--status <status>', 'only features with this status').choices(FEATURE_STATUSES))
    .option(
      '--json',
      'print JSON: {"features":[{"id","name","category","status","priority","dependencies","attempts","checks","verified"}]}',
    )
    .action((project: string, opts: { status?: FeatureStatus; json?: boolean }) =>
      run(() =>
        withProject(ctx, project, (store) => {
          const features = store.features.list(opts.status ? { status: opts.status } : {});
          // Verified: passing, and its newest verification (its frozen checks, run by the runner) passed.
          const latest = store.verifications.latest(features.map((f) => f.id));
          const verified = (f: (typeof features)[number]) =>
            f.status === 'passing' && latest.get(f.id)?.status === 'passed';
          if (opts.json) {
            return printJson(ctx, {
              features: features.map((f) => ({
                id: f.id,
                name: f.name,
                category: f.category,
                status: f.status,
                priority: f.priority,
                dependencies: f.dependencies,
                attempts: f.attempts,
                checks: f.acceptance?.length ?? 0,
                verified: verified(f),
              })),
            });
          }
          if (features.length === 0)
            return ctx.stdout(opts.status ? `No ${opts.status} features.\n` : 'No features yet.\n');
          for (const f of features) {
            const deps = f.dependencies.length > 0 ? `  needs ${f.dependencies.map((d) => `#${d}`).join(', ')}` : '';
            const proof = f.acceptance === null ? '  (not verified: no checks)' : passingProof(f.status, verified(f));
            ctx.stdout(`#${String(f.id).padEnd(5)} ${f.status.padEnd(12)} [${f.category}] ${f.name}${deps}${proof}\n`);
          }
        }),
      ),
    );

  program
    .command('status')
    .description('progress of a project: how many features pass, run, wait or failed')
    .argument('<project>', 'registered name or path')
    .option(
      '--json',
      'print JSON: {"total","passing","in_progress","needs_input","failed","pending","percentage","verified",' +
        '"run":{"status","runId","pid","startedAt","pauseRequested","lastOutcome":{"runId","outcome","reason",' +
        '"startedAt","endedAt","durationMs","featuresPassing","featuresTotal","costUsd"}|null,' +
        '"workers":[names online]|null (a shared run at work)}}',
    )
    .action((project: string, opts: { json?: boolean }) =>
      run(() =>
        withProject(ctx, project, (store) => {
          // verified: passing features whose newest verification (their frozen checks, run by the runner) passed.
          const s = { ...store.features.stats(), verified: store.verifications.verifiedCount() };
          const state = runStatus(store);
          const lastOutcome = state.lastOutcome ?? null;
          // A shared run (#20) is worked by whichever workers are online, on any machine.
          const workers = sharedRunAtWork(state) ? onlineWorkers(ctx) : null;
          if (opts.json) {
            const { status, runId, pid, startedAt, pauseRequested } = state;
            return printJson(ctx, {
              ...s,
              run: { status, runId, pid, startedAt, pauseRequested, lastOutcome, workers },
            });
          }
          ctx.stdout(
            `${s.passing}/${s.total} passing (${s.percentage}%) · ${s.verified} verified · ${s.in_progress} in progress · ` +
              `${s.pending} pending · ${s.needs_input} need input · ${s.failed} failed\n`,
          );
          ctx.stdout(runLines(store.paths.root, project, state.status, state.runId, lastOutcome));
          if (workers !== null) ctx.stdout(`${sharedRunWorkersLine(workers)}\n`);
        }),
      ),
    );
}
