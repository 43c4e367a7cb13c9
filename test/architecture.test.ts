import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

// Loads ESLint with the whole project configuration (a second or more on a loaded machine).
vi.setConfig({ testTimeout: 30_000 });

/**
 * The import boundaries of docs/architecture.md §2, checked on the source text so they hold
 * even where lint is not run. They come from architecture/boundaries.json, the table
 * eslint.config.js reads too (the last tests prove ESLint enforces the same table).
 */
const ROOT = join(import.meta.dirname, '..');

const RuleSchema = z.strictObject({
  imports: z.array(z.string()),
  node: z.literal(false).optional(),
  denyFiles: z.record(z.string(), z.string().min(1)).optional(),
  why: z.string().min(1),
});
type Rule = z.infer<typeof RuleSchema>;
const TableSchema = z.strictObject({
  about: z.string(),
  src: z.record(z.string(), RuleSchema),
  packages: z.record(z.string(), z.strictObject({ only: z.array(z.string()).min(1), why: z.string().min(1) })),
  web: z.record(z.string(), RuleSchema),
});
const table = TableSchema.parse(JSON.parse(readFileSync(join(ROOT, 'architecture', 'boundaries.json'), 'utf8')));

// Plain .js too: src/db/pg/worker.js is JavaScript so its worker thread loads the same under node, tsx and vitest.
const isSource = (name: string) =>
  /\.(tsx?|js)$/.test(name) && !/\.test\.(tsx?|js)$/.test(name) && !name.endsWith('.d.ts');

/** The demo project's own app (files autocoder writes into a demo project), not autocoder's code; ESLint skips it. */
const DEMO_APP = join(ROOT, 'src', 'demo', 'app');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = join(dir, d.name);
    if (d.isDirectory()) return full === DEMO_APP ? [] : sourceFiles(full);
    return isSource(d.name) ? [full] : [];
  });
}

/** Every import and re-export specifier of a file (static, side-effect and dynamic), as TypeScript reads them. */
function imports(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

const NODE_BUILTINS = new Set(builtinModules);
const isBuiltin = (spec: string) => spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0] ?? '');
const packageName = (spec: string) =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);

/** One tree of the table (src/ or web/src/): its entries as found on disk, and which entry a path belongs to. */
class Tree {
  readonly dir: string;
  readonly nodes: readonly string[];
  constructor(
    readonly root: string,
    readonly rules: Readonly<Record<string, Rule>>,
  ) {
    this.dir = join(ROOT, root);
    // Folders and top-level source files; the folders under a `features/*` entry are entries of their own.
    this.nodes = readdirSync(this.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() || isSource(d.name))
      .flatMap((d) =>
        d.isDirectory() && rules[`${d.name}/*`]
          ? readdirSync(join(this.dir, d.name), { withFileTypes: true }).map((f) =>
              f.isDirectory() ? `${d.name}/${f.name}` : `${d.name}/${f.name} (a file; only folders belong here)`,
            )
          : [d.name],
      )
      .sort();
  }

  /** The entry a path inside the tree belongs to, or null outside the tree. */
  nodeOf(path: string): string | null {
    const rel = relative(this.dir, path);
    if (rel.startsWith('..')) return null;
    const [first = '', second] = rel.split('/');
    if (this.rules[`${first}/*`] && second !== undefined) return `${first}/${second}`;
    // A top-level file is imported as `./compose.js` or `./zod-config`.
    const stem = first.replace(/\.js$/, '');
    return [first, `${stem}.ts`, `${stem}.tsx`].find((n) => this.nodes.includes(n)) ?? first;
  }

  rule(node: string): Rule {
    const rule = this.rules[node] ?? this.rules[`${node.split('/')[0]}/*`];
    if (!rule) throw new Error(`${this.root}/${node} has no entry in architecture/boundaries.json`);
    return rule;
  }

  /** What an entry may import besides itself (a `features/*` import means every feature folder). */
  allowed(node: string): Set<string> {
    return new Set(
      this.rule(node).imports.flatMap((i) =>
        i.endsWith('/*') ? this.nodes.filter((n) => n.startsWith(i.slice(0, -1))) : [i],
      ),
    );
  }

