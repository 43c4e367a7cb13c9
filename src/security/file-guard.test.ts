import { describe, expect, it } from 'vitest';
import { checkFileToolCall, resolveReal } from './file-guard.js';
import { isInsideProject, isProtectedPath } from './paths.js';

const ROOT = '/home/u/proj';

/**
 * A fake file system: existing paths resolve to themselves, except symlinks:
 *   /home/u/proj/link     -> /home/u/.ssh   (escape)
 *   /home/u/proj/hooks    -> /home/u/proj/.git/hooks (into a protected folder)
 *   /home/u/proj/sub/up   -> /home/u/other/deep (so sub/up/.. is /home/u/other)
 */
const EXISTING = new Set([
  '/',
  '/home',
  '/home/u',
  '/home/u/.ssh',
  '/home/u/.ssh/id_rsa',
  '/home/u/other',
  '/home/u/other/deep',
  ROOT,
  `${ROOT}/src`,
  `${ROOT}/src/app.ts`,
  `${ROOT}/.git`,
  `${ROOT}/.git/hooks`,
  `${ROOT}/sub`,
]);
const LINKS: Record<string, string> = {
  [`${ROOT}/link`]: '/home/u/.ssh',
  [`${ROOT}/hooks`]: `${ROOT}/.git/hooks`,
  [`${ROOT}/sub/up`]: '/home/u/other/deep',
};

function realpath(p: string): string {
  for (const [link, target] of Object.entries(LINKS)) {
    if (p === link || p.startsWith(`${link}/`)) return realpath(target + p.slice(link.length));
  }
  if (EXISTING.has(p)) return p;
  throw new Error(`ENOENT: ${p}`);
}

const ctx = { projectRoot: ROOT, realpath };

const allowed = (tool: string, input: Record<string, unknown>): boolean => checkFileToolCall(tool, input, ctx).allow;

describe('resolveReal', () => {
  it('resolves symlinks and keeps missing tails', () => {
    expect(resolveReal(`${ROOT}/link/id_rsa`, realpath)).toBe('/home/u/.ssh/id_rsa');
    expect(resolveReal(`${ROOT}/src/new/file.ts`, realpath)).toBe(`${ROOT}/src/new/file.ts`);
    expect(resolveReal(`${ROOT}/link/missing/x`, realpath)).toBe('/home/u/.ssh/missing/x');
  });

  it('applies .. after resolving the link, like the OS', () => {
    expect(resolveReal(`${ROOT}/sub/up/../x`, realpath)).toBe('/home/u/other/x');
  });
});

describe('path helpers', () => {
  it('isInsideProject uses relative paths, not prefixes', () => {
    expect(isInsideProject(`${ROOT}/src/a.ts`, ROOT)).toBe(true);
    expect(isInsideProject(ROOT, ROOT)).toBe(true);
    expect(isInsideProject('/home/u/proj-evil/x', ROOT)).toBe(false);
    expect(isInsideProject('../x', ROOT)).toBe(false);
    expect(isInsideProject('..foo/x', ROOT)).toBe(true);
    expect(isInsideProject('link/id_rsa', ROOT, realpath)).toBe(false);
  });

  it('isProtectedPath matches protected segments case-insensitively and through links', () => {
    expect(isProtectedPath('.git/config', ROOT)).toBe(true);
    expect(isProtectedPath('.GIT/config', ROOT)).toBe(true);
    expect(isProtectedPath('.claude', ROOT)).toBe(true);
    expect(isProtectedPath('pkg/.git/hooks/x', ROOT)).toBe(true);
    expect(isProtectedPath('.env', ROOT)).toBe(false);
    expect(isProtectedPath('.github/workflows/ci.yml', ROOT)).toBe(false);
    expect(isProtectedPath('hooks/pre-commit', ROOT, realpath)).toBe(true);
  });
});

