import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentTestEnv } from '../support/agent-env.js';
import { cli, cliAsync } from '../support/cli-process.js';
import { assignedFeature, codingSession, initializerSession, reply, roleScript, SAMPLE_FEATURES, sequence, startScriptedModelServer, type ScriptedModelServer } from '../support/fake-anthropic/index.js';
import { createSampleProject } from '../support/sample-project.js';

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-sandbox-'));
});
afterEach(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

/**
 * Feature #1's session tries to leave the project two ways: a script it wrote (which the
 * command policy cannot judge: `node <script>` is allowed) and the Write tool.
 */
async function runEscapeAttempt(sandbox: 'on' | 'off') {
  const outsideByScript = join(root, 'outside-by-script.txt');
  const outsideByWrite = join(root, 'outside-by-write.txt');
  const coding = codingSession();
  const escape = sequence([
    () => reply().tool('Write', { file_path: 'escape.js', content: `require('node:fs').writeFileSync(${JSON.stringify(outsideByScript)}, 'escaped');\n` }),
    () => reply().tool('Bash', { command: 'node escape.js' }),
    () => reply().tool('Write', { file_path: outsideByWrite, content: 'escaped' }),
    () => reply().tool('Bash', { command: 'rm escape.js' }),
    ...[0, 1, 2, 3].map((i) => (c: Parameters<typeof coding>[0]) => coding({ ...c, turn: i })),
  ]);
  server = await startScriptedModelServer(roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: (c) => (assignedFeature(c) === 1 ? escape(c) : coding(c)) }));
  const env = agentTestEnv(root, server.url);
  createSampleProject(root, env);
  const run = await cliAsync(['run', 'notes', '--sandbox', sandbox], env);
  const results = server.requests.flatMap((r) => r.lastToolResults);
  return {
    run,
    scriptResult: results.find((r) => r.input.command === 'node escape.js'),
    writeResult: results.find((r) => r.name === 'Write' && r.input.file_path === outsideByWrite),
    escapedByScript: existsSync(outsideByScript),
    escapedByWrite: existsSync(outsideByWrite),
  };
}

describe('containment of agent commands', () => {
  it('with --sandbox on, a script the agent wrote cannot write outside the project, and Write outside is refused', async () => {
    const r = await runEscapeAttempt('on');
    expect(r.run.stdout).toContain('All 4 features pass.');
    expect(r.run.status).toBe(0);
    expect(r.scriptResult?.isError).toBe(true);
    expect(r.scriptResult?.text).toMatch(/read-only file system|EROFS/i);
    expect(r.escapedByScript).toBe(false);
    expect(r.writeResult?.isError).toBe(true);
    expect(r.writeResult?.text).toMatch(/outside the project/i);
    expect(r.escapedByWrite).toBe(false);
  });

  it('with --sandbox off only the Write guard holds: the script escapes (why unattended runs want the sandbox)', async () => {
    const r = await runEscapeAttempt('off');
    expect(r.run.status).toBe(0);
    expect(r.scriptResult?.isError).toBe(false);
    expect(r.escapedByScript).toBe(true);
    expect(r.writeResult?.isError).toBe(true);
    expect(r.escapedByWrite).toBe(false);
  });
});

/**
 * Feature #1's session runs a script that reads what only autocoder and the user may read: the
 * server token in $AUTOCODER_HOME, a key under the user's ~/.ssh, Claude Code's config folder and
 * another registered project. The command policy cannot judge what `node peek.js` does; the OS
 * sandbox's read-deny list must.
 */
