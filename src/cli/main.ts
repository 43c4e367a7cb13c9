import { processEnv } from '../config/env.js';
import { runCli } from './program.js';

const args = process.argv.slice(2);
const onTerminal = process.stdin.isTTY && process.stdout.isTTY;
// No arguments: the interactive menu on a terminal, the help anywhere else (pipes, scripts, CI).
const code = await runCli(args.length === 0 && !onTerminal ? ['--help'] : args, {
  env: processEnv(),
  cwd: process.cwd(),
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrTerminal: process.stderr.isTTY === true,
  ...(process.stdout.isTTY
    ? {
        terminal: {
          get columns() {
            return process.stdout.columns || 80;
          },
        },
      }
    : {}),
  ...(onTerminal ? { prompt: { input: process.stdin, output: process.stdout } } : {}),
});
process.exitCode = code;
