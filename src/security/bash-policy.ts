/**
 * Bash allowlist policy for agent shell commands: parse → AST → fail closed.
 *
 * A guardrail, not the security boundary (an agent that may edit files and run `npm test` can run
 * any code it writes); the OS sandbox is the boundary. This module keeps honest mistakes and
 * prompt-injected commands away from the user's machine and gives the model actionable reasons.
 *
 * Steps (docs: shared security research §1.5):
 *  1. pre-lexical: length, NUL, \r, controls, invisible/look-alike Unicode;
 *  2. unbash parse; any error anywhere (root or nested) denies;
 *  3. a whole-tree scan for substitutions, compound commands, heredocs, and a size limit;
 *  4. a walk that only knows Script/Statement/AndOr/Pipeline/Command/Word/Redirect/Assignment,
 *     tracking every directory `cd` may leave the shell in;
 *  5. per command: literal words only, name allowlist, env-prefix allowlist, redirects, argv
 *     validators. Any exception denies.
 * Pure: no I/O except the optional ctx.realpath and ctx.readFile (project .npmrc/package.json,
 * playwright-cli configs), both injected by the caller.
 */
import path from 'node:path';
import {
  forEachChild,
  parse,
  type Assignment,
  type Command,
  type Redirect,
  type Script,
  type Statement,
  type SyntaxNode,
} from 'unbash';
import { checkPath, lookup } from './arg-checks.js';
import { extraCommandValidator, FILE_AND_PROCESS_VALIDATORS } from './command-validators.js';
import { curlValidator } from './curl-validator.js';
import { gitValidator } from './git-validator.js';
import { nodeValidator } from './node-validator.js';
import { npmValidator, npxValidator, pnpmValidator } from './package-validators.js';
import { isInsideProject } from './paths.js';
import { playwrightCliValidator } from './playwright-cli-validator.js';
import {
  deny,
  type CommandCheck,
  type Denial,
  type DenyCategory,
  type PolicyContext,
  type PolicyDecision,
  type Validator,
} from './policy-types.js';
import { pytestValidator, pythonValidator } from './pytest-validator.js';
import { isDenial, literalWord, preLexicalCheck } from './shell-words.js';
import { sqliteValidator } from './sqlite-validator.js';

export type { DenyCategory, PolicyContext, PolicyDecision, ReadTextFn } from './policy-types.js';
export { isInsideProject, isProtectedPath, PROTECTED_DIRS, resolveReal } from './paths.js';
export { DEFAULT_DEV_SERVER_NAMES } from './process-validators.js';
export { NPX_TOOLS } from './package-validators.js';

const posix = path.posix;

/** At most this many simple commands per Bash call (limits fail closed). */
export const MAX_SIMPLE_COMMANDS = 20;
const MAX_CWDS = 16;

const VALIDATORS: Readonly<Record<string, Validator>> = {
  ...FILE_AND_PROCESS_VALIDATORS,
  git: gitValidator,
  npm: npmValidator,
  pnpm: pnpmValidator,
  npx: npxValidator,
  node: nodeValidator,
  curl: curlValidator,
  'playwright-cli': playwrightCliValidator,
  sqlite3: sqliteValidator,
  pytest: pytestValidator,
  // Only `python -m pytest`: these names are never-allowed interpreters otherwise (see NEVER_ALLOWED_COMMANDS).
  python: pythonValidator,
  python3: pythonValidator,
  './init.sh': extraCommandValidator,
};

/**
 * What agents building web apps need: read/search files, small file operations, git (local),
 * package managers, node scripts, curl to the local app, playwright-cli for the browser, sqlite3
 * on the project database, pytest, the project's ./init.sh, and stopping their own dev servers.
 * No shells, interpreters (python only as `python -m pytest`), editors, sed/awk (the Edit/Write
 * tools replace them) or network tools.
 */
export const DEFAULT_ALLOWED_COMMANDS: readonly string[] = Object.keys(VALIDATORS);

