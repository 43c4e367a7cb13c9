/**
 * npm, pnpm and npx. Package managers: a subcommand allowlist, an exact option allowlist (npm/pnpm
 * accept abbreviations of any config key, so a deny-list of dangerous keys such as --script-shell
 * or --node-options could be bypassed), install specs from the registry only, and no project
 * `.npmrc` that picks programs, registries or outside folders (checked at every command). npx:
 * only known dev tools, whose output options stay inside the project and off its protected folders.
 */
import path from 'node:path';
import { checkArgPaths, checkPath, checkUrlArgs, isLocalUrl, lookup, readText } from './arg-checks.js';
import { LOCAL_HINT } from './curl-validator.js';
import { forbiddenKeyReason, forbiddenNpmrcKey, NPMRC_FILES } from './npm-config.js';
import { installSpecDenial, manifestSpecDenial } from './npm-specs.js';
import { nodeLike } from './node-validator.js';
import { isInsideProject } from './paths.js';
import { playwrightCliValidator } from './playwright-cli-validator.js';
import { deny, type CommandCheck, type Denial, type Validator } from './policy-types.js';

const posix = path.posix;

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

const RUNS_PACKAGE =
  'downloads and runs a package; add it as a dependency (npm install -D <pkg>) and run it via an npm script, or write the files yourself';

const NPM: ManagerSpec = {
  tool: 'npm',
  subcommands: {
    install: 'install',
    i: 'install',
    in: 'install',
    ins: 'install',
    add: 'install',
    ci: 'install',
    'clean-install': 'install',
    ic: 'install',
    'install-clean': 'install',
    uninstall: 'install',
    remove: 'install',
    rm: 'install',
    un: 'install',
    update: 'install',
    up: 'install',
    upgrade: 'install',
    run: 'run',
    'run-script': 'run',
    rum: 'run',
    urn: 'run',
    test: 'run',
    t: 'run',
    tst: 'run',
    start: 'run',
    stop: 'run',
    restart: 'run',
    ls: 'plain',
    list: 'plain',
    la: 'plain',
    ll: 'plain',
    outdated: 'plain',
    view: 'plain',
    info: 'plain',
    show: 'plain',
    v: 'plain',
    audit: 'plain',
    prune: 'plain',
    dedupe: 'plain',
    explain: 'plain',
    why: 'plain',
    help: 'plain',
    get: 'plain',
    init: 'init',
    config: 'config',
    c: 'config',
    pkg: 'pkg',
  },
  flags: new Set([
    '--save',
    '--save-dev',
    '--save-exact',
    '--save-optional',
    '--save-peer',
    '--save-prod',
    '--no-save',
    '--production',
    '--ignore-scripts',
    '--legacy-peer-deps',
    '--force',
    '--silent',
    '--quiet',
    '--json',
    '--parseable',
    '--long',
    '--all',
    '--workspaces',
    '--include-workspace-root',
    '--if-present',
    '--yes',
    '--dry-run',
    '--no-audit',
    '--audit',
    '--no-fund',
    '--fund',
    '--package-lock-only',
    '--no-package-lock',
    '--prefer-offline',
    '--prefer-online',
    '--offline',
    '--foreground-scripts',
    '--install-links',
    '--strict-peer-deps',
    '--color',
    '--no-color',
    '--no-progress',
    '--progress',
    '--version',
    '--help',
    '--verbose',
    '--no-optional',
    '--no-update-notifier',
    '--no-bin-links',
    '--dev',
    '-D',
    '-S',
    '-E',
    '-O',
    '-P',
    '-B',
    '-y',
    '-f',
    '-s',
    '-q',
    '-v',
    '-h',
    '-l',
    '-d',
    '-ws',
  ]),
  valued: {
    prefix: 'path',
    C: 'path',
    workspace: 'path',
    w: 'path',
    omit: 'text',
    include: 'text',
    loglevel: 'text',
    depth: 'text',
    'audit-level': 'text',
    'install-strategy': 'text',
    before: 'text',
    only: 'text',
    also: 'text',
  },
  denied: {
    exec: `npm exec ${RUNS_PACKAGE}`,
    x: `npm exec ${RUNS_PACKAGE}`,
    create: `npm create ${RUNS_PACKAGE}`,
    innit: `npm init <pkg> ${RUNS_PACKAGE}`,
    publish: 'npm publish is not allowed: the runner never publishes packages',
    unpublish: 'npm unpublish is not allowed',
    login: 'npm login is not allowed (no credentials in agent sessions)',
    adduser: 'npm adduser is not allowed',
    logout: 'npm logout is not allowed',
    token: 'npm token is not allowed',
    'set-script': 'npm set-script is not allowed; edit package.json with the Edit tool',
    set: 'npm set (config) is not allowed',
    edit: 'npm edit opens an editor; use the Edit tool',
    explore: 'npm explore opens a shell; not allowed',
    link: 'npm link writes global symlinks; not allowed',
    ln: 'npm link writes global symlinks; not allowed',
  },
};

