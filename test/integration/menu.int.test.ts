/**
 * `autocoder` with no arguments: the interactive menu, driven in-process through injected
 * input/output streams (the keys a terminal would send) against a real temp AUTOCODER_HOME;
 * plus the real binary: help when not on a terminal, and the menu on a pseudo-terminal.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { cli, CLI } from '../support/cli-process.js';
import { seedOAuthRequest } from '../support/oauth-request.js';
import { hasPty, runOnPty, type PtyResult, type PtyStep } from '../support/pty.js';
import { cliSandbox } from '../support/tmp.js';

// Runs the real CLI in child processes (each start takes seconds under tsx on a loaded machine), several per test.
vi.setConfig({ testTimeout: 120_000 });

const KEY = { enter: '\r', down: '\x1b[B', ctrlC: '\x03', esc: '\x1b' } as const;

/** Output sink that ignores end(): every inquirer prompt ends the stream it was piped into. */
class Screen extends Writable {
  text = '';
  private waiters: { from: number; needle: string; resolve: () => void }[] = [];
  constructor() {
    super({
      write: (chunk: Buffer | string, _enc, done) => {
        this.append(String(chunk));
        done();
      },
    });
  }
  override end(): this {
    return this;
  }
  append(s: string): void {
    this.text += stripVTControlCharacters(s);
    this.waiters = this.waiters.filter((w) => {
      if (!this.text.slice(w.from).includes(w.needle)) return true;
      w.resolve();
      return false;
    });
  }
}

/** A terminal the test types into: waits for text to appear, then sends keys. */
class Terminal {
  readonly input = new PassThrough();
  readonly screen = new Screen();
  /** Where the next waitFor starts looking (moves past everything already matched). */
  private mark = 0;

  /** Resolves once `needle` appears after the last match; fails with the screen if the menu never shows it. */
  async waitFor(needle: string): Promise<void> {
    const from = this.mark;
    const found = () => this.screen.text.indexOf(needle, from);
    if (found() === -1) {
      await new Promise<void>((resolve, reject) => {
        // A safety net for a hung menu (never an assertion on timing).
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `never saw ${JSON.stringify(needle)} after:\n${this.screen.text.slice(0, from)}\n---- screen since then ----\n${this.screen.text.slice(from)}`,
              ),
            ),
          60_000,
        );
        this.screen['waiters'].push({ from, needle, resolve: () => (clearTimeout(timer), resolve()) });
      });
    }
    this.mark = found() + needle.length;
  }

  type(keys: string): void {
    this.input.write(keys);
  }

  /** Waits for the question, then types the answer and Enter. */
  async answer(question: string, keys: string): Promise<void> {
    await this.waitFor(question);
    this.type(keys + KEY.enter);
  }
}

let sandbox: string;
let work: string;
let env: Record<string, string>;
const savedEnv = new Map<string, string | undefined>();