/**
 * Never allowed, not even via PolicyContext.extraCommands: programs that run code given in their
 * arguments (shells, interpreters, eval/source, wrappers that run another command, editors and
 * pagers with shell escapes, container/remote runners) or change privileges.
 */
export const NEVER_ALLOWED_COMMANDS: readonly string[] = [
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'mksh',
  'csh',
  'tcsh',
  'fish',
  'ash',
  'busybox',
  'rbash',
  'python',
  'python2',
  'python3',
  'pypy',
  'perl',
  'ruby',
  'php',
  'lua',
  'tclsh',
  'wish',
  'expect',
  'osascript',
  'pwsh',
  'powershell',
  'deno',
  'bun',
  'awk',
  'gawk',
  'mawk',
  'nawk',
  'sed',
  'ed',
  'ex',
  'vi',
  'vim',
  'nvim',
  'emacs',
  'nano',
  'less',
  'more',
  'man',
  'eval',
  'source',
  '.',
  'exec',
  'command',
  'builtin',
  'env',
  'xargs',
  'nohup',
  'setsid',
  'timeout',
  'watch',
  'nice',
  'ionice',
  'stdbuf',
  'time',
  'flock',
  'script',
  'screen',
  'tmux',
  'chroot',
  'unshare',
  'nsenter',
  'parallel',
  'sudo',
  'su',
  'doas',
  'pkexec',
  'runuser',
  'docker',
  'podman',
  'kubectl',
  'ssh',
  'scp',
  // Runners that take inline code (`tsx -e`, `ts-node -e`) or fetch and run packages.
  'tsx',
  'ts-node',
  'pnpx',
  'bunx',
  'yarn',
  'dlx',
  'alias',
  'unalias',
  'set',
  'shopt',
  'export',
  'declare',
  'typeset',
  'local',
  'readonly',
  'let',
  'enable',
  'trap',
  'hash',
  'fc',
  'history',
  'bind',
  'complete',
  'coproc',
  'ulimit',
  'umask',
];
const NEVER = new Set(NEVER_ALLOWED_COMMANDS);

/** Environment variables that may prefix a command (`NODE_ENV=test npm test`), literal values only. */
export const ALLOWED_ENV_PREFIXES: readonly string[] = [
  'CI',
  'NODE_ENV',
  'FORCE_COLOR',
  'PORT',
  'HOST',
  'DEBUG',
  'NO_COLOR',
  'BROWSER',
];

const EXTRA_NAME = /^[a-zA-Z0-9._+-]+$/;

/** Splits user-supplied allowlist extensions into usable names and rejected ones (with why). */
export function validateExtraCommands(names: readonly string[]): {
  accepted: string[];
  rejected: { name: string; reason: string }[];
} {
  const accepted: string[] = [];
  const rejected: { name: string; reason: string }[] = [];
  for (const name of names) {
    if (!EXTRA_NAME.test(name) || name === '.' || name === '..')
      rejected.push({ name, reason: 'not a plain command name ([a-zA-Z0-9._+-]+)' });
    else if (isNever(name)) rejected.push({ name, reason: 'runs arbitrary code or changes privileges; never allowed' });
    else accepted.push(name);
  }
  return { accepted, rejected };
}

function isNever(name: string): boolean {
  return NEVER.has(name) || /^python[0-9.]*$/.test(name) || /^(perl|ruby|php|lua|node)[0-9.]+$/.test(name);
}

const GROUPING_HINT =
  'run plain commands joined with && (or put the logic in a script file and run it with node or an npm script)';
