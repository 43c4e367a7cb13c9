/**
 * git: a subcommand allowlist for local work. Network and history-sharing commands are the
 * runner's job; options that run programs, write arbitrary files or redirect git's config/repo
 * are denied (long options also by their abbreviations, which git accepts).
 */
import {
  abbreviates,
  checkPath,
  findOption,
  lookup,
  parseOptions,
  type OptionSpec,
  type ParsedOption,
} from './arg-checks.js';
import { deny, type Validator } from './policy-types.js';

const GLOBAL_OK = new Set(['--no-pager', '-P', '--version', '--no-optional-locks', '--literal-pathspecs']);

const NETWORK = new Set([
  'push',
  'pull',
  'fetch',
  'clone',
  'remote',
  'ls-remote',
  'submodule',
  'request-pull',
  'send-email',
  'svn',
  'p4',
  'archive',
  'daemon',
  'http-backend',
  'credential',
  'credential-store',
  'credential-cache',
]);

/**
 * How git parses one local subcommand: the short and long options that take a value, the ones
 * whose value is a file git reads, and the letter of `--strategy` (merge/rebase `-s`).
 */
interface GitSubcommand extends OptionSpec {
  readFiles?: readonly string[];
  strategyLetter?: string;
  strategyLong?: boolean;
}

const PATHSPEC_FILE = 'pathspec-from-file';

/** Local subcommands an agent may run. */
const SUBCOMMANDS: Readonly<Record<string, GitSubcommand>> = {
  status: {},
  log: {
    shortWithValue: 'nSGLO',
    longWithValue: ['grep', 'author', 'committer', 'since', 'until', 'max-count', 'skip', 'after', 'before'],
    readFiles: ['O'],
  },
  show: { shortWithValue: 'nSGO', readFiles: ['O'] },
  diff: { shortWithValue: 'SGO', readFiles: ['O'] },
  add: { longWithValue: [PATHSPEC_FILE, 'chmod'], readFiles: [PATHSPEC_FILE] },
  commit: {
    shortWithValue: 'mFCct',
    longWithValue: [
      'message',
      'file',
      'author',
      'date',
      'fixup',
      'squash',
      'trailer',
      'cleanup',
      'reuse-message',
      'reedit-message',
      'template',
      PATHSPEC_FILE,
    ],
    readFiles: ['F', 'file', 't', 'template', PATHSPEC_FILE],
  },
  restore: { shortWithValue: 's', longWithValue: ['source', PATHSPEC_FILE], readFiles: [PATHSPEC_FILE] },
  checkout: { shortWithValue: 'bB', longWithValue: ['orphan', 'conflict', PATHSPEC_FILE], readFiles: [PATHSPEC_FILE] },
  switch: { shortWithValue: 'cC', longWithValue: ['create', 'force-create', 'orphan', 'conflict'] },
  branch: { shortWithValue: 'u', longWithValue: ['set-upstream-to'] },
  rebase: {
    shortWithValue: 'sXx',
    longWithValue: ['onto', 'strategy', 'strategy-option', 'exec'],
    strategyLetter: 's',
    strategyLong: true,
  },
  merge: {
    shortWithValue: 'msXF',
    longWithValue: ['message', 'strategy', 'strategy-option', 'file'],
    readFiles: ['F', 'file'],
    strategyLetter: 's',
    strategyLong: true,
  },
  stash: { shortWithValue: 'm', longWithValue: ['message', PATHSPEC_FILE], readFiles: [PATHSPEC_FILE] },
  'rev-parse': {},
  'rev-list': { shortWithValue: 'n', longWithValue: ['max-count'] },
  'ls-files': {
    shortWithValue: 'xX',
    longWithValue: ['exclude', 'exclude-from', 'exclude-per-directory', 'with-tree'],
    readFiles: ['X', 'exclude-from'],
  },
  'ls-tree': {},
  'cat-file': {},
  'check-ignore': {},
  'merge-base': {},
  'show-ref': {},
  'for-each-ref': {},
  'name-rev': {},
  mv: {},
  rm: { longWithValue: [PATHSPEC_FILE], readFiles: [PATHSPEC_FILE] },
  init: { shortWithValue: 'b', longWithValue: ['initial-branch', 'object-format'] },
  config: {},
  tag: { shortWithValue: 'mFu', longWithValue: ['message', 'file', 'local-user', 'sort'], readFiles: ['F', 'file'] },
  reset: { longWithValue: [PATHSPEC_FILE], readFiles: [PATHSPEC_FILE] },
  blame: {
    shortWithValue: 'LS',
    longWithValue: ['contents', 'ignore-revs-file', 'ignore-rev', 'date'],
    readFiles: ['S', 'contents', 'ignore-revs-file'],
  },
  shortlog: {},
  describe: {},
  reflog: {},
  'cherry-pick': {
    shortWithValue: 'mX',
    longWithValue: ['mainline', 'strategy', 'strategy-option'],
    strategyLong: true,
  },
  revert: { shortWithValue: 'mX', longWithValue: ['mainline', 'strategy', 'strategy-option'], strategyLong: true },
  grep: {
    shortWithValue: 'efmABC',
    longWithValue: ['max-count', 'max-depth', 'threads', 'after-context', 'before-context', 'context'],
    readFiles: ['f'],
  },
  version: {},
};

