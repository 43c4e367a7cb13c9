import { describe, expect, it } from 'vitest';
import {
  cancelArgv,
  concurrencyChoices,
  mainMenuChoices,
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

const stats = (passing: number, total: number) => ({
  total,
  passing,
  in_progress: 0,
  needs_input: 0,
  failed: 0,
  pending: total - passing,
  percentage: total === 0 ? 0 : Math.round((passing / total) * 1000) / 10,
});
const project = (over: Partial<ProjectSummary> = {}): ProjectSummary => ({
  name: 'shop',
  path: '/p/shop',
  exists: true,
  stats: stats(3, 10),
  openRequests: 0,
  ...over,
});
const COMMANDS = new Set(['new', 'run', 'status', 'inbox', 'answer', 'logs', 'serve', 'doctor']);

describe('main menu choices', () => {
  it('with no projects, only the actions that need none are enabled, each saying why not', () => {
    const choices = mainMenuChoices({ projects: [], commands: COMMANDS });
    expect(choices.filter((c) => !c.disabled).map((c) => c.value)).toEqual(['new', 'ui', 'doctor', 'quit']);
    for (const c of choices.filter((c) => c.disabled)) expect(c.disabled).toBe('no projects yet');
  });

  it('enables the project actions once one exists, and counts the questions waiting', () => {
    const choices = mainMenuChoices({
      projects: [project({ openRequests: 2 }), project({ name: 'b', openRequests: 1 })],
      commands: COMMANDS,
    });
    expect(choices.every((c) => !c.disabled)).toBe(true);
    expect(choices.find((c) => c.value === 'inbox')?.name).toBe('Inbox (3 waiting)');
  });

  it('offers the guided spec only when the CLI has a spec command', () => {
    expect(mainMenuChoices({ projects: [project()], commands: COMMANDS }).map((c) => c.value)).not.toContain('spec');
    expect(
      mainMenuChoices({ projects: [project()], commands: new Set([...COMMANDS, 'spec']) }).map((c) => c.value),
    ).toContain('spec');
    expect(projectMenuChoices(project(), new Set([...COMMANDS, 'spec'])).map((c) => c.value)).toEqual([
      'run',
      'status',
      'inbox',
      'logs',
      'spec',
      'back',
    ]);
    expect(projectMenuChoices(project(), COMMANDS).map((c) => c.value)).toEqual([
      'run',
      'status',
      'inbox',
      'logs',
      'back',
    ]);
  });
});

describe('project choices', () => {
  it('show progress, waiting questions and disable a missing folder', () => {
    const choices = projectChoices([
      project(),
      project({ name: 'gone-app', exists: false, stats: null }),
      project({ name: 'new', stats: stats(0, 0), openRequests: 1 }),
    ]);
    expect(choices.map((c) => [c.value, c.name, c.disabled])).toEqual([
      ['shop', 'shop      3/10 passing (30%)', false],
      ['gone-app', 'gone-app  folder missing', 'folder missing'],
      ['new', 'new       no features yet · 1 question waiting', false],
    ]);
    expect(progressLabel({ exists: true, stats: null })).toBe('no database');
  });
});

describe('validation', () => {
  it('checks the project name and refuses a registered one', () => {
    expect(validateProjectName('todo-app', [])).toBe(true);
    expect(validateProjectName('  ', [])).toBe('a name is required');
    expect(validateProjectName('Bad Name', [])).toMatch(/lowercase letters/);
    expect(validateProjectName('shop', ['shop'])).toMatch(/already registered/);
  });

  it('checks the folder and the optional spec file', () => {
    const kinds: Record<string, PathKind> = { 'spec.txt': 'file', docs: 'dir' };
    const kindOf = (p: string): PathKind => kinds[p] ?? 'missing';
    expect(validateFolder('./new', kindOf)).toBe(true);
    expect(validateFolder('docs', kindOf)).toBe(true);
    expect(validateFolder('spec.txt', kindOf)).toMatch(/is a file/);
    expect(validateSpecFile('', kindOf)).toBe(true);
    expect(validateSpecFile('spec.txt', kindOf)).toBe(true);
    expect(validateSpecFile('nope.txt', kindOf)).toMatch(/does not exist/);
    expect(validateSpecFile('docs', kindOf)).toMatch(/is a folder/);
    expect(validatePort('8888')).toBe(true);
    expect(validatePort('0')).toBe(true);
    expect(validatePort('70000')).not.toBe(true);
    expect(validatePort('')).not.toBe(true);
  });
});

describe('argv the menu runs', () => {
  it('is what a user would type', () => {
    expect(newArgv({ name: ' todo ', dir: './todo', spec: '' })).toEqual(['new', 'todo', '--dir', './todo']);
    expect(newArgv({ name: 'todo', dir: 'x', spec: 'a spec.txt' })).toEqual([
      'new',
      'todo',
      '--dir',
      'x',
      '--spec',
      'a spec.txt',
    ]);
    expect(runArgv({ project: 'shop', concurrency: 3, model: '' })).toEqual(['run', 'shop', '--concurrency', '3']);
    expect(runArgv({ project: 'shop', concurrency: null, model: '' })).toEqual(['run', 'shop']);
    expect(concurrencyChoices().map((c) => c.value)).toEqual([1, 2, 3, 4, 5, null]);
    expect(runArgv({ project: 'shop', concurrency: 1, model: 'demo' })).toEqual([
      'run',
      'shop',
      '--concurrency',
      '1',
      '--model',
      'demo',
    ]);
    expect(() => runArgv({ project: 'shop', concurrency: 6, model: '' })).toThrow(RangeError);
    expect(cancelArgv('shop', 'hir_1', '')).toEqual(['answer', 'shop', 'hir_1', '--cancel']);
    expect(cancelArgv('shop', 'hir_1', 'not needed')).toEqual([
      'answer',
      'shop',
      'hir_1',
      '--cancel',
      '--reason',
      'not needed',
    ]);
    expect(serveArgv(0)).toEqual(['serve', '--open', '--port', '0']);
  });
});