const COMPOUND: Readonly<Record<string, { category: DenyCategory; reason: string }>> = {
  Subshell: { category: 'subshell', reason: `subshells ( … ) are not allowed; ${GROUPING_HINT}` },
  BraceGroup: { category: 'subshell', reason: `brace groups { …; } are not allowed; ${GROUPING_HINT}` },
  Function: { category: 'function', reason: `function definitions are not allowed; ${GROUPING_HINT}` },
  If: {
    category: 'control_flow',
    reason: `if statements are not allowed; use && / || between commands, or ${GROUPING_HINT}`,
  },
  For: {
    category: 'control_flow',
    reason: `loops are not allowed; list the arguments explicitly, or ${GROUPING_HINT}`,
  },
  ArithmeticFor: { category: 'control_flow', reason: `loops are not allowed; ${GROUPING_HINT}` },
  While: { category: 'control_flow', reason: `while/until loops are not allowed; ${GROUPING_HINT}` },
  Case: { category: 'control_flow', reason: `case statements are not allowed; ${GROUPING_HINT}` },
  Select: { category: 'control_flow', reason: `select loops are not allowed; ${GROUPING_HINT}` },
  TestCommand: { category: 'control_flow', reason: '[[ … ]] is not allowed; use [ … ] or test' },
  ArithmeticCommand: {
    category: 'control_flow',
    reason: `(( … )) arithmetic commands are not allowed; ${GROUPING_HINT}`,
  },
  Coproc: {
    category: 'background',
    reason: "coprocesses are not allowed; use the Bash tool's run_in_background option for long-running commands",
  },
  HereDoc: {
    category: 'heredoc',
    reason: 'heredocs (<<EOF) are not allowed; create or edit files with the Write/Edit tools',
  },
  HereString: {
    category: 'heredoc',
    reason: 'here-strings (<<<) are not allowed; put the text in a file or pass it as an argument',
  },
};
const SUBSTITUTIONS = new Set(['CommandExpansion', 'ProcessSubstitution', 'ArithmeticCommandExpansion']);
const PRIORITY: readonly DenyCategory[] = [
  'substitution',
  'function',
  'subshell',
  'control_flow',
  'background',
  'heredoc',
];

/** Whole-tree scan: nested parse errors, size limit, and constructs denied wherever they appear. */
function scanTree(script: Script): Denial | null {
  const found = new Map<DenyCategory, string>();
  let errorMessage: string | undefined;
  let commands = 0;
  const visit = (node: SyntaxNode): void => {
    const errors = (node as { errors?: readonly { message: string }[] }).errors;
    if (errorMessage === undefined && errors && errors.length > 0) errorMessage = errors[0]?.message;
    if (node.type === 'Command') commands += 1;
    if (SUBSTITUTIONS.has(node.type) && !found.has('substitution')) {
      found.set(
        'substitution',
        'command/process substitution ($(…), `…`, <(…), >(…)) is not allowed; run the inner command on its own first and use its output',
      );
    }
    const compound = COMPOUND[node.type];
    if (compound && !found.has(compound.category)) found.set(compound.category, compound.reason);
    forEachChild(node, visit);
  };
  visit(script);
  if (errorMessage !== undefined)
    return deny('parse_error', `the command does not parse as bash (${errorMessage}); fix quoting or syntax`);
  if (commands > MAX_SIMPLE_COMMANDS)
    return deny(
      'too_complex',
      `the command has ${commands} simple commands; the limit is ${MAX_SIMPLE_COMMANDS}. Split it into several Bash calls`,
    );
  for (const category of PRIORITY) {
    const reason = found.get(category);
    if (reason !== undefined) return deny(category, reason);
  }
  return null;
}

type Cwds = ReadonlySet<string>;
interface Flow {
  ok: Cwds;
  fail: Cwds;
}

const union = (a: Cwds, b: Cwds): Cwds => new Set([...a, ...b]);

class Walker {
  readonly allowed: ReadonlySet<string>;

  constructor(readonly ctx: PolicyContext) {
    this.allowed = new Set([...DEFAULT_ALLOWED_COMMANDS, ...validateExtraCommands(ctx.extraCommands ?? []).accepted]);
  }

  statement(st: Statement, cwds: Cwds): Flow | Denial {
    if (st.background) {
      return deny(
        'background',
        "background jobs (&) are not allowed; use the Bash tool's run_in_background option, or ./init.sh to start servers",
      );
    }
    return this.node(st.command, cwds);
  }