/** Options (and their abbreviations) that run programs, write files or move git's repo/config. */
const DANGEROUS_LONG = [
  'output',
  'exec',
  'template',
  'upload-pack',
  'receive-pack',
  'open-files-in-pager',
  'separate-git-dir',
  'config-env',
  'exec-path',
  'git-dir',
  'work-tree',
  'namespace',
  'super-prefix',
  'interactive',
  'edit-todo',
];

/** Subcommands whose path arguments are written (protected folders apply). */
const WORKTREE_WRITERS = new Set(['rm', 'mv', 'checkout', 'restore', 'reset', 'stash', 'init']);

/** Merge strategies git ships; any other name runs a `git-merge-<name>` program found on PATH. */
const BUILTIN_STRATEGIES = new Set(['ort', 'recursive', 'resolve', 'octopus', 'ours', 'subtree']);

/** True when the option as typed is one of `names` (long options also by any prefix git accepts). */
function isOneOf(o: ParsedOption, names: readonly string[]): boolean {
  return names.some((n) => (o.long && n.length > 1 ? abbreviates(o.name, n) : !o.long && o.name === n));
}

function configDenial(positionals: readonly string[], optionNames: readonly string[]): string | null {
  const readFlags = new Set([
    'get',
    'get-all',
    'list',
    'l',
    'show-origin',
    'local',
    'global',
    'null',
    'z',
    'name-only',
  ]);
  const bad = optionNames.find((n) => !readFlags.has(n));
  if (bad !== undefined)
    return `git config --${bad} is not allowed; git config may only read settings (and set user.name/user.email)`;
  const [first, second, third] = positionals;
  if (positionals.length <= 1) return null;
  if ((first === 'get' || first === 'list') && positionals.length <= 2) return null;
  if (optionNames.includes('global'))
    return 'git config --global may only read; identity for this repository is set with git config user.name/user.email';
  if (positionals.length === 2 && (first === 'user.name' || first === 'user.email')) return null;
  if (
    first === 'set' &&
    positionals.length === 3 &&
    (second === 'user.name' || second === 'user.email') &&
    third !== undefined
  )
    return null;
  return 'git config may only read settings and set user.name/user.email; other settings are managed by the runner';
}

