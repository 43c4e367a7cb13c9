/**
 * Install specs for npm/pnpm: registry packages only (`name`, `name@range`, `name@tag`,
 * `@scope/name@…`, and `alias@npm:name@…`). Everything else npm-package-arg accepts reaches
 * outside the registry: folders and tarballs (`./x`, `../x`, `~/x`, `x.tgz`, `file:`, `link:`,
 * `workspace:`), which link or copy files from anywhere, and git, GitHub shorthands (`owner/repo`)
 * and URLs, which fetch and build code from any host. Pure.
 */
import { deny, type Denial } from './policy-types.js';

const NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/i;
/** Semver ranges and dist-tags: no `/`, `:`, `#` or `@`, which only other spec types use. */
const RANGE = /^[A-Za-z0-9.^~*<>=|+ \t-]*$/;
const TARBALL = /\.(tgz|tar|tar\.gz)$/i;
const REMOTE = /^(git\+|git:|github:|gitlab:|bitbucket:|gist:|https?:|jsr:|ssh:)/i;

function splitSpec(spec: string): { name: string; range: string | undefined } {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  return at < 0 ? { name: spec, range: undefined } : { name: spec.slice(0, at), range: spec.slice(at + 1) };
}

/** Null when `spec` names a registry package, else the reason it is refused. */
export function installSpecDenial(tool: string, spec: string, allowAlias = true): Denial | null {
  const { name, range } = splitSpec(spec);
  const remote =
    REMOTE.test(spec) ||
    REMOTE.test(range ?? '') ||
    spec.includes('://') ||
    /^[^@./][^@:]*\/[^@]/.test(spec) ||
    (range !== undefined && /^[^/:~.][^/:]*\/[^/]/.test(range));
  if (remote) {
    return deny(
      'network',
      `${tool} install from \`${spec}\` is not allowed (git, GitHub, URLs and other hosts fetch code from outside the registry); install registry packages by name, e.g. ${tool} install express or ${tool} install express@^4`,
    );
  }
  if (range !== undefined && allowAlias && range.startsWith('npm:')) {
    if (!NAME.test(name)) return localDenial(tool, spec);
    return installSpecDenial(tool, range.slice('npm:'.length), false);
  }
  if (!NAME.test(name) || TARBALL.test(name) || (range !== undefined && !RANGE.test(range)))
    return localDenial(tool, spec);
  return null;
}

function localDenial(tool: string, spec: string): Denial {
  return deny(
    'dangerous_args',
    `${tool} install \`${spec}\` is not a registry package: folders, tarballs and file:/link:/workspace: specs copy or link files from anywhere. Install registry packages by name (e.g. ${tool} install express@^4); for a package inside the project, list it in package.json "workspaces" and run ${tool} install`,
  );
}

/** Manifest fields whose values are install specs (npm, pnpm and yarn spellings). */
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

/**
 * pnpm/yarn workspace ranges (`workspace:*`, `workspace:^1.2.0`): packages of the project's own workspace, never a
 * path.
 */
const WORKSPACE_RANGE = /^workspace:[*^~]?([0-9][A-Za-z0-9.+-]*)?$/;

function specValues(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) specValues(v, out);
}

/**
 * `npm install` with no arguments installs what package.json lists, so its dependency ranges and
 * overrides follow the same rule as command-line specs. Null when the manifest only names
 * registry packages (or is not JSON: npm itself then fails).
 */
export function manifestSpecDenial(tool: string, file: string, text: string): Denial | null {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof manifest !== 'object' || manifest === null) return null;
  const m = manifest as Record<string, unknown>;
  const entries: [string, string][] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const deps = m[field];
    if (typeof deps !== 'object' || deps === null) continue;
    for (const [name, range] of Object.entries(deps)) if (typeof range === 'string') entries.push([name, range]);
  }
  const overrides: string[] = [];
  specValues(m.overrides, overrides);
  specValues(m.resolutions, overrides);
  specValues((m.pnpm as Record<string, unknown> | undefined)?.overrides, overrides);
  for (const range of overrides) if (!range.startsWith('$')) entries.push(['x', range]); // `$foo` refers to a direct dependency's range
  for (const [name, range] of entries) {
    if (WORKSPACE_RANGE.test(range)) continue;
    const d = installSpecDenial(tool, `${name}@${range}`);
    if (d)
      return deny(
        d.category,
        `${file} lists \`${name}\`: \`${range}\`, which ${tool} install would fetch from outside the registry; use a registry version range (e.g. "^4.18.2") and run ${tool} install again`,
      );
  }
  return null;
}