  node(node: Statement['command'], cwds: Cwds): Flow | Denial {
    switch (node.type) {
      case 'AndOr': {
        const first = node.commands[0];
        if (first === undefined) return deny('parse_error', 'empty command list');
        let flow = this.node(first, cwds);
        for (let i = 0; i < node.operators.length; i++) {
          if (isDenial(flow)) return flow;
          const next = node.commands[i + 1];
          if (next === undefined) return deny('parse_error', 'dangling && or ||');
          const andThen = node.operators[i] === '&&';
          const r = this.node(next, andThen ? flow.ok : flow.fail);
          if (isDenial(r)) return r;
          flow = andThen ? { ok: r.ok, fail: union(flow.fail, r.fail) } : { ok: union(flow.ok, r.ok), fail: r.fail };
        }
        return flow;
      }
      case 'Pipeline': {
        if (node.prefixes.length > 0)
          return deny('control_flow', '`!` and `time` before a pipeline are not allowed; run the command plainly');
        if (node.operators.includes('|&')) return deny('redirect', '`|&` is not allowed; write `2>&1 |` instead');
        for (const c of node.commands) {
          const r = this.node(c, cwds);
          if (isDenial(r)) return r;
        }
        return { ok: cwds, fail: cwds }; // pipeline members run in subshells: a cd there changes nothing
      }
      case 'Command':
        return this.command(node, cwds);
      default: {
        const known = COMPOUND[node.type];
        return known
          ? deny(known.category, known.reason)
          : deny('parse_error', `unsupported shell construct ${node.type}`);
      }
    }
  }

  command(cmd: Command, cwds: Cwds): Flow | Denial {
    if (cmd.name === undefined) {
      return cmd.prefix.some((p) => p.type === 'Assignment')
        ? deny(
            'env_prefix',
            'setting shell variables is not allowed; put an allowed variable before a command instead (e.g. NODE_ENV=test npm test)',
          )
        : deny('redirect', 'a redirection needs a command; create files with the Write tool');
    }
    const nameWord = literalWord(cmd.name);
    if (isDenial(nameWord)) return nameWord;
    const rawName = nameWord.value;
    const name = this.resolveName(rawName, cwds);
    if (typeof name !== 'string') return name;
    const check: CommandCheck = { name, args: [], cwds: [...cwds], ctx: this.ctx };
    if (name !== 'cd') {
      const outside = [...cwds].find((c) => !isInsideProject(c, this.ctx.projectRoot));
      if (outside !== undefined)
        return deny(
          'outside_project',
          `the shell's working directory ${outside} is outside the project; start with cd ${this.ctx.projectRoot} &&`,
        );
    }
    const args: string[] = [];
    for (const item of [...cmd.prefix, ...cmd.suffix]) {
      if (item.type === 'Assignment') {
        const d =
          item.pos < cmd.name.pos
            ? this.envPrefix(item)
            : deny('env_prefix', `assignment-like argument \`${item.text}\` is not allowed here`);
        if (d) return d;
      } else if (item.type === 'Redirect') {
        const d = this.redirect(item, check);
        if (d) return d;
      } else if (item.type === 'Word') {
        const w = literalWord(item);
        if (isDenial(w)) return w;
        args.push(w.value);
      } else {
        return deny('heredoc', 'heredocs and here-strings are not allowed; create files with the Write tool');
      }
    }
    const full: CommandCheck = { ...check, args };
    const validator = lookup(VALIDATORS, name) ?? extraCommandValidator;
    const d = validator(full);
    if (d) return d;
    if (name === 'cd') {
      const target = args[0] as string;
      const moved = new Set([...cwds].map((c) => posix.resolve(c, target)));
      if (moved.size + cwds.size > MAX_CWDS)
        return deny('too_complex', 'too many cd steps in one command; split it into several Bash calls');
      return { ok: moved, fail: cwds };
    }
    return { ok: cwds, fail: cwds };
  }

