import type { Command } from 'commander';
import { openRegistry } from '../../compose.js';
import { projectPaths } from '../../config/paths.js';
import type { RegisteredProject } from '../../db/ports.js';
import { AppError } from '../../domain/errors.js';
import { demoProjectFor, DEMO_RUN_REQUEST, type DemoOutcome } from '../../demo/create-demo-project.js';
import { openProjectStore } from '../../compose.js';
import { activeRun } from '../../projects/run-control.js';
import { assertProjectName } from '../../projects/projects.js';
import { processLauncher } from '../../server/launcher.js';
import { tokenFile, uiLink } from '../../server/server-token.js';
import { DEMO_MODEL, DEMO_MODEL_LABEL } from '../../shared/runs.js';
import type { CliContext } from '../context.js';
import type { LogLevel } from '../../logging/logger.js';
import { logLevelOption, serverLogger } from '../logging.js';
import { closeOnSignal, listen, parsePort } from './serve.js';
import type { Env } from '../../config/env.js';
import { projectStoreExists } from '../../db/store-location.js';

/** The active run's pid of a project, or null (no database yet, or no run alive). */
function activeRunPid(project: RegisteredProject, env: Env): number | null {
  const paths = projectPaths(project.path);
  if (!projectStoreExists(paths)) return null;
  const store = openProjectStore(paths, { create: false, env });
  try {
    return activeRun(store.runs)?.pid ?? null;
  } finally {
    store.close();
  }
}

/** The demo project: a new one, the existing one (run again), or with `fresh` a new copy in its place. */
function demoProjectForCli(
  ctx: CliContext,
  name: string | undefined,
  fresh: boolean,
): { project: RegisteredProject; outcome: DemoOutcome } {
  const reg = openRegistry(ctx.env);
  try {
    return demoProjectFor(reg.registry, ctx.env, {
      name,
      cwd: ctx.cwd,
      reuse: fresh ? 'fresh' : 'again',
      activeRunPid: (project) => activeRunPid(project, ctx.env),
    });
  } finally {
    reg.close();
  }
}

const OUTCOME_LINES: Record<DemoOutcome, (name: string, path: string) => string> = {
  created: (name, path) => `Demo project "${name}" created in ${path}`,
  again: (name, path) =>
    `Demo project "${name}" (in ${path}) exists already: it runs again as it is (\`autocoder demo --fresh\` replaces it with a fresh copy)`,
  fresh: (name, path) => `Demo project "${name}" replaced with a fresh copy in ${path}`,
};

const MODEL_LINE = `Model: ${DEMO_MODEL} (${DEMO_MODEL_LABEL}). The Claude Code sessions, files and commits are real; their answers come from a built-in script, not an AI, so no credentials are needed and nothing leaves this machine.\n`;

/** demo: a sample project run by the built-in scripted model, watched in the web UI. */
export function registerDemoCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
): void {
  program
    .command('demo')
    .description(
      `create a small sample project and run it with the built-in demo model (${DEMO_MODEL_LABEL}); no credentials needed`,
    )
    .option(
      '--name <name>',
      'project name (default demo; an existing demo project of that name is reused, see --fresh; demo-2 when a project of yours is named demo)',
    )
    .option('--fresh', 'replace the existing demo project (its folder, backlog and history) with a fresh copy')
    .option('--port <port>', 'port of the server to watch it on (0 picks a free one)', parsePort, 8888)
    .option('--no-start', 'only create the project and print how to start it')
    .addOption(logLevelOption('the server (to stderr)'))
    .action((opts: { name?: string; fresh?: boolean; port: number; start: boolean; logLevel: LogLevel }) =>
      run(async () => {
        if (opts.name !== undefined) assertProjectName(opts.name);
        if (!opts.start) {
          const { project, outcome } = demoProjectForCli(ctx, opts.name, opts.fresh === true);
          ctx.stdout(`${OUTCOME_LINES[outcome](project.name, project.path)}.\n`);
          ctx.stdout(MODEL_LINE);
          ctx.stdout(`Start it: autocoder run ${project.name}\n`);
          ctx.stdout(
            `   or in the web UI: autocoder serve, open the link it prints, then Start on the page of ${project.name}\n`,
          );
          return;
        }
        // The server first: if its port is taken, nothing is created.
        const server = await listen(ctx, '127.0.0.1', opts.port, serverLogger(ctx, opts.logLevel)).catch(
          (err: unknown) => {
            if (err instanceof AppError && err.code === 'CONFLICT') {
              throw new AppError(
                'CONFLICT',
                `${err.message}; if autocoder serve already runs there, use "Try the demo" in its UI (POST /api/demo), or \`autocoder demo --no-start\` and Start`,
              );
            }
            throw err;
          },
        );
        let project: RegisteredProject;
        let outcome: DemoOutcome;
        let started: string;
        try {
          ({ project, outcome } = demoProjectForCli(ctx, opts.name, opts.fresh === true));
          const running = activeRunPid(project, ctx.env);
          // Started exactly as the server's Start button starts a run: detached, in its own process group.
          started =
            running !== null
              ? `its run is going on already (pid ${running})`
              : `its run started (pid ${processLauncher(ctx.env)({ name: project.name, paths: projectPaths(project.path) }, DEMO_RUN_REQUEST).pid})`;
        } catch (err: unknown) {
          await server.close();
          throw err;
        }
        ctx.stdout(`${OUTCOME_LINES[outcome](project.name, project.path)}; ${started}.\n`);
        ctx.stdout(MODEL_LINE);
        ctx.stdout(`Watch it: ${uiLink(server.url, server.token, `/projects/${project.name}`)}\n`);
        ctx.stdout(
          `(The link carries the server token, which every API and WebSocket request needs; it is also in ${tokenFile(ctx.env)}.)\n`,
        );
        ctx.stdout(
          `Ctrl+C stops the server; the run goes on until it finishes (about a minute), or \`autocoder stop ${project.name}\`.\n`,
        );
        await closeOnSignal(ctx, server);
      }),
    );
}
