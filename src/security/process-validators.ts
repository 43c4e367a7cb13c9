/**
 * ps, pkill and kill: the agent may look at processes and stop the dev servers it started, but
 * never read other processes' environments (the runner's holds its provider keys) nor signal the
 * runner, Claude Code, the model server or another agent's processes.
 */
import path from 'node:path';
import { checkArgPaths } from './arg-checks.js';
import { isInsideProject, isProjectRoot } from './paths.js';
import { deny, type Validator } from './policy-types.js';

/** Programs pkill may name: dev servers an agent starts (Node and Python web apps). */
export const DEFAULT_DEV_SERVER_NAMES: readonly string[] = [
  'node',
  'npm',
  'npx',
  'vite',
  'next',
  'tsx',
  'uvicorn',
  'gunicorn',
  'flask',
];

/** Runtimes whose bare name also matches the autocoder runner, Claude Code and other agents. */
const GENERIC_RUNTIMES = new Set(['node', 'npm', 'npx']);

const PS_ENV_REASON =
  "ps options that print process environments are not allowed (BSD `e` in any spelling such as `ps e`, `-auxe`, `-xe`, and env/environ formats): they would show the runner's secrets. Use `ps aux`, `ps -ef` or `ps -eo pid,args`";
/** UNIX-syntax letters that keep a dash cluster in UNIX syntax next to `e` (which then means "every process"). */
const UNIX_SAFE_WITH_E = 'eAadfFHjlLyMZTcPmNw';
/** Letters that take a value (in the next word when last in the cluster). */
const UNIX_VALUE = 'CGgOopqstuUD';
const BSD_VALUE = 'oOpUtkq';
const PS_LONG_VALUE = new Set([
  'format',
  'sort',
  'pid',
  'ppid',
  'user',
  'User',
  'group',
  'Group',
  'sid',
  'tty',
  'cols',
  'columns',
  'width',
  'rows',
  'lines',
  'quick-pid',
]);
const SAFE_E_CLUSTER = new RegExp(`^-[${UNIX_SAFE_WITH_E}]*[${UNIX_VALUE}]?$`);

/**
 * ps: procps reads a dash cluster with a BSD-only letter (`-auxe`, `-xe`) as BSD syntax, where
 * `e` prints environments; so a cluster holding `e` must consist of UNIX letters only. Values of
 * options (`-C node`, `-o pid,args`) are not clusters, but no word may name an env format.
 */
export const ps: Validator = (c) => {
  for (let i = 0; i < c.args.length; i++) {
    const word = c.args[i] as string;
    if (/env/i.test(word)) return deny('dangerous_args', PS_ENV_REASON);
    let takesNext: boolean;
    if (word.startsWith('--')) {
      takesNext = !word.includes('=') && PS_LONG_VALUE.has(word.slice(2));
    } else if (word.startsWith('-') && word.length > 1) {
      if (word.includes('e') && !SAFE_E_CLUSTER.test(word)) return deny('dangerous_args', PS_ENV_REASON);
      const valueAt = [...word.slice(1)].findIndex((ch) => UNIX_VALUE.includes(ch));
      takesNext = valueAt >= 0 && valueAt === word.length - 2;
    } else {
      const valueAt = [...word].findIndex((ch) => BSD_VALUE.includes(ch));
      const letters = valueAt < 0 ? word : word.slice(0, valueAt + 1);
      if (letters.includes('e') || letters.includes('E')) return deny('dangerous_args', PS_ENV_REASON);
      takesNext = valueAt === word.length - 1;
    }
    if (takesNext) {
      const value = c.args[i + 1];
      if (value !== undefined && /env/i.test(value)) return deny('dangerous_args', PS_ENV_REASON);
      i += 1;
    }
  }
  return checkArgPaths(c, 'read');
};

const SIGNALS = new Set(['9', '15', '2', 'TERM', 'KILL', 'INT', 'SIGTERM', 'SIGKILL', 'SIGINT']);

function isSignalFlag(arg: string): boolean {
  return arg.startsWith('-') && SIGNALS.has(arg.slice(1));
}

