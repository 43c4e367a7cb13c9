import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import boundaries of docs/architecture.md §2, checked on the source text so they hold
 * even where lint is not run. eslint.config.js enforces the same rules while editing.
 */
const SRC = join(import.meta.dirname, '..', 'src');

const FORBIDDEN: Record<string, readonly string[]> = {
  domain: ['db', 'agent', 'mcp', 'runner', 'server', 'cli', 'config', 'git', 'security', 'shared', 'logging', 'projects', 'spec', 'model-server'],
  shared: ['db', 'agent', 'mcp', 'runner', 'server', 'cli', 'config', 'git', 'security', 'domain', 'logging', 'projects', 'spec', 'model-server'],
  db: ['agent', 'server', 'cli', 'runner', 'mcp'],
  security: ['db', 'agent', 'server', 'cli', 'runner', 'mcp'],
  agent: ['db', 'server', 'cli', 'runner'],
  mcp: ['server', 'cli', 'runner', 'agent'],
  runner: ['server', 'cli'],
  server: ['cli', 'agent', 'runner', 'compose.js'],
  'model-server': ['db', 'agent', 'mcp', 'runner', 'server', 'cli', 'security', 'projects'],
  // The demo script and the demo project: the server and the CLI use them, so no agent runtime or runner here.
  demo: ['agent', 'mcp', 'runner', 'server', 'cli', 'compose.js'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/** The top-level src folder an import lands in, or null for packages and node builtins. */
function targetFolder(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = relative(SRC, join(file, '..', specifier));
  return target.startsWith('..') ? null : (target.split('/')[0] ?? null);
}

const files = sourceFiles(SRC);

describe('architecture', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(30);
  });

  for (const [folder, forbidden] of Object.entries(FORBIDDEN)) {
    it(`src/${folder} imports none of: ${forbidden.join(', ')}`, () => {
      const violations = files
        .filter((f) => relative(SRC, f).split('/')[0] === folder)
        .flatMap((f) => imports(f).map((spec) => ({ file: relative(SRC, f), spec, to: targetFolder(f, spec) })))
        .filter((v) => v.to !== null && forbidden.includes(v.to))
        .map((v) => `${v.file} → ${v.spec}`);
      expect(violations).toEqual([]);
    });
  }

  it('keeps the domain free of I/O (no node: or fs imports)', () => {
    const io = files
      .filter((f) => relative(SRC, f).startsWith('domain/'))
      .flatMap((f) => imports(f).filter((s) => s.startsWith('node:') || ['fs', 'path', 'os', 'child_process'].includes(s)).map((s) => `${relative(SRC, f)} → ${s}`));
    expect(io).toEqual([]);
  });

  it('imports the Claude Agent SDK only in src/agent/claude-runtime.ts', () => {
    const users = files.filter((f) => imports(f).some((s) => s.startsWith('@anthropic-ai/claude-agent-sdk'))).map((f) => relative(SRC, f));
    expect(users).toEqual(['agent/claude-runtime.ts']);
  });

  it('reads process.env only in src/config', () => {
    const readers = files.filter((f) => /process\.env\b/.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
    expect(readers.filter((f) => !f.startsWith('config/'))).toEqual([]);
  });

  it('writes to the console only in src/cli', () => {
    const writers = files.filter((f) => /\bconsole\.(log|error|warn|info|debug)\(/.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
    expect(writers.filter((f) => !f.startsWith('cli/'))).toEqual([]);
  });
});

describe('web boundaries', () => {
  const WEB = join(import.meta.dirname, '..', 'web', 'src');
  const webFiles = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) return webFiles(full);
      return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
    });

  it('web/src imports only web/src, src/shared (as @shared) and packages', () => {
    const files = webFiles(WEB);
    expect(files.length).toBeGreaterThan(10);
    const violations = files.flatMap((f) =>
      imports(f)
        .filter((spec) => (spec.startsWith('.') && relative(WEB, join(f, '..', spec)).startsWith('..')) || spec.startsWith('node:'))
        .map((spec) => `${relative(WEB, f)} → ${spec}`),
    );
    expect(violations).toEqual([]);
  });
});

describe('storage behind ports (docs/architecture.md §2)', () => {
  const outside = (allowed: (rel: string) => boolean) => files.map((f) => relative(SRC, f)).filter((rel) => !allowed(rel));
  const inDb = (rel: string) => rel.startsWith('db/');

  it('runs SQL only in src/db: no .prepare( or .pragma( anywhere else', () => {
    const users = outside(inDb).filter((rel) => /\.(prepare|pragma)\(/.test(readFileSync(join(SRC, rel), 'utf8')));
    expect(users).toEqual([]);
  });

  it('names the SQLite connection (the Db type, better-sqlite3, the SQLite store) only in src/db and the composition root', () => {
    const sqlite = /import\s+(?:type\s+)?\{[^}]*\b(?:Db|SqliteProjectStore)\b[^}]*\}\s+from\s+['"][^'"]*\/db\/(?:connection|stores)\.js['"]|from\s+['"]better-sqlite3['"]/;
    const users = outside((rel) => inDb(rel) || rel === 'compose.ts').filter((rel) => sqlite.test(readFileSync(join(SRC, rel), 'utf8')));
    expect(users).toEqual([]);
  });
});
