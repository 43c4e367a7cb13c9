import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startCli, type RunningCli } from '../support/cli-process.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait-for.js';

let tmp: TempDir;
let serve: RunningCli | undefined;

beforeEach(() => {
  tmp = makeTempDir('ac-serve-cli-');
});
afterEach(async () => {
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  tmp.cleanup();
});

it('bound beyond loopback, serve prints the new token once with a link that opens the UI with it', async () => {
  const home = join(tmp.dir, 'ac-home');
  const env = { ...process.env, AUTOCODER_HOME: home, HOME: join(tmp.dir, 'home') };
  serve = startCli(['serve', '--host', '0.0.0.0', '--port', '0'], env, tmp.dir);
  await waitFor(() => serve!.output().includes('#token='), 30_000, 'the token link');
  const token = readFileSync(join(home, 'server-token'), 'utf8').trim();
  expect(serve.output()).toMatch(new RegExp(`Open the web UI with it once \\(the page keeps it\\): http://[^ ]+:\\d+/#token=${token}\\n`));
  serve.child.kill('SIGTERM');
  await serve.exited;

  // The second start does not print the token again.
  serve = startCli(['serve', '--host', '0.0.0.0', '--port', '0'], env, tmp.dir);
  await waitFor(() => serve!.output().includes('the web UI asks for it once'), 30_000, 'the second start');
  expect(serve.output()).not.toContain(token);
});
