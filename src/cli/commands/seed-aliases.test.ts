import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { resolveRunSettings } from '../../config/run-settings.js';
import { buildProgram } from '../program.js';
import { projectOf } from '../project-arg.js';
import { runFlags, type RunOptions } from './run.js';

/**
 * AutoCoder-2's command lines (its README) parse to the same options as ours: the real program's `run` command, its
 * action swapped for one that keeps what commander parsed.
 */
function parseRun(argv: readonly string[]): { project: string; flags: ReturnType<typeof runFlags> } {
  let errors = '';
  const program = buildProgram(
    { env: {}, cwd: '/', stdout: () => undefined, stderr: (t) => (errors += t) },
    () => undefined,
  );
  const run = program.commands.find((c) => c.name() === 'run') as Command;
  let parsed: { project: string; flags: ReturnType<typeof runFlags> } | undefined;
  run.action((project: string | undefined, opts: RunOptions) => {
    parsed = { project: projectOf(project, opts.projectDir), flags: runFlags(opts) };
  });
  try {
    program.parse(['run', ...argv], { from: 'user' });
  } catch (err: unknown) {
    throw new Error(`${String(err)} ${errors}`, { cause: err });
  }
  if (parsed === undefined) throw new Error(`run was not parsed: ${errors}`);
  return parsed;
}

const settingsOf = (argv: readonly string[]) => resolveRunSettings({ env: {}, flags: parseRun(argv).flags });

describe("AutoCoder-2's flags on autocoder run", () => {
  it("the README's parallel command line equals ours", () => {
    const seed = parseRun([
      '--project-dir',
      'my-app',
      '--parallel',
      '--max-concurrency',
      '3',
      '--testing-agent-ratio',
      '1',
      '--supervisory-agent',
    ]);
    const ours = parseRun(['my-app', '--concurrency', '3', '--testing-ratio', '1', '--supervisor']);
    expect(seed).toEqual(ours);
    expect(
      settingsOf([
        '--project-dir',
        'my-app',
        '--max-concurrency',
        '3',
        '--testing-agent-ratio',
        '1',
        '--supervisory-agent',
      ]),
    ).toMatchObject({
      concurrency: 3,
      testingRatio: 1,
      supervisor: true,
    });
  });

  it('each alias alone changes the setting it stands for', () => {
    expect(settingsOf(['p']).concurrency).toBe(1);
    expect(settingsOf(['p', '--max-concurrency', '4']).concurrency).toBe(4);
    expect(settingsOf(['p', '--parallel']).concurrency).toBe(3);
    expect(settingsOf(['p', '--parallel', '--max-concurrency', '5']).concurrency).toBe(5);
    expect(settingsOf(['p']).testingRatio).toBe(0);
    expect(settingsOf(['p', '--testing-agent-ratio', '2']).testingRatio).toBe(2);
    expect(settingsOf(['p']).supervisor).toBe(false);
    expect(settingsOf(['p', '--supervisory-agent']).supervisor).toBe(true);
    expect(parseRun(['--project-dir', '/srv/apps/shop']).project).toBe('/srv/apps/shop');
  });

  it('refuses two spellings that disagree, and a missing project', () => {
    expect(() => parseRun(['p', '--concurrency', '2', '--max-concurrency', '3'])).toThrow(
      '--concurrency 2 and --max-concurrency 3 disagree: give the number of coding agents once',
    );
    expect(parseRun(['p', '--concurrency', '2', '--max-concurrency', '2']).flags.concurrency).toBe(2);
    expect(() => parseRun(['p', '--testing-ratio', '1', '--testing-agent-ratio', '2'])).toThrow(
      '--testing-ratio 1 and --testing-agent-ratio 2 disagree: give one of them',
    );
    expect(() => parseRun(['a', '--project-dir', 'b'])).toThrow(
      'give the project once: as the argument ("a") or with --project-dir ("b"), not both',
    );
    expect(() => parseRun([])).toThrow('missing project: give a registered name or a path (or --project-dir <path>)');
    // Out of range as for ours (commander's usage error).
    expect(() => parseRun(['p', '--testing-agent-ratio', '4'])).toThrow(
      '--testing-agent-ratio must be a whole number from 0 to 3',
    );
  });

  it('are listed in --help as aliases', () => {
    let help = '';
    const program = buildProgram(
      { env: {}, cwd: '/', stdout: (t) => (help += t), stderr: () => undefined },
      () => undefined,
    );
    const run = program.commands.find((c) => c.name() === 'run') as Command;
    help = run.helpInformation();
    expect(help).toMatch(/--project-dir <path>\s+alias of the \[project\] argument/);
    expect(help).toMatch(/--max-concurrency <n>\s+alias of --concurrency/);
    expect(help).toMatch(/--testing-agent-ratio <n>\s+alias of --testing-ratio/);
    expect(help).toMatch(/--supervisory-agent\s+alias of --supervisor/);
  });

  it('--headed is what PLAYWRIGHT_HEADLESS=false says; without either the browsers are headless', () => {
    expect(settingsOf(['my-app', '--headed']).headed).toBe(true);
    expect(
      resolveRunSettings({ env: { PLAYWRIGHT_HEADLESS: 'false' }, flags: parseRun(['my-app']).flags }).headed,
    ).toBe(true);
    expect(settingsOf(['my-app']).headed).toBe(false);
  });
});