describe('checkFileToolCall', () => {
  it('allows reads and writes inside the project', () => {
    expect(allowed('Read', { file_path: `${ROOT}/src/app.ts` })).toBe(true);
    expect(allowed('Write', { file_path: `${ROOT}/src/new/file.ts`, content: 'x' })).toBe(true);
    expect(allowed('Edit', { file_path: `${ROOT}/src/app.ts`, old_string: 'a', new_string: 'b' })).toBe(true);
    expect(allowed('MultiEdit', { file_path: `${ROOT}/.env`, edits: [] })).toBe(true);
    expect(allowed('NotebookEdit', { notebook_path: `${ROOT}/nb.ipynb` })).toBe(true);
    expect(allowed('Read', { file_path: 'src/app.ts' })).toBe(true);
    expect(allowed('Read', { file_path: `${ROOT}/.git/config` })).toBe(true);
  });

  it('denies reads and writes outside the project, with a reason naming the project', () => {
    const d = checkFileToolCall('Read', { file_path: '/etc/passwd' }, ctx);
    expect(d.allow).toBe(false);
    if (!d.allow) expect(d.reason).toContain(ROOT);
    expect(allowed('Read', { file_path: `${ROOT}/../other/x` })).toBe(false);
    expect(allowed('Write', { file_path: '/tmp/x' })).toBe(false);
    expect(allowed('Read', { file_path: '~/.ssh/id_rsa' })).toBe(false);
    expect(allowed('Read', { file_path: '/home/u/proj-evil/x' })).toBe(false);
  });

  it('denies symlink escapes', () => {
    expect(allowed('Read', { file_path: `${ROOT}/link/id_rsa` })).toBe(false);
    expect(allowed('Write', { file_path: `${ROOT}/link/authorized_keys` })).toBe(false);
    expect(allowed('Read', { file_path: `${ROOT}/sub/up/../secret` })).toBe(false);
  });

  it('denies writes to protected folders, including through symlinks', () => {
    for (const p of [
      '.git/hooks/pre-commit',
      '.autocoder/db.sqlite',
      '.claude/settings.json',
      '.playwright/x',
      'hooks/pre-commit',
      '.Claude/settings.json',
    ]) {
      for (const tool of ['Write', 'Edit', 'MultiEdit'])
        expect(allowed(tool, { file_path: `${ROOT}/${p}` }), `${tool} ${p}`).toBe(false);
    }
    expect(allowed('NotebookEdit', { notebook_path: `${ROOT}/.git/x.ipynb` })).toBe(false);
  });

  it('denies missing or malformed paths', () => {
    expect(allowed('Read', {})).toBe(false);
    expect(allowed('Write', { file_path: 42 })).toBe(false);
    expect(allowed('Read', { file_path: `${ROOT}/a\0b` })).toBe(false);
    expect(allowed('Grep', { pattern: 'x', path: 42 })).toBe(false);
  });

  it('checks Glob and Grep paths (default: the project root)', () => {
    expect(allowed('Glob', { pattern: '**/*.ts' })).toBe(true);
    expect(allowed('Glob', { pattern: 'src/**/*.tsx', path: `${ROOT}/src` })).toBe(true);
    expect(allowed('Glob', { pattern: `${ROOT}/src/**/*.ts` })).toBe(true);
    expect(allowed('Glob', { pattern: '**/*', path: '/etc' })).toBe(false);
    expect(allowed('Glob', { pattern: '/etc/**' })).toBe(false);
    expect(allowed('Glob', { pattern: '../**/*.ts' })).toBe(false);
    expect(allowed('Glob', { pattern: 'src/**/../../../*' })).toBe(false);
    expect(allowed('Glob', { pattern: '{src,../..}/*' })).toBe(false);
    expect(allowed('Glob', { pattern: 'link/*' })).toBe(false);
    expect(allowed('Grep', { pattern: 'TODO' })).toBe(true);
    expect(allowed('Grep', { pattern: 'TODO', path: `${ROOT}/src` })).toBe(true);
    expect(allowed('Grep', { pattern: 'TODO', path: '/home/u' })).toBe(false);
    expect(allowed('Grep', { pattern: 'TODO', path: `${ROOT}/link` })).toBe(false);
    expect(allowed('LS', { path: '/' })).toBe(false);
  });

  it('allows tools it does not guard and fails closed on errors', () => {
    expect(allowed('WebSearch', { query: 'x' })).toBe(true);
    const throwing = {
      projectRoot: ROOT,
      realpath: (): string => {
        throw new TypeError('boom');
      },
    };
    expect(checkFileToolCall('Read', { file_path: `${ROOT}/a` }, throwing).allow).toBe(true); // nothing exists: lexical result
    expect(checkFileToolCall('Read', { file_path: `${ROOT}/a` }, { projectRoot: 'relative' }).allow).toBe(false);
  });
});