  /** The table's entries expanded the way nodes are (for comparing with the disk). */
  tableNodes(): string[] {
    return Object.keys(this.rules)
      .flatMap((k) => (k.endsWith('/*') ? this.nodes.filter((n) => n.startsWith(k.slice(0, -1))) : [k]))
      .sort();
  }

  /** Where an import of `file` lands: an entry of this tree, outside it, or not a relative path (a package). */
  target(file: string, spec: string): { node: string; path: string } | 'outside' | 'package' {
    if (!spec.startsWith('.')) return 'package';
    const path = join(dirname(file), spec);
    const node = this.nodeOf(path);
    return node === null ? 'outside' : { node, path: relative(this.dir, path) };
  }
}

const src = new Tree('src', table.src);
const web = new Tree('web/src', table.web);

/** The import edges between entries of a tree that its source files really have. */
function edges(tree: Tree): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>(tree.nodes.map((n) => [n, new Set<string>()]));
  for (const file of sourceFiles(tree.dir)) {
    const from = tree.nodeOf(file) as string;
    for (const spec of imports(file)) {
      const t = tree.target(file, spec);
      if (typeof t === 'object' && t.node !== from) graph.get(from)?.add(t.node);
    }
  }
  return graph;
}

/**
 * The cycles of a directed graph, one path per strongly connected component (Tarjan), e.g. `config → projects →
 * config`.
 */
function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push([...component.reverse(), component[0]].join(' → '));
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indexOf.has(v)) visit(v);
  return cycles;
}

/** The table's allowed imports as a graph. */
const allowedGraph = (tree: Tree) => new Map(tree.nodes.map((n) => [n, tree.allowed(n)]));

/** Every import of a tree's files that its table entry does not allow. */
function violations(tree: Tree, outside: (file: string, spec: string) => string | null): string[] {
  return sourceFiles(tree.dir).flatMap((file) => {
    const node = tree.nodeOf(file) as string;
    const rule = tree.rule(node);
    const allowed = tree.allowed(node);
    const at = relative(tree.dir, file);
    return imports(file).flatMap((spec) => {
      // Stylesheets and pictures are assets, not code.
      if (/\.(css|svg|png)$/.test(spec)) return [];
      const t = tree.target(file, spec);
      if (t === 'outside') return [`${at} → ${spec} (outside ${tree.root})`];
      if (t === 'package') {
        if (rule.node === false && isBuiltin(spec))
          return [`${at} → ${spec} (${tree.root}/${node} must not use node builtins)`];
        const why = outside(file, spec);
        return why === null ? [] : [`${at} → ${spec} (${why})`];
      }
      if (t.node !== node && !allowed.has(t.node))
        return [`${at} → ${spec} (${tree.root}/${node} may not import ${t.node})`];
      const denied = Object.keys(rule.denyFiles ?? {}).find(
        (f) => t.path.replace(/\.js$/, '.ts') === f || t.path === f.replace(/\.ts$/, ''),
      );
      return denied ? [`${at} → ${spec} (${rule.denyFiles?.[denied]})`] : [];
    });
  });
}