const PNPM: ManagerSpec = {
  tool: 'pnpm',
  subcommands: {
    install: 'install',
    i: 'install',
    add: 'install',
    remove: 'install',
    rm: 'install',
    uninstall: 'install',
    un: 'install',
    update: 'install',
    up: 'install',
    upgrade: 'install',
    run: 'run',
    'run-script': 'run',
    test: 'run',
    t: 'run',
    start: 'run',
    ls: 'plain',
    list: 'plain',
    ll: 'plain',
    la: 'plain',
    outdated: 'plain',
    why: 'plain',
    audit: 'plain',
    prune: 'plain',
    dedupe: 'plain',
    help: 'plain',
    init: 'init',
  },
  flags: new Set([
    '--save-dev',
    '--save-prod',
    '--save-optional',
    '--save-exact',
    '--save-peer',
    '--ignore-scripts',
    '--frozen-lockfile',
    '--no-frozen-lockfile',
    '--prefer-offline',
    '--offline',
    '--silent',
    '--recursive',
    '--workspace-root',
    '--if-present',
    '--parallel',
    '--stream',
    '--force',
    '--prod',
    '--production',
    '--dev',
    '--version',
    '--help',
    '--lockfile-only',
    '--fix-lockfile',
    '--json',
    '--long',
    '--color',
    '--no-color',
    '--aggregate-output',
    '--no-optional',
    '--workspace',
    '-D',
    '-P',
    '-O',
    '-E',
    '-w',
    '-r',
    '-s',
    '-v',
    '-h',
  ]),
  valued: { dir: 'path', C: 'path', filter: 'text', F: 'text', reporter: 'text', depth: 'text' },
  denied: {
    exec: `pnpm exec ${RUNS_PACKAGE}`,
    dlx: `pnpm dlx ${RUNS_PACKAGE}`,
    create: `pnpm create ${RUNS_PACKAGE}`,
    x: `pnpm x ${RUNS_PACKAGE}`,
    publish: 'pnpm publish is not allowed: the runner never publishes packages',
    link: 'pnpm link writes global symlinks; not allowed',
  },
};

/**
 * Runs `check` on each of the named files npm/pnpm would read: in every directory from where the
 * command runs (and from --prefix/-C/--dir folders) up to the project root. A file that exists
 * but cannot be read as a small regular file (a FIFO a script feeds) refuses the command.
 */
function projectFilesDenial(
  c: CommandCheck,
  extraDirs: readonly string[],
  names: readonly string[],
  check: (file: string, text: string) => Denial | null,
): Denial | null {
  const root = posix.resolve(c.ctx.projectRoot);
  const starts = new Set<string>();
  for (const cwd of c.cwds) {
    starts.add(cwd);
    for (const d of extraDirs) starts.add(posix.resolve(cwd, d));
  }
  const seen = new Set<string>();
  for (const start of starts) {
    for (let dir = start; isInsideProject(dir, root); dir = posix.dirname(dir)) {
      for (const name of names) {
        const file = posix.join(dir, name);
        if (seen.has(file)) continue;
        seen.add(file);
        const read = readText(c, file);
        if (read.kind === 'unreadable')
          return deny(
            'dangerous_args',
            `${posix.relative(root, file)} cannot be checked (${read.why}); npm would read it: make it a small plain text file, or delete it`,
          );
        const d = read.kind === 'text' ? check(posix.relative(root, file), read.text) : null;
        if (d) return d;
      }
      if (dir === root) break;
    }
  }
  return null;
}

