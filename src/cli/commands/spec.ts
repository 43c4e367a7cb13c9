import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { openRegistry, startProjectSpecChat } from '../../compose.js';
import { loadRunSettings, type RunSettings } from '../../config/run-settings.js';
import { projectRunDefaults, registryRunDefaults } from '../../config/user-settings.js';
import { DEMO_MODEL, DEMO_MODEL_LABEL } from '../../shared/runs.js';
import { AppError } from '../../domain/errors.js';
import { resolveProject } from '../../projects/projects.js';
import { appSpecTemplate, formatSpecProblems, validateAppSpec } from '../../spec/validate-app-spec.js';
import type { Env } from '../../config/env.js';
import type { SpecChatStarter } from '../../server/spec-chat-socket.js';
import { type CliContext, printJson } from '../context.js';

/** spec, spec-template, check-spec: write and validate app specs. */
export function registerSpecCommands(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
  setExitCode: (code: number) => void,
): void {
  program
    .command('spec')
    .description(
      'write the app spec in a conversation with Claude: it asks about one topic at a time, then saves a validated .autocoder/app_spec.txt',
    )
    .argument('<project>', 'registered name or path')
    .option('--model <model>', 'model for the conversation (default: Claude Code default, or $AUTOCODER_MODEL)')
    .action((project: string, opts: { model?: string }) =>
      run(async () => {
        if (!(await specChat(ctx, project, opts.model))) setExitCode(1);
      }),
    );

  program
    .command('spec-template')
    .description('print an app spec template to fill in (save it as .autocoder/app_spec.txt)')
    .action(() => run(() => ctx.stdout(appSpecTemplate())));

  program
    .command('check-spec')
    .description("validate an app spec: a project's .autocoder/app_spec.txt or a file")
    .argument('<project-or-file>', 'registered name, project folder, or spec file')
    .option('--json', 'print JSON: {"ok","problems":[{"line","message"}],"projectName","featureCount"}')
    .action((target: string, opts: { json?: boolean }) =>
      run(() => {
        const file = specFileFor(ctx, target);
        const check = validateAppSpec(readFileSync(file, 'utf8'));
        if (opts.json) printJson(ctx, check);
        else if (check.ok)
          ctx.stdout(`${file}: valid${check.featureCount ? ` (about ${check.featureCount} features)` : ''}\n`);
        else ctx.stderr(`${formatSpecProblems(file, check)}\n`);
        if (!check.ok) setExitCode(1);
      }),
    );
}

function specFileFor(ctx: CliContext, target: string): string {
  const asFile = resolve(ctx.cwd, target);
  if (existsSync(asFile) && statSync(asFile).isFile()) return asFile;
  const reg = openRegistry(ctx.env);
  try {
    const spec = resolveProject(reg.registry, target, ctx.cwd).paths.spec;
    if (!existsSync(spec))
      throw new AppError(
        'NOT_FOUND',
        `the project has no app spec yet; write one to ${spec} (\`autocoder spec-template\` prints a template)`,
      );
    return spec;
  } finally {
    reg.close();
  }
}

/**
 * Where the person's lines come from: the context's prompt input when set (a terminal, or streams tests inject), else
 * stdin.
 */
function chatInput(ctx: CliContext): NodeJS.ReadableStream {
  return ctx.prompt?.input ?? process.stdin;
}

/**
 * The chat's model, chosen as a run's is: the flag, else $AUTOCODER_MODEL, else the project's
 * and then the saved settings' default model (a demo project's is `demo`), else Claude Code's default.
 */
function specChatModel(env: Env, projectName: string | null, flag: string | undefined): string | undefined {
  const reg = openRegistry(env);
  let defaults: Partial<RunSettings>;
  try {
    defaults = {
      ...registryRunDefaults(reg.registry),
      ...(projectName === null ? {} : projectRunDefaults(reg.registry, projectName)),
    };
  } finally {
    reg.close();
  }
  return loadRunSettings(env, { model: flag }, defaults).model;
}

/** The spec chat for the server's `/ws/projects/:name/spec`, with the same model rules as the terminal. */
export function specChatStarter(env: Env): SpecChatStarter {
  return ({ projectName, paths, model }) =>
    startProjectSpecChat({ env, projectName, paths, model: specChatModel(env, projectName, model) });
}

/**
 * The terminal front-end of the spec chat: streams the assistant's text to stdout and hands
 * each line the user types to the session; `/done` or end of input (Ctrl+D) ends it.
 * Resolves true when a spec was written.
 */
async function specChat(ctx: CliContext, project: string, modelFlag: string | undefined): Promise<boolean> {
  const reg = openRegistry(ctx.env);
  let resolved;
  try {
    resolved = resolveProject(reg.registry, project, ctx.cwd);
  } finally {
    reg.close();
  }
  if (!existsSync(resolved.paths.dataDir))
    throw new AppError(
      'NOT_FOUND',
      `${resolved.paths.dataDir} does not exist; create the project with \`autocoder new\``,
    );
  const model = specChatModel(ctx.env, resolved.name, modelFlag);
  const name = resolved.name ?? project;
  const chat = await startProjectSpecChat({ env: ctx.env, projectName: name, paths: resolved.paths, model });
  const who = model === DEMO_MODEL ? `the ${DEMO_MODEL_LABEL}` : `Claude${model ? ` (${model})` : ''}`;
  ctx.stdout(
    `Writing the app spec of ${name} with ${who}. Answer each question; type /done or press Ctrl+D to stop.\n\n`,
  );
  const rl = createInterface({ input: chatInput(ctx), terminal: false });
  rl.on('line', (line) => {
    if (line.trim() === '/done') chat.end();
    else chat.send(line);
  });
  rl.on('close', () => chat.end());
  // Ctrl+C stops the session at once (Claude Code is stopped and its temporary folder removed).
  const onSignal = () => chat.abort();
  process.once('SIGINT', onSignal);
  let written: { path: string; featureCount: number | null; backupPath: string | null } | null = null;
  let failure: string | null = null;
  try {
    for await (const event of chat.events) {
      switch (event.type) {
        case 'assistant_delta':
          ctx.stdout(event.text);
          break;
        case 'assistant_message':
          ctx.stdout('\n\n');
          break;
        case 'waiting':
          ctx.stdout('> ');
          break;
        case 'spec_problems':
          ctx.stdout(
            `(the draft has ${event.problems.length} problem${event.problems.length === 1 ? '' : 's'}, which Claude is fixing: ${event.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')})\n\n`,
          );
          break;
        case 'spec_written':
          written = event;
          break;
        case 'ended':
          if (event.reason === 'error') failure = event.error ?? 'the session failed';
          break;
        default:
          break;
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    rl.close();
  }
  if (written) {
    ctx.stdout(
      `Spec written to ${written.path}${written.featureCount === null ? '' : ` (about ${written.featureCount} features)`}.\n`,
    );
    if (written.backupPath) ctx.stdout(`The previous spec is kept in ${written.backupPath}.\n`);
    ctx.stdout(`Next: autocoder run ${project}\n`);
    return true;
  }
  if (failure !== null) ctx.stderr(`error: the spec chat failed: ${failure}\n`);
  ctx.stderr(
    `No spec was written. Start again with \`autocoder spec ${project}\`, or write it by hand (\`autocoder spec-template\`).\n`,
  );
  return false;
}
