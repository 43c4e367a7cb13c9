/**
 * node (and tsx, which takes node's flags): a script file inside the project, a flag allowlist,
 * and modules loaded before the script (`--import`, `--require`/`-r`, `--loader`,
 * `--experimental-loader`, `--test-reporter`) only from the project or its packages: a `data:`
 * URL is inline code, an `http(s):` URL is code from another host, and a path outside the project
 * is code the agent did not write and the policy cannot see.
 */
import { checkArgPaths, checkPath, decodeFileUrl, lookup } from './arg-checks.js';
import { deny, type CommandCheck, type Denial } from './policy-types.js';

const FLAGS = new Set([
  '--test',
  '--watch',
  '--watch-preserve-output',
  '--enable-source-maps',
  '--no-warnings',
  '--trace-warnings',
  '--trace-uncaught',
  '--experimental-strip-types',
  '--no-experimental-strip-types',
  '--experimental-transform-types',
  '--experimental-vm-modules',
  '--experimental-sqlite',
  '--experimental-test-coverage',
  '--experimental-test-module-mocks',
  '--test-force-exit',
  '--test-update-snapshots',
  '--no-deprecation',
  '--test-only',
  '-c',
  '--check',
  '-v',
  '--version',
  '-h',
  '--help',
]);

type ValueKind = 'read' | 'write' | 'text' | 'module';

const VALUED: Readonly<Record<string, ValueKind>> = {
  'env-file': 'read',
  'env-file-if-exists': 'read',
  'watch-path': 'read',
  tsconfig: 'read',
  'test-reporter-destination': 'write',
  'max-old-space-size': 'text',
  'stack-size': 'text',
  'test-name-pattern': 'text',
  'test-skip-pattern': 'text',
  'test-concurrency': 'text',
  'test-timeout': 'text',
  'test-shard': 'text',
  'test-isolation': 'text',
  'test-coverage-include': 'text',
  'test-coverage-exclude': 'text',
  conditions: 'text',
  import: 'module',
  require: 'module',
  r: 'module',
  loader: 'module',
  'experimental-loader': 'module',
  'test-reporter': 'module',
};

const NO_SCRIPT_NEEDED = new Set(['--test', '-v', '--version', '-h', '--help']);

/** A package name with an optional subpath (`tsx`, `dotenv/config`, `@swc-node/register/esm`). */
const BARE_SPECIFIER = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w.@-]+)*$/i;

/** Checks a module node loads before the script (or a test reporter module). */
function moduleDenial(tool: string, option: string, spec: string, c: CommandCheck): Denial | null {
  const instead = `write the code to a file inside the project and pass its path (e.g. --${option} ./setup.mjs), or a package installed in the project (e.g. --import tsx)`;
  if (/^data:/i.test(spec))
    return deny('interpreter', `${tool} --${option} with a data: URL runs inline code; ${instead}`);
  if (/^https?:/i.test(spec))
    return deny('network', `${tool} --${option} ${spec} loads code from another host; ${instead}`);
  if (/^file:/i.test(spec)) return checkPath(decodeFileUrl(spec), c, 'read');
  if (/^node:/i.test(spec)) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec))
    return deny(
      'dangerous_args',
      `${tool} --${option} ${spec}: only project files and installed packages can be loaded; ${instead}`,
    );
  if (spec.startsWith('.') || spec.startsWith('/')) return checkPath(spec, c, 'read');
  if (!BARE_SPECIFIER.test(spec) || spec.split('/').some((s) => s === '..' || s === '.')) {
    return deny(
      'dangerous_args',
      `${tool} --${option} ${spec} is neither a path inside the project nor a package name; ${instead}`,
    );
  }
  return null;
}

function valueDenial(tool: string, kind: ValueKind, option: string, value: string, c: CommandCheck): Denial | null {
  switch (kind) {
    case 'read':
      return checkPath(value, c, 'read');
    case 'write':
      return value === 'stdout' || value === 'stderr' ? null : checkPath(value, c, 'write');
    case 'module':
      return moduleDenial(tool, option, value, c);
    case 'text':
      return null;
  }
}

/** node/tsx: `<tool> [allowed flags] <script inside the project> [args]`. */
export function nodeLike(tool: string, args: readonly string[], c: CommandCheck): Denial | null {
  let i = 0;
  let scriptOptional = false;
  for (; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg === '--') {
      i += 1;
      break;
    }
    if (FLAGS.has(arg)) {
      scriptOptional ||= NO_SCRIPT_NEEDED.has(arg);
      continue;
    }
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    const option = m?.[1] ?? '';
    const kind = (arg.startsWith('--') ? option.length > 1 : option.length === 1) ? lookup(VALUED, option) : undefined;
    if (kind !== undefined) {
      const value = m?.[2] ?? args[++i];
      if (value === undefined) return deny('dangerous_args', `${tool} ${arg} needs a value`);
      const d = valueDenial(tool, kind, option, value, c);
      if (d) return d;
      continue;
    }
    if (/^-[^-]*[epi]/.test(arg) || /^--(eval|print|input-type|interactive)\b/.test(arg)) {
      return deny(
        'interpreter',
        `${tool} \`${arg}\` runs inline code; write the code to a file inside the project and run \`${tool} <file>\``,
      );
    }
    return deny(
      'dangerous_args',
      `${tool} option \`${arg}\` is not allowed; run \`${tool} <script file>\` (allowed flags: ${[...FLAGS].join(' ')}, --env-file, --import/--require <project file or package>, --test-reporter …)`,
    );
  }
  const script = args[i];
  if (script === undefined || script === '-') {
    return scriptOptional
      ? null
      : deny(
          'interpreter',
          `${tool} needs a script file inside the project, e.g. \`${tool} scripts/seed.js\` (no REPL or stdin code)`,
        );
  }
  const d = checkPath(script, c, 'read');
  if (d) return d;
  return checkArgPaths({ ...c, args: args.slice(i + 1) }, 'read');
}

export const nodeValidator = (c: CommandCheck): Denial | null => nodeLike('node', c.args, c);
