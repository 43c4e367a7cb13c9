/**
 * Whether a Bash command an agent runs is testing (its tests, a test runner, a browser or HTTP check), so mission
 * control shows the agent as "testing" rather than "working". It looks at the programs each part of the command
 * runs, never at any word: `ls src/features test` lists files. Pure.
 */
import { readToolInput } from './tool-call-text.js';

/** Programs that test whatever their arguments. */
const TEST_PROGRAMS = new Set(['vitest', 'jest', 'mocha', 'pytest', 'playwright', 'playwright-cli', 'curl', 'wget']);
/** Package scripts that test: `npm test`, `npm run test:e2e`, `yarn test`, `pnpm run test-unit`. */
const TEST_SCRIPT = /^test([:\-_.].*)?$/;
const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);

/** The command text of a Bash tool call's input (the JSON the log keeps, maybe cut), or the text itself. */
function commandOf(input: string): string {
  const command = readToolInput(input)['command'];
  return typeof command === 'string' ? command.replace(/…$/, '') : input;
}

function testsAsRun(words: readonly string[]): boolean {
  // Leading VAR=value assignments and wrappers that run the next program.
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i += 1;
  while (i < words.length && ['npx', 'exec', 'timeout', 'env', 'time', 'sudo'].includes(words[i]!)) {
    i += 1;
    // timeout's duration, npx's flags.
    while (i < words.length && (/^-/.test(words[i]!) || /^\d+[smh]?$/.test(words[i]!))) i += 1;
  }
  const program = words[i]?.split('/').pop();
  if (program === undefined) return false;
  if (TEST_PROGRAMS.has(program)) return true;
  const rest = words.slice(i + 1);
  if (PACKAGE_MANAGERS.has(program)) {
    const script = rest[0] === 'run' || rest[0] === 'run-script' ? rest[1] : rest[0];
    return script !== undefined && TEST_SCRIPT.test(script);
  }
  if (program === 'node' || program === 'deno' || program === 'bun')
    return rest.includes('--test') || rest[0] === 'test';
  if (program === 'python' || program === 'python3')
    return rest[0] === '-m' && ['pytest', 'unittest'].includes(rest[1] ?? '');
  return false;
}

export function isTestingCommand(input: string): boolean {
  return commandOf(input)
    .split(/&&|\|\||[;|\n]/)
    .map((part) => part.trim().split(/\s+/).filter(Boolean))
    .some(testsAsRun);
}