/** Project `.npmrc`/`.pnpmrc` files may not hold forbidden keys, whoever wrote them (an agent's script can). */
function npmrcDenial(c: CommandCheck, extraDirs: readonly string[]): Denial | null {
  return projectFilesDenial(c, extraDirs, NPMRC_FILES, (file, text) => {
    const key = forbiddenNpmrcKey(text);
    return key === null ? null : deny('dangerous_args', forbiddenKeyReason(file, key));
  });
}

function managerValidator(spec: ManagerSpec): Validator {
  return (c) => {
    const positionals: string[] = [];
    const dirs: string[] = [];
    for (let i = 0; i < c.args.length; i++) {
      const arg = c.args[i] as string;
      if (arg === '--') break; // script arguments are the script's business; the script itself is project code
      if (!arg.startsWith('-') || arg === '-') {
        positionals.push(arg);
        continue;
      }
      if (spec.flags.has(arg)) continue;
      const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
      const name = m?.[1] ?? '';
      const how = lookup(spec.valued, name);
      if (how === undefined || (arg.startsWith('--') ? name.length < 2 : name.length !== 1)) {
        return deny(
          'dangerous_args',
          `${spec.tool} option \`${arg}\` is not allowed (only common install/run options; -g, --script-shell, --node-options, --registry… are blocked); pass script arguments after \`--\``,
        );
      }
      const value = m?.[2] ?? c.args[++i];
      if (how === 'path' && value !== undefined) {
        const d = checkPath(value, c, 'write');
        if (d) return d;
        dirs.push(value);
      }
    }
    const rc = npmrcDenial(c, dirs);
    if (rc) return rc;
    const [sub, ...rest] = positionals;
    if (sub === undefined) return null;
    const denied = lookup(spec.denied, sub);
    if (denied !== undefined) return deny('dangerous_args', denied);
    const kind = lookup(spec.subcommands, sub);
    if (kind === undefined) {
      return deny(
        'dangerous_args',
        `${spec.tool} ${sub} is not allowed; use ${spec.tool} install/run <script>/test/start/ls (allowed: ${Object.keys(spec.subcommands).join(', ')})`,
      );
    }
    if (kind === 'install') {
      // Installing without (or besides) arguments installs what package.json lists.
      const d = projectFilesDenial(c, dirs, ['package.json'], (file, text) =>
        manifestSpecDenial(spec.tool, file, text),
      );
      if (d) return d;
    }
    return checkKind(spec.tool, kind, rest, c);
  };
}

function checkKind(tool: string, kind: Kind, rest: readonly string[], c: CommandCheck): Denial | null {
  switch (kind) {
    case 'install':
      for (const spec of rest) {
        const d = installSpecDenial(tool, spec);
        if (d) return d;
      }
      return null;
    case 'init':
      return rest.length > 0
        ? deny(
            'dangerous_args',
            `${tool} init <initializer> ${RUNS_PACKAGE}; use \`${tool} init -y\`, then add files yourself`,
          )
        : null;
    case 'config':
      return rest[0] === 'get' || rest[0] === 'list' || rest[0] === 'ls'
        ? null
        : deny('dangerous_args', `${tool} config may only be read (get/list); configuration is managed by the runner`);
    case 'pkg':
      return rest[0] === 'get'
        ? null
        : deny('dangerous_args', `${tool} pkg may only read (pkg get); edit package.json with the Edit tool`);
    case 'run':
    case 'plain':
      return checkArgPaths({ ...c, args: rest }, 'read');
  }
}

export const npmValidator = managerValidator(NPM);
export const pnpmValidator = managerValidator(PNPM);

