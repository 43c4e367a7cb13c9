import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync } from '../support/cli-process.js';
import {
  assignedFeature,
  FEATURE_TOOL,
  initializerSession,
  reply,
  roleScript,
  sequence,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { createSampleProject } from '../support/sample-project.js';
import { waitFor } from '../support/wait-for.js';
import { freePort } from '../support/free-port.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-browser-'));
});

afterEach(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

const SERVER_JS = `const http = require('node:http');
http.createServer((req, res) => { res.setHeader('content-type', 'text/html'); res.end('<!doctype html><title>Notes</title><h1>Tiny notes</h1><button>Add note</button>'); })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

const initSh = (serverFile: string) => `#!/usr/bin/env bash
nohup node ${serverFile} > server.log 2>&1 &
for i in $(seq 1 100); do curl -s "http://127.0.0.1:$PORT/" > /dev/null && break; sleep 0.1; done
echo "app ready on http://localhost:$PORT"
`;

describe('browser verification by agents', () => {
  it('lets a coding session drive Debian Chromium through playwright-cli against its running app, then closes the browser', async () => {
    const port = await freePort();
    // A name of its own, so the test stops exactly this app (by pid) when it is done.
    const serverFile = `server-${randomBytes(6).toString('hex')}.js`;
    const portOf = (prompt: string) => /listen on port (\d+)/.exec(prompt)?.[1] ?? 'missing';
    const coding = sequence([
      () => reply().tool('Write', { file_path: serverFile, content: SERVER_JS }),
      () => reply().tool('Read', { file_path: 'init.sh' }),
      () => reply().tool('Write', { file_path: 'init.sh', content: initSh(serverFile) }),
      () => reply().tool('Bash', { command: 'chmod +x init.sh' }),
      // Alone, so the sandbox lets it start the app on the host where the browser can reach it.
      () => reply().tool('Bash', { command: './init.sh' }),
      (c) => reply().tool('Bash', { command: `playwright-cli open http://localhost:${portOf(c.prompt)}` }),
      () => reply().tool('Bash', { command: 'playwright-cli snapshot' }),
      (c) =>
        reply().tool('Bash', {
          command: `playwright-cli screenshot --filename=shots/feature-${assignedFeature(c)}.png`,
        }),
      () => reply().tool('Bash', { command: 'git add -A && git commit -m "Feature #1: page"' }),
      (c) =>
        reply().tool(FEATURE_TOOL('feature_mark_passing'), {
          feature_id: assignedFeature(c),
          evidence: 'snapshot shows the heading; shots/feature-1.png',
        }),
    ]);
    server = await startScriptedModelServer(
      roleScript({
        initializer: initializerSession([
          {
            category: 'ui',
            name: 'Home page',
            description: 'Shows the heading.',
            steps: ['Open the home page', 'See "Tiny notes"'],
            // The gate starts the committed app with ./init.sh on its own port and checks the page.
            acceptance: [
              {
                kind: 'http',
                name: 'home page',
                method: 'GET',
                path: '/',
                expect: { status: 200, bodyIncludes: 'Tiny notes' },
              },
            ],
          },
        ]),
        coding,
      }),
    );
    const env = agentTestEnv(root, server.url, { AUTOCODER_BASE_PORT: String(port) });
    const { dir } = createSampleProject(root, env);

    const run = await cliAsync(['run', 'notes'], env);
    // The app the agent started ends with its session (its TMPDIR is removed then; see session-dirs.ts).
    expect(spawnSync('pgrep', ['-f', '--', serverFile], { encoding: 'utf8' }).stdout.trim()).toBe('');
    expect(run.stdout).toContain('All 1 features pass.');
    expect(run.status).toBe(0);

    const results = server.requests.flatMap((r) => r.lastToolResults);
    expect(results.filter((r) => r.isError).map((r) => r.text)).toEqual([]);
    const snapshot = results.find((r) => String(r.input.command) === 'playwright-cli snapshot');
    expect(snapshot?.isError).toBe(false);
    expect(snapshot?.text).toContain('Tiny notes');
    const png = readFileSync(join(dir, 'shots', 'feature-1.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(JSON.parse(readFileSync(join(dir, '.playwright', 'cli.config.json'), 'utf8'))).toMatchObject({
      browser: { browserName: 'chromium' },
    });

    const store = openProjectStore(projectPaths(dir), { create: false });
    const [session] = store.sessions.list({ featureId: 1 });
    store.close();
    const sessionTag = `ac-${(session?.id ?? '').slice(-12)}`;
    // No process of the session is left: the browser was closed, and the init.sh jail (its command line names the
    // session's folder) ends with the app.
    const leftovers = () =>
      execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes(sessionTag));
    await waitFor(
      () => leftovers().length === 0,
      10_000,
      `no process of session ${sessionTag} (left: ${leftovers().join(' | ')})`,
    );
    expect(existsSync(join(dir, 'server.log'))).toBe(true);
    expect(readFileSync(join(dir, '.git', 'info', 'exclude'), 'utf8').split('\n')).toEqual(
      expect.arrayContaining(['.autocoder/', '.playwright/', '.playwright-cli/']),
    );
    expect(execFileSync('git', ['ls-files'], { cwd: dir, encoding: 'utf8' })).not.toContain('.playwright/');
  });
});
