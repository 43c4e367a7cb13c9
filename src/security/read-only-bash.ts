import { commandArgvs, redirectWrites } from './bash-policy.js';

/**
 * The read-only rule of reviewer sessions (checkpoints): on top of the shell policy every session has, a reviewer's
 * Bash may only look. Every simple command must be a reading program, git and npm only with their reading
 * subcommands, npx only with the project's analysis tools in their non-writing forms; a redirection may write only to
 * /dev/null. What it cannot read as plain words is refused.
 */

const READERS = new Set([
  'cat',
  'head',
  'tail',
  'wc',
  'ls',
  'grep',
  'rg',
  'sort',
  'uniq',
  'cut',
  'tr',
  'jq',
  'diff',
  'file',
  'stat',
  'du',
  'tree',
  'echo',
  'pwd',
  'true',
  'basename',
  'dirname',
  'realpath',
  'which',
  'curl',
  'playwright-cli',
]);
const GIT_READERS = new Set(['log', 'show', 'diff', 'status', 'blame', 'ls-files', 'rev-parse', 'grep', 'shortlog']);
const NPM_READERS = new Set(['ls', 'list', 'audit', 'outdated', 'explain', 'why']);
/** find's actions that change or run something. */
const FIND_WRITERS = new Set(['-delete', '-exec', '-execdir', '-ok', '-okdir', '-fprint', '-fprintf', '-fls']);

export type ReadOnlyDecision = { readonly allow: true } | { readonly allow: false; readonly reason: string };

const refuse = (why: string): ReadOnlyDecision => ({
  allow: false,
  reason: `reviewers only read: ${why}. Use Read, Glob and Grep, or a reading command (cat, ls, grep, git log/diff/show, npx tsc --noEmit, npx eslint, curl against the app)`,
});

function argvDecision(argv: readonly string[]): ReadOnlyDecision | null {
  const [name, ...args] = argv;
  if (name === undefined) return null;
  if (READERS.has(name)) {
    if (name === 'curl' && args.some((a) => /^-(X|d|F|T|o|O)|^--(request|data|form|upload|output|remote-name)/.test(a)))
      return refuse('curl may only GET (no -X, data, uploads or output files)');
    return null;
  }
  if (name === 'find')
    return args.some((a) => FIND_WRITERS.has(a))
      ? refuse(`find with ${args.find((a) => FIND_WRITERS.has(a)) ?? ''}`)
      : null;
  if (name === 'git') {
    const sub = args.find((a) => !a.startsWith('-'));
    return sub !== undefined && GIT_READERS.has(sub) ? null : refuse(`git ${sub ?? ''} changes or fetches something`);
  }
  if (name === 'npm') {
    const sub = args.find((a) => !a.startsWith('-'));
    if (sub === 'audit' && args.includes('fix')) return refuse('npm audit fix changes the project');
    return sub !== undefined && NPM_READERS.has(sub) ? null : refuse(`npm ${sub ?? ''} changes or runs something`);
  }
  if (name === 'npx') {
    const tool = args.find((a) => !a.startsWith('-'));
    if (tool === 'tsc') return args.includes('--noEmit') ? null : refuse('npx tsc needs --noEmit');
    if (tool === 'eslint')
      return args.some((a) => a.startsWith('--fix')) ? refuse('npx eslint --fix changes files') : null;
    return refuse(`npx ${tool ?? ''} is not an analysis tool reviewers may run`);
  }
  return refuse(`${name} is not a reading command`);
}

export function readOnlyBashDecision(command: string): ReadOnlyDecision {
  const argvs = commandArgvs(command);
  const writes = redirectWrites(command);
  if (argvs === null || writes === null) return refuse('the command must be plain words the runner can read');
  const written = writes.find((w) => w !== '/dev/null');
  if (written !== undefined) return refuse(`it writes ${written}`);
  for (const argv of argvs) {
    const decision = argvDecision(argv);
    if (decision !== null) return decision;
  }
  return { allow: true };
}
