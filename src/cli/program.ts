import { Command, CommanderError } from 'commander';
import { AppError, errorMessage } from '../domain/errors.js';
import { withHomeEnv } from '../config/home-env.js';
import { registerBacklogCommands } from './commands/backlog.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerProjectCommands } from './commands/projects.js';
import { registerCheckpointCommand, registerDesignReviewCommand, registerRunCommand } from './commands/run.js';
import { registerVerifyCommand } from './commands/verify.js';
import { registerSpecCommands } from './commands/spec.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerControlCommands } from './commands/control.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerServeCommand } from './commands/serve.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerConfigCommand } from './commands/config.js';
import { registerCompletionCommand } from './commands/completion.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDisputeCommands } from './commands/disputes.js';
import { registerInboxCommands } from './commands/inbox.js';
import { registerMetricsCommand } from './commands/metrics.js';
import { registerReportCommand } from './commands/report.js';
import { registerCheckpointCommands } from './commands/checkpoints.js';
import { registerPreviewCommand } from './commands/preview.js';
import { registerMigrateStoreCommand } from './commands/migrate-store.js';
import { registerWorkersCommand } from './commands/workers.js';
import { registerWorkerCommand } from './commands/worker.js';
import { commandForm, withCommandForm } from './command-form.js';
import type { CliContext } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { VERSION } from './version.js';
import { DATABASE_URL_VAR } from '../db/store-location.js';

/** Builds the whole command tree. Errors are turned into a message and an exit code here only. */
export function buildProgram(ctx: CliContext, setExitCode: (code: number) => void): Command {
  const program = new Command('autocoder')
    .description('Builds complete applications from an app spec with autonomous Claude Code agents.')
    .version(VERSION)
    // Read by runCli before commander parses (takeDatabaseOption); declared here for --help.
    .option(
      '--database <url>',
      `PostgreSQL for the registry and new projects' stores (postgres://user:password@host:5432/db; or ${DATABASE_URL_VAR}); default: SQLite files`,
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr })
    .exitOverride();

  const runTolerant = async (fn: () => void | Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err: unknown) {
      if (err instanceof AppError) {
        ctx.stderr(`error: ${err.message}\n`);
        setExitCode(exitCodeFor(err.code));
        return;
      }
      ctx.stderr(`error: ${errorMessage(err)}\n`);
      setExitCode(EXIT.failure);
    }
  };

  // Every command but doctor stops at a refused $AUTOCODER_HOME/.env; doctor shows it as a failed check.
  const run = (fn: () => void | Promise<void>): Promise<void> =>
    runTolerant(() => {
      if (ctx.homeEnvError !== undefined) throw ctx.homeEnvError;
      return fn();
    });

  registerProjectCommands(program, ctx, run);
  registerBacklogCommands(program, ctx, run);
  registerMcpCommand(program, ctx, run);
  registerRunCommand(program, ctx, run, setExitCode);
  registerCheckpointCommand(program, ctx, run, setExitCode);
  registerDesignReviewCommand(program, ctx, run, setExitCode);
  registerVerifyCommand(program, ctx, run, setExitCode);
  registerSpecCommands(program, ctx, run, setExitCode);
  registerPolicyCommands(program, ctx, run, setExitCode);
  registerControlCommands(program, ctx, run);
  registerInboxCommands(program, ctx, run);
  registerDisputeCommands(program, ctx, run);
  registerDoctorCommand(program, ctx, runTolerant, setExitCode);
  registerServeCommand(program, ctx, run);
  registerPreviewCommand(program, ctx, run);
  registerDemoCommand(program, ctx, run);
  registerLogsCommand(program, ctx, run);
  registerMetricsCommand(program, ctx, run);
  registerReportCommand(program, ctx, run);
  registerCheckpointCommands(program, ctx, run);
  registerConfigCommand(program, ctx, run);
  registerMigrateStoreCommand(program, ctx, run);
  registerWorkersCommand(program, ctx, run);
  registerWorkerCommand(program, ctx, run, setExitCode);
  registerCompletionCommand(program, ctx, run);
  return program;
}

/**
 * The context with `$AUTOCODER_HOME/.env` read under its environment (once: the menu calls runCli again with it), or
 * with the reason the file was refused.
 */
function withUserEnvFile(ctx: CliContext): CliContext {
  if (ctx.homeEnv !== undefined || ctx.homeEnvError !== undefined) return ctx;
  try {
    const { env, info } = withHomeEnv(ctx.env);
    return { ...ctx, env, homeEnv: info };
  } catch (err: unknown) {
    return { ...ctx, homeEnvError: err instanceof Error ? err : new Error(String(err)) };
  }
}

/**
 * The context whose output names hints the way the person can run autocoder where they are (`npx autocoder …` in a
 * clone without it on PATH): see command-form.ts. Once: the menu calls runCli again with it.
 */
function withHintForm(ctx: CliContext): CliContext {
  if (ctx.commandForm !== undefined) return ctx;
  const form = commandForm(ctx.env);
  if (form === 'autocoder') return { ...ctx, commandForm: form };
  const names = buildProgram(ctx, () => undefined).commands.flatMap((c) => [c.name(), ...c.aliases()]);
  return {
    ...ctx,
    commandForm: form,
    stdout: (text) => ctx.stdout(withCommandForm(text, form, names)),
    stderr: (text) => ctx.stderr(withCommandForm(text, form, names)),
  };
}

/**
 * `--database <url>` (or `--database=<url>`) anywhere in argv, taken out: it sets AUTOCODER_DATABASE_URL for every
 * command (and the processes they start), over `$AUTOCODER_HOME/.env`'s.
 */
export function takeDatabaseOption(argv: readonly string[]): { argv: string[]; database: string | undefined } {
  const rest: string[] = [];
  let database: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--database' || arg.startsWith('--database=')) {
      const value = arg === '--database' ? argv[++i] : arg.slice('--database='.length);
      if (value === undefined || value.trim() === '' || value.startsWith('-')) {
        throw new AppError('INVALID_INPUT', '--database needs a URL: --database postgres://user:password@host:5432/db');
      }
      database = value;
    } else rest.push(arg);
  }
  return { argv: rest, database };
}

/** Parses argv and runs the command; resolves to the exit code. */
export async function runCli(givenArgv: readonly string[], given: CliContext): Promise<number> {
  let argv: readonly string[];
  try {
    const taken = takeDatabaseOption(givenArgv);
    argv = taken.argv;
    if (taken.database !== undefined) given = { ...given, env: { ...given.env, [DATABASE_URL_VAR]: taken.database } };
  } catch (err: unknown) {
    given.stderr(`error: ${errorMessage(err)}\n`);
    return EXIT.usage;
  }
  const ctx = withHintForm(withUserEnvFile(given));
  if (argv.length === 0) {
    // No arguments: the interactive menu when there is a terminal to ask on, else the help.
    if (ctx.prompt === undefined) return runCli(['--help'], ctx);
    const commands = new Set(buildProgram(ctx, () => undefined).commands.map((c) => c.name()));
    // The menu (and its prompt library) loads only when it is shown.
    const { runMenu } = await import('./menu/menu.js');
    return runMenu(ctx, runCli, commands);
  }
  let exitCode: number = EXIT.ok;
  const program = buildProgram(ctx, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err: unknown) {
    if (err instanceof CommanderError) {
      // Help and version are successful exits; everything else commander rejects is a usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw err;
  }
  return exitCode;
}
