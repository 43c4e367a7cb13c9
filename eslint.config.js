// Lint rules, including the import boundaries of docs/architecture.md §2. The same boundaries
// are checked by test/architecture.test.ts, so a rule cannot silently stop applying.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (files, patterns, extra = {}) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns }],
    ...extra,
  },
});

// Relative imports of our own folders (package names such as @modelcontextprotocol/sdk/…/mcp.js are not ours).
const ours = (...dirs) =>
  dirs.map((d) => ({ group: [`../${d}/*`, `../../${d}/*`, `../${d}`, `../../${d}`], message: `src/${d} is not allowed here (see docs/architecture.md §2)` }));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'web/dist/', 'coverage/', 'test-artifacts/', '.scratch/'] },
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
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'process.env is read only in src/config/' },
        { selector: 'ThrowStatement > Literal', message: 'throw an Error (AppError), never a string' },
      ],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  restrict(['src/domain/**'], [{ group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: 'domain is pure: no I/O' }, ...ours('db', 'agent', 'mcp', 'runner', 'server', 'cli', 'config', 'git', 'security', 'shared', 'logging')]),
  restrict(['src/shared/**'], [{ group: ['node:*'], message: 'shared is browser-safe' }, ...ours('db', 'agent', 'mcp', 'runner', 'server', 'cli', 'config', 'git', 'security', 'domain', 'logging')]),
  restrict(['src/db/**'], ours('agent', 'server', 'cli', 'runner', 'mcp')),
  restrict(['src/security/**'], ours('db', 'agent', 'server', 'cli', 'runner', 'mcp')),
  restrict(['src/agent/**'], ours('db', 'server', 'cli', 'runner')),
  restrict(['src/mcp/**'], ours('server', 'cli', 'runner', 'agent')),
  restrict(['src/runner/**'], [...ours('server', 'cli'), { group: ['**/agent/claude-runtime*'], message: 'the runner uses the runtime port, not the Claude adapter' }]),
  restrict(['src/demo/**'], [...ours('agent', 'mcp', 'runner', 'server', 'cli'), { group: ['../compose.js'], message: 'the server uses src/demo, so it must not pull in the agent runtime' }]),
  restrict(['src/server/**'], [...ours('cli', 'agent', 'runner'), { group: ['../compose.js', '../../compose.js'], message: 'the server must not pull in the agent runtime; use src/db/stores.ts' }]),
  // The web app: only its own files, src/shared (through the @shared alias) and packages.
  restrict(['web/src/**'], [
    { regex: '^(\\.\\./)+(\\.\\./)(src|test|bench|bin)(/|$)', message: 'web imports src/shared through @shared, nothing else outside web/' },
    { group: ['node:*'], message: 'web runs in the browser' },
  ]),
  // Where process.env and console are allowed.
  { files: ['src/config/**'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['src/cli/**'], rules: { 'no-console': 'off' } },
  { files: ['bench/**', 'test/**', 'bin/**', 'scripts/**', '**/*.test.ts', '**/*.test.tsx'], rules: { 'no-console': 'off', 'no-restricted-syntax': 'off' } },
);