export const gitValidator: Validator = (c) => {
  let i = 0;
  while (i < c.args.length && (c.args[i] as string).startsWith('-')) {
    const g = c.args[i] as string;
    if (!GLOBAL_OK.has(g)) {
      return deny(
        'dangerous_args',
        `git global option \`${g}\` is not allowed (-c, -C, --git-dir, --work-tree, --exec-path…); run plain \`git <subcommand>\` from the project folder`,
      );
    }
    i += 1;
  }
  const sub = c.args[i];
  if (sub === undefined) return null;
  if (NETWORK.has(sub)) {
    return deny('network', `git ${sub} is not allowed: the runner lands your work and handles remotes; commit locally`);
  }
  const spec = lookup(SUBCOMMANDS, sub);
  if (spec === undefined) {
    return deny('dangerous_args', `git ${sub} is not allowed; allowed: ${Object.keys(SUBCOMMANDS).join(', ')}`);
  }
  const rest = c.args.slice(i + 1);
  for (const arg of rest) {
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0] as string;
      const hit = DANGEROUS_LONG.find((full) => abbreviates(name, full));
      if (hit)
        return deny(
          'dangerous_args',
          `git option --${hit} is not allowed (it runs programs, opens an editor or writes outside the repository); git accepts any unique prefix of a long option, so abbreviations are refused too`,
        );
    }
  }
  if (rest.some((a) => /^(core|alias|include|includeif)\./i.test(a))) {
    return deny(
      'dangerous_args',
      'git core.*, alias.* and include.* settings are managed by the runner and cannot be changed or used',
    );
  }
  const parsed = parseOptions(rest, { ...spec, longPrefixes: true });
  const names = parsed.options.map((o) => o.name);
  const has = (...n: string[]): boolean => findOption(parsed, n) !== undefined;

  if ((sub === 'log' || sub === 'diff' || sub === 'show') && names.includes('o')) {
    return deny('dangerous_args', `git ${sub} -o is not allowed; redirect output instead: git ${sub} … > file.patch`);
  }
  if (sub === 'commit' && !has('m', 'F', 'C', 'message', 'file', 'reuse-message', 'no-edit', 'fixup')) {
    return deny('dangerous_args', 'git commit needs a message: git commit -m "feat: …" (no editor is available)');
  }
  if (sub === 'rebase' && (names.includes('i') || names.includes('x'))) {
    return deny(
      'dangerous_args',
      'interactive rebase and rebase -x/--exec are not allowed; use a plain git rebase <branch>',
    );
  }
  for (const o of parsed.options) {
    const isStrategy = o.long
      ? spec.strategyLong === true && abbreviates(o.name, 'strategy')
      : o.name === spec.strategyLetter;
    if (isStrategy && !BUILTIN_STRATEGIES.has(o.value ?? '')) {
      return deny(
        'dangerous_args',
        `git ${sub} ${o.long ? `--${o.name}` : `-${o.name}`} accepts only the built-in strategies (${[...BUILTIN_STRATEGIES].join(', ')}): any other name runs a git-merge-<name> program`,
      );
    }
  }
  if (sub === 'stash' && has('a', 'all')) {
    // Ignored files include the runner's `.autocoder/` (the database, the frozen checks): stashing removes them.
    return deny(
      'dangerous_args',
      "git stash -a/--all is not allowed: it also stashes and deletes ignored files, the runner's .autocoder/ among them; use git stash or git stash -u",
    );
  }
  if (sub === 'grep' && has('O', 'open-files-in-pager')) {
    return deny('dangerous_args', 'git grep -O opens files in a program; use git grep -n <pattern>');
  }
  if (sub === 'config') {
    const why = configDenial(
      parsed.positionals.map((p) => p.value),
      names,
    );
    if (why) return deny('dangerous_args', why);
  }
  const mode = WORKTREE_WRITERS.has(sub) ? 'write' : 'read';
  const sub_ = { ...c, args: rest };
  const longValues = spec.longWithValue ?? [];
  for (const o of parsed.options) {
    if (o.value === undefined) continue;
    if (isOneOf(o, spec.readFiles ?? [])) {
      const d = checkPath(o.value, sub_, 'read');
      if (d) return d;
    } else if (o.long && !longValues.includes(o.name) && longValues.some((full) => abbreviates(o.name, full))) {
      // An abbreviation took the next word as its value: check it like the paths around it.
      const d = checkPath(o.value, sub_, mode);
      if (d) return d;
    }
  }
  const grepPattern = sub === 'grep' && !has('e', 'f') ? parsed.positionals[0] : undefined;
  for (const p of parsed.positionals) {
    if (p === grepPattern || (sub === 'config' && p.index > 0)) continue;
    const d = checkPath(p.value, sub_, mode);
    if (d) return d;
  }
  return null;
};
