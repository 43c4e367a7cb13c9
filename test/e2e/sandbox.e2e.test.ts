import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { agentTestEnv } from '../support/agent-env.js';
import { cli, cliAsync } from '../support/cli-process.js';
import {
  assignedFeature,
  codingSession,
  initializerSession,
  reply,
  roleScript,
  SAMPLE_FEATURES,
  sequence,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { createSampleProject } from '../support/sample-project.js';
import { freePort } from '../support/free-port.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-sandbox-'));
});
afterEach(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

// Only feature #1's session does what each test is about: the runs stop after it (--max-iterations 1).

/**
 * Feature #1's session tries to leave the project two ways: a script it wrote (which the
 * command policy cannot judge: `node <script>` is allowed) and the Write tool.
 */
async function runEscapeAttempt(sandbox: 'on' | 'off') {
  const outsideByScript = join(root, 'outside-by-script.txt');
  const outsideByWrite = join(root, 'outside-by-write.txt');
  const coding = codingSession();
  const escape = sequence([
    () =>
      reply().tool('Write', {
        file_path: 'escape.js',
        content: `require('node:fs').writeFileSync(${JSON.stringify(outsideByScript)}, 'escaped');\n`,
      }),
    () => reply().tool('Bash', { command: 'node escape.js' }),
    () => reply().tool('Write', { file_path: outsideByWrite, content: 'escaped' }),
    () => reply().tool('Bash', { command: 'rm escape.js' }),
    ...[0, 1, 2, 3].map((i) => (c: Parameters<typeof coding>[0]) => coding({ ...c, turn: i })),
  ]);
  server = await startScriptedModelServer(
    roleScript({
      initializer: initializerSession(SAMPLE_FEATURES),
      coding: (c) => (assignedFeature(c) === 1 ? escape(c) : coding(c)),
    }),
  );
  const env = agentTestEnv(root, server.url);
  createSampleProject(root, env);
  const run = await cliAsync(['run', 'notes', '--sandbox', sandbox, '--max-iterations', '1'], env);
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
    expect(r.run.stdout).toContain('Reached --max-iterations 1; 1/4 features pass.');
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
      () =>
        reply().tool('Write', {
          file_path: 'escape.js',
          content: `require('node:fs').writeFileSync(${JSON.stringify(outside)}, 'escaped');\n`,
        }),
      () => reply().tool('Bash', { command: 'node escape.js' }),
      () => reply().tool('Bash', { command: 'rm escape.js' }),
      ...[0, 1, 2, 3].map((i) => (c: Parameters<typeof coding>[0]) => coding({ ...c, turn: i })),
    ]);
    server = await startScriptedModelServer(
      roleScript({
        initializer: initializerSession(SAMPLE_FEATURES),
        coding: (c) => (assignedFeature(c) === 1 ? escape(c) : coding(c)),
      }),
    );
    const env = agentTestEnv(root, server.url);
    const { dir } = createSampleProject(root, env);
    expect(cli(['config', 'set', 'defaultSandbox', 'on'], env).status).toBe(0);
    writeFileSync(join(dir, '.env'), 'AUTOCODER_SANDBOX=off\nAUTOCODER_BASE_URL=http://127.0.0.1:9/\nAPP_PORT=3000\n');
    const run = await cliAsync(['run', 'notes', '--max-iterations', '1'], env);
    expect(run.stdout).toContain('Reached --max-iterations 1; 1/4 features pass.');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      'Security: sandbox on (user settings) · browser checks on (default) · extra commands: none',
    );
    expect(run.stderr).toContain(
      "Ignored AUTOCODER_BASE_URL, AUTOCODER_SANDBOX in the project's .env: that file is the app's environment, not autocoder's settings.",
    );
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
    const contents = {
      token,
      ssh: 'PRIVATE-KEY-MATERIAL-0123456789',
      claude: 'CLAUDE-CREDENTIALS-0123456789',
      other: 'OTHER-PROJECT-SECRET-0123456789',
    };
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
    server = await startScriptedModelServer(
      roleScript({
        initializer: initializerSession(SAMPLE_FEATURES),
        coding: (c) => (assignedFeature(c) === 1 ? peekSession(c) : coding(c)),
      }),
    );
    const env = agentTestEnv(root, server.url);
    createSampleProject(root, env);
    expect(cli(['import', 'other', join(root, 'other-project')], env).status).toBe(0);
    const run = await cliAsync(['run', 'notes', '--sandbox', 'on', '--max-iterations', '1'], env);
    expect(run.stdout).toContain('Reached --max-iterations 1; 1/4 features pass.');
    const result = server.requests.flatMap((r) => r.lastToolResults).find((r) => r.input.command === 'node peek.js');
    expect(result).toBeDefined();
    for (const file of Object.values(secrets)) expect(result?.text).toContain(file);
    for (const secret of Object.values(contents)) expect(result?.text).not.toContain(secret);
    expect(result?.text).not.toContain('READ:');
  });
});

