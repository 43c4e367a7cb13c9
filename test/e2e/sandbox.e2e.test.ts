import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync } from '../support/cli-process.js';
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
