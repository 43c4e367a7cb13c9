import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `autocoder serve` serves the web UI even when `npm start` never ran (`npx autocoder serve` right after `npm ci` in a
 * clone): when the built UI is missing it builds it first with the script `npm start` uses (`scripts/ensure-ui.js`,
 * which runs `vite build`). Done here, at the first serve, rather than in a `prepare` script, so `npm ci` stays fast
 * and builds nothing a CLI-only user never opens; a build that exists is served as it is (`npm start` also rebuilds a
 * stale one). An install without the sources (no script) serves what it has, or the page that lists the API.
 */

/** The package's own folder (holding `scripts/` and `web/`). */
export const PACKAGE_ROOT = join(import.meta.dirname, '..', '..');

export interface EnsureUiResult {
  /** Whether the build ran (the UI was missing and the script exists). */
  readonly built: boolean;
  /** Whether the UI is there now. */
  readonly ready: boolean;
}

/** Builds `web/dist` under `root` when its index.html is missing; the build's output goes to `output`. */
export async function ensureWebUi(root: string, output: (text: string) => void): Promise<EnsureUiResult> {
  const index = join(root, 'web', 'dist', 'index.html');
  if (existsSync(index)) return { built: false, ready: true };
  const script = join(root, 'scripts', 'ensure-ui.js');
  if (!existsSync(script)) return { built: false, ready: false };
  output('The web UI is not built yet (web/dist is missing): building it once now…\n');
  await new Promise<void>((resolve) => {
    const child = spawn(process.execPath, [script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', output);
    child.stderr.setEncoding('utf8').on('data', output);
    child.once('error', (err) => {
      output(`could not run ${script}: ${err.message}\n`);
      resolve();
    });
    child.once('close', () => resolve());
  });
  const ready = existsSync(index);
  if (!ready) output('The web UI did not build; the server still starts and serves the API.\n');
  return { built: true, ready };
}
