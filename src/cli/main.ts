import { processEnv } from '../config/env.js';
import { runCli } from './program.js';

const args = process.argv.slice(2);
const code = await runCli(args.length === 0 ? ['--help'] : args, {
  env: processEnv(),
  cwd: process.cwd(),
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  ...(process.stdout.isTTY ? { terminal: { get columns() { return process.stdout.columns || 80; } } } : {}),
});
process.exitCode = code;
