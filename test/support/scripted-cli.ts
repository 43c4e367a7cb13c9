/**
 * `autocoder` as a child process with the scripted runtime instead of Claude Code:
 * `node --import tsx test/support/scripted-cli.ts <scenario> <autocoder args…>`, the scenario
 * named in scripted-scenarios.ts. For tests that need a real runner process (kill -9).
 */
import { runCli } from '../../src/cli/program.js';
import { SCENARIOS } from './scripted-scenarios.js';
import { ScriptedRuntime } from './scripted-runtime.js';

const [name, ...args] = process.argv.slice(2);
const scenario = name === undefined ? undefined : SCENARIOS[name];
if (scenario === undefined) {
  process.stderr.write(`unknown scenario ${String(name)}; known: ${Object.keys(SCENARIOS).join(', ')}\n`);
  process.exit(2);
}
const write = (text: string) => process.stdout.write(text);
process.exitCode = await runCli(args, {
  env: process.env,
  cwd: process.cwd(),
  stdout: write,
  stderr: (text) => process.stderr.write(text),
  runtime: new ScriptedRuntime(scenario((line) => write(`${line}\n`))),
});
