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
  const remote = REMOTE.test(spec) || REMOTE.test(range ?? '') || spec.includes('://') || /^[^@./][^@:]*\/[^@]/.test(spec) || (range !== undefined && /^[^/:~.][^/:]*\/[^/]/.test(range));
  if (remote) {
    return deny('network', `${tool} install from \`${spec}\` is not allowed (git, GitHub, URLs and other hosts fetch code from outside the registry); install registry packages by name, e.g. ${tool} install express or ${tool} install express@^4`);
  }
  if (range !== undefined && allowAlias && range.startsWith('npm:')) {
    if (!NAME.test(name)) return localDenial(tool, spec);
    return installSpecDenial(tool, range.slice('npm:'.length), false);
  }
  if (!NAME.test(name) || TARBALL.test(name) || (range !== undefined && !RANGE.test(range))) return localDenial(tool, spec);
  return null;
}

function localDenial(tool: string, spec: string): Denial {
  return deny('dangerous_args', `${tool} install \`${spec}\` is not a registry package: folders, tarballs and file:/link:/workspace: specs copy or link files from anywhere. Install registry packages by name (e.g. ${tool} install express@^4); for a package inside the project, list it in package.json "workspaces" and run ${tool} install`);
}
