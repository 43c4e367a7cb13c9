import { describe, expect, it } from 'vitest';
import { isPlainEslintScript, planToolFacts, type ProjectShape, type ToolPlan } from './detect.js';

const shape = (over: Partial<ProjectShape>): ProjectShape => ({
  files: [],
  packageJson: null,
  installed: [],
  onPath: [],
  ...over,
});
const node = (pkg: Record<string, unknown>, over: Partial<ProjectShape> = {}) =>
  shape({
    files: ['package.json', ...(over.files ?? [])],
    packageJson: pkg,
    installed: over.installed ?? [],
    onPath: over.onPath ?? [],
  });
const plan = (s: ProjectShape, kind: string): ToolPlan => {
  const found = planToolFacts(s).find((p) => p.kind === kind);
  if (!found) throw new Error(`no ${kind} plan`);
  return found;
};

describe('planToolFacts', () => {
  it('plans the five kinds in order, each skipped with its reason when nothing is there', () => {
    const plans = planToolFacts(shape({}));
    expect(plans.map((p) => p.kind)).toEqual(['typecheck', 'lint', 'coverage', 'audit', 'build']);
    expect(plans.every((p) => 'skip' in p && p.skip.length > 0)).toBe(true);
  });

  it('typecheck: a typecheck script wins; else tsconfig.json with typescript installed; else says what is missing', () => {
    expect(plan(node({ scripts: { typecheck: 'tsc -b' } }), 'typecheck')).toEqual({
      kind: 'typecheck',
      command: 'npm run typecheck',
      parser: 'tsc',
    });
    expect(plan(node({}, { files: ['tsconfig.json'], installed: ['typescript'] }), 'typecheck')).toEqual({
      kind: 'typecheck',
      command: 'npx tsc --noEmit',
      parser: 'tsc',
    });
    expect(plan(node({}, { files: ['tsconfig.json'] }), 'typecheck')).toEqual({
      kind: 'typecheck',
      skip: 'tsconfig.json exists but typescript is not installed (no node_modules/typescript)',
    });
  });

  it('lint: a plain eslint script gets -f json, another script runs as it is, else an eslint config with eslint', () => {
    expect(plan(node({ scripts: { lint: 'eslint src --max-warnings 0' } }), 'lint')).toMatchObject({
      command: 'npm run --silent lint -- -f json',
      parser: 'eslint-json',
    });
    expect(plan(node({ scripts: { lint: 'eslint . && prettier --check .' } }), 'lint')).toMatchObject({
      command: 'npm run lint',
      parser: 'exit-code',
    });
    expect(plan(node({}, { files: ['eslint.config.js'], installed: ['eslint'] }), 'lint')).toMatchObject({
      command: 'npx eslint -f json .',
      parser: 'eslint-json',
    });
    expect(plan(node({ eslintConfig: { rules: {} } }, { installed: ['eslint'] }), 'lint')).toMatchObject({
      command: 'npx eslint -f json .',
    });
    expect(plan(node({}, { files: ['.eslintrc.json'] }), 'lint')).toEqual({
      kind: 'lint',
      skip: '.eslintrc.json configures ESLint but eslint is not installed (no node_modules/eslint)',
    });
  });

  it('coverage: a declared and installed vitest needs a provider; jest has coverage built in', () => {
    const vitest = { devDependencies: { vitest: '^4' } };
    expect(plan(node(vitest, { installed: ['vitest', '@vitest/coverage-v8'] }), 'coverage')).toMatchObject({
      parser: 'coverage',
      reportFile: 'coverage-checkpoint/coverage-summary.json',
      command: expect.stringMatching(
        /^npx vitest run --coverage\.enabled --coverage\.reporter=json-summary/,
      ) as unknown,
    });
    expect(plan(node(vitest, { installed: ['vitest'] }), 'coverage')).toMatchObject({
      skip: expect.stringMatching(/no coverage provider/) as unknown,
    });
    // Installed only as something else's dependency: not the project's test runner.
    expect(plan(node({}, { installed: ['vitest', '@vitest/coverage-v8'] }), 'coverage')).toMatchObject({
      skip: expect.stringMatching(/neither vitest nor jest/) as unknown,
    });
    expect(plan(node({ devDependencies: { jest: '^29' } }, { installed: ['jest'] }), 'coverage')).toMatchObject({
      command: 'npx jest --coverage --coverageReporters=json-summary --coverageDirectory=coverage-checkpoint',
    });
  });

  it('audit: npm with a lockfile; other lockfiles and Python without pip-audit are skipped saying why', () => {
    expect(plan(node({}, { files: ['package-lock.json'] }), 'audit')).toEqual({
      kind: 'audit',
      command: 'npm audit --json',
      parser: 'npm-audit',
    });
    expect(plan(node({}, { files: ['pnpm-lock.yaml'] }), 'audit')).toMatchObject({
      skip: expect.stringMatching(/^pnpm-lock\.yaml is not npm's lockfile/) as unknown,
    });
    expect(plan(node({}), 'audit')).toMatchObject({
      skip: 'package.json has no package-lock.json: `npm audit` needs the lockfile',
    });
    expect(plan(shape({ files: ['requirements.txt'] }), 'audit')).toEqual({
      kind: 'audit',
      skip: 'requirements.txt exists but pip-audit is not on PATH',
    });
    expect(plan(shape({ files: ['requirements.txt'], onPath: ['pip-audit'] }), 'audit')).toMatchObject({
      command: 'pip-audit -r requirements.txt -f json --progress-spinner off',
      parser: 'pip-audit',
    });
  });

  it('build: a build script', () => {
    expect(plan(node({ scripts: { build: 'vite build' } }), 'build')).toEqual({
      kind: 'build',
      command: 'npm run build',
      parser: 'build',
    });
    expect(plan(node({ scripts: { dev: 'vite' } }), 'build')).toEqual({
      kind: 'build',
      skip: 'no build: package.json has no `build` script',
    });
  });

  it('a package.json that is not an object has no scripts, and the reason says so', () => {
    expect(plan(shape({ files: ['package.json'], packageJson: ['x'] }), 'build')).toEqual({
      kind: 'build',
      skip: 'no build: package.json is not a JSON object, so its scripts cannot be read',
    });
  });
});

describe('isPlainEslintScript', () => {
  it('accepts one eslint call with plain words and no output format of its own', () => {
    expect(isPlainEslintScript('eslint .')).toBe(true);
    expect(isPlainEslintScript('eslint src/**/*.ts --max-warnings=0')).toBe(true);
    expect(isPlainEslintScript('eslint . -f stylish')).toBe(false);
    expect(isPlainEslintScript('eslint . --format=json')).toBe(false);
    expect(isPlainEslintScript('eslint . && tsc')).toBe(false);
    expect(isPlainEslintScript('next lint')).toBe(false);
  });
});
