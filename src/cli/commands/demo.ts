import type { Command } from 'commander';
import { openRegistry } from '../../compose.js';
import { projectPaths } from '../../config/paths.js';
import type { RegisteredProject } from '../../db/ports.js';
import { AppError } from '../../domain/errors.js';
import { createDemoProject, DEMO_RUN_REQUEST } from '../../demo/create-demo-project.js';
import { assertProjectName } from '../../projects/projects.js';
import { processLauncher } from '../../server/launcher.js';
import { tokenFile, uiLink } from '../../server/server-token.js';
import { DEMO_MODEL, DEMO_MODEL_LABEL } from '../../shared/runs.js';
import type { CliContext } from '../context.js';
import type { LogLevel } from '../../logging/logger.js';
import { logLevelOption, serverLogger } from '../logging.js';
import { closeOnSignal, listen, parsePort } from './serve.js';

function createProjectFor(ctx: CliContext, name: string | undefined): RegisteredProject {
  const reg = openRegistry(ctx.env);
  try {
    return createDemoProject(reg.registry, ctx.env, { name, cwd: ctx.cwd });
  } finally {
    reg.close();
  }
}

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
    .option('--name <name>', 'project name (default demo; demo-2, demo-3, … when taken)')
    .option('--port <port>', 'port of the server to watch it on (0 picks a free one)', parsePort, 8888)
    .option('--no-start', 'only create the project and print how to start it')
    .addOption(logLevelOption('the server (to stderr)'))
    .action((opts: { name?: string; port: number; start: boolean; logLevel: LogLevel }) =>
      run(async () => {
        if (opts.name !== undefined) assertProjectName(opts.name);
        if (!opts.start) {
          const project = createProjectFor(ctx, opts.name);
          ctx.stdout(`Demo project "${project.name}" created in ${project.path}.\n`);
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
        let pid: number;
        try {
          project = createProjectFor(ctx, opts.name);
          // Started exactly as the server's Start button starts a run: detached, in its own process group.
          pid = processLauncher(ctx.env)(
            { name: project.name, paths: projectPaths(project.path) },
            DEMO_RUN_REQUEST,
          ).pid;
        } catch (err: unknown) {
          await server.close();
          throw err;
        }
        ctx.stdout(`Demo project "${project.name}" created in ${project.path}; its run started (pid ${pid}).\n`);
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
