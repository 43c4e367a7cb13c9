import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { openRegistry, openProjectStore } from '../../compose.js';
import { createProject, importProject, removeProject } from '../../projects/projects.js';
import { projectPaths } from '../../config/paths.js';
import { type CliContext, printJson } from '../context.js';
import type { Env } from '../../config/env.js';
import { projectStoreExists } from '../../db/store-location.js';
import { shownRemote } from '../../git/remote.js';
import { projectRemote } from '../../projects/shared-project.js';

/** new, import, list, remove: the project registry. */
export function registerProjectCommands(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
): void {
  program
    .command('new')
    .description('create a project: a folder (created if missing) with git, .autocoder/ and an optional app spec')
    .argument('<name>', 'project name: lowercase letters, digits, ".", "_" or "-" (e.g. todo-app)')
    .option('--dir <path>', 'where the project lives (default: ./<name>)')
    .option('--spec <file>', 'an app spec to copy to .autocoder/app_spec.txt')
    .option(
      '--remote <git-url>',
      "share the project between machines (needs --database / AUTOCODER_DATABASE_URL): the folder becomes a clone of this git remote (a bare repository's path, file://, ssh or https), where every worker lands on main",
    )
    .action((name: string, opts: { dir?: string; spec?: string; remote?: string }) =>
      run(() => {
        const reg = openRegistry(ctx.env);
        try {
          const p = createProject(reg.registry, {
            name,
            dir: opts.dir,
            specFile: opts.spec,
            cwd: ctx.cwd,
            env: ctx.env,
            ...(opts.remote === undefined ? {} : { remote: opts.remote }),
          });
          ctx.stdout(`Created project ${p.name} at ${p.path}\n`);
          if (opts.remote !== undefined)
            ctx.stdout(
              `Shared through ${shownRemote(projectRemote(reg.registry, p.name) ?? opts.remote)}: start workers on any machine with: autocoder worker\n`,
            );
          if (!opts.spec)
            ctx.stdout(
              `Next: write the app spec to ${projectPaths(p.path).spec}, or with Claude: autocoder spec ${p.name}\n`,
            );
        } finally {
          reg.close();
        }
      }),
    );

  program
    .command('import')
    .description('register an existing folder as a project')
    .argument('<name>', 'project name')
    .argument('<path>', 'the existing folder')
    .action((name: string, path: string) =>
      run(() => {
        const reg = openRegistry(ctx.env);
        try {
          const p = importProject(reg.registry, name, path, ctx.cwd, ctx.env);
          ctx.stdout(`Imported ${p.path} as project ${p.name}\n`);
        } finally {
          reg.close();
        }
      }),
    );

  program
    .command('list')
    .description('list registered projects with their progress')
    .option('--json', 'print JSON: {"projects":[{"name","path","createdAt","exists","stats"}]}')
    .action((opts: { json?: boolean }) =>
      run(() => {
        const reg = openRegistry(ctx.env);
        try {
          const projects = reg.registry.list().map((p) => ({ ...p, ...projectStats(p.path, ctx.env) }));
          if (opts.json) return printJson(ctx, { projects });
          if (projects.length === 0) return ctx.stdout('No projects yet. Create one with `autocoder new <name>`.\n');
          for (const p of projects) {
            const progress = p.stats
              ? `${p.stats.passing}/${p.stats.total} passing`
              : p.exists
                ? 'no database'
                : 'folder missing';
            ctx.stdout(`${p.name.padEnd(24)} ${progress.padEnd(20)} ${p.path}\n`);
          }
        } finally {
          reg.close();
        }
      }),
    );

  program
    .command('remove')
    .description('forget a project (the registry entry only, unless --delete-files)')
    .argument('<name>', 'project name')
    .option('--delete-files', 'also delete the project folder from disk')
    .action((name: string, opts: { deleteFiles?: boolean }) =>
      run(() => {
        const reg = openRegistry(ctx.env);
        try {
          const p = removeProject(reg.registry, name, opts.deleteFiles === true, ctx.env);
          ctx.stdout(
            opts.deleteFiles
              ? `Removed ${p.name} and deleted ${p.path}\n`
              : `Removed ${p.name} from the registry (files kept at ${p.path})\n`,
          );
        } finally {
          reg.close();
        }
      }),
    );
}

function projectStats(path: string, env: Env) {
  const paths = projectPaths(path);
  if (!projectStoreExists(paths)) return { exists: existsSync(path), stats: null };
  try {
    const store = openProjectStore(paths, { create: false, env });
    try {
      return { exists: true, stats: store.features.stats() };
    } finally {
      store.close();
    }
  } catch {
    // An unreadable project database must not break the listing of the others.
    return { exists: true, stats: null };
  }
}
