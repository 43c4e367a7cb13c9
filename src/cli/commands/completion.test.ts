import { describe, expect, it } from 'vitest';
import { buildProgram } from '../program.js';
import { completionScript } from './completion.js';

const program = () =>
  buildProgram({ env: {}, cwd: '/', stdout: () => undefined, stderr: () => undefined }, () => undefined);

describe('completion scripts', () => {
  it('bash mentions every top-level command, subcommand and long option of the program', () => {
    const p = program();
    const script = completionScript(p, 'bash');
    for (const cmd of p.commands) {
      expect(script).toMatch(new RegExp(`\\b${cmd.name()}\\b`));
      for (const opt of cmd.options) if (opt.long) expect(script).toContain(opt.long);
      for (const sub of cmd.commands) expect(script).toContain(`'${cmd.name()} ${sub.name()}'`);
    }
    expect(script).toContain("'features|--status') echo 'pending in_progress needs_input passing failed'");
    expect(script).toContain('complete -o default -F _autocoder autocoder');
  });

  it('covers a command added later without any list to update', () => {
    const p = program();
    p.command('brand-new').option('--shiny <level>');
    expect(completionScript(p, 'bash')).toContain('brand-new');
    expect(completionScript(p, 'fish')).toContain("-a 'brand-new'");
    expect(completionScript(p, 'zsh')).toContain('--shiny');
  });

  it('fish completes subcommands only under their parent', () => {
    const script = completionScript(program(), 'fish');
    expect(script).toContain(
      "-n '__fish_seen_subcommand_from policy; and not __fish_seen_subcommand_from check allow disallow list' -a 'check'",
    );
    expect(script).toContain("-n '__fish_seen_subcommand_from logs' -l follow -s f");
  });
});
