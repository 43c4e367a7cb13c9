import type { ToolFactKind } from '../shared/checkpoints.js';

/**
 * Which of the project's own tools a checkpoint runs, decided from what the checkout holds: its top-level file names,
 * its package.json, the packages installed in its node_modules and the programs on PATH. A tool the project does not
 * have is skipped with the reason (what was looked for and not found), never guessed or installed. Pure.
 */

/** How a tool's output is read (tool-output.ts). */
export type ToolParser = 'tsc' | 'eslint-json' | 'exit-code' | 'npm-audit' | 'pip-audit' | 'coverage' | 'build';

/** A tool to run: its command (judged by the Bash policy like an agent's) and how its output is read. */
export interface ToolRunPlan {
  readonly kind: ToolFactKind;
  readonly command: string;
  readonly parser: ToolParser;
  /** A file the tool writes (relative to the checkout) that holds its result: the coverage summary. */
  readonly reportFile?: string;
}

export type ToolPlan = ToolRunPlan | { readonly kind: ToolFactKind; readonly skip: string };

export interface ProjectShape {
  /** Names of the files and folders at the checkout's top level. */
  readonly files: readonly string[];
  /** The parsed package.json, or null when there is none (or it is not JSON). */
  readonly packageJson: unknown;
  /** Which of `NODE_TOOL_PACKAGES` are installed in the checkout's node_modules. */
  readonly installed: readonly string[];
  /** Which of `PATH_TOOLS` are on PATH. */
  readonly onPath: readonly string[];
}

/** The packages whose presence decides a tool (looked up as node_modules/<name>/package.json). */
export const NODE_TOOL_PACKAGES = [
  'typescript',
  'eslint',
  'vitest',
  '@vitest/coverage-v8',
  '@vitest/coverage-istanbul',
  'jest',
] as const;
export const PATH_TOOLS = ['pip-audit'] as const;

/** Where coverage is written in the checkout (a folder of its own, so the project's `coverage/` stays as it is). */
export const COVERAGE_DIR = 'coverage-checkpoint';
export const COVERAGE_SUMMARY = `${COVERAGE_DIR}/coverage-summary.json`;

const ESLINT_CONFIGS = [
  'eslint.config.js',
  'eslint.config.mjs',
  'eslint.config.cjs',
  'eslint.config.ts',
  'eslint.config.mts',
  'eslint.config.cts',
  '.eslintrc',
  '.eslintrc.js',
  '.eslintrc.cjs',
  '.eslintrc.json',
  '.eslintrc.yml',
  '.eslintrc.yaml',
];
const NPM_LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json'];
const OTHER_LOCKFILES = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lockb', 'bun.lock'];

