/**
 * A process of its own for src/git/spawn-helper.test.ts, run with `node --import tsx`:
 * `one-git`: runs `git --version` through gitAsync, prints it and does nothing more (it must end by itself);
 * `dies`: starts a long command through the spawn helper, prints the helper's pid and waits to be killed.
 */
import { gitAsync } from '../../src/git/git.js';
import { spawnFromHelper, spawnHelperPid } from '../../src/git/spawn-helper.js';

const mode = process.argv[2];
if (mode === 'one-git') {
  const res = await gitAsync(process.cwd(), ['--version']);
  console.log(res.stdout.trim());
} else if (mode === 'dies') {
  void spawnFromHelper({ file: '/bin/sh', args: ['-c', 'exec sleep 30'], cwd: process.cwd() });
  console.log(spawnHelperPid());
  // Held open until killed; the command is still running then.
  setInterval(() => undefined, 1_000);
} else {
  console.error(`unknown mode ${String(mode)}`);
  process.exitCode = 2;
}
