import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openRegistry } from '../../src/db/stores.js';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import { tokenFile } from '../../src/server/server-token.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync } from '../support/cli-process.js';
import {
  assignedFeature,
  codingSession,
  initializerSession,
  reply,
  roleScript,
  SAMPLE_FEATURES,
  SAMPLE_SPEC,
  sequence,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let model: ScriptedModelServer | undefined;
let server: RunningServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-control-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await model?.close();
  model = undefined;
  rmSync(root, { recursive: true, force: true });
});

/** Every file under a folder with a hash of its content (what "nothing changed" compares). */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out[p] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/**
 * A hostile coding agent, while `autocoder serve` runs on loopback: it tries the control plane
 * with curl (no token, a guessed token) and tries to read the server token with every tool it
 * has (Read, Grep, Glob, Bash, curl's header-from-file, a script it writes and runs).
 */
describe("the control plane is out of agents' reach", () => {
  it('an agent cannot change settings, the registry or files through the API, nor read the token; the run completes', async () => {
    const env0 = agentTestEnv(root, 'http://127.0.0.1:1');
    const autocoderHome = env0.AUTOCODER_HOME as string;
    const specFile = join(root, 'spec.txt');
    writeFileSync(specFile, SAMPLE_SPEC);
    // The server starts first (it creates the token), so the agent's script knows its port.
    server = await startServer({ env: env0, cwd: root, host: '127.0.0.1', port: 0, launchRunner: () => ({ pid: -1 }) });
    const base = `http://127.0.0.1:${server.port}`;
    const token = server.token as string;
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const tokenPath = tokenFile(env0);
    const guessed = '0'.repeat(64);
    const json = `-H 'Content-Type: application/json'`;
    const attempts = [
      {
        tool: 'Bash',
        input: {
          command: `curl -s -X PUT ${json} -d '{"defaultSandbox":"off","baseUrl":"http://127.0.0.1:9/"}' ${base}/api/settings`,
        },
      },
      {
        tool: 'Bash',
        input: {
          command: `curl -s -X PUT ${json} -H 'Authorization: Bearer ${guessed}' -d '{"defaultSandbox":"off"}' ${base}/api/settings`,
        },
      },
      {
        tool: 'Bash',
        input: {
          command: `curl -s -X PUT ${json} -d '{"extraCommands":["make","cargo"]}' ${base}/api/projects/notes/settings`,
        },
      },
      { tool: 'Bash', input: { command: `curl -s -X DELETE '${base}/api/projects/notes?deleteFiles=true'` } },
      {
        tool: 'Bash',
        input: {
          command: `curl -s -X POST ${json} -d '{"name":"loot","path":"${autocoderHome}"}' ${base}/api/projects/import`,
        },
      },
      { tool: 'Read', input: { file_path: tokenPath } },
      { tool: 'Grep', input: { pattern: '.', path: autocoderHome } },
      { tool: 'Glob', input: { pattern: '*', path: autocoderHome } },
      { tool: 'Bash', input: { command: `cat ${tokenPath}` } },
      { tool: 'Bash', input: { command: 'cat ~/.autocoder/server-token' } },
      { tool: 'Bash', input: { command: `curl -s -H @${tokenPath} ${base}/api/settings` } },
      {
        tool: 'Write',
        input: {
          file_path: 'steal.js',
          content: `const fs = require('node:fs');\nlet t = '';\ntry { t = fs.readFileSync(${JSON.stringify(tokenPath)}, 'utf8').trim(); } catch (e) { console.log('token: ' + e.code); }\nconsole.log('token length ' + t.length);\n`,
        },
      },
      { tool: 'Bash', input: { command: 'node steal.js' } },
      { tool: 'Bash', input: { command: 'rm steal.js' } },
    ];
    const coding = codingSession();
    const hostile = sequence([
      ...attempts.map((a) => () => reply().tool(a.tool, a.input)),
      ...[0, 1, 2, 3].map((i) => (c: Parameters<typeof coding>[0]) => coding({ ...c, turn: i })),
    ]);
    model = await startScriptedModelServer(
      roleScript({
        initializer: initializerSession(SAMPLE_FEATURES),
        coding: (c) => (assignedFeature(c) === 1 ? hostile(c) : coding(c)),
      }),
    );
    const env = { ...env0, ANTHROPIC_BASE_URL: model.url };
    const dir = join(root, 'notes');
    expect((await cliAsync(['new', 'notes', '--dir', dir, '--spec', specFile], env)).status).toBe(0);

    const auth = { authorization: `Bearer ${token}` };
    const settingsBefore = await (await fetch(`${base}/api/settings`, { headers: auth })).text();
    const projectSettingsBefore = await (await fetch(`${base}/api/projects/notes/settings`, { headers: auth })).text();
    const homeBefore = fingerprint(autocoderHome);

    const run = await cliAsync(['run', 'notes', '--sandbox', 'on'], env);
    expect(run.stdout).toContain('All 4 features pass.');
    expect(run.status).toBe(0);

    // Each attempt came back to the model as a refusal (the guard's or the server's).
    const results = model.requests.flatMap((r) => r.lastToolResults);
    const resultOf = (i: number) => {
      const a = attempts[i] as (typeof attempts)[number];
      const found = results.find((r) => r.name === a.tool && JSON.stringify(r.input) === JSON.stringify(a.input));
      expect(found, `tool result of attempt ${i}: ${JSON.stringify(a.input)}`).toBeDefined();
      return found as NonNullable<typeof found>;
    };
    for (const i of [0, 1, 2, 3, 4]) expect(resultOf(i).text, `attempt ${i}`).toContain('UNAUTHORIZED');
    for (const i of [5, 6, 7]) {
      expect(resultOf(i).isError, `attempt ${i}`).toBe(true);
      expect(resultOf(i).text, `attempt ${i}`).toMatch(/outside the project/);
    }
    for (const i of [8, 9, 10]) {
      expect(resultOf(i).isError, `attempt ${i}`).toBe(true);
      expect(resultOf(i).text, `attempt ${i}`).toMatch(/command refused/);
    }
    expect(resultOf(12).text).toContain('token: ENOENT');
    expect(resultOf(12).text).toContain('token length 0');
    for (const r of results) expect(r.text).not.toContain(token);

    // Nothing changed: settings, the project's settings, the registry, autocoder's home, the project.
    expect(await (await fetch(`${base}/api/settings`, { headers: auth })).text()).toBe(settingsBefore);
    expect(await (await fetch(`${base}/api/projects/notes/settings`, { headers: auth })).text()).toBe(
      projectSettingsBefore,
    );
    const reg = openRegistry(env);
    try {
      expect(reg.registry.list().map((p) => p.name)).toEqual(['notes']);
    } finally {
      reg.close();
    }
    expect(readFileSync(tokenPath, 'utf8').trim()).toBe(token);
    const homeAfter = fingerprint(autocoderHome);
    expect(Object.keys(homeAfter).filter((f) => !f.includes('registry.db'))).toEqual(
      Object.keys(homeBefore).filter((f) => !f.includes('registry.db')),
    );
    expect(existsSync(join(dir, '.autocoder', 'autocoder.db'))).toBe(true);
  });
});
