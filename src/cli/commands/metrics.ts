import { basename } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_REGRESSION_EVERY, metricsAssumptions } from '../../config/metrics-settings.js';
import type { ProjectStore } from '../../db/ports.js';
import { openProjectStore, openRegistry } from '../../compose.js';
import { AppError } from '../../domain/errors.js';
import { projectMetrics, type ProjectMetricsOptions } from '../../metrics/project-metrics.js';
import { resolveProject } from '../../projects/projects.js';
import { RunIdSchema, type DurationStats, type Metrics, type UsageRow } from '../../shared/metrics.js';
import { type CliContext, printJson } from '../context.js';
import { InvalidArgumentError } from 'commander';
import { InPlaceBlock } from '../in-place-block.js';
import { dashboardKey, dashboardLine, dashboardLines, timedLine } from '../metrics-dashboard.js';
import { projectDirOption, projectOf } from '../project-arg.js';

type Run = (fn: () => void | Promise<void>) => Promise<void>;

const usd = (v: number) => `$${v.toFixed(2)}`;
const pct = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v * 100)}%`);
const num = (v: number | null, digits = 2) => (v === null ? 'n/a' : v.toFixed(digits));

function minutes(ms: number | null): string {
  if (ms === null) return 'n/a';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

const spread = (d: DurationStats) =>
  d.count === 0 ? 'n/a' : `median ${minutes(d.medianMs)}, p90 ${minutes(d.p90Ms)} (${d.count})`;

const rows = (list: readonly UsageRow[]) =>
  list.length === 0 ? 'none' : list.map((r) => `${r.key} ${usd(r.costUsd)} (${r.sessions})`).join(', ');

/** The readable summary: every metric on one line each, the ROI with its assumptions. */
export function metricsText(m: Metrics): string {
  const p = m.progress;
  const c = m.cost;
  const a = m.roi.assumptions;
  const cov = p.regressionCoverage;
  const tokens = `${c.total.inputTokens} in, ${c.total.outputTokens} out, ${c.total.cacheReadTokens} cache read, ${c.total.cacheCreationTokens} cache write`;
  const lines = [
    `Metrics of ${m.project}${m.runId ? `, run ${m.runId}` : ''} (${m.runs.length} run${m.runs.length === 1 ? '' : 's'}, ${minutes(p.activeRunMs)} active)`,
    `  Passing:              ${p.passing}/${p.total} now; ${p.landings} landing${p.landings === 1 ? '' : 's'} of ${p.featuresLanded} feature${p.featuresLanded === 1 ? '' : 's'}`,
    `  Features per hour:    ${num(p.featuresPerHour)}`,
    `  Feature duration:     ${spread(p.duration)}`,
    `  Attempts per landing: ${num(p.attemptsPerLanding)}; first-pass rate ${pct(p.firstPassRate)}; verification failures ${p.verificationFailures}`,
    `  Regressions found:    ${p.regressionsFound}; coverage ${cov.covered}/${cov.passing} (${pct(cov.share)}) in the last ${cov.regressionEvery} landings`,
    `  Blockers:             ${m.blockers.asked} asked, ${m.blockers.answered} answered, ${m.blockers.open} open; resolution ${spread(m.blockers.resolution)}; people kept agents waiting ${m.blockers.humanMinutesWaited.toFixed(1)} min`,
    `  Cost:                 ${usd(c.total.costUsd)} over ${c.total.sessions} session${c.total.sessions === 1 ? '' : 's'} (${tokens})`,
    `    by role:            ${rows(c.byRole)}`,
    `    by model:           ${rows(c.byModel)}`,
    `    per passing feature: ${c.perPassingFeatureUsd === null ? 'n/a' : usd(c.perPassingFeatureUsd)}`,
    `  Wasted spend:         ${usd(c.wasted.costUsd)} (${pct(c.wasted.share)}) in ${c.wasted.sessions} session${c.wasted.sessions === 1 ? '' : 's'}: ${rows(c.wasted.byReason)}`,
    `  ROI:                  ${m.roi.hoursSaved} developer hours saved, worth ${usd(m.roi.valueUsd)}, for ${usd(m.roi.costUsd)}: net ${usd(m.roi.netUsd)}${m.roi.ratio === null ? '' : ` (${m.roi.ratio.toFixed(1)}x)`}`,
    `    assuming ${a.hoursPerFeature} h per feature (${a.source.hoursPerFeature}) at ${usd(a.hourlyRateUsd)}/h (${a.source.hourlyRateUsd}); change with autocoder config set metrics.hoursPerFeature|metrics.hourlyRateUsd`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Opens the project named on the command line for a reader of its metrics (`metrics`, `report`): `--run` checked, the
 * ROI assumptions read from the registry (the project's, else the global ones), the store closed afterwards.
 */
export function withMeasuredProject<T>(
  ctx: CliContext,
  project: string,
  run: string | undefined,
  fn: (store: ProjectStore, options: ProjectMetricsOptions) => T,
): T {
  const parsed = run === undefined ? null : RunIdSchema.safeParse(run);
  if (parsed && !parsed.success)
    throw new AppError('INVALID_INPUT', `--run: ${parsed.error.issues[0]?.message ?? 'not a run id'}`);
  const reg = openRegistry(ctx.env);
  let resolved: ReturnType<typeof resolveProject>;
  let assumptions: ReturnType<typeof metricsAssumptions>;
  try {
    resolved = resolveProject(reg.registry, project, ctx.cwd);
    assumptions = metricsAssumptions(reg.registry, resolved.name);
  } finally {
    reg.close();
  }
  const store = openProjectStore(resolved.paths, { create: false, env: ctx.env });
  try {
    return fn(store, {
      project: resolved.name ?? basename(resolved.paths.root),
      runId: parsed?.data ?? null,
      now: Date.now(),
      assumptions,
      defaultRegressionEvery: DEFAULT_REGRESSION_EVERY,
    });
  } finally {
    store.close();
  }
}

/** metrics: a project's metrics (or one run's) as a summary or as the API's JSON. */
export function registerMetricsCommand(program: Command, ctx: CliContext, run: Run): void {
  program
    .command('metrics')
    .description("show a project's metrics: progress, durations, blockers, cost, wasted spend and ROI")
    .argument('[project]', 'registered name or path (or --project-dir)')
    .addOption(projectDirOption())
    .option('--run <id>', 'only this run (its id, from autocoder logs or the run status)')
    .option('--json', 'print the JSON of GET /api/projects/{name}/metrics (the same schema)')
    .option(
      '--watch',
      "a live dashboard (AutoCoder-2's metrics/dashboard.py): redrawn in place on a terminal until Ctrl-C; elsewhere one timestamped line each time the numbers change",
    )
    .option('--interval <seconds>', 'how often --watch reads the metrics, 0.2-3600', intervalSeconds, 2)
    .action(
      (
        project: string | undefined,
        opts: { projectDir?: string; run?: string; json?: boolean; watch?: boolean; interval: number },
      ) =>
        run(async () => {
          const name = projectOf(project, opts.projectDir);
          const read = () =>
            withMeasuredProject(ctx, name, opts.run, (store, options) => projectMetrics(store, options));
          if (opts.watch) {
            if (opts.json)
              throw new AppError(
                'INVALID_INPUT',
                '--watch draws a dashboard, --json prints one reading: give one of them (for JSON over time, poll GET /api/projects/{name}/metrics)',
              );
            await watchMetrics(ctx, read, opts.interval);
            return;
          }
          const metrics = read();
          if (opts.json) printJson(ctx, metrics);
          else ctx.stdout(metricsText(metrics));
        }),
    );
}

function intervalSeconds(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0.2 || n > 3600)
    throw new InvalidArgumentError(`--interval must be a number of seconds from 0.2 to 3600, not "${raw}"`);
  return n;
}

/**
 * Reads the metrics every `seconds` until SIGINT or SIGTERM: on a terminal the dashboard is redrawn in place (the
 * seed's rich live table), elsewhere a line is appended only when the reading changed, so a log of it stays short.
 */
async function watchMetrics(ctx: CliContext, read: () => Metrics, seconds: number): Promise<void> {
  const terminal = ctx.terminal;
  // The width is read at every redraw: a resized terminal gets lines cut to its new width.
  const block =
    terminal === undefined
      ? null
      : new InPlaceBlock({
          isTTY: true,
          get columns() {
            return terminal.columns;
          },
          write: ctx.stdout,
        });
  let last: string | null = null;
  const tick = () => {
    const m = read();
    const at = Date.now();
    if (block !== null) {
      block.draw(dashboardLines(m, metricsText(m), at, seconds));
      return;
    }
    const key = dashboardKey(m);
    if (key !== last) ctx.stdout(`${timedLine(dashboardLine(m), at)}\n`);
    last = key;
  };
  tick();
  await new Promise<void>((resolve, reject) => {
    const stop = () => {
      clearInterval(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    const timer = setInterval(() => {
      try {
        tick();
      } catch (err: unknown) {
        stop();
        reject(err);
      }
    }, seconds * 1000);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
