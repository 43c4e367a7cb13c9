/**
 * Validators for file, text and process commands. Each returns null (arguments acceptable) or a
 * denial whose reason tells the agent what to do instead. Paths are checked against every
 * working directory the command may run in (see CommandCheck.cwds).
 */
import { checkArgPaths, checkPath, checkUrlArgs, findOption, parseOptions } from './arg-checks.js';
import { deny, type CommandCheck, type Denial, type Validator } from './policy-types.js';
import { kill, pkill, ps } from './process-validators.js';

const readAll: Validator = (c) => checkArgPaths(c, 'read');
const writeAll: Validator = (c) => checkArgPaths(c, 'write');
const noChecks: Validator = () => null;

const tail: Validator = (c) => {
  const parsed = parseOptions(c.args, {
    shortWithValue: 'ncs',
    longWithValue: ['lines', 'bytes', 'sleep-interval', 'pid'],
  });
  if (findOption(parsed, ['f', 'F', 'follow', 'retry', 'pid'])) {
    return deny(
      'dangerous_args',
      'tail -f never exits and would hang the session; use `tail -n 50 <file>` (repeat it to see new lines)',
    );
  }
  return checkArgPaths(c, 'read');
};

const sort: Validator = (c) => {
  const parsed = parseOptions(c.args, {
    shortWithValue: 'ktSTo',
    longWithValue: ['key', 'field-separator', 'buffer-size', 'temporary-directory', 'output'],
  });
  if (findOption(parsed, ['compress-program']))
    return deny('dangerous_args', 'sort --compress-program runs another program; sort without it');
  if (findOption(parsed, ['o', 'output']))
    return deny('dangerous_args', 'sort -o is not allowed; redirect instead: `sort in.txt > out.txt`');
  return checkArgPaths(c, 'read');
};

const uniq: Validator = (c) => {
  const parsed = parseOptions(c.args, {
    shortWithValue: 'fsw',
    longWithValue: ['skip-fields', 'skip-chars', 'check-chars', 'group', 'all-repeated'],
  });
  const output = parsed.positionals[1];
  if (output) {
    const d = checkPath(output.value, c, 'write');
    if (d) return d;
  }
  return checkArgPaths(c, 'read', new Set(output ? [output.index] : []));
};

const GREP_VALUE_LONG = [
  'regexp',
  'file',
  'max-count',
  'after-context',
  'before-context',
  'context',
  'include',
  'exclude',
  'exclude-dir',
  'label',
  'binary-files',
  'devices',
  'directories',
  'exclude-from',
];

const grep: Validator = (c) => {
  const parsed = parseOptions(c.args, { shortWithValue: 'efmABCdD', longWithValue: GREP_VALUE_LONG });
  const skip = new Set<number>();
  for (const o of parsed.options) {
    if (o.value === undefined) continue;
    if (['e', 'regexp', 'include', 'exclude', 'exclude-dir', 'label'].includes(o.name)) {
      // Patterns are not paths: skip the token holding the value (and the option token before it).
      skip.add(o.index);
      if (o.valueIndex !== undefined) skip.add(o.valueIndex);
    }
  }
  const hasPatternOption = parsed.options.some((o) => ['e', 'f', 'regexp', 'file'].includes(o.name));
  const pattern = hasPatternOption ? undefined : parsed.positionals[0];
  if (pattern) skip.add(pattern.index);
  return checkArgPaths(c, 'read', skip);
};

const FIND_ACTIONS = new Set([
  '-exec',
  '-execdir',
  '-ok',
  '-okdir',
  '-delete',
  '-fprint',
  '-fprint0',
  '-fprintf',
  '-fls',
]);
const FIND_PATTERN_TESTS = new Set([
  '-name',
  '-iname',
  '-path',
  '-ipath',
  '-wholename',
  '-iwholename',
  '-regex',
  '-iregex',
  '-lname',
  '-ilname',
]);
const FIND_PATH_TESTS = new Set(['-samefile', '-files0-from']);

const find: Validator = (c) => {
  let i = 0;
  while (i < c.args.length && /^-[HLP]$/.test(c.args[i] as string)) i += 1;
  for (; i < c.args.length; i++) {
    const arg = c.args[i] as string;
    if (arg.startsWith('-') || arg === '(' || arg === '!') break;
    const d = checkPath(arg, c, 'read');
    if (d) return d;
  }
  for (; i < c.args.length; i++) {
    const arg = c.args[i] as string;
    if (FIND_ACTIONS.has(arg)) {
      return deny(
        'dangerous_args',
        `find ${arg} runs programs or writes/deletes files; use find only to list paths (e.g. find src -name '*.ts'), then act on them with separate commands`,
      );
    }
    if (FIND_PATTERN_TESTS.has(arg)) {
      i += 1;
      continue;
    }
    if (FIND_PATH_TESTS.has(arg) || /^-(a|c)?newer/.test(arg)) {
      const d = checkPath(c.args[i + 1] ?? '', c, 'read');
      if (d) return d;
      i += 1;
      continue;
    }
    if (!arg.startsWith('-')) {
      const d = checkPath(arg, c, 'read');
      if (d) return d;
    }
  }
  return null;
};

