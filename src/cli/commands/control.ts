import type { Command } from 'commander';
import { AppError } from '../../domain/errors.js';
import { activeRun, pauseRun, requestStop, resumeRun } from '../../projects/run-control.js';
import { hostname } from 'node:os';
import type { CliContext } from '../context.js';
import { withProject } from './backlog.js';

/** pause, resume, stop: control a running `autocoder run` from another terminal. */
export function registerControlCommands(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
): void {
  program
    .command('pause')
    .description('drain: running sessions finish their feature, then the run idles until resume')
    .argument('<project>', 'registered name or path')
    .action((project: string) =>
      run(() =>
        withProject(ctx, project, (store) => {
          const active = activeRun(store.runs);
          if (!active) throw new AppError('CONFLICT', 'no run of this project is active; there is nothing to pause');
          pauseRun(store.paths, store.runs, active);
          ctx.stdout(
            active.host === hostname()
              ? `Pause requested: run ${active.id} lets its session finish its feature, then pauses.\n`
              : `Pause asked of run ${active.id}, owned by ${active.host ?? 'another machine'}: it drains at its next step (its workers too), then pauses.\n`,
          );
        }),
      ),
    );

  program
    .command('resume')
    .description('continue a paused (or draining) run')
    .argument('<project>', 'registered name or path')
    .action((project: string) =>
      run(() =>
        withProject(ctx, project, (store) => {
          const wasPaused = resumeRun(store.paths, store.runs, activeRun(store.runs));
          ctx.stdout(wasPaused ? 'Resumed.\n' : 'The project was not paused.\n');
        }),
      ),
    );

  program
    .command('stop')
    .description('stop the active run now: abort sessions, hand their features back, exit')
    .argument('<project>', 'registered name or path')
    .action((project: string) =>
      run(() =>
        withProject(ctx, project, (store) => {
          const stopped = requestStop(store.runs);
          ctx.stdout(
            stopped.host === hostname()
              ? `Stop sent to run ${stopped.id} (pid ${stopped.pid}).\n`
              : `Stop asked of run ${stopped.id}, owned by ${stopped.host ?? 'another machine'}: it stops at its next step.\n`,
          );
        }),
      ),
    );
}
