import { InvalidArgumentError, type Command } from 'commander';
import { openProjectStore, openRegistry, verificationRedactor } from '../../compose.js';
import { AppError } from '../../domain/errors.js';
import type { LogLevel } from '../../logging/logger.js';
import { startPreview, stopRecordedPreview } from '../../preview/preview.js';
import { previewConfinement } from '../../preview/preview-setup.js';
import { resolveProject } from '../../projects/projects.js';
import type { CliContext } from '../context.js';
import { printJson } from '../context.js';
import { logLevelOption, runnerLogger } from '../logging.js';

const previewPort = (raw: string): number => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1_024 || n > 65_535)
    throw new InvalidArgumentError(`--port takes a port number from 1024 to 65535, not "${raw}"`);
  return n;
};

/**
 * preview: the built app from main, started with its `./init.sh` on a preview port in the agents' jail (see
 * src/preview/), until Ctrl-C, `autocoder preview --stop` or the web UI's Stop. `--stop` stops the project's preview,
 * whoever started it.
 */
export function registerPreviewCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
): void {
  program
    .command('preview')
    .description(
      "open the built app: start main's ./init.sh on a free port (in the agents' sandbox), print its URL and keep it running until Ctrl-C; --stop stops the project's preview (also one the web UI started)",
    )
    .argument('<project>', 'registered name or path')
    .option('--port <port>', 'serve on this port (default: a free one)', previewPort)
    .option('--stop', "stop the project's running preview, whoever started it")
    .option('--json', 'print JSON once the app answers: {"url","port","commit"} (or {"stopped",…} with --stop)')
    .addOption(logLevelOption('the preview (to .autocoder/logs/runner.log)'))
    .action((project: string, opts: { port?: number; stop?: boolean; json?: boolean; logLevel: LogLevel }) =>
      run(async () => {
        const reg = openRegistry(ctx.env);
        let resolved;
        let confinement;
        try {
          resolved = resolveProject(reg.registry, project, ctx.cwd);
          confinement = previewConfinement(reg.registry, resolved, ctx.env);
        } finally {
          reg.close();
        }
        if (opts.stop === true) {
          const stopped = await stopRecordedPreview(resolved.paths);
          if (opts.json === true) printJson(ctx, { stopped: stopped !== null, port: stopped?.port ?? null });
          else
            ctx.stdout(
              stopped === null
                ? 'No preview of this project is running.\n'
                : `Stopped the preview on port ${stopped.port} (started ${stopped.by === 'server' ? 'from the web UI' : 'in a terminal'}).\n`,
            );
          return;
        }
        if (confinement.warning) ctx.stderr(`${confinement.warning}\n`);
        const store = openProjectStore(resolved.paths, { create: false, env: ctx.env });
        const log = runnerLogger(ctx, resolved.paths, opts.logLevel);
        const abort = new AbortController();
        let interrupted: (() => void) | null = null;
        const onSignal = () => {
          abort.abort();
          interrupted?.();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          if (!opts.json) ctx.stdout('Starting the app from main (installing its dependencies when needed)…\n');
          const preview = await startPreview(
            {
              paths: resolved.paths,
              env: ctx.env,
              sandbox: confinement.sandbox,
              hiddenPaths: confinement.hiddenPaths,
              redact: verificationRedactor(ctx.env, store),
              by: 'cli',
              ...(opts.port === undefined ? {} : { port: opts.port }),
              logger: log.logger.child({ command: 'preview' }),
            },
            abort.signal,
          ).catch((err: unknown) => {
            if (abort.signal.aborted) throw new AppError('CONFLICT', 'the preview was interrupted while it started');
            throw err;
          });
          if (opts.json === true)
            printJson(ctx, { url: preview.url, port: preview.record.port, commit: preview.record.commit });
          else
            ctx.stdout(
              `The app runs at ${preview.url} (main at ${preview.record.commit?.slice(0, 8) ?? '?'}). Ctrl-C stops it.\n`,
            );
          const stopRequested = new Promise<'interrupted'>((resolve) => {
            interrupted = () => resolve('interrupted');
            if (abort.signal.aborted) resolve('interrupted');
          });
          const ended = await Promise.race([preview.ended, stopRequested]);
          await preview.stop();
          if (!opts.json)
            ctx.stdout(
              ended === 'interrupted'
                ? 'Preview stopped.\n'
                : ended === null
                  ? 'The preview was stopped from elsewhere (autocoder preview --stop or the web UI).\n'
                  : `The preview ended: ${ended}\n`,
            );
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          store.close();
          log.close();
        }
      }),
    );
}
