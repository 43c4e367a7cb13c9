import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { browserLocator, closeBrowserSession, findChromium, writePlaywrightConfig } from '../../src/runner/browser.js';
import type { BrowserLocator } from '../../src/shared/browser-view.js';
import { REPO_ROOT } from './cli-process.js';

/**
 * An agent session's browser as the runner sets it up: a worktree with `.playwright/cli.config.json`, the session's
 * own HOME and TMPDIR, its PLAYWRIGHT_CLI_SESSION, and a local app page to open — driven with the real
 * `playwright-cli` and Debian's Chromium, as an agent's Bash commands drive it.
 */
export interface AgentBrowser {
  readonly workspace: string;
  readonly env: Record<string, string>;
  readonly locator: BrowserLocator;
  /** The app's page (127.0.0.1, any free port). */
  readonly url: string;
  /** What the app's page shows from now on. */
  setHtml(html: string): void;
  /** Runs `playwright-cli <args>` in the worktree with the session's environment. */
  cli(args: readonly string[]): Promise<{ status: number | null; output: string }>;
  /** Closes the browser (as the runner does when the session ends), the app, and removes the folders. */
  close(): Promise<void>;
}

export async function startAgentBrowser(session = 'ac-test0000001'): Promise<AgentBrowser> {
  // Short: the daemon's unix sockets live under TMPDIR and their paths must stay under ~100 bytes.
  const root = mkdtempSync('/tmp/ac-bv-');
  const workspace = join(root, 'ws');
  for (const dir of [join(root, 'home'), join(root, 'tmp'), workspace]) mkdirSync(dir);
  writePlaywrightConfig(workspace, findChromium(undefined, process.env.PATH), process.getuid?.() === 0);
  const env: Record<string, string> = {
    PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: join(root, 'home'),
    TMPDIR: join(root, 'tmp'),
    PLAYWRIGHT_CLI_SESSION: session,
    // playwright-cli checks npm for updates unless told not to: no network in tests.
    NO_UPDATE_NOTIFIER: '1',
  };
  let html = '<!doctype html><title>Empty</title>';
  const app: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(html);
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
  const locator = browserLocator(env, workspace);
  if (!locator) throw new Error('the session environment names no browser');
  return {
    workspace,
    env,
    locator,
    url,
    setHtml: (next) => (html = next),
    cli: (args) =>
      new Promise((resolve, reject) => {
        const child = spawn('playwright-cli', [...args], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        child.on('error', reject);
        child.on('exit', (status) => resolve({ status, output }));
      }),
    close: async () => {
      await closeBrowserSession(workspace, env);
      app.closeAllConnections();
      await new Promise<void>((resolve) => app.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