describe('package-manager config writes (issue #14)', () => {
  const NPMRC = `${ROOT}/.npmrc`;
  const files: Record<string, string> = { [NPMRC]: 'legacy-peer-deps=true\n;registry=https://evil.example/\n' };
  const withFiles = { projectRoot: ROOT, realpath, readFile: (p: string): string | null => files[p] ?? null };
  const decide = (tool: string, input: Record<string, unknown>) => checkFileToolCall(tool, input, withFiles);

  it('Write may not set script-shell, registry, node-options, prefix, cache, globalconfig or userconfig in .npmrc', () => {
    for (const line of [
      'script-shell=/tmp/evil.sh',
      'registry=https://evil.example/',
      '@acme:registry=https://evil.example/',
      'node-options=--require /tmp/x.js',
      'prefix=/tmp/g',
      'cache=/tmp/c',
      'globalconfig=/tmp/npmrc',
      'userconfig=/tmp/npmrc',
      '"script-shell" = /tmp/x',
      'prefix;why=/tmp/g',
    ]) {
      const d = decide('Write', { file_path: NPMRC, content: `save-exact=true\n${line}\n` });
      expect(d.allow, line).toBe(false);
      if (!d.allow) expect(d.reason).toMatch(/Remove that line/);
    }
    expect(decide('Write', { file_path: `${ROOT}/web/.pnpmrc`, content: 'store-dir=/tmp/store\n' }).allow).toBe(false);
    expect(
      decide('Write', { file_path: `${ROOT}/.yarnrc.yml`, content: 'npmRegistryServer: "https://evil.example"\n' })
        .allow,
    ).toBe(false);
    expect(decide('Write', { file_path: `${ROOT}/.yarnrc`, content: 'yarn-path "./evil.js"\n' }).allow).toBe(false);
  });

  it('Write of harmless settings, and of other files mentioning the keys, is allowed', () => {
    expect(
      decide('Write', {
        file_path: NPMRC,
        content: 'legacy-peer-deps=true\nsave-exact=true\n# the registry comes from the user config\n',
      }).allow,
    ).toBe(true);
    expect(
      decide('Write', { file_path: `${ROOT}/src/config.ts`, content: 'export const registry = "x";\n' }).allow,
    ).toBe(true);
  });

  it('Edit is judged on the file it would leave: uncommenting a forbidden key is refused', () => {
    expect(decide('Edit', { file_path: NPMRC, old_string: ';registry', new_string: 'registry' }).allow).toBe(false);
    expect(
      decide('Edit', { file_path: NPMRC, old_string: 'legacy-peer-deps=true', new_string: 'legacy-peer-deps=false' })
        .allow,
    ).toBe(true);
    expect(
      decide('MultiEdit', {
        file_path: NPMRC,
        edits: [
          { old_string: 'legacy-peer-deps=true', new_string: 'save-exact=true' },
          { old_string: 'save-exact', new_string: 'script-shell' },
        ],
      }).allow,
    ).toBe(false);
    expect(
      decide('Edit', {
        file_path: `${ROOT}/sub/.npmrc`,
        old_string: 'x',
        new_string: 'node-options=--require /tmp/x.js',
      }).allow,
    ).toBe(false);
    expect(decide('Write', { file_path: NPMRC }).allow).toBe(false);
  });
});