describe('architecture: the boundary table', () => {
  it('has an entry for every folder and top-level file of src/, and no other', () => {
    expect(src.nodes).toContain('compose.ts');
    expect(src.tableNodes()).toEqual(src.nodes);
  });

  it('has an entry for every folder of web/src/ (each feature folder its own), and no other', () => {
    expect(web.nodes).toEqual(expect.arrayContaining(['app', 'shared', 'features/board', 'main.tsx']));
    expect(web.tableNodes()).toEqual(web.nodes);
  });

  it('names each entry once (JSON.parse keeps the last of two, so the first would never apply)', () => {
    const raw = readFileSync(join(ROOT, 'architecture', 'boundaries.json'), 'utf8');
    // The tables are the top-level keys (two spaces in); their entries the keys four spaces in that open an object.
    const tables = raw.split(/^ {2}"(?=[^"]+": )/m).slice(1);
    const repeated = tables.flatMap((table) => {
      const names = [...table.matchAll(/^ {4}"([^"]+)": \{/gm)].map((m) => m[1]);
      return names.filter((n, i) => names.indexOf(n) !== i).map((n) => `${table.slice(0, table.indexOf('"'))}: ${n}`);
    });
    expect(tables.map((t) => t.slice(0, t.indexOf('"')))).toEqual(Object.keys(JSON.parse(raw) as object));
    expect(repeated).toEqual([]);
  });

  it('allows only imports of entries that exist', () => {
    const unknown = [src, web].flatMap((tree) =>
      tree.nodes.flatMap((n) =>
        [...tree.allowed(n)].filter((t) => !tree.nodes.includes(t)).map((t) => `${tree.root}/${n} → ${t}`),
      ),
    );
    expect(unknown).toEqual([]);
  });

  it('allows no cycle between folders', () => {
    expect(findCycles(allowedGraph(src))).toEqual([]);
    expect(findCycles(allowedGraph(web))).toEqual([]);
  });

  it('names packages kept to one place only with places that exist', () => {
    const missing = Object.values(table.packages).flatMap((p) =>
      p.only.filter(
        (o) =>
          !src.nodes.includes(o.split('/')[0] ?? '') ||
          (o.endsWith('.ts') && !sourceFiles(join(src.dir, dirname(o))).includes(join(src.dir, o))),
      ),
    );
    expect(missing).toEqual([]);
  });
});

describe('architecture: cycle finder', () => {
  it('names each cycle as a path and ignores acyclic parts', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a', 'e'])],
      ['e', new Set<string>()],
    ]);
    expect(findCycles(graph)).toEqual(['a → b → c → a']);
    expect(
      findCycles(
        new Map([
          ['x', new Set(['y'])],
          ['y', new Set<string>()],
        ]),
      ),
    ).toEqual([]);
  });
});

describe('architecture: src/', () => {
  const files = sourceFiles(src.dir);

  it('finds the source tree', () => {
    expect(files).toContain(join(src.dir, 'compose.ts'));
    expect(files).toContain(join(src.dir, 'agent', 'claude-runtime.ts'));
    expect(files).toContain(join(src.dir, 'db', 'pg', 'worker.js'));
  });

  it('keeps every import inside what the table allows (folders, denied files, node builtins, packages kept elsewhere)', () => {
    const packageRule = (file: string, spec: string): string | null => {
      const rule = table.packages[packageName(spec)];
      if (!rule) return null;
      const at = relative(src.dir, file);
      return rule.only.some((o) => at === o || at.startsWith(`${o}/`))
        ? null
        : `${packageName(spec)} only in src/${rule.only.join(', src/')}`;
    };
    expect(violations(src, packageRule)).toEqual([]);
  });

  it('has no import cycle between its folders', () => {
    expect(findCycles(edges(src))).toEqual([]);
  });

  it('reads process.env only in src/config', () => {
    const readers = files
      .filter((f) => /process\.env\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(src.dir, f));
    expect(readers.filter((f) => !f.startsWith('config/'))).toEqual([]);
  });

  it('writes to the console only in src/cli', () => {
    const writers = files
      .filter((f) => /\bconsole\.(log|error|warn|info|debug)\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(src.dir, f));
    expect(writers.filter((f) => !f.startsWith('cli/'))).toEqual([]);
  });
});

describe('architecture: web/src/', () => {
  it('keeps every import inside what the table allows: its own entries, src/shared as @shared, packages (no node builtins)', () => {
    expect(sourceFiles(web.dir)).toContain(join(web.dir, 'main.tsx'));
    const browserOnly = (_file: string, spec: string) => (isBuiltin(spec) ? 'web runs in the browser' : null);
    expect(violations(web, browserOnly)).toEqual([]);
  });

  it('has no import cycle between its folders (no feature imports another)', () => {
    expect(findCycles(edges(web))).toEqual([]);
  });
});

