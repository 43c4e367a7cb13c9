/**
 * Package-manager config files in the project (`.npmrc`, `.pnpmrc`, `.yarnrc*`). npm and pnpm
 * read the project's `.npmrc` at every command, so a key written there changes what every later
 * `npm test` does: `script-shell` picks the program that runs scripts, `node-options` preloads
 * code, `registry` and proxies pick where packages and tokens go, `prefix`/`cache`/`globalconfig`
 * /`userconfig` move files and config outside the project. Such keys are refused when written
 * (file guard) and when present (Bash policy, at every npm/pnpm/npx command).
 * Pure: parsing only; callers pass the text.
 */
import path from 'node:path';

const posix = path.posix;

/** Keys (lower case, `-` spelling) a project `.npmrc`/`.pnpmrc` may not set; `*:registry` too. */
export const FORBIDDEN_NPMRC_KEYS: readonly string[] = [
  // a program or code that runs
  'script-shell',
  'shell',
  'node-options',
  'node-gyp',
  'git',
  'editor',
  'browser',
  'viewer',
  'init-module',
  'init.module',
  'onload-script',
  'npm-path',
  'pnpmfile',
  'global-pnpmfile',
  'use-node-version',
  // where packages, tokens and requests go
  'registry',
  'replace-registry-host',
  'proxy',
  'https-proxy',
  'http-proxy',
  // files and config outside the project
  'prefix',
  'global',
  'location',
  'globalconfig',
  'userconfig',
  'cache',
  'cache-dir',
  'logs-dir',
  'tmp',
  'globalignorefile',
  'store-dir',
  'global-dir',
  'global-bin-dir',
  'virtual-store-dir',
  'modules-dir',
  'state-dir',
];
const FORBIDDEN = new Set(FORBIDDEN_NPMRC_KEYS);

/** Files npm/pnpm read from the project (walking up from the working directory). */
export const NPMRC_FILES: readonly string[] = ['.npmrc', '.pnpmrc'];

/** Yarn's config files: yarn itself is never allowed, but a later human `yarn` would read them. */
const YARNRC_FILES = ['.yarnrc', '.yarnrc.yml', '.yarnrc.yaml'];
/** Substrings of a (compacted) yarn key that pick programs, registries, proxies or outside folders. */
const YARN_FORBIDDEN = [
  'registry',
  'shell',
  'nodeoptions',
  'yarnpath',
  'prefix',
  'cache',
  'globalfolder',
  'globalconfig',
  'userconfig',
  'proxy',
  'plugin',
];

/**
 * The key of one ini line as the `ini` package (used by npm) reads it: `"…"` keys are JSON
 * strings, `'…'` keys are literal, and an unescaped `;` or `#` ends an unquoted key.
 */
function iniKey(raw: string): string {
  const k = raw.trim();
  const quote = k[0];
  if (k.length >= 2 && (quote === '"' || quote === "'") && k.endsWith(quote)) {
    const inner = quote === "'" ? k.slice(1, -1) : k;
    try {
      const parsed: unknown = JSON.parse(inner);
      return typeof parsed === 'string' ? parsed : inner;
    } catch {
      return inner;
    }
  }
  let out = '';
  let escaped = false;
  for (const ch of k) {
    if (escaped) {
      out += '\\;#'.includes(ch) ? ch : `\\${ch}`;
      escaped = false;
    } else if (ch === ';' || ch === '#') {
      break;
    } else if (ch === '\\') {
      escaped = true;
    } else {
      out += ch;
    }
  }
  return out.trim();
}

function normalizeKey(key: string): string {
  return key.replace(/\[\]$/, '').toLowerCase().replaceAll('_', '-');
}

/** The first key in an `.npmrc`/`.pnpmrc` text that is not allowed there (as written), or null. */
export function forbiddenNpmrcKey(text: string): string | null {
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/[\r\n]+/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#') || /^\[.*\]$/.test(line)) continue;
    const eq = line.indexOf('=');
    const key = iniKey(eq < 0 ? line : line.slice(0, eq));
    const norm = normalizeKey(key);
    if (FORBIDDEN.has(norm) || norm.endsWith(':registry') || norm.includes('${')) return key;
  }
  return null;
}

/** The first yarn setting in a `.yarnrc`/`.yarnrc.yml` text that is not allowed, or null. */
function forbiddenYarnKey(text: string): string | null {
  for (const rawLine of text.split(/[\r\n]+/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const key = (line.split(/[\s:=]/)[0] ?? '').replace(/^["'-]+|["']+$/g, '');
    const compact = key.toLowerCase().replace(/[-_.]/g, '');
    if (YARN_FORBIDDEN.some((f) => compact.includes(f))) return key;
  }
  return null;
}

/** True for the package-manager config files whose keys are checked (by base name, any case). */
export function isPackageManagerConfig(filePath: string): boolean {
  const base = posix.basename(filePath).toLowerCase();
  return NPMRC_FILES.includes(base) || YARNRC_FILES.includes(base);
}

/** The forbidden key a package-manager config file would hold with this content, or null (other files: always null). */
export function forbiddenConfigKey(filePath: string, text: string): string | null {
  const base = posix.basename(filePath).toLowerCase();
  if (NPMRC_FILES.includes(base)) return forbiddenNpmrcKey(text);
  if (YARNRC_FILES.includes(base)) return forbiddenYarnKey(text);
  return null;
}

/** The reason a config file with this key is refused, telling the agent what to do instead. */
export function forbiddenKeyReason(file: string, key: string): string {
  return `${file} sets \`${key}\`: project package-manager config may not choose programs, preloaded code, registries, proxies or folders outside the project (script-shell, node-options, registry, prefix, cache, globalconfig, userconfig…). Remove that line; keep settings such as legacy-peer-deps or save-exact`;
}
