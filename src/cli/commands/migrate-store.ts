import type { Command } from 'commander';
import { openProjectStore, openRegistry } from '../../compose.js';
import { migrateProjectStore } from '../../db/migrate-store.js';
import { DATABASE_URL_VAR, databaseUrl, readStoreMarker } from '../../db/store-location.js';
import { AppError } from '../../domain/errors.js';
import { activeRun } from '../../projects/run-control.js';
import { resolveProject } from '../../projects/projects.js';
import { type CliContext, printJson } from '../context.js';

/** `autocoder migrate-store <project> --to postgres://…`: moves a SQLite project's store into PostgreSQL (#20). */
export function registerMigrateStoreCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
): void {
  program
    .command('migrate-store')
    .description(
      "copy a SQLite project's store (and its settings) into PostgreSQL, check the counts, and open it there from now on; the SQLite file is kept",
    )
    .argument('<project>', 'registered name (in the SQLite registry) or path')
    .option('--to <url>', `the PostgreSQL (postgres://user:password@host:5432/db; default ${DATABASE_URL_VAR})`)
    .option('--json', 'print JSON: {"schema","tables":[{"table","rows"}],"settings"}')
    .action((project: string, opts: { to?: string; json?: boolean }) =>
      run(() => {
        const url = databaseUrl({ [DATABASE_URL_VAR]: opts.to ?? ctx.env[DATABASE_URL_VAR] });
        if (url === undefined) {
          throw new AppError('INVALID_INPUT', `say where to: --to postgres://… (or set ${DATABASE_URL_VAR})`);
        }
        // The project comes from the SQLite registry, whatever the environment selects.
        const sqliteEnv = { ...ctx.env, [DATABASE_URL_VAR]: undefined };
        const reg = openRegistry(sqliteEnv);
        let resolved;
        try {
          resolved = resolveProject(reg.registry, project, ctx.cwd);
        } finally {
          reg.close();
        }
        const name = resolved.name;
        if (name === null) {
          throw new AppError(
            'INVALID_INPUT',
            `${resolved.paths.root} is not registered; \`autocoder import\` it first`,
          );
        }
        if (readStoreMarker(resolved.paths) !== undefined) {
          throw new AppError('CONFLICT', `${name}'s store is already in PostgreSQL (${resolved.paths.storeMarker})`);
        }
        const store = openProjectStore(resolved.paths, { create: false, env: sqliteEnv });
        try {
          const running = activeRun(store.runs);
          if (running) {
            throw new AppError(
              'CONFLICT',
              `a run of ${name} is active (pid ${running.pid}); stop it (\`autocoder stop ${name}\`) before moving its store`,
            );
          }
        } finally {
          store.close();
        }
        const result = migrateProjectStore({ name, paths: resolved.paths, env: sqliteEnv, url });
        if (opts.json) return printJson(ctx, result);
        const width = Math.max(...result.tables.map((t) => t.table.length));
        ctx.stdout(`Copied ${name} into PostgreSQL (schema ${result.schema}), every count checked:\n`);
        for (const t of result.tables) ctx.stdout(`  ${t.table.padEnd(width)}  ${t.rows}\n`);
        ctx.stdout(
          `Project settings: ${result.settings}. ${name} now opens from PostgreSQL (with ${DATABASE_URL_VAR} or ` +
            `--database); its SQLite file is kept at ${resolved.paths.database}.\n`,
        );
      }),
    );
}
