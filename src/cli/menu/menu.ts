/**
 * `autocoder` with no arguments on a terminal: a menu over the plain commands. It asks the
 * questions (inquirer, on the context's prompt streams), then runs the very argv a user would
 * type through runCli, so every menu action is also a command. Choices come from menu-model.ts.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { input, select } from '@inquirer/prompts';
import { openProjectStore, openRegistry } from '../../compose.js';
import { projectPaths } from '../../config/paths.js';
import { AppError, errorMessage } from '../../domain/errors.js';
import { withProject } from '../commands/backlog.js';
import type { CliContext } from '../context.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import {
  answerArgv,
  cancelArgv,
  concurrencyChoices,
  defaultFolder,
  mainMenuChoices,
  type MenuChoice,
  type MenuState,
  newArgv,
  type PathKind,
  progressLabel,
  projectChoices,
  projectMenuChoices,
  type ProjectSummary,
  runArgv,
  serveArgv,
  validateFolder,
  validatePort,
  validateProjectName,
  validateSpecFile,
} from './menu-model.js';
import type { Env } from '../../config/env.js';
import { projectStoreExists } from '../../db/store-location.js';

export type RunCli = (argv: readonly string[], ctx: CliContext) => Promise<number>;
type PromptIo = NonNullable<CliContext['prompt']>;

/** Ctrl+C: inquirer rejects with ExitPromptError. Esc: our AbortController rejects with AbortPromptError. */
const isCtrlC = (err: unknown): boolean => err instanceof Error && err.name === 'ExitPromptError';
const isEsc = (err: unknown): boolean => err instanceof Error && err.name === 'AbortPromptError';

