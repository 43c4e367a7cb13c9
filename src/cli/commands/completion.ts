import type { Command } from 'commander';
import { AppError } from '../../domain/errors.js';
import type { CliContext } from '../context.js';

export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof COMPLETION_SHELLS)[number];

interface OptionSpec {
  readonly long: string | undefined;
  readonly short: string | undefined;
  readonly takesValue: boolean;
  readonly choices: readonly string[];
  readonly description: string;
}

interface CommandSpec {
  /** Space-separated names from the root ('' for the program itself). */
  readonly path: string;
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  readonly subcommands: readonly CommandSpec[];
}

/** Reads the command tree commander was given: every command, option and subcommand. */
export function describeCommands(cmd: Command, path = ''): CommandSpec {
  const options: OptionSpec[] = cmd.options
    .filter((o) => !o.hidden)
    .map((o) => ({
      long: o.long,
      short: o.short,
      takesValue: o.required || o.optional,
      choices: o.argChoices ?? [],
      description: o.description,
    }));
  options.push({
    long: '--help',
    short: '-h',
    takesValue: false,
    choices: [],
    description: 'display help for command',
  });
  return {
    path,
    name: cmd.name(),
    description: cmd.description(),
    options,
    subcommands: cmd.commands.map((c) => describeCommands(c, path === '' ? c.name() : `${path} ${c.name()}`)),
  };
}

function flatten(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(flatten)];
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const firstLine = (s: string): string => s.split('\n')[0] ?? '';

const optionNames = (o: OptionSpec): string[] => [o.long, o.short].filter((n): n is string => n !== undefined);

function bashScript(root: CommandSpec): string {
  const all = flatten(root);
  const caseOf = (fn: (c: CommandSpec) => string): string =>
    all.map((c) => `    ${quote(c.path)}) echo ${quote(fn(c))} ;;`).join('\n');
  const choiceCases = all
    .flatMap((c) =>
      c.options
        .filter((o) => o.choices.length > 0)
        .flatMap((o) =>
          optionNames(o).map((n) => `    ${quote(`${c.path}|${n}`)}) echo ${quote(o.choices.join(' '))} ;;`),
        ),
    )
    .join('\n');
  const name = root.name;
  return `# bash completion for ${name}, generated from its command definitions.
# Load it with:  source <(${name} completion bash)
__${name}_subs() {
  case "$1" in
${caseOf((c) => c.subcommands.map((s) => s.name).join(' '))}
  esac
}
__${name}_opts() {
  case "$1" in
${caseOf((c) => c.options.flatMap(optionNames).join(' '))}
  esac
}
__${name}_valued() {
  case "$1" in
${caseOf((c) =>
  c.options
    .filter((o) => o.takesValue)
    .flatMap(optionNames)
    .join(' '),
)}
  esac
}
__${name}_choices() {
  case "$1|$2" in
${choiceCases}
  esac
}
_${name}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" i w skip=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    if [[ "$w" == -* ]]; then
      [[ " $(__${name}_valued "$path") " == *" $w "* ]] && skip=1
      continue
    fi
    if [[ " $(__${name}_subs "$path") " == *" $w "* ]]; then path="\${path:+$path }$w"; fi
  done
  if [[ "$prev" == -* && " $(__${name}_valued "$path") " == *" $prev "* ]]; then
    local choices
    choices="$(__${name}_choices "$path" "$prev")"
    if [[ -n "$choices" ]]; then COMPREPLY=($(compgen -W "$choices" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
    return
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(__${name}_opts "$path")" -- "$cur"))
    return
  fi
  local subs
  subs="$(__${name}_subs "$path")"
  if [[ -n "$subs" ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o default -F _${name} ${name}
`;
}

function zshScript(root: CommandSpec): string {
  return `#compdef ${root.name}
# zsh completion for ${root.name}: the bash completion, loaded through bashcompinit.
# Load it with:  source <(${root.name} completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(root)}`;
}

function fishScript(root: CommandSpec): string {
  const name = root.name;
  const lines = [
    `# fish completion for ${name}, generated from its command definitions.`,
    `# Load it with:  ${name} completion fish | source`,
    `complete -c ${name} -e`,
  ];
  for (const c of flatten(root)) {
    const words = c.path === '' ? [] : c.path.split(' ');
    const seen = words.map((w) => `__fish_seen_subcommand_from ${w}`);
    const subNames = c.subcommands.map((s) => s.name).join(' ');
    const here = c.path === '' ? '__fish_use_subcommand' : seen.join('; and ');
    for (const s of c.subcommands) {
      const cond = c.path === '' ? '__fish_use_subcommand' : `${here}; and not __fish_seen_subcommand_from ${subNames}`;
      lines.push(`complete -c ${name} -f -n ${quote(cond)} -a ${quote(s.name)} -d ${quote(firstLine(s.description))}`);
    }
    for (const o of c.options) {
      const parts = [`complete -c ${name} -n ${quote(here)}`];
      if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
      if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
      if (o.takesValue) parts.push('-r');
      if (o.choices.length > 0) parts.push(`-f -a ${quote(o.choices.join(' '))}`);
      parts.push(`-d ${quote(firstLine(o.description))}`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script for `shell`, covering whatever commands `program` defines. */
export function completionScript(program: Command, shell: Shell): string {
  const root = describeCommands(program);
  switch (shell) {
    case 'bash':
      return bashScript(root);
    case 'zsh':
      return zshScript(root);
    case 'fish':
      return fishScript(root);
  }
}

/** completion: prints a shell completion script generated from the program definition. */
export function registerCompletionCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
): void {
  program
    .command('completion')
    .description(
      'print a shell completion script (bash: source <(autocoder completion bash); fish: autocoder completion fish | source)',
    )
    .argument('<shell>', COMPLETION_SHELLS.join(', '))
    .action((shell: string) =>
      run(() => {
        if (!(COMPLETION_SHELLS as readonly string[]).includes(shell)) {
          throw new AppError(
            'INVALID_INPUT',
            `unknown shell "${shell}"; choose one of: ${COMPLETION_SHELLS.join(', ')}`,
          );
        }
        ctx.stdout(completionScript(program, shell as Shell));
      }),
    );
}