// `new` runs git with this process's environment: give it a HOME of its own and an identity.
beforeAll(() => {
  const fakeHome = realpathSync(mkdtempSync(join(tmpdir(), 'ac-menu-home-')));
  const vars: Record<string, string> = {
    HOME: fakeHome,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  for (const [k, v] of Object.entries(vars)) {
    savedEnv.set(k, process.env[k]);
    process.env[k] = v;
  }
});
afterAll(() => {
  const fakeHome = process.env.HOME;
  for (const [k, v] of savedEnv) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (fakeHome) rmSync(fakeHome, { recursive: true, force: true });
});

beforeEach(() => {
  ({ sandbox, work, env } = cliSandbox('ac-menu-'));
  // autocoder installed on PATH: the menu echoes each command as `$ autocoder …` (in a clone without it on PATH it
  // would say `$ npx autocoder …`, see src/cli/command-form.ts).
  mkdirSync(join(sandbox, 'bin'));
  writeFileSync(join(sandbox, 'bin', 'autocoder'), '#!/bin/sh\n', { mode: 0o755 });
  env = { ...env, PATH: `${join(sandbox, 'bin')}:${env.PATH ?? ''}` };
});
afterEach(() => rmSync(sandbox, { recursive: true, force: true }));

/** Starts the menu (runCli with no arguments) on a fresh terminal; `exited` is its exit code. */
function openMenu(): { term: Terminal; exited: Promise<number> } {
  const term = new Terminal();
  const ctx: CliContext = {
    env,
    cwd: work,
    stdout: (t) => term.screen.append(t),
    stderr: (t) => term.screen.append(t),
    prompt: { input: term.input, output: term.screen },
  };
  return { term, exited: runCli([], ctx) };
}

const MAIN = 'What would you like to do?';

/** The real CLI, in a child process, as a script would call it. */
function listed(): { name: string; path: string; stats: { passing: number; total: number } | null }[] {
  const res = cli(['list', '--json'], env, work);
  expect(res.status, res.stderr).toBe(0);
  return (
    JSON.parse(res.stdout) as {
      projects: { name: string; path: string; stats: { passing: number; total: number } | null }[];
    }
  ).projects;
}

describe('autocoder menu (injected terminal streams)', () => {
  it('creates a project: re-asks on a bad name and a missing spec file, then runs `autocoder new`', async () => {
    writeFileSync(join(work, 'spec.txt'), '<project_specification>todo</project_specification>\n');
    const { term, exited } = openMenu();
    await term.waitFor(MAIN);
    await term.waitFor('no projects yet'); // the project actions are disabled with a reason
    term.type('Create a project' + KEY.enter);
    await term.answer('Project name', 'Bad Name');
    await term.waitFor('use lowercase letters');
    term.type('\x7f'.repeat('Bad Name'.length) + 'todo-app' + KEY.enter);
    await term.answer('Folder', ''); // the default ./todo-app
    await term.answer('App spec file', 'missing.txt');
    await term.waitFor('missing.txt does not exist');
    term.type('\x7f'.repeat('missing.txt'.length) + 'spec.txt' + KEY.enter);
    await term.waitFor('$ autocoder new todo-app --dir ./todo-app --spec spec.txt');
    await term.waitFor(`Created project todo-app at ${join(work, 'todo-app')}`);
    await term.answer(MAIN, 'Quit');
    expect(await exited).toBe(0);

    expect(existsSync(join(work, 'todo-app', '.autocoder', 'app_spec.txt'))).toBe(true);
    expect(listed()).toEqual([expect.objectContaining({ name: 'todo-app', path: join(work, 'todo-app') })]);
  });

  it('a refused `new` shows the error and offers to try again or go back; nothing is registered', async () => {
    expect(cli(['new', 'first', '--dir', join(work, 'shared')], env, work).status).toBe(0);
    const { term, exited } = openMenu();
    await term.answer(MAIN, 'Create a project');
    await term.answer('Project name', 'first');
    await term.waitFor('a project named first is already registered'); // caught before running anything
    term.type('\x7f'.repeat('first'.length) + 'second' + KEY.enter);
    await term.answer('Folder', '\x7f'.repeat('./second'.length) + './shared');
    await term.answer('App spec file', '');
    await term.waitFor('$ autocoder new second --dir ./shared');
    await term.waitFor(`error: ${join(work, 'shared')} is already registered as "first"`);
    await term.answer('The project was not created', 'Back');
    await term.answer(MAIN, 'Quit');
    expect(await exited).toBe(0);
    expect(listed().map((p) => p.name)).toEqual(['first']);
  });

  it('run asks for the project, concurrency and model, runs `autocoder run` with them, and comes back; Esc in a question goes back', async () => {
    expect(cli(['new', 'shop', '--dir', join(work, 'shop')], env, work).status).toBe(0);
    const { term, exited } = openMenu();
    await term.answer(MAIN, 'Run agents');
    await term.answer('Run which project?', 'shop');
    await term.answer('How many coding agents at once?', '3');
    await term.answer('Model', 'claude-x');
    await term.waitFor('$ autocoder run shop --concurrency 3 --model claude-x');
    await term.waitFor('the project has no features and no app spec'); // run's own error, then the menu again
    await term.answer(MAIN, 'Status');
    await term.waitFor('Status of which project?');
    term.type(KEY.esc);
    await term.answer(MAIN, 'Quit');
    expect(await exited).toBe(0);
    expect(term.screen.text).not.toContain('$ autocoder status');
  });

  it('continue → status prints the progress; the loop comes back to the menus; Esc on the main menu exits 0', async () => {
    expect(cli(['new', 'shop', '--dir', join(work, 'shop')], env, work).status).toBe(0);
    const store = openProjectStore(projectPaths(join(work, 'shop')), { create: false });
    try {
      const a = store.features.create({ category: 'core', name: 'Cart', description: 'a cart', steps: ['add'] });
      store.features.create({ category: 'core', name: 'Checkout', description: 'pay', steps: ['pay'] });
      const { claim } = store.claims.claimFeature(a.id, 'run/ses');
      store.claims.markPassing(claim, { checked: 'by the test' });
    } finally {
      store.close();
    }
    const { term, exited } = openMenu();
    await term.answer(MAIN, 'Continue a project');
    await term.answer('Which project?', 'shop');
    await term.answer('shop:', 'Status');
    await term.waitFor('$ autocoder status shop');
    await term.waitFor('1/2 passing (50%)');
    await term.answer('shop:', 'Back'); // the project's menu again, after the command

    await term.waitFor(MAIN);
    term.type(KEY.esc);
    expect(await exited).toBe(0);
  });

  it('inbox: picks the waiting question and answers it with `autocoder answer`, the secret not echoed', async () => {
    const dir = join(work, 'app');
    expect(cli(['new', 'app', '--dir', dir], env, work).status).toBe(0);
    const id = seedOAuthRequest(dir);
    const secret = 'cs_menu_H1dd3nValue';
    const { term, exited } = openMenu();
    await term.waitFor(MAIN);
    await term.waitFor('Inbox (1 waiting)');
    term.type('Inbox' + KEY.enter);
    await term.answer('Which question?', ''); // the only one: #1 Login: Need the OAuth client
    await term.answer('Answer it', '');
    await term.waitFor(`$ autocoder answer app ${id}`);
    await term.answer('Client secret (hidden): ', secret);
    await term.answer('Provider [github/google]: ', 'google');
    await term.waitFor(`Answered ${id}: feature #1 Login is pending (first in line).`);
    await term.answer(MAIN, 'Quit');
    expect(await exited).toBe(0);
    expect(term.screen.text).not.toContain(secret);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(`CLIENT_SECRET=${secret}\n`);
  });

  it('open the web UI: serves and prints the URL until Ctrl+C (SIGINT), then returns to the menu', async () => {
    const before = new Set(process.listeners('SIGINT'));
    const { term, exited } = openMenu();
    await term.answer(MAIN, 'Open the web UI');
    await term.answer('Port', '\x7f'.repeat(4) + '0'); // replace the default 8888: any free port
    await term.waitFor('$ autocoder serve --open --port 0');
    await term.waitFor('autocoder server listening on http://127.0.0.1:');
    // What Ctrl+C does to a running server on a terminal: SIGINT to serve's own handler.
    for (const listener of process.listeners('SIGINT')) if (!before.has(listener)) listener('SIGINT');
    await term.waitFor('closing the server');
    await term.answer(MAIN, 'Quit');
    expect(await exited).toBe(0);
  });

  it('doctor runs from the menu, then Ctrl+C exits 0', async () => {
    const { term, exited } = openMenu();
    await term.answer(MAIN, 'Doctor');
    await term.waitFor('$ autocoder doctor');
    await term.waitFor('registry');
    await term.waitFor(MAIN);
    term.type(KEY.ctrlC);
    expect(await exited).toBe(0);
  });

  it('Ctrl+C inside a question exits 0 too', async () => {
    const { term, exited } = openMenu();
    await term.answer(MAIN, 'Create a project');
    await term.waitFor('Project name');
    term.type(KEY.ctrlC);
    expect(await exited).toBe(0);
  });
});

function onPty(steps: PtyStep[]): PtyResult {
  return runOnPty([process.execPath, CLI], steps, { cwd: work, env: { ...env, TERM: 'xterm' } });
}

describe('autocoder with no arguments (real binary)', () => {
  it.skipIf(!hasPty)('opens the menu on a terminal; Ctrl+C exits 0', () => {
    const { screen, code } = onPty([[MAIN, KEY.ctrlC]]);
    expect(screen).toContain('Create a project');
    expect(code, screen).toBe(0);
  });

  it.skipIf(!hasPty)('on a terminal, Status → pick a project prints its progress; Quit exits 0', () => {
    expect(cli(['new', 'shop', '--dir', join(work, 'shop')], env, work).status).toBe(0);
    const { screen, code } = onPty([
      [MAIN, 'Status' + KEY.enter],
      ['Status of which project?', 'shop' + KEY.enter],
      [MAIN, 'Quit' + KEY.enter],
    ]);
    expect(screen).toContain('0/0 passing');
    expect(code, screen).toBe(0);
  });

  it('prints the help when stdin/stdout are not a terminal', () => {
    const res = cli([], env, work);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('Usage: autocoder');
    expect(res.stdout).toContain('Commands:');
  });
});