interface PackageInfo {
  readonly scripts: Readonly<Record<string, string>>;
  readonly declared: ReadonlySet<string>;
  readonly eslintConfig: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function packageInfo(json: unknown): PackageInfo | null {
  if (!isRecord(json)) return null;
  const scripts: Record<string, string> = {};
  if (isRecord(json.scripts))
    for (const [name, body] of Object.entries(json.scripts)) if (typeof body === 'string') scripts[name] = body;
  const declared = new Set<string>();
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies'])
    if (isRecord(json[field])) for (const name of Object.keys(json[field])) declared.add(name);
  return { scripts, declared, eslintConfig: isRecord(json.eslintConfig) };
}

/**
 * A lint script that is one plain eslint call (no shell operators, no output format of its own): run through npm with
 * `-f json` added, so its findings can be read. Anything else runs as it is and only its exit code counts.
 */
export function isPlainEslintScript(script: string): boolean {
  const words = script.trim().split(/\s+/);
  if (words[0] !== 'eslint') return false;
  return (
    words.every((w) => /^[\w@./:=,*{}+-]+$/.test(w)) &&
    !words.some((w) => /^(-f|--format|-o|--output-file)(=|$)/.test(w))
  );
}

function typecheckPlan(shape: ProjectShape, pkg: PackageInfo | null): ToolPlan {
  const kind = 'typecheck';
  if (pkg?.scripts.typecheck !== undefined) return { kind, command: 'npm run typecheck', parser: 'tsc' };
  if (!shape.files.includes('tsconfig.json'))
    return { kind, skip: 'no type checker: no `typecheck` script in package.json and no tsconfig.json' };
  if (!shape.installed.includes('typescript'))
    return { kind, skip: 'tsconfig.json exists but typescript is not installed (no node_modules/typescript)' };
  return { kind, command: 'npx tsc --noEmit', parser: 'tsc' };
}

function lintPlan(shape: ProjectShape, pkg: PackageInfo | null): ToolPlan {
  const kind = 'lint';
  const script = pkg?.scripts.lint;
  if (script !== undefined) {
    return isPlainEslintScript(script)
      ? { kind, command: 'npm run --silent lint -- -f json', parser: 'eslint-json' }
      : { kind, command: 'npm run lint', parser: 'exit-code' };
  }
  const config = ESLINT_CONFIGS.find((f) => shape.files.includes(f)) ?? (pkg?.eslintConfig ? 'package.json' : null);
  if (config === null) return { kind, skip: 'no linter: no `lint` script in package.json and no ESLint config' };
  if (!shape.installed.includes('eslint'))
    return { kind, skip: `${config} configures ESLint but eslint is not installed (no node_modules/eslint)` };
  return { kind, command: 'npx eslint -f json .', parser: 'eslint-json' };
}

function coveragePlan(shape: ProjectShape, pkg: PackageInfo | null): ToolPlan {
  const kind = 'coverage';
  // A test runner counts when the project declares it and it is installed (node_modules may hold one of a dependency).
  const has = (name: string) => pkg !== null && pkg.declared.has(name) && shape.installed.includes(name);
  if (has('vitest')) {
    const provider = ['@vitest/coverage-v8', '@vitest/coverage-istanbul'].find((p) => shape.installed.includes(p));
    if (provider === undefined)
      return {
        kind,
        skip: 'vitest is the test runner but no coverage provider is installed (@vitest/coverage-v8 or @vitest/coverage-istanbul)',
      };
    return {
      kind,
      command: `npx vitest run --coverage.enabled --coverage.reporter=json-summary --coverage.reportsDirectory=${COVERAGE_DIR}`,
      parser: 'coverage',
      reportFile: COVERAGE_SUMMARY,
    };
  }
  if (has('jest'))
    return {
      kind,
      command: `npx jest --coverage --coverageReporters=json-summary --coverageDirectory=${COVERAGE_DIR}`,
      parser: 'coverage',
      reportFile: COVERAGE_SUMMARY,
    };
  return {
    kind,
    skip: 'no test runner with coverage: neither vitest nor jest is declared in package.json and installed',
  };
}

function auditPlan(shape: ProjectShape, pkg: PackageInfo | null): ToolPlan {
  const kind = 'audit';
  if (NPM_LOCKFILES.some((f) => shape.files.includes(f)))
    return { kind, command: 'npm audit --json', parser: 'npm-audit' };
  const other = OTHER_LOCKFILES.find((f) => shape.files.includes(f));
  if (other !== undefined)
    return { kind, skip: `${other} is not npm's lockfile: only \`npm audit\` is run (it needs package-lock.json)` };
  if (shape.files.includes('requirements.txt')) {
    if (!shape.onPath.includes('pip-audit'))
      return { kind, skip: 'requirements.txt exists but pip-audit is not on PATH' };
    return { kind, command: 'pip-audit -r requirements.txt -f json --progress-spinner off', parser: 'pip-audit' };
  }
  if (pkg !== null) return { kind, skip: 'package.json has no package-lock.json: `npm audit` needs the lockfile' };
  return { kind, skip: 'no dependency audit: no package-lock.json and no requirements.txt' };
}

function buildPlan(shape: ProjectShape, pkg: PackageInfo | null): ToolPlan {
  const kind = 'build';
  if (pkg === null && shape.files.includes('package.json'))
    return { kind, skip: 'no build: package.json is not a JSON object, so its scripts cannot be read' };
  if (pkg === null) return { kind, skip: 'no build: no package.json' };
  if (pkg.scripts.build === undefined) return { kind, skip: 'no build: package.json has no `build` script' };
  return { kind, command: 'npm run build', parser: 'build' };
}

/** The five tools in the order they run (cheap and independent first; the build last, since it writes files). */
export function planToolFacts(shape: ProjectShape): ToolPlan[] {
  const pkg = shape.files.includes('package.json') ? packageInfo(shape.packageJson) : null;
  return [
    typecheckPlan(shape, pkg),
    lintPlan(shape, pkg),
    coveragePlan(shape, pkg),
    auditPlan(shape, pkg),
    buildPlan(shape, pkg),
  ];
}
