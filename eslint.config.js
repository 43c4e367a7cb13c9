// Lint rules, including the import boundaries of docs/architecture.md §2. The boundaries come
// from architecture/boundaries.json, the one table test/architecture.test.ts checks too, so a rule
// cannot silently stop applying in one of them.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const table = JSON.parse(readFileSync(join(import.meta.dirname, 'architecture', 'boundaries.json'), 'utf8'));
const NODE_BUILTINS = {
  group: ['node:*', 'fs', 'path', 'os', 'child_process'],
  message: 'no I/O or node builtins here (architecture/boundaries.json)',
};

/**
 * The specifiers that reach `target` (a folder or a top-level file of the tree at `root`) from
 * files in `from` or up to two folders below it, directly (`../agents`) or through the root
 * (`../../features/agents`).
 */
function specifiersTo(root, from, target, isFile) {
  const direct = relative(from, target).replace(/\.tsx?$/, '');
  const viaRoot = `${relative(from, root) || '.'}/${relative(root, target).replace(/\.tsx?$/, '')}`;
  const specs = [direct, viaRoot].flatMap((rel) =>
    [0, 1, 2].flatMap((extra) => {
      const spec =
        extra === 0 ? (rel.startsWith('.') ? rel : `./${rel}`) : `${'../'.repeat(extra)}${rel.replace(/^\.\//, '')}`;
      return isFile ? [spec, `${spec}.js`] : [spec, `${spec}/*`];
    }),
  );
  return [...new Set(specs)];
}

/**
 * The no-restricted-imports patterns of one table entry: every node of the tree it may not import,
 * the files it is denied, node builtins where it must stay pure, and packages kept elsewhere.
 */
function boundaryPatterns(tree, root, name, nodes, extra = []) {
  const rule = tree[name] ?? tree[`${name.split('/')[0]}/*`];
  const allowed = new Set(
    rule.imports.flatMap((i) => (i.endsWith('/*') ? nodes.filter((n) => n.startsWith(i.slice(0, -1))) : [i])),
  );
  const from = join(root, name.endsWith('.ts') || name.endsWith('.tsx') ? '.' : name);
  const forbidden = nodes.filter((n) => n !== name && !allowed.has(n));
  return [
    ...forbidden.map((n) => ({
      group: specifiersTo(root, from, join(root, n), /\.tsx?$/.test(n)),
      message: `${root}/${n} is not allowed in ${root}/${name}, which may import only ${rule.imports.join(', ') || 'nothing of ours'} (architecture/boundaries.json)`,
    })),
    ...Object.entries(rule.denyFiles ?? {}).map(([file, why]) => ({
      group: specifiersTo(root, from, join(root, file), true),
      message: why,
    })),
    ...(rule.node === false ? [NODE_BUILTINS] : []),
    ...extra,
  ];
}

/** Entries of a tree on disk: its folders (each folder under a `dir/*` entry on its own) and top-level source files. */
function treeNodes(root, tree) {
  return Object.keys(tree).flatMap((key) =>
    key.endsWith('/*')
      ? readdirSync(join(import.meta.dirname, root, key.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => `${key.slice(0, -1)}${d.name}`)
      : [key],
  );
}

const filesOf = (root, node) => (/\.tsx?$/.test(node) ? [`${root}/${node}`] : [`${root}/${node}/**`]);
const restrict = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });

/** Packages a src entry may not import (they belong to another folder or file). */
function packagePatterns(node) {
  return Object.entries(table.packages)
    .filter(([, rule]) => !rule.only.includes(node))
    .map(([pkg, rule]) => ({
      group: [pkg, `${pkg}/*`],
      message: `${pkg} is imported only in src/${rule.only.join(', src/')}: ${rule.why}`,
    }));
}

const srcNodes = treeNodes('src', table.src);
const srcBoundaries = srcNodes.flatMap((node) => {
  const general = restrict(
    filesOf('src', node),
    boundaryPatterns(table.src, 'src', node, srcNodes, packagePatterns(node)),
  );
  // A package kept to one file of a folder (the SDK in agent/claude-runtime.ts): that file gets the folder's rules
  // without it.
  const files = Object.entries(table.packages).flatMap(([, rule]) =>
    rule.only.filter((o) => o.startsWith(`${node}/`) && o.endsWith('.ts')),
  );
  return [
    general,
    ...files.map((file) =>
      restrict(
        [`src/${file}`],
        boundaryPatterns(
          table.src,
          'src',
          node,
          srcNodes,
          packagePatterns(node).filter(
            (p) =>
              !Object.entries(table.packages).some(([pkg, rule]) => p.group[0] === pkg && rule.only.includes(file)),
          ),
        ),
      ),
    ),
  ];
});

// The web app: only its own files, src/shared (through the @shared alias) and packages.
const WEB_ONLY = [
  {
    regex: '^(\\.\\./)+(\\.\\./)(src|test|bench|bin)(/|$)',
    message: 'web imports src/shared through @shared, nothing else outside web/',
  },
  { group: ['node:*'], message: 'web runs in the browser' },
];
const webNodes = treeNodes('web/src', table.web);
const webBoundaries = webNodes.map((node) =>
  restrict(filesOf('web/src', node), boundaryPatterns(table.web, 'web/src', node, webNodes, WEB_ONLY)),
);

/** Catch blocks must do something: log, return a fallback, or say why and act (see docs/architecture.md §2). */
const NO_EMPTY_CATCH = {
  selector: 'CatchClause[body.body.length=0]',
  message: 'an empty catch hides errors: log it, or handle it and say in a comment why that is right',
};

export default tseslint.config(
  // src/demo/app holds the demo project's own files (a browser app autocoder writes into a demo project), not
  // autocoder's code.
  { ignores: ['node_modules/', 'dist/', 'web/dist/', 'coverage/', 'test-artifacts/', '.scratch/', 'src/demo/app/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
      // Prettier wraps code at 120 columns but not comments or long literals: comments are kept to 120 here too.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'process.env is read only in src/config/',
        },
        { selector: 'ThrowStatement > Literal', message: 'throw an Error (AppError), never a string' },
        NO_EMPTY_CATCH,
      ],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  ...srcBoundaries,
  ...webBoundaries,
  // Where process.env and console are allowed.
  { files: ['src/config/**'], rules: { 'no-restricted-syntax': ['error', NO_EMPTY_CATCH] } },
  { files: ['src/cli/**'], rules: { 'no-console': 'off' } },
  {
    files: ['bench/**', 'test/**', 'bin/**', 'scripts/**', '**/*.test.ts', '**/*.test.tsx'],
    rules: { 'no-console': 'off', 'no-restricted-syntax': ['error', NO_EMPTY_CATCH] },
  },
);