  resolveName(raw: string, cwds: Cwds): string | Denial {
    if (raw.includes('/')) {
      const initScript = posix.join(this.ctx.projectRoot, 'init.sh');
      if ([...cwds].every((c) => posix.resolve(c, raw) === initScript)) return './init.sh';
      if (isNever(posix.basename(raw)))
        return deny(
          'interpreter',
          `\`${raw}\` is a shell or interpreter; run allowed commands directly (scripts: ./init.sh or npm run <script>)`,
        );
      return deny(
        'not_allowlisted',
        `running programs by path (\`${raw}\`) is not allowed; only ./init.sh of the project runs by path. Use npm scripts or npx <tool> for project binaries`,
      );
    }
    if (isNever(raw) && !Object.hasOwn(VALIDATORS, raw)) {
      return deny(
        'interpreter',
        `\`${raw}\` runs arbitrary code (shell/interpreter/eval/wrapper/privilege tool) and is never allowed; use allowed commands directly, or put code in a file and run it with node <file> or an npm script`,
      );
    }
    if (raw === 'init.sh') return deny('not_allowlisted', 'run the project script as ./init.sh');
    if (!this.allowed.has(raw)) {
      return deny('not_allowlisted', `\`${raw}\` is not an allowed command. Allowed: ${[...this.allowed].join(', ')}`);
    }
    return raw;
  }

  envPrefix(a: Assignment): Denial | null {
    if (!ALLOWED_ENV_PREFIXES.includes(a.name) || a.append || a.index !== undefined || a.value.type !== 'Word') {
      return deny(
        'env_prefix',
        `\`${a.name}=\` before a command is not allowed (it can change how programs load code); allowed: ${ALLOWED_ENV_PREFIXES.join(', ')}`,
      );
    }
    const v = literalWord(a.value, 'assignment');
    if (isDenial(v)) return v;
    // Dev servers run $BROWSER to open a page: any value but `none` names a program to run.
    if (a.name === 'BROWSER' && v.value !== 'none')
      return deny(
        'env_prefix',
        'BROWSER= names a program that dev servers run to open a page; only BROWSER=none is allowed (check pages with playwright-cli)',
      );
    return null;
  }

  redirect(r: Redirect, c: CommandCheck): Denial | null {
    const fd = r.descriptor;
    if (fd?.type === 'FileDescriptorVariable')
      return deny('redirect', '{var}> file-descriptor variables are not allowed');
    const n = fd?.value;
    if (n !== undefined && n > 2) return deny('redirect', 'only stdin, stdout and stderr (0, 1, 2) may be redirected');
    if (r.target === undefined) return deny('redirect', 'redirection without a target');
    const t = literalWord(r.target);
    if (isDenial(t)) return t;
    switch (r.operator) {
      case '>&':
        return (t.value === '1' || t.value === '2') && n !== 0
          ? null
          : deny(
              'redirect',
              'only 2>&1 and >&2 style duplications are allowed; write `> file 2>&1` to capture both streams',
            );
      case '>':
      case '>>':
      case '>|':
        return n === 0
          ? deny('redirect', 'stdin cannot be redirected to a file for writing')
          : checkPath(t.value, c, 'write');
      case '&>':
      case '&>>':
        return n === undefined ? checkPath(t.value, c, 'write') : deny('redirect', 'unsupported redirection');
      case '<':
        return n === undefined || n === 0 ? checkPath(t.value, c, 'read') : deny('redirect', 'unsupported redirection');
      default:
        return deny('redirect', `the \`${r.operator}\` redirection is not allowed; use >, >>, <, 2>&1 or > /dev/null`);
    }
  }
}

