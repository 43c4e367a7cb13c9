/**
 * npm, pnpm, npx and node. Package managers: a subcommand allowlist and an exact option
 * allowlist (npm/pnpm accept abbreviations of any config key, so a deny-list of dangerous keys
 * such as --script-shell or --node-options could be bypassed). npx: only known dev tools.
 * node: only a script file inside the project; inline code and preload flags are denied.
 */
import { checkArgPaths, checkPath } from './arg-checks.js';
import { playwrightCliValidator } from './web-validators.js';
import { deny, type CommandCheck, type Denial, type Validator } from './policy-types.js';

type Kind = 'install' | 'run' | 'plain' | 'init' | 'config' | 'pkg';

interface ManagerSpec {
  tool: 'npm' | 'pnpm';
  subcommands: Readonly<Record<string, Kind>>;
  /** Exact flag tokens (long names without value and short tokens). */
  flags: ReadonlySet<string>;
  /** Options taking a value (`--x=v` or `--x v`), mapped to how the value is checked. */
  valued: Readonly<Record<string, 'path' | 'text'>>;
  denied: Readonly<Record<string, string>>;
}

const RUNS_PACKAGE = 'downloads and runs a package; add it as a dependency (npm install -D <pkg>) and run it via an npm script, or write the files yourself';

const NPM: ManagerSpec = {
  tool: 'npm',
  subcommands: {
    install: 'install', i: 'install', in: 'install', ins: 'install', add: 'install', ci: 'install', 'clean-install': 'install', ic: 'install', 'install-clean': 'install',
    uninstall: 'install', remove: 'install', rm: 'install', un: 'install', update: 'install', up: 'install', upgrade: 'install',
    run: 'run', 'run-script': 'run', rum: 'run', urn: 'run', test: 'run', t: 'run', tst: 'run', start: 'run', stop: 'run', restart: 'run',
    ls: 'plain', list: 'plain', la: 'plain', ll: 'plain', outdated: 'plain', view: 'plain', info: 'plain', show: 'plain', v: 'plain',
    audit: 'plain', prune: 'plain', dedupe: 'plain', explain: 'plain', why: 'plain', help: 'plain', get: 'plain',
    init: 'init', config: 'config', c: 'config', pkg: 'pkg',
  },
  flags: new Set(['--save', '--save-dev', '--save-exact', '--save-optional', '--save-peer', '--save-prod', '--no-save', '--production', '--ignore-scripts', '--legacy-peer-deps', '--force', '--silent', '--quiet', '--json', '--parseable', '--long', '--all', '--workspaces', '--include-workspace-root', '--if-present', '--yes', '--dry-run', '--no-audit', '--audit', '--no-fund', '--fund', '--package-lock-only', '--no-package-lock', '--prefer-offline', '--prefer-online', '--offline', '--foreground-scripts', '--install-links', '--strict-peer-deps', '--color', '--no-color', '--no-progress', '--progress', '--version', '--help', '--verbose', '--no-optional', '--no-update-notifier', '--no-bin-links', '--dev',
    '-D', '-S', '-E', '-O', '-P', '-B', '-y', '-f', '-s', '-q', '-v', '-h', '-l', '-d', '-ws']),
  valued: { prefix: 'path', C: 'path', workspace: 'path', w: 'path', omit: 'text', include: 'text', loglevel: 'text', depth: 'text', 'audit-level': 'text', 'install-strategy': 'text', before: 'text', only: 'text', also: 'text' },
  denied: {
    exec: `npm exec ${RUNS_PACKAGE}`, x: `npm exec ${RUNS_PACKAGE}`, create: `npm create ${RUNS_PACKAGE}`, innit: `npm init <pkg> ${RUNS_PACKAGE}`,
    publish: 'npm publish is not allowed: the runner never publishes packages', unpublish: 'npm unpublish is not allowed',
    login: 'npm login is not allowed (no credentials in agent sessions)', adduser: 'npm adduser is not allowed', logout: 'npm logout is not allowed', token: 'npm token is not allowed',
    'set-script': 'npm set-script is not allowed; edit package.json with the Edit tool', set: 'npm set (config) is not allowed', edit: 'npm edit opens an editor; use the Edit tool',
    explore: 'npm explore opens a shell; not allowed', link: 'npm link writes global symlinks; not allowed', ln: 'npm link writes global symlinks; not allowed',
  },
};

