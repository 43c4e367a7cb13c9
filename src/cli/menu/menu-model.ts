/**
 * The interactive menu's pure part: which choices to offer for a registry state, how to check
 * what the user typed, and the `autocoder …` argv each action runs. No I/O here; `menu.ts` asks
 * the questions and runs the argv through the same code path as the plain commands.
 */
import type { StatusCounts } from '../../domain/progress.js';

/** PROJECT_NAME_PATTERN of src/projects/projects.ts (kept here so this module stays free of I/O imports). */
const PROJECT_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const CONCURRENCY_CHOICES = [1, 2, 3, 4, 5] as const;

/** One registered project as the menu shows it. */
export interface ProjectSummary {
  readonly name: string;
  readonly path: string;
  /** false when the folder is gone. */
  readonly exists: boolean;
  /** null when the project database is missing or unreadable. */
  readonly stats: StatusCounts | null;
  /** Open human-input requests (questions agents asked a person); 0 when unknown. */
  readonly openRequests: number;
}

export interface MenuState {
  readonly projects: readonly ProjectSummary[];
  /** Names of the top-level commands the CLI has (the guided spec entry shows only when `spec` exists). */
  readonly commands: ReadonlySet<string>;
}

export type MainAction = 'new' | 'continue' | 'run' | 'status' | 'inbox' | 'spec' | 'ui' | 'doctor' | 'quit';
export type ProjectAction = 'run' | 'status' | 'inbox' | 'logs' | 'spec' | 'back';

/** The shape inquirer's select takes. */
export interface MenuChoice<T> {
  readonly value: T;
  readonly name: string;
  readonly description?: string;
  readonly disabled?: boolean | string;
}

/** "3/10 passing (30%)", or why there is no progress to show. */
export function progressLabel(p: Pick<ProjectSummary, 'exists' | 'stats'>): string {
  if (!p.exists) return 'folder missing';
  if (p.stats === null) return 'no database';
  if (p.stats.total === 0) return 'no features yet';
  return `${p.stats.passing}/${p.stats.total} passing (${p.stats.percentage}%)`;
}

function openLabel(n: number): string {
  return n === 0 ? '' : ` · ${n} question${n === 1 ? '' : 's'} waiting`;
}

export function mainMenuChoices(state: MenuState): MenuChoice<MainAction>[] {
  const none = state.projects.length === 0 ? 'no projects yet' : false;
  const waiting = state.projects.reduce((n, p) => n + p.openRequests, 0);
  const choices: MenuChoice<MainAction>[] = [
    { value: 'new', name: 'Create a project', description: 'autocoder new <name> [--dir PATH] [--spec FILE]' },
    {
      value: 'continue',
      name: 'Continue a project',
      description: 'pick a project, then run, status, inbox or logs',
      disabled: none,
    },
    {
      value: 'run',
      name: 'Run agents',
      description: 'autocoder run <project> [--concurrency N] [--model M]',
      disabled: none,
    },
    { value: 'status', name: 'Status', description: 'autocoder status <project>', disabled: none },
    {
      value: 'inbox',
      name: `Inbox${waiting > 0 ? ` (${waiting} waiting)` : ''}`,
      description: 'answer the questions agents asked (autocoder inbox / answer)',
      disabled: none,
    },
  ];
  if (state.commands.has('spec'))
    choices.push({ value: 'spec', name: 'Guided spec', description: 'autocoder spec <project>', disabled: none });
  choices.push(
    {
      value: 'ui',
      name: 'Open the web UI',
      description: 'autocoder serve --open (Ctrl+C stops the server and returns here)',
    },
    {
      value: 'doctor',
      name: 'Doctor',
      description: 'autocoder doctor: check Node, Claude Code, credentials, git, Chromium…',
    },
    { value: 'quit', name: 'Quit' },
  );
  return choices;
}

export function projectChoices(projects: readonly ProjectSummary[]): MenuChoice<string>[] {
  const width = Math.max(0, ...projects.map((p) => p.name.length));
  return projects.map((p) => ({
    value: p.name,
    name: `${p.name.padEnd(width)}  ${progressLabel(p)}${openLabel(p.openRequests)}`,
    description: p.path,
    disabled: p.exists ? false : 'folder missing',
  }));
}