/** Runs one inquirer prompt on the injected streams; Esc aborts it. */
async function ask<T>(
  io: PromptIo,
  prompt: (context: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onKey = (_s: unknown, key?: { name?: string }) => {
    if (key?.name === 'escape') controller.abort();
  };
  io.input.on('keypress', onKey);
  try {
    return await prompt({ input: io.input, output: io.output, signal: controller.signal });
  } finally {
    io.input.removeListener('keypress', onKey);
  }
}

function choose<T>(io: PromptIo, message: string, choices: MenuChoice<T>[], defaultValue?: T): Promise<T> {
  return ask(io, (context) =>
    select<T>(
      { message, choices, pageSize: 12, ...(defaultValue === undefined ? {} : { default: defaultValue }) },
      context,
    ),
  );
}

function text(
  io: PromptIo,
  message: string,
  opts: { default?: string; validate?: (value: string) => true | string } = {},
): Promise<string> {
  return ask(io, (context) =>
    input(
      {
        message,
        ...(opts.default === undefined ? {} : { default: opts.default }),
        ...(opts.validate ? { validate: opts.validate } : {}),
      },
      context,
    ),
  );
}

function summarize(name: string, path: string, env: Env): ProjectSummary {
  const paths = projectPaths(path);
  if (!projectStoreExists(paths)) return { name, path, exists: existsSync(path), stats: null, openRequests: 0 };
  try {
    const store = openProjectStore(paths, { create: false, env });
    try {
      return {
        name,
        path,
        exists: true,
        stats: store.features.stats(),
        openRequests: store.humanInput.list({ status: 'open' }).length,
      };
    } finally {
      store.close();
    }
  } catch {
    // An unreadable project database must not break the menu for the others.
    return { name, path, exists: true, stats: null, openRequests: 0 };
  }
}

/** The registry as the menu shows it, read afresh before every menu. */
export function loadMenuState(ctx: CliContext, commands: ReadonlySet<string>): MenuState {
  const reg = openRegistry(ctx.env);
  try {
    return { projects: reg.registry.list().map((p) => summarize(p.name, p.path, ctx.env)), commands };
  } finally {
    reg.close();
  }
}

class Menu {
  constructor(
    private readonly ctx: CliContext,
    private readonly io: PromptIo,
    private readonly runCli: RunCli,
    private readonly commands: ReadonlySet<string>,
  ) {}

  private kindOf = (path: string): PathKind => {
    const abs = resolve(this.ctx.cwd, path);
    if (!existsSync(abs)) return 'missing';
    return statSync(abs).isDirectory() ? 'dir' : 'file';
  };

  /** Runs `autocoder <argv>` in this process, as typed on the command line. */
  private async exec(argv: string[]): Promise<number> {
    this.ctx.stdout(
      `\n$ autocoder ${argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')}\n`,
    );
    return this.runCli(argv, this.ctx);
  }

  /** Loops until Quit, Esc on the main menu or Ctrl+C anywhere; resolves to the exit code. */
  async loop(): Promise<number> {
    this.ctx.stdout('autocoder: ↑/↓ or type to move, Enter to choose, Esc to go back, Ctrl+C to quit.\n');
    for (;;) {
      let action;
      try {
        const state = loadMenuState(this.ctx, this.commands);
        action = await choose(this.io, 'What would you like to do?', mainMenuChoices(state));
        if (action === 'quit') return EXIT.ok;
        await this.perform(action, state);
      } catch (err: unknown) {
        if (isCtrlC(err)) return EXIT.ok;
        if (isEsc(err)) {
          if (action === undefined) return EXIT.ok; // Esc on the main menu quits
          continue; // Esc in a question goes back to the main menu
        }
        if (err instanceof AppError) {
          this.ctx.stderr(`error: ${err.message}\n`);
          return exitCodeFor(err.code);
        }
        this.ctx.stderr(`error: ${errorMessage(err)}\n`);
        return EXIT.failure;
      }
    }
  }

  private async perform(
    action: Exclude<ReturnType<typeof mainMenuChoices>[number]['value'], 'quit'>,
    state: MenuState,
  ): Promise<void> {
    switch (action) {
      case 'new':
        return this.createProject(state);
      case 'continue': {
        const name = await this.pickProject(state.projects, 'Which project?');
        if (name !== null) await this.projectMenu(name);
        return;
      }
      case 'run': {
        const name = await this.pickProject(state.projects, 'Run which project?');
        if (name !== null) await this.run(name);
        return;
      }
      case 'status': {
        const name = await this.pickProject(state.projects, 'Status of which project?');
        if (name !== null) await this.exec(['status', name]);
        return;
      }
      case 'inbox': {
        const waiting = state.projects.filter((p) => p.openRequests > 0);
        if (waiting.length === 0) return this.ctx.stdout('No open questions: no agent is waiting for an answer.\n');
        const name =
          waiting.length === 1 ? waiting[0]!.name : await this.pickProject(waiting, 'Questions of which project?');
        if (name !== null) await this.inbox(name);
        return;
      }
      case 'spec': {
        const name = await this.pickProject(state.projects, 'Spec of which project?');
        if (name !== null) await this.exec(['spec', name]);
        return;
      }
      case 'ui': {
        const port = await text(this.io, 'Port (0 picks a free one)', { default: '8888', validate: validatePort });
        this.ctx.stdout('Ctrl+C stops the server and returns to this menu.\n');
        await this.exec(serveArgv(Number(port.trim())));
        return;
      }
      case 'doctor':
        await this.exec(['doctor']);
        return;
    }
  }

  private async createProject(state: MenuState): Promise<void> {
    const registered = state.projects.map((p) => p.name);
    for (;;) {
      const name = (
        await text(this.io, 'Project name (e.g. todo-app)', { validate: (v) => validateProjectName(v, registered) })
      ).trim();
      const dir = await text(this.io, 'Folder', {
        default: defaultFolder(name),
        validate: (v) => validateFolder(v, this.kindOf),
      });
      const spec = await text(this.io, 'App spec file (optional, Enter to skip)', {
        validate: (v) => validateSpecFile(v, this.kindOf),
      });
      if ((await this.exec(newArgv({ name, dir, spec }))) === EXIT.ok) return;
      const again = await choose(this.io, 'The project was not created (see the error above).', [
        { value: true, name: 'Try again' },
        { value: false, name: 'Back to the menu' },
      ]);
      if (!again) return;
    }
  }

  /** null when no project can be picked (all folders missing). */
  private async pickProject(projects: readonly ProjectSummary[], message: string): Promise<string | null> {
    if (!projects.some((p) => p.exists)) {
      this.ctx.stdout('No project folder exists; see `autocoder list`.\n');
      return null;
    }
    return choose(this.io, message, projectChoices(projects));
  }

  private async projectMenu(name: string): Promise<void> {
    for (;;) {
      const registered = loadMenuState(this.ctx, this.commands).projects.find((p) => p.name === name);
      if (registered === undefined) return;
      const action = await choose(
        this.io,
        `${name}: ${progressLabel(registered)}`,
        projectMenuChoices(registered, this.commands),
      );
      switch (action) {
        case 'back':
          return;
        case 'run':
          await this.run(name);
          break;
        case 'inbox':
          await this.inbox(name);
          break;
        case 'status':
        case 'logs':
        case 'spec':
          await this.exec([action, name]);
          break;
      }
    }
  }

  private async run(name: string): Promise<void> {
    const concurrency = await choose(this.io, 'How many coding agents at once?', concurrencyChoices(), null);
    const model = await text(this.io, 'Model (optional, Enter for the default; "demo" is the scripted demo model)');
    this.ctx.stdout('Ctrl+C stops the run and returns to this menu.\n');
    await this.exec(runArgv({ project: name, concurrency, model }));
  }

  private async inbox(name: string): Promise<void> {
    const requests = withProject(this.ctx, name, (store) => store.humanInput.list({ status: 'open' }));
    if (requests.length === 0) return this.ctx.stdout(`No open questions in ${name}.\n`);
    const id = await choose<string | null>(this.io, 'Which question?', [
      ...requests.map((r) => ({
        value: r.id,
        name: `#${r.featureId}${r.featureName ? ` ${r.featureName}` : ''}: ${r.prompt}`,
        description: r.id,
      })),
      { value: null, name: 'Back' },
    ]);
    if (id === null) return;
    const how = await choose(this.io, `${id}`, [
      { value: 'answer', name: 'Answer it', description: `autocoder answer ${name} ${id} (secrets are not echoed)` },
      {
        value: 'cancel',
        name: 'Cancel the request',
        description: 'the feature goes back to pending with your reason as a note',
      },
      { value: 'back', name: 'Back' },
    ]);
    if (how === 'answer') await this.exec(answerArgv(name, id));
    if (how === 'cancel') await this.exec(cancelArgv(name, id, await text(this.io, 'Reason (optional)')));
  }
}

/** The menu's loop on `ctx.prompt`; `commands` are the CLI's top-level command names. */
export function runMenu(ctx: CliContext, runCli: RunCli, commands: ReadonlySet<string>): Promise<number> {
  if (ctx.prompt === undefined) throw new Error('the menu needs a terminal (ctx.prompt)');
  return new Menu(ctx, ctx.prompt, runCli, commands).loop();
}