const PNPM: ManagerSpec = {
  tool: 'pnpm',
  subcommands: {
    install: 'install', i: 'install', add: 'install', remove: 'install', rm: 'install', uninstall: 'install', un: 'install', update: 'install', up: 'install', upgrade: 'install',
    run: 'run', 'run-script': 'run', test: 'run', t: 'run', start: 'run',
    ls: 'plain', list: 'plain', ll: 'plain', la: 'plain', outdated: 'plain', why: 'plain', audit: 'plain', prune: 'plain', dedupe: 'plain', help: 'plain',
    init: 'init',
  },
  flags: new Set(['--save-dev', '--save-prod', '--save-optional', '--save-exact', '--save-peer', '--ignore-scripts', '--frozen-lockfile', '--no-frozen-lockfile', '--prefer-offline', '--offline', '--silent', '--recursive', '--workspace-root', '--if-present', '--parallel', '--stream', '--force', '--prod', '--production', '--dev', '--version', '--help', '--lockfile-only', '--fix-lockfile', '--json', '--long', '--color', '--no-color', '--aggregate-output', '--no-optional', '--workspace',
    '-D', '-P', '-O', '-E', '-w', '-r', '-s', '-v', '-h']),
  valued: { dir: 'path', C: 'path', filter: 'text', F: 'text', reporter: 'text', depth: 'text' },
  denied: {
    exec: `pnpm exec ${RUNS_PACKAGE}`, dlx: `pnpm dlx ${RUNS_PACKAGE}`, create: `pnpm create ${RUNS_PACKAGE}`, x: `pnpm x ${RUNS_PACKAGE}`,
    publish: 'pnpm publish is not allowed: the runner never publishes packages', link: 'pnpm link writes global symlinks; not allowed',
  },
};

function managerValidator(spec: ManagerSpec): Validator {
  return (c) => {
    const positionals: string[] = [];
    let afterDashDash: string[] = [];
    for (let i = 0; i < c.args.length; i++) {
      const arg = c.args[i] as string;
      if (arg === '--') {
        afterDashDash = c.args.slice(i + 1);
        break;
      }
      if (!arg.startsWith('-') || arg === '-') {
        positionals.push(arg);
        continue;
      }
      if (spec.flags.has(arg)) continue;
      const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
      const name = m?.[1] ?? '';
      const how = spec.valued[name];
      if (how === undefined || (arg.startsWith('--') ? name.length < 2 : name.length !== 1)) {
        return deny('dangerous_args', `${spec.tool} option \`${arg}\` is not allowed (only common install/run options; -g, --script-shell, --node-options, --registry… are blocked); pass script arguments after \`--\``);
      }
      const value = m?.[2] ?? c.args[++i];
      if (how === 'path' && value !== undefined) {
        const d = checkPath(value, c, 'write');
        if (d) return d;
      }
    }
    const [sub, ...rest] = positionals;
    if (sub === undefined) return null;
    const denied = spec.denied[sub];
    if (denied !== undefined) return deny('dangerous_args', denied);
    const kind = spec.subcommands[sub];
    if (kind === undefined) {
      return deny('dangerous_args', `${spec.tool} ${sub} is not allowed; use ${spec.tool} install/run <script>/test/start/ls (allowed: ${Object.keys(spec.subcommands).join(', ')})`);
    }
    void afterDashDash; // script arguments are the script's business; the script itself is project code
    return checkKind(spec.tool, kind, rest, c);
  };
}

function checkKind(tool: string, kind: Kind, rest: readonly string[], c: CommandCheck): Denial | null {
  switch (kind) {
    case 'install':
      for (const spec of rest) {
        if (/^(git\+|git:|github:|gitlab:|bitbucket:|gist:|https?:|file:)/i.test(spec) || spec.includes('://')) {
          return deny('network', `${tool} install from \`${spec}\` is not allowed; install registry packages by name (e.g. ${tool} install express)`);
        }
        if (spec.startsWith('.') || spec.startsWith('/')) {
          const d = checkPath(spec, c, 'read');
          if (d) return d;
        }
      }
      return null;
    case 'init':
      return rest.length > 0 ? deny('dangerous_args', `${tool} init <initializer> ${RUNS_PACKAGE}; use \`${tool} init -y\`, then add files yourself`) : null;
    case 'config':
      return rest[0] === 'get' || rest[0] === 'list' || rest[0] === 'ls' ? null : deny('dangerous_args', `${tool} config may only be read (get/list); configuration is managed by the runner`);
    case 'pkg':
      return rest[0] === 'get' ? null : deny('dangerous_args', `${tool} pkg may only read (pkg get); edit package.json with the Edit tool`);
    case 'run':
    case 'plain':
      return checkArgPaths({ ...c, args: rest }, 'read');
  }
}

