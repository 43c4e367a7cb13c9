import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { Option, type Command } from 'commander';
import { autocoderHome, PROJECT_DATA_DIR } from '../../config/paths.js';
import { AppError, errorMessage } from '../../domain/errors.js';
import { projectReport } from '../../report/project-report.js';
import { renderReport } from '../../report/render.js';
import { REPORT_FORMATS, type ReportFormat } from '../../shared/report.js';
import type { CliContext } from '../context.js';
import { withMeasuredProject } from './metrics.js';

type Run = (fn: () => void | Promise<void>) => Promise<void>;

/** The path with symlinks of its nearest existing folder resolved, so a link cannot smuggle a write elsewhere. */
function realTarget(path: string): string {
  let dir = dirname(path);
  const rest = [basename(path)];
  while (!existsSync(dir) && dirname(dir) !== dir) {
    rest.unshift(basename(dir));
    dir = dirname(dir);
  }
  return resolve(existsSync(dir) ? realpathSync(dir) : dir, ...rest);
}

const inside = (path: string, folder: string) => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Where `--out` may write: anywhere but a `.autocoder` folder (a project's database, logs and evidence, or autocoder's
 * home with the registry and secrets), which only autocoder writes.
 */
export function reportOutPath(out: string, cwd: string, home: string): string {
  const target = realTarget(resolve(cwd, out));
  const realHome = realTarget(resolve(home));
  if (target.split(sep).includes(PROJECT_DATA_DIR) || inside(target, realHome))
    throw new AppError(
      'INVALID_INPUT',
      `--out: refusing to write inside ${PROJECT_DATA_DIR} (${target}); choose another place`,
    );
  return target;
}

/** report: the project report (metrics, backlog with verification, interventions) as Markdown, HTML or JSON. */
export function registerReportCommand(program: Command, ctx: CliContext, run: Run): void {
  program
    .command('report')
    .description("write a project's report: metrics with charts, the backlog and its verification, human interventions")
    .argument('<project>', 'registered name or path')
    .addOption(
      new Option('--format <format>', 'md, html (one self-contained file) or json')
        .choices(REPORT_FORMATS)
        .default('md'),
    )
    .option('--out <file>', 'write to this file instead of stdout (never inside .autocoder)')
    .option('--run <id>', 'only this run (its id, from autocoder logs or the run status)')
    .action((project: string, opts: { format: ReportFormat; out?: string; run?: string }) =>
      run(() => {
        const out = opts.out === undefined ? null : reportOutPath(opts.out, ctx.cwd, autocoderHome(ctx.env));
        const { rendered, name } = withMeasuredProject(ctx, project, opts.run, (store, options) => ({
          rendered: renderReport(projectReport(store, options), opts.format),
          name: options.project,
        }));
        if (out === null) {
          ctx.stdout(rendered.body);
          return;
        }
        try {
          writeFileSync(out, rendered.body);
        } catch (err: unknown) {
          throw new AppError('IO_ERROR', `--out: cannot write ${out}: ${errorMessage(err)}`);
        }
        ctx.stdout(`Wrote the ${opts.format} report of ${name} to ${out}\n`);
      }),
    );
}