/** Dev tools npx may run (installed in the project). */
export const NPX_TOOLS: readonly string[] = [
  'tsc',
  'vite',
  'vitest',
  'jest',
  'eslint',
  'prettier',
  'playwright',
  'playwright-cli',
  'next',
  'tsx',
  'tailwindcss',
  'prisma',
];

const NPX_OPTIONS = new Set(['--no-install', '--no', '--offline', '--prefer-offline', '-q', '--quiet']);

/**
 * Output folders a tool empties before writing (vite's outDir with emptyOutDir, vitest's coverage
 * reportsDirectory, playwright test's --output): besides staying off protected folders they may
 * not be the project itself. Names are compared lower-case without dashes (cac reads --out-dir as outDir).
 */
const EMPTIED_DIR_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  vite: ['outdir'],
  vitest: ['coverage.reportsdirectory'],
  playwright: ['output'],
};

/**
 * Options whose value is text, not a file (a public base path, a test-name regex, a project
 * name): `npx vite build --base /app/` or `npx vitest -t "/api/users"` are not paths outside.
 */
const TEXT_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  vite: ['base', 'mode', 'm', 'host', 'port', 'logLevel', 'l'],
  vitest: ['t', 'testNamePattern', 'project', 'environment', 'pool', 'reporter'],
  jest: ['t', 'testNamePattern', 'testPathPattern', 'selectProjects'],
  playwright: ['grep', 'g', 'grep-invert', 'project', 'reporter', 'workers', 'j', 'retries', 'timeout', 'shard'],
  next: ['p', 'port', 'H', 'hostname'],
};

/** Indexes of the words holding TEXT_OPTIONS values (the `--x=v` word, or the word after `--x`/`-x`). */
function textValueIndexes(tool: string, args: readonly string[]): Set<number> {
  const names = lookup(TEXT_OPTIONS, tool) ?? [];
  const skip = new Set<number>();
  for (let i = 0; i < args.length; i++) {
    const m = /^--?([^=]+)(=.*)?$/s.exec(args[i] as string);
    if (!m || !names.includes(m[1] as string)) continue;
    skip.add(m[2] === undefined ? i + 1 : i);
  }
  return skip;
}

/** playwright subcommands whose first argument is a page to open (a bare host gets http:// prepended). */
const PLAYWRIGHT_PAGE_SUBCOMMANDS = new Set(['open', 'codegen', 'cr', 'ff', 'wk', 'screenshot', 'pdf']);
/** playwright options that take a value (so the page argument is found after them). */
const PLAYWRIGHT_VALUED = new Set([
  'browser',
  'b',
  'channel',
  'color-scheme',
  'device',
  'geolocation',
  'lang',
  'load-storage',
  'save-har',
  'save-har-glob',
  'save-storage',
  'timeout',
  'timezone',
  'user-agent',
  'user-data-dir',
  'viewport-size',
  'wait-for-selector',
  'wait-for-timeout',
  'output',
  'o',
  'target',
  'test-id-attribute',
]);
const PLAYWRIGHT_REFUSED: Readonly<Record<string, string>> = {
  install:
    'npx playwright install downloads browsers; the runner installs what agents need (use playwright-cli for the browser)',
  'install-deps': 'npx playwright install-deps installs system packages; not available to agents',
  uninstall: 'npx playwright uninstall removes browsers other projects use; not available to agents',
  'run-server': 'npx playwright run-server starts a remote browser server; not available to agents',
  'launch-server': 'npx playwright launch-server starts a remote browser server; not available to agents',
};

function emptiedDirDenial(tool: string, args: readonly string[], c: CommandCheck): Denial | null {
  const names = lookup(EMPTIED_DIR_OPTIONS, tool) ?? [];
  for (let i = 0; i < args.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(args[i] as string);
    if (!m || !names.includes((m[1] as string).toLowerCase().replaceAll('-', ''))) continue;
    const value = m[2] ?? args[i + 1];
    if (value === undefined) continue;
    const d = checkPath(value, c, 'delete');
    if (d)
      return d.category === 'dangerous_args'
        ? deny(
            'dangerous_args',
            `${tool} empties \`--${m[1]} ${value}\` before writing: that is the project folder itself; use a subfolder such as dist or coverage`,
          )
        : d;
  }
  return null;
}