export const npmValidator = managerValidator(NPM);
export const pnpmValidator = managerValidator(PNPM);

const NODE_FLAGS = new Set(['--test', '--watch', '--enable-source-maps', '--no-warnings', '--trace-warnings', '--trace-uncaught', '--experimental-strip-types', '--experimental-transform-types', '--experimental-vm-modules', '--no-deprecation', '--test-only', '-c', '--check', '-v', '--version', '-h', '--help']);
const NODE_VALUED: Readonly<Record<string, 'path' | 'text'>> = { 'env-file': 'path', 'env-file-if-exists': 'path', 'watch-path': 'path', 'max-old-space-size': 'text', 'test-reporter': 'text', 'test-name-pattern': 'text', 'test-concurrency': 'text', 'test-timeout': 'text' };
const NO_SCRIPT_NEEDED = new Set(['--test', '-v', '--version', '-h', '--help']);

/** node (and tsx): `node [safe flags] <script inside the project> [args]`. */
function nodeLike(tool: string, args: readonly string[], c: CommandCheck): Denial | null {
  let i = 0;
  let scriptOptional = false;
  for (; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg === '--') {
      i += 1;
      break;
    }
    if (NODE_FLAGS.has(arg)) {
      scriptOptional ||= NO_SCRIPT_NEEDED.has(arg);
      continue;
    }
    const m = /^--([^=]+)=(.*)$/s.exec(arg);
    const how = m ? NODE_VALUED[m[1] as string] : undefined;
    if (m && how) {
      const d = how === 'path' ? checkPath(m[2] as string, c, 'read') : null;
      if (d) return d;
      continue;
    }
    if (/^-[^-]*[ep]/.test(arg) || /^--(eval|print|require|import|loader|experimental-loader|input-type|interactive)\b/.test(arg) || /^-[^-]*[ri]/.test(arg)) {
      return deny('interpreter', `${tool} \`${arg}\` runs inline or preloaded code; write the code to a file inside the project and run \`${tool} <file>\``);
    }
    return deny('dangerous_args', `${tool} option \`${arg}\` is not allowed; run \`${tool} <script file>\` (allowed flags: ${[...NODE_FLAGS].join(' ')}, --env-file=…)`);
  }
  const script = args[i];
  if (script === undefined || script === '-') {
    return scriptOptional ? null : deny('interpreter', `${tool} needs a script file inside the project, e.g. \`${tool} scripts/seed.js\` (no REPL or stdin code)`);
  }
  const d = checkPath(script, c, 'read');
  if (d) return d;
  return checkArgPaths({ ...c, args: args.slice(i + 1) }, 'read');
}

export const nodeValidator: Validator = (c) => nodeLike('node', c.args, c);

/** Dev tools npx may run (installed in the project). */
export const NPX_TOOLS: readonly string[] = ['tsc', 'vite', 'vitest', 'jest', 'eslint', 'prettier', 'playwright', 'playwright-cli', 'next', 'tsx', 'tailwindcss', 'prisma'];

const NPX_OPTIONS = new Set(['--no-install', '--no', '--offline', '--prefer-offline', '-q', '--quiet']);

export const npxValidator: Validator = (c) => {
  let i = 0;
  while (i < c.args.length && (c.args[i] as string).startsWith('-')) {
    const opt = c.args[i] as string;
    if (!NPX_OPTIONS.has(opt)) {
      return deny('dangerous_args', `npx option \`${opt}\` is not allowed (--yes/-p/-c install or run arbitrary code); use \`npx --no-install <tool>\` with one of: ${NPX_TOOLS.join(', ')}`);
    }
    i += 1;
  }
  const tool = c.args[i];
  if (tool === undefined || !NPX_TOOLS.includes(tool)) {
    return deny('not_allowlisted', `npx ${tool ?? ''} is not allowed: npx may only run these project dev tools: ${NPX_TOOLS.join(', ')} (no versions like pkg@1; add other packages as devDependencies and run them via npm scripts)`);
  }
  const toolArgs = c.args.slice(i + 1);
  if (tool === 'tsx') return nodeLike('tsx', toolArgs[0] === 'watch' ? toolArgs.slice(1) : toolArgs, c);
  if (tool === 'playwright-cli') return playwrightCliValidator({ ...c, name: tool, args: toolArgs });
  return checkArgPaths({ ...c, args: toolArgs }, 'read');
};
