import type { Command } from 'commander';
import { openRegistry } from '../../compose.js';
import { databaseUrl } from '../../db/store-location.js';
import { workerAt } from '../../shared/workers.js';
import { type CliContext, printJson } from '../context.js';

/** `autocoder workers`: the processes working runs on the shared PostgreSQL store (#20). */
export function registerWorkersCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
): void {
  program
    .command('workers')
    .description('the processes working runs on the shared PostgreSQL store: heartbeat, state, current features')
    .option(
      '--json',
      'print JSON: {"workers":[{"name","host","pid","slots","startedAt","heartbeatAt","heartbeatAgeMs","stoppedAt","status","current":[{"project","featureId","slot"}]}]}',
    )
    .action((opts: { json?: boolean }) =>
      run(() => {
        const reg = openRegistry(ctx.env);
        try {
          const now = Date.now();
          const workers = reg.registry.workers().map((w) => workerAt(w, now));
          if (opts.json) return printJson(ctx, { workers });
          if (workers.length === 0) {
            ctx.stdout(
              databaseUrl(ctx.env) === undefined
                ? 'No workers: runs work on this machine only (workers share a PostgreSQL store: see --database).\n'
                : 'No workers have registered yet: `autocoder run <project>` works a run and registers as one.\n',
            );
            return;
          }
          for (const w of workers) {
            const age = `${Math.round(w.heartbeatAgeMs / 1000)} s ago`;
            const features = w.current.map((f) => `${f.project} #${f.featureId} (slot ${f.slot})`).join(', ');
            ctx.stdout(
              `${w.name.padEnd(28)} ${w.status.padEnd(8)} ${w.host} pid ${w.pid}, ${w.slots} slot(s), heartbeat ${age}` +
                `${features === '' ? '' : `: ${features}`}\n`,
            );
          }
        } finally {
          reg.close();
        }
      }),
    );
}