describe('what sandboxed agent commands cannot read', () => {
  it("a project's .env cannot switch the sandbox off: AUTOCODER_SANDBOX=off there is ignored, the user's setting holds and the run says so", async () => {
    const coding = codingSession();
    const outside = join(root, 'outside-by-script.txt');
    const escape = sequence([
      () => reply().tool('Write', { file_path: 'escape.js', content: `require('node:fs').writeFileSync(${JSON.stringify(outside)}, 'escaped');\n` }),
      () => reply().tool('Bash', { command: 'node escape.js' }),
      () => reply().tool('Bash', { command: 'rm escape.js' }),
      ...[0, 1, 2, 3].map((i) => (c: Parameters<typeof coding>[0]) => coding({ ...c, turn: i })),
    ]);
    server = await startScriptedModelServer(roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: (c) => (assignedFeature(c) === 1 ? escape(c) : coding(c)) }));
    const env = agentTestEnv(root, server.url);
    const { dir } = createSampleProject(root, env);
    expect(cli(['config', 'set', 'defaultSandbox', 'on'], env).status).toBe(0);
    writeFileSync(join(dir, '.env'), 'AUTOCODER_SANDBOX=off\nAUTOCODER_BASE_URL=http://127.0.0.1:9/\nAPP_PORT=3000\n');
    const run = await cliAsync(['run', 'notes'], env);
    expect(run.stdout).toContain('All 4 features pass.');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Security: sandbox on (user settings) · browser checks on (default) · extra commands: none');
    expect(run.stderr).toContain("Ignored AUTOCODER_BASE_URL, AUTOCODER_SANDBOX in the project's .env: that file is the app's environment, not autocoder's settings.");
    const script = server.requests.flatMap((r) => r.lastToolResults).find((r) => r.input.command === 'node escape.js');
    expect(script?.text).toMatch(/read-only file system|EROFS/i);
    expect(existsSync(outside)).toBe(false);
  });

  it('a script the agent wrote cannot read the server token, ~/.ssh, Claude Code config or another project', async () => {
    const coding = codingSession();
    const env0 = agentTestEnv(root, 'http://127.0.0.1:1');
    const token = 'f'.repeat(64);
    const secrets = {
      token: join(env0.AUTOCODER_HOME as string, 'server-token'),
      ssh: join(env0.HOME as string, '.ssh', 'id_ed25519'),
      claude: join(env0.CLAUDE_CONFIG_DIR as string, '.credentials.json'),
      other: join(root, 'other-project', 'secret.txt'),
    };
    const contents = { token, ssh: 'PRIVATE-KEY-MATERIAL-0123456789', claude: 'CLAUDE-CREDENTIALS-0123456789', other: 'OTHER-PROJECT-SECRET-0123456789' };
    for (const [k, file] of Object.entries(secrets)) {
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, contents[k as keyof typeof contents]);
    }
    const peek = `const fs = require('node:fs');\nfor (const f of ${JSON.stringify(Object.values(secrets))}) { let r; try { r = 'READ:' + fs.readFileSync(f, 'utf8'); } catch (e) { r = 'ERR:' + e.code; } console.log(f, r); }\n`;
    const peekSession = sequence([
      () => reply().tool('Write', { file_path: 'peek.js', content: peek }),
      () => reply().tool('Bash', { command: 'node peek.js' }),
      () => reply().tool('Bash', { command: 'rm peek.js' }),
      ...[0, 1, 2, 3].map((i) => (c: Parameters<typeof coding>[0]) => coding({ ...c, turn: i })),
    ]);
    server = await startScriptedModelServer(roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: (c) => (assignedFeature(c) === 1 ? peekSession(c) : coding(c)) }));
    const env = agentTestEnv(root, server.url);
    createSampleProject(root, env);
    expect(cli(['import', 'other', join(root, 'other-project')], env).status).toBe(0);
    const run = await cliAsync(['run', 'notes', '--sandbox', 'on'], env);
    expect(run.stdout).toContain('All 4 features pass.');
    const result = server.requests.flatMap((r) => r.lastToolResults).find((r) => r.input.command === 'node peek.js');
    expect(result).toBeDefined();
    for (const file of Object.values(secrets)) expect(result?.text).toContain(file);
    for (const secret of Object.values(contents)) expect(result?.text).not.toContain(secret);
    expect(result?.text).not.toContain('READ:');
  });
});