export const kill: Validator = (c) => {
  const allowed = c.ctx.allowedPids;
  if (allowed === undefined) {
    return deny(
      'dangerous_args',
      'kill is limited to processes this session started, and none are registered; stop a dev server with `pkill -f "<server command>"` (e.g. pkill -f "node server.js")',
    );
  }
  let args = c.args;
  if (args[0] !== undefined && isSignalFlag(args[0])) args = args.slice(1);
  else if (args[0] === '-s' && args[1] !== undefined && SIGNALS.has(args[1])) args = args.slice(2);
  if (args.length === 0) return deny('dangerous_args', 'kill needs at least one pid');
  for (const a of args) {
    if (!/^[1-9]\d{0,9}$/.test(a))
      return deny(
        'dangerous_args',
        `kill accepts only numeric pids and -9/-15/-2/-TERM/-KILL/-INT; \`${a}\` is not allowed`,
      );
    if (!allowed.has(Number(a)))
      return deny(
        'dangerous_args',
        `pid ${a} was not started by this session; kill only your own processes (or use pkill -f "<server command>")`,
      );
  }
  return null;
};

const PKILL_RULE =
  'pkill patterns are regular expressions matched anywhere in every process\'s command line, so they must be literal and specific: a dev-server program, then the script or subcommand (words of letters, digits and - _ / = : @, a `.` only inside a name like server.js, absolute paths only inside the project), e.g. pkill -f "node server.js" or pkill -f "npm run dev"';

/** Why a pattern word is too broad to follow `node`/`npm`/`npx`, or null. */
function broadWord(word: string, projectRoot: string): string | null {
  if ((word.match(/[A-Za-z0-9]/g) ?? []).length < 3) return 'has fewer than 3 letters or digits';
  if (word.startsWith('/') && (!isInsideProject(word, projectRoot) || isProjectRoot(word, projectRoot)))
    return 'is an absolute path outside the project';
  return null;
}

/** A `.` is a regex wildcard (it matches `/` too): only allowed inside a name, or as `./` at a word's start. */
function wildDot(word: string): boolean {
  return [...word].some(
    (ch, k) =>
      ch === '.' &&
      !(/[A-Za-z0-9]/.test(word[k - 1] ?? '') && /[A-Za-z0-9]/.test(word[k + 1] ?? '')) &&
      !(k === 0 && word[1] === '/'),
  );
}

export const pkill: Validator = (c) => {
  const names = c.ctx.devServerNames ?? DEFAULT_DEV_SERVER_NAMES;
  const patterns: string[] = [];
  for (let i = 0; i < c.args.length; i++) {
    const a = c.args[i] as string;
    if (a === '-f' || a === '-x' || a === '-n' || a === '-o' || isSignalFlag(a)) continue;
    if (a === '--signal' && SIGNALS.has(c.args[i + 1] ?? '')) {
      i += 1;
      continue;
    }
    if (a.startsWith('-')) {
      return deny(
        'dangerous_args',
        `pkill option \`${a}\` is not allowed; use pkill [-f] [-9|-TERM|-INT] "<dev server command>"`,
      );
    }
    patterns.push(a);
  }
  const pattern = patterns[0];
  if (patterns.length !== 1 || pattern === undefined)
    return deny('dangerous_args', 'pkill takes exactly one pattern, e.g. pkill -f "node server.js"');
  const words = pattern.trim().split(/\s+/);
  const base = path.posix.basename(words[0] ?? '');
  if (!/^[A-Za-z0-9._/ =:@-]+$/.test(pattern) || !names.includes(base)) {
    return deny(
      'dangerous_args',
      `pkill may only stop dev servers (${names.join(', ')}); \`${pattern}\` is not allowed. ${PKILL_RULE}`,
    );
  }
  if (/autocoder|claude/i.test(pattern))
    return deny(
      'dangerous_args',
      `\`pkill ${pattern}\` would stop the autocoder runner or Claude Code; stop only your own dev server. ${PKILL_RULE}`,
    );
  const wild = words.find(wildDot);
  if (wild !== undefined)
    return deny(
      'dangerous_args',
      `in \`pkill ${pattern}\`, the \`.\` in \`${wild}\` matches any character (a \`/\` too), so it would match other programs' paths. ${PKILL_RULE}`,
    );
  if (GENERIC_RUNTIMES.has(base)) {
    const second = words[1];
    if (second === undefined)
      return deny(
        'dangerous_args',
        `\`pkill ${pattern}\` is too broad: it would also stop the autocoder runner, Claude Code and other agents' servers. ${PKILL_RULE}`,
      );
    const why = broadWord(second, c.ctx.projectRoot);
    if (why !== null)
      return deny(
        'dangerous_args',
        `\`pkill ${pattern}\` is too broad: \`${second}\` ${why}, so it would match the autocoder runner, Claude Code or other agents' processes. ${PKILL_RULE}`,
      );
  }
  return null;
};