describe('architecture: ESLint enforces the same table', () => {
  // Only the import rule, without type information: fast, and what this test is about.
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  });
  const refused = async (file: string, spec: string) => {
    const [result] = await eslint.lintText(`import { x } from '${spec}';\nexport const y = x;\n`, {
      filePath: join(ROOT, file),
    });
    return (result?.messages ?? []).map((m) => m.message);
  };

  it('refuses in a file what the table refuses its folder, and allows what it allows', async () => {
    expect(await refused('src/domain/x.ts', '../db/connection.js')).toEqual([
      expect.stringContaining('src/db is not allowed in src/domain'),
    ]);
    expect(await refused('src/domain/x.ts', 'node:fs')).toEqual([expect.stringContaining('no I/O')]);
    expect(await refused('src/server/routes/x.ts', '../../runner/run-loop.js')).toEqual([
      expect.stringContaining('src/runner is not allowed in src/server'),
    ]);
    expect(await refused('src/server/x.ts', '../compose.js')).toEqual([
      expect.stringContaining('src/compose.ts is not allowed in src/server'),
    ]);
    expect(await refused('src/runner/x.ts', '../agent/claude-runtime.js')).toEqual([
      expect.stringContaining('runtime port'),
    ]);
    expect(await refused('src/runner/x.ts', '@anthropic-ai/claude-agent-sdk')).toEqual([
      expect.stringContaining('only in src/agent/claude-runtime.ts'),
    ]);
    expect(await refused('src/agent/claude-runtime.ts', '@anthropic-ai/claude-agent-sdk')).toEqual([]);
    expect(await refused('src/config/x.ts', '../projects/projects.js')).toEqual([
      expect.stringContaining('src/projects is not allowed in src/config'),
    ]);
    expect(await refused('src/runner/x.ts', '../agent/runtime.js')).toEqual([]);
    expect(await refused('web/src/features/board/x.tsx', '../agents/RunControls')).toEqual([
      expect.stringContaining('web/src/features/agents is not allowed in web/src/features/board'),
    ]);
    expect(await refused('web/src/features/board/x.tsx', '../../app/routes')).toEqual([
      expect.stringContaining('web/src/app is not allowed'),
    ]);
    expect(await refused('web/src/features/board/x.tsx', '../../shared/ui/Button')).toEqual([]);
    expect(await refused('web/src/shared/ui/x.tsx', 'node:path')).toEqual([expect.stringContaining('browser')]);
  });

  it('has an import rule for every entry that names each folder the table refuses it', async () => {
    const missing: string[] = [];
    for (const tree of [src, web]) {
      for (const node of tree.nodes) {
        const file = join(tree.dir, /\.tsx?$/.test(node) ? node : join(node, 'x.ts'));
        const config = (await eslint.calculateConfigForFile(file)) as {
          rules?: Record<string, [string, { patterns?: { message?: string }[] }]>;
        };
        const messages = (config.rules?.['no-restricted-imports']?.[1]?.patterns ?? []).map((p) => p.message ?? '');
        const allowed = tree.allowed(node);
        for (const other of tree.nodes) {
          if (other === node || allowed.has(other)) continue;
          if (!messages.some((m) => m.startsWith(`${tree.root}/${other} is not allowed in ${tree.root}/${node},`)))
            missing.push(`${tree.root}/${node} ↛ ${other}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('storage behind ports (docs/architecture.md §2)', () => {
  const SRC = src.dir;
  const outside = (allowed: (rel: string) => boolean) =>
    sourceFiles(SRC)
      .map((f) => relative(SRC, f))
      .filter((rel) => !allowed(rel));
  const inDb = (rel: string) => rel.startsWith('db/');

  it('runs SQL only in src/db: no .prepare( or .pragma( anywhere else', () => {
    const users = outside(inDb).filter((rel) => /\.(prepare|pragma)\(/.test(readFileSync(join(SRC, rel), 'utf8')));
    expect(users).toEqual([]);
  });

  it('names the SQLite connection (the Db type, better-sqlite3, the SQLite store) only in src/db and the composition root', () => {
    const sqlite =
      /import\s+(?:type\s+)?\{[^}]*\b(?:Db|SqliteProjectStore)\b[^}]*\}\s+from\s+['"][^'"]*\/db\/(?:connection|stores)\.js['"]|from\s+['"]better-sqlite3['"]/;
    const users = outside((rel) => inDb(rel) || rel === 'compose.ts').filter((rel) =>
      sqlite.test(readFileSync(join(SRC, rel), 'utf8')),
    );
    expect(users).toEqual([]);
  });
});