export function projectMenuChoices(
  project: ProjectSummary,
  commands: ReadonlySet<string>,
): MenuChoice<ProjectAction>[] {
  const choices: MenuChoice<ProjectAction>[] = [
    { value: 'run', name: 'Run agents', description: `autocoder run ${project.name}` },
    { value: 'status', name: 'Status', description: `autocoder status ${project.name}` },
    {
      value: 'inbox',
      name: `Inbox${project.openRequests > 0 ? ` (${project.openRequests} waiting)` : ''}`,
      description: `autocoder inbox ${project.name}`,
    },
    { value: 'logs', name: 'Logs', description: `autocoder logs ${project.name}` },
  ];
  if (commands.has('spec'))
    choices.push({ value: 'spec', name: 'Guided spec', description: `autocoder spec ${project.name}` });
  choices.push({ value: 'back', name: 'Back' });
  return choices;
}

/** Answers to inquirer's `validate`: true, or the message to show before asking again. */
export type Validation = true | string;

export function validateProjectName(raw: string, registered: readonly string[]): Validation {
  const name = raw.trim();
  if (name === '') return 'a name is required';
  if (!PROJECT_NAME.test(name))
    return 'use lowercase letters, digits, ".", "_" or "-", starting with a letter or digit (at most 64), e.g. todo-app';
  if (registered.includes(name)) return `a project named ${name} is already registered; choose another name`;
  return true;
}

export type PathKind = 'file' | 'dir' | 'missing';

export function validateFolder(raw: string, kindOf: (path: string) => PathKind): Validation {
  const dir = raw.trim();
  if (dir === '') return 'a folder is required';
  return kindOf(dir) === 'file' ? `${dir} is a file; choose a folder (it is created when missing)` : true;
}

/** The spec file is optional: empty is fine, anything else must be an existing file. */
export function validateSpecFile(raw: string, kindOf: (path: string) => PathKind): Validation {
  const file = raw.trim();
  if (file === '') return true;
  const kind = kindOf(file);
  if (kind === 'missing') return `${file} does not exist (leave it empty to write the spec later)`;
  if (kind === 'dir') return `${file} is a folder; give the spec file`;
  return true;
}

export const defaultFolder = (name: string): string => `./${name.trim()}`;

export function newArgv(a: { name: string; dir: string; spec: string }): string[] {
  const argv = ['new', a.name.trim(), '--dir', a.dir.trim()];
  if (a.spec.trim() !== '') argv.push('--spec', a.spec.trim());
  return argv;
}

/** `concurrency` null leaves it to the settings (the project's, then the global defaultConcurrency, else 1). */
export function runArgv(a: { project: string; concurrency: number | null; model: string }): string[] {
  const argv = ['run', a.project];
  if (a.concurrency !== null) {
    if (!Number.isInteger(a.concurrency) || a.concurrency < 1 || a.concurrency > 5)
      throw new RangeError(`concurrency must be 1-5, not ${a.concurrency}`);
    argv.push('--concurrency', String(a.concurrency));
  }
  if (a.model.trim() !== '') argv.push('--model', a.model.trim());
  return argv;
}

/** 1-5 (a digit key picks one), then "from the settings", which is preselected. */
export function concurrencyChoices(): MenuChoice<number | null>[] {
  return [
    ...CONCURRENCY_CHOICES.map((n) => ({
      value: n,
      name: String(n),
      description: n === 1 ? 'one feature at a time' : `${n} features at once, each in its own git worktree`,
    })),
    {
      value: null,
      name: 'From the settings',
      description: "the project's or the global defaultConcurrency, else 1 (no --concurrency flag)",
    },
  ];
}

export function answerArgv(project: string, requestId: string): string[] {
  return ['answer', project, requestId];
}

export function cancelArgv(project: string, requestId: string, reason: string): string[] {
  const argv = ['answer', project, requestId, '--cancel'];
  if (reason.trim() !== '') argv.push('--reason', reason.trim());
  return argv;
}

export function serveArgv(port: number): string[] {
  return ['serve', '--open', '--port', String(port)];
}

export function validatePort(raw: string): Validation {
  const n = Number(raw.trim());
  return raw.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= 65_535
    ? true
    : 'a port number 0-65535 (0 picks a free one)';
}