function playwrightDenial(args: readonly string[]): Denial | null {
  let sub: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith('-')) {
      const name = arg.replace(/^--?/, '').split('=')[0] as string;
      if (name === 'proxy-server' || name === 'proxy-bypass')
        return deny(
          'dangerous_args',
          'npx playwright --proxy-server sends the browser through another host; open local pages directly',
        );
      if (!arg.includes('=') && PLAYWRIGHT_VALUED.has(name)) i += 1;
      continue;
    }
    if (sub === undefined) {
      sub = arg;
      const refused = lookup(PLAYWRIGHT_REFUSED, sub);
      if (refused !== undefined) return deny('dangerous_args', refused);
      continue;
    }
    if (PLAYWRIGHT_PAGE_SUBCOMMANDS.has(sub)) {
      return arg === 'about:blank' || isLocalUrl(arg, true)
        ? null
        : deny('network', `npx playwright ${sub} may not open \`${arg}\`: ${LOCAL_HINT}`);
    }
    return null;
  }
  return null;
}

/**
 * A dev tool's arguments: page URLs and any `scheme://` argument are loopback, every path-like
 * argument is checked as a write (outputs such as --outDir, -o, --write targets never reach
 * .git/.autocoder or outside), and folders the tool empties are never the project itself.
 */
function npxToolDenial(tool: string, args: readonly string[], c: CommandCheck): Denial | null {
  const sub: CommandCheck = { ...c, name: tool, args };
  if (tool === 'playwright') {
    const d = playwrightDenial(args);
    if (d) return d;
  }
  for (let i = 0; i < args.length; i++) {
    // `--browser <program>` (prisma studio, …) runs that program to show a page: names only, never paths.
    const m = /^--browser(?:=(.*))?$/s.exec(args[i] as string);
    const value = m ? (m[1] ?? args[i + 1] ?? '') : '';
    if (value.includes('/'))
      return deny(
        'dangerous_args',
        `npx ${tool} --browser ${value} runs that program; pass a browser name such as chromium, or none`,
      );
  }
  return (
    emptiedDirDenial(tool, args, sub) ??
    checkUrlArgs(sub, `npx ${tool} may only reach the local app (${LOCAL_HINT})`) ??
    checkArgPaths(sub, 'write', textValueIndexes(tool, args))
  );
}

export const npxValidator: Validator = (c) => {
  let i = 0;
  while (i < c.args.length && (c.args[i] as string).startsWith('-')) {
    const opt = c.args[i] as string;
    if (!NPX_OPTIONS.has(opt)) {
      return deny(
        'dangerous_args',
        `npx option \`${opt}\` is not allowed (--yes/-p/-c install or run arbitrary code); use \`npx --no-install <tool>\` with one of: ${NPX_TOOLS.join(', ')}`,
      );
    }
    i += 1;
  }
  const tool = c.args[i];
  if (tool === undefined || !NPX_TOOLS.includes(tool)) {
    return deny(
      'not_allowlisted',
      `npx ${tool ?? ''} is not allowed: npx may only run these project dev tools: ${NPX_TOOLS.join(', ')} (no versions like pkg@1; add other packages as devDependencies and run them via npm scripts)`,
    );
  }
  // npx is npm exec: it reads the project's .npmrc (script-shell, node-options…) like npm does.
  const rc = npmrcDenial(c, []);
  if (rc) return rc;
  const toolArgs = c.args.slice(i + 1);
  if (tool === 'tsx') return nodeLike('tsx', toolArgs[0] === 'watch' ? toolArgs.slice(1) : toolArgs, c);
  if (tool === 'playwright-cli') return playwrightCliValidator({ ...c, name: tool, args: toolArgs });
  return npxToolDenial(tool, toolArgs, c);
};