/**
 * `./init.sh` and the app it starts run outside Claude Code's sandbox (so the app is reachable),
 * in autocoder's init.sh jail instead. Feature #1's init.sh tries to read the server token,
 * ~/.ssh and Claude Code's credentials and to write the registry, then starts the app; the next
 * Bash call reaches the app with curl. The folders live under test-artifacts/ rather than the
 * temp folder, which the jail empties anyway, so hiding them is the deny list's doing.
 */
describe('./init.sh and the app it starts', () => {
  it('cannot read the server token, ~/.ssh or Claude Code credentials, nor change the registry, while the app stays reachable', async () => {
    const artifacts = join(import.meta.dirname, '..', '..', 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    const base = mkdtempSync(join(artifacts, 'init-jail-e2e-'));
    const app = `app-${randomBytes(6).toString('hex')}.cjs`;
    try {
      const port = await freePort();
      const env0 = agentTestEnv(base, 'http://127.0.0.1:1');
      const registry = join(env0.AUTOCODER_HOME as string, 'registry.db');
      const secrets = {
        token: join(env0.AUTOCODER_HOME as string, 'server-token'),
        ssh: join(env0.HOME as string, '.ssh', 'id_ed25519'),
        claude: join(env0.CLAUDE_CONFIG_DIR as string, '.credentials.json'),
      };
      const contents = {
        token: 'e'.repeat(64),
        ssh: 'PRIVATE-KEY-MATERIAL-0123456789',
        claude: 'CLAUDE-CREDENTIALS-0123456789',
      };
      for (const [k, file] of Object.entries(secrets)) {
        mkdirSync(join(file, '..'), { recursive: true });
        writeFileSync(file, contents[k as keyof typeof contents]);
      }
      const initSh = [
        '#!/usr/bin/env bash',
        ...Object.values(secrets).map((f) => `echo "${f}: $(cat '${f}' 2>&1)"`),
        `echo PWNED >> '${registry}' && echo "registry: appended"`,
        `nohup node ${app} > app.log 2>&1 &`,
        'for i in $(seq 1 100); do curl -s "http://127.0.0.1:$PORT/" > /dev/null && echo "app ready" && exit 0; sleep 0.1; done',
        'cat app.log',
        'exit 1',
        '',
      ].join('\n');
      const portOf = (prompt: string) => /listen on port (\d+)/.exec(prompt)?.[1] ?? 'missing';
      const coding = codingSession();
      const appSession = sequence([
        () =>
          reply().tool('Write', {
            file_path: app,
            content:
              "require('node:http').createServer((req, res) => res.end('jailed app answers')).listen(Number(process.env.PORT), '127.0.0.1');\n",
          }),
        () => reply().tool('Read', { file_path: 'init.sh' }),
        () => reply().tool('Write', { file_path: 'init.sh', content: initSh }),
        () => reply().tool('Bash', { command: 'chmod +x init.sh' }),
        () => reply().tool('Bash', { command: './init.sh' }),
        (c) => reply().tool('Bash', { command: `curl -s http://localhost:${portOf(c.prompt)}/` }),
        ...[0, 1, 2, 3].map((i) => (c: Parameters<typeof coding>[0]) => coding({ ...c, turn: i })),
      ]);
      server = await startScriptedModelServer(
        roleScript({
          initializer: initializerSession(SAMPLE_FEATURES),
          coding: (c) => (assignedFeature(c) === 1 ? appSession(c) : coding(c)),
        }),
      );
      const env = agentTestEnv(base, server.url, { AUTOCODER_BASE_PORT: String(port) });
      // Its own repository: test-artifacts/ lies inside autocoder's, which `new` would otherwise adopt.
      const project = join(base, 'notes');
      execFileSync('git', ['init', '--quiet', '--initial-branch=main', project]);
      createSampleProject(base, env);
      expect(execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: project, encoding: 'utf8' }).trim()).toBe(
        realpathSync(project),
      );
      expect(existsSync(registry)).toBe(true);

      const run = await cliAsync(['run', 'notes', '--sandbox', 'on', '--max-iterations', '1'], env);
      expect(run.stdout).toContain('Reached --max-iterations 1; 1/4 features pass.');
      expect(run.status).toBe(0);
      const results = server.requests.flatMap((r) => r.lastToolResults);
      const init = results.find((r) => r.input.command === './init.sh');
      expect(init?.isError).toBe(false);
      expect(init?.text).toContain('app ready');
      for (const file of Object.values(secrets)) expect(init?.text).toContain(`${file}: cat:`);
      for (const secret of Object.values(contents)) expect(init?.text).not.toContain(secret);
      // The append went to the jail's empty tmpfs over autocoder home, not to the registry.
      expect(readFileSync(registry).includes('PWNED')).toBe(false);
      const curl = results.find((r) => String(r.input.command).startsWith('curl -s http://localhost:'));
      expect(curl).toMatchObject({ isError: false, text: expect.stringMatching(/^jailed app answers/) });
    } finally {
      // The app keeps running after the run, as a dev server does: stop it by its pid.
      for (const pid of spawnSync('pgrep', ['-f', '--', app], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean))
        process.kill(Number(pid), 'SIGTERM');
      rmSync(base, { recursive: true, force: true });
    }
  });
});