const jq: Validator = (c) => {
  const skip = new Set<number>();
  let filterSeen = false;
  for (let i = 0; i < c.args.length; i++) {
    const arg = c.args[i] as string;
    if (arg === '--args' || arg === '--jsonargs') {
      for (let k = i; k < c.args.length; k++) skip.add(k);
      break;
    }
    if (arg === '--arg' || arg === '--argjson') {
      skip.add(i + 1).add(i + 2);
      i += 2;
    } else if (arg === '--slurpfile' || arg === '--rawfile') {
      skip.add(i + 1);
      i += 2;
    } else if (arg === '-f' || arg === '--from-file') {
      filterSeen = true;
      i += 1;
    } else if (arg === '--indent') {
      i += 1;
    } else if (!arg.startsWith('-') && !filterSeen) {
      filterSeen = true;
      skip.add(i);
    }
  }
  return checkArgPaths(c, 'read', skip);
};

const cd: Validator = (c) => {
  const target = c.args[0];
  if (c.args.length !== 1 || target === undefined || target.startsWith('-')) {
    return deny(
      'dangerous_args',
      'cd takes exactly one directory inside the project (no options; `cd` alone and `cd -` are not allowed)',
    );
  }
  return checkPath(target, c, 'read');
};

const chmod: Validator = (c) => {
  const [mode, ...files] = c.args;
  if (mode === undefined || !/^[ugoa]*\+x$/.test(mode) || files.length === 0 || files.some((f) => f.startsWith('-'))) {
    return deny(
      'dangerous_args',
      'chmod is limited to making files executable: `chmod +x <file>` (modes like u+x/a+x; no numeric modes, no -R or other options)',
    );
  }
  for (const f of files) {
    const d = checkPath(f, c, 'write');
    if (d) return d;
  }
  return null;
};

/** printf -v VAR assigns a shell variable (e.g. PATH) that later commands in the line would use. */
const printf: Validator = (c) => {
  const first = c.args[0];
  return first !== undefined && first.startsWith('-') && first !== '--'
    ? deny(
        'dangerous_args',
        "printf options (such as -v, which sets shell variables) are not allowed; use printf 'format' args",
      )
    : null;
};

const sleep: Validator = (c) => {
  const [arg, ...rest] = c.args;
  const m = arg === undefined ? null : /^(\d+(?:\.\d+)?)([smh]?)$/.exec(arg);
  const seconds = m ? Number(m[1]) * ({ s: 1, m: 60, h: 3600, '': 1 }[m[2] as 's' | 'm' | 'h' | ''] ?? 1) : NaN;
  if (rest.length > 0 || !(seconds <= 600))
    return deny('dangerous_args', 'sleep takes one duration of at most 600 seconds, e.g. sleep 2');
  return null;
};

export const FILE_AND_PROCESS_VALIDATORS: Readonly<Record<string, Validator>> = {
  ls: readAll,
  cat: readAll,
  head: readAll,
  tail,
  wc: readAll,
  grep,
  find,
  sort,
  uniq,
  diff: readAll,
  jq,
  test: readAll,
  '[': readAll,
  which: readAll,
  date: readAll,
  ps,
  lsof: readAll,
  pwd: noChecks,
  echo: noChecks,
  printf,
  true: noChecks,
  false: noChecks,
  sleep,
  cd,
  mkdir: writeAll,
  touch: writeAll,
  cp: writeAll,
  mv: writeAll,
  rm: (c) => checkArgPaths(c, 'delete'),
  chmod,
  kill,
  pkill,
};

/**
 * The validator for user-added commands (and ./init.sh): every `scheme://` argument is loopback
 * (a wget or psql added by the user reaches only the local app) and every path-like argument
 * stays in the project.
 */
export const extraCommandValidator: Validator = (c) =>
  checkUrlArgs(c, 'only local addresses (localhost, 127.0.0.1, [::1]) are reachable from the shell') ??
  checkArgPaths(c, 'read');

export type { CommandCheck, Denial };