function evaluate(command: string, ctx: PolicyContext): PolicyDecision {
  if (!posix.isAbsolute(ctx.projectRoot))
    return {
      decision: 'deny',
      category: 'outside_project',
      reason: 'policy misconfigured: projectRoot must be absolute',
    };
  const lexical = preLexicalCheck(command);
  if (lexical) return { decision: 'deny', ...lexical };
  if (command.trim() === '') return { decision: 'deny', category: 'parse_error', reason: 'empty command' };
  const script = parse(command);
  const treeDenial = scanTree(script);
  if (treeDenial) return { decision: 'deny', ...treeDenial };
  if (script.commands.length === 0)
    return { decision: 'deny', category: 'parse_error', reason: 'the command is empty or only a comment' };
  const walker = new Walker(ctx);
  let cwds: Cwds = new Set([posix.resolve(ctx.projectRoot, ctx.cwd ?? ctx.projectRoot)]);
  for (const st of script.commands) {
    const flow = walker.statement(st, cwds);
    if (isDenial(flow)) return { decision: 'deny', ...flow };
    cwds = union(flow.ok, flow.fail);
  }
  return { decision: 'allow', reason: 'every command, argument and redirection is on the allowlist' };
}

/** Decides whether an agent may run `command` (one Bash tool call). Never throws: errors deny. */
export function evaluateBashCommand(command: string, ctx: PolicyContext): PolicyDecision {
  try {
    return evaluate(command, ctx);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      decision: 'deny',
      category: 'parse_error',
      reason: `the policy could not evaluate this command (${why}); simplify it`,
    };
  }
}

/**
 * Every simple-command name anywhere in the syntax tree (including inside substitutions,
 * subshells and function bodies), as their literal text value. Null when the command does not
 * parse. Used by property tests: an allowed command must only contain allowlisted names.
 */
export function commandNames(command: string): string[] | null {
  const script = parse(command);
  const names: string[] = [];
  let broken = false;
  const visit = (node: SyntaxNode): void => {
    const errors = (node as { errors?: readonly unknown[] }).errors;
    if (errors && errors.length > 0) broken = true;
    if (node.type === 'Command' && node.name !== undefined) names.push(node.name.value);
    forEachChild(node, visit);
  };
  visit(script);
  return broken ? null : names;
}

/**
 * The dequoted argv (name + words, no redirects/assignments) of every simple command, as the
 * policy reads them; null unless the command parses and every word is a plain literal. Used by
 * the differential test that compares it with what bash really executes.
 */
export function commandArgvs(command: string): string[][] | null {
  const script = parse(command);
  const argvs: string[][] = [];
  let ok = true;
  const visit = (node: SyntaxNode): void => {
    const errors = (node as { errors?: readonly unknown[] }).errors;
    if (errors && errors.length > 0) ok = false;
    if (node.type === 'Command' && node.name !== undefined) {
      const argv: string[] = [];
      for (const w of [node.name, ...node.suffix.filter((s) => s.type === 'Word')]) {
        const lit = literalWord(w);
        if (isDenial(lit)) ok = false;
        else argv.push(lit.value);
      }
      argvs.push(argv);
    }
    forEachChild(node, visit);
  };
  visit(script);
  return ok ? argvs : null;
}

/**
 * The files a command's redirections write (`>`, `>>`, `>|`, `&>`, `&>>` targets, as literal text), anywhere in it;
 * null unless it parses with literal targets. The read-only rule of reviewer sessions allows only `/dev/null`.
 */
export function redirectWrites(command: string): string[] | null {
  const script = parse(command);
  const targets: string[] = [];
  let ok = true;
  const visit = (node: SyntaxNode): void => {
    const errors = (node as { errors?: readonly unknown[] }).errors;
    if (errors && errors.length > 0) ok = false;
    if (node.type === 'Redirect' && ['>', '>>', '>|', '&>', '&>>'].includes(node.operator)) {
      const target = node.target === undefined ? null : literalWord(node.target);
      if (target === null || isDenial(target)) ok = false;
      else targets.push(target.value);
    }
    forEachChild(node, visit);
  };
  visit(script);
  return ok ? targets : null;
}

export type { Denial };