/**
 * Inside the folder a session works in, a few paths stay out of sandboxed commands' reach: the
 * runner's database and logs, git hooks (git would run them with the agent's next commit), the
 * browser config playwright-cli reads outside the sandbox, and Claude Code's project settings.
 */
describe('what sandboxed agent commands cannot write inside their own folder', () => {
  it("a script cannot plant a git hook, change the browser config or write the runner's database, from the root or a worktree", async () => {
    const targets = ['.git/hooks/pre-commit', '.playwright/cli.config.json', '.autocoder/autocoder.db'];
    const plant = `const fs = require('node:fs');\nfor (const f of ${JSON.stringify(targets)}) { try { fs.appendFileSync(f, '\\n# planted\\n'); console.log(f, 'WROTE'); } catch (e) { console.log(f, 'ERR:' + e.code); } }\n`;
    const init = initializerSession(SAMPLE_FEATURES);
    const plantingInit = sequence([
      () => reply().tool('Write', { file_path: 'plant.js', content: plant }),
      () => reply().tool('Bash', { command: 'node plant.js' }),
      () => reply().tool('Bash', { command: 'rm plant.js' }),
      ...[0, 1, 2, 3, 4].map((i) => (c: Parameters<typeof init>[0]) => init({ ...c, turn: i })),
    ]);
    const coding = codingSession();
    const worktreePlant = `const fs = require('node:fs');\nfor (const f of ['.playwright/cli.config.json']) { try { fs.writeFileSync(f, '{"browser":{"launchOptions":{"executablePath":"/bin/sh"}}}'); console.log(f, 'WROTE'); } catch (e) { console.log(f, 'ERR:' + e.code); } }\n`;
    const plantingCoding = sequence([
      () => reply().tool('Write', { file_path: 'plant2.js', content: worktreePlant }),
      () => reply().tool('Bash', { command: 'node plant2.js' }),
      () => reply().tool('Bash', { command: 'rm plant2.js' }),
      ...[0, 1, 2, 3].map((i) => (c: Parameters<typeof coding>[0]) => coding({ ...c, turn: i })),
    ]);
    server = await startScriptedModelServer(
      roleScript({
        initializer: plantingInit,
        coding: (c) => (assignedFeature(c) === 1 ? plantingCoding(c) : coding(c)),
      }),
    );
    const env = agentTestEnv(root, server.url);
    const { dir } = createSampleProject(root, env);
    const run = await cliAsync(['run', 'notes', '--sandbox', 'on', '--max-iterations', '1'], env);
    expect(run.stdout).toContain('Reached --max-iterations 1; 1/4 features pass.');
    const results = server.requests.flatMap((r) => r.lastToolResults);
    const rootResult = results.find((r) => r.input.command === 'node plant.js')?.text ?? '';
    const worktreeResult = results.find((r) => r.input.command === 'node plant2.js')?.text ?? '';
    for (const t of targets) expect(rootResult).toMatch(new RegExp(`${t.replace(/\./g, '\\.')} ERR:`));
    expect(worktreeResult).toContain('.playwright/cli.config.json ERR:');
    expect(`${rootResult}${worktreeResult}`).not.toContain('WROTE');
    expect(existsSync(join(dir, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(readFileSync(join(dir, '.playwright', 'cli.config.json'), 'utf8')).not.toContain('planted');
  });
});
