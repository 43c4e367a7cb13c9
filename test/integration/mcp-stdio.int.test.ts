import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import { DESCRIPTIONS } from '../../src/mcp/tool-descriptions.js';
import { type CallResult, toCallResult } from '../support/mcp-client.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

// Runs the real CLI in child processes (each start takes seconds under tsx on a loaded machine), several per test.
vi.setConfig({ testTimeout: 120_000 });

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'autocoder.js');
/** Every child starts through tsx on a busy 2-core machine: give the whole flow room. */
const SLOW = { timeout: 120_000 };

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI as a child process and resolves when it has exited. */
function runCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function runCliOk(args: readonly string[], env: Record<string, string>): Promise<string> {
  const res = await runCli(args, env);
  if (res.code !== 0)
    throw new Error(`autocoder ${args.join(' ')} exited with ${String(res.code)}: ${res.stderr}${res.stdout}`);
  return res.stdout;
}

interface StdioSession {
  readonly client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<CallResult>;
  /** Closes the client and resolves once the server process has exited. */
  closeAndWaitForExit(): Promise<void>;
  stderr(): string;
}

/** `autocoder mcp <project>` as a child process, driven by the SDK's stdio client. */
async function connectStdio(project: string, env: Record<string, string>): Promise<StdioSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', project],
    env,
    cwd: ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer | string) => (stderr += chunk.toString()));
  const client = new Client({ name: 'stdio-test', version: '0.0.0' });
  // The transport reports close when the child process is gone (its 'close' event).
  const exited = new Promise<void>((resolve) => {
    client.onclose = () => resolve();
  });
  try {
    await client.connect(transport);
  } catch (err: unknown) {
    throw new Error(`cannot connect to autocoder mcp: ${String(err)}\n${stderr}`, { cause: err });
  }
  return {
    client,
    call: async (name, args = {}) => toCallResult(await client.callTool({ name, arguments: args })),
    closeAndWaitForExit: async () => {
      await client.close();
      await exited;
    },
    stderr: () => stderr,
  };
}

const feature = (name: string, extra: Record<string, unknown> = {}) => ({
  category: 'core',
  name,
  description: `${name} works`,
  steps: [`open the app and check ${name}`],
  acceptance: [{ kind: 'http', path: '/', expect: { bodyIncludes: name } }],
  ...extra,
});

describe('autocoder mcp over stdio', () => {
  let home: TempDir;
  let work: TempDir;
  let env: Record<string, string>;
  let projectDir: string;
  let open: StdioSession[];

  const connect = async (project: string): Promise<StdioSession> => {
    const s = await connectStdio(project, env);
    open.push(s);
    return s;
  };

  const okCall = async (s: StdioSession, name: string, args: Record<string, unknown> = {}) => {
    const r = await s.call(name, args);
    if (r.isError) throw new Error(`${name} failed: ${r.text}\nserver stderr: ${s.stderr()}`);
    return r.json();
  };

  beforeEach(async () => {
    home = makeTempDir('autocoder-home-');
    work = makeTempDir('autocoder-work-');
    projectDir = join(work.dir, 'demo');
    env = {
      PATH: process.env.PATH ?? '',
      HOME: home.dir,
      AUTOCODER_HOME: home.dir,
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    };
    open = [];
    const created = await runCliOk(['new', 'demo', '--dir', projectDir], env);
    expect(created).toContain('Created project demo');
  }, SLOW.timeout);

  afterEach(async () => {
    for (const s of open) await s.closeAndWaitForExit();
    home.cleanup();
    work.cleanup();
  }, SLOW.timeout);

  it(
    'serves every tool: bulk create with a dependency, claim, mark passing, seen by `status --json`',
    SLOW,
    async () => {
      const s = await connect('demo');
      const { tools } = await s.client.listTools();
      // supervisor_answer is served to the runner's supervisor sessions only.
      expect(tools.map((t) => t.name).sort()).toEqual(
        Object.keys(DESCRIPTIONS)
          .filter((n) => n !== 'supervisor_answer')
          .sort(),
      );
      expect(s.client.getServerVersion()?.name).toBe('features');

      const created = await okCall(s, 'feature_create_bulk', {
        features: [
          feature('sign up'),
          feature('log in', { depends_on_indices: [0] }),
          feature('profile page', { priority: 5 }),
        ],
      });
      expect(created).toEqual({ created: 3, ids: [1, 2, 3], with_dependencies: 1 });
      // The frozen checks are exported read-only in the project at once.
      const exported = join(projectDir, '.autocoder', 'acceptance', 'feature-2.json');
      expect(JSON.parse(readFileSync(exported, 'utf8'))).toMatchObject({
        featureId: 2,
        acceptance: [{ kind: 'http', method: 'GET', path: '/', expect: { bodyIncludes: 'log in' } }],
      });
      expect(statSync(exported).mode & 0o777).toBe(0o444);

      const blocked = await okCall(s, 'feature_get_blocked');
      expect(blocked.features.map((f: { id: number; blocked_by: number[] }) => [f.id, f.blocked_by])).toEqual([
        [2, [1]],
      ]);

      const claimed = await okCall(s, 'feature_claim_next');
      expect(claimed).toMatchObject({ claimed: true, feature: { id: 1, status: 'in_progress', attempts: 1 } });

      const during = JSON.parse(await runCliOk(['status', 'demo', '--json'], env)) as Record<string, number>;
      expect(during).toMatchObject({ total: 3, in_progress: 1, passing: 0 });

      const passed = await okCall(s, 'feature_mark_passing', {
        feature_id: 1,
        evidence: 'signed up as a@b.c in the browser',
      });
      expect(passed).toMatchObject({ id: 1, status: 'passing' });

      const status = JSON.parse(await runCliOk(['status', 'demo', '--json'], env)) as Record<string, unknown>;
      expect(status).toEqual({
        total: 3,
        passing: 1,
        in_progress: 0,
        needs_input: 0,
        failed: 0,
        pending: 2,
        percentage: 33.3,
        // Marked passing by a bare MCP client (no runner, no gate): passing, but not verified.
        verified: 0,
        // No run ever ran.
        run: {
          status: 'stopped',
          runId: null,
          pid: null,
          startedAt: null,
          pauseRequested: false,
          lastOutcome: null,
          workers: null,
        },
      });

      // The dependent is ready now and is next.
      expect(await okCall(s, 'feature_get_next')).toMatchObject({ id: 2, dependencies: [1] });

      const bad = await s.call('feature_mark_passing', { feature_id: 'one' });
      expect(bad.isError).toBe(true);
    },
  );

  it('releases the claims of a client that disconnects, before the server process exits', SLOW, async () => {
    const s = await connect('demo');
    await okCall(s, 'feature_create_bulk', { features: [feature('a'), feature('b')] });
    expect(await okCall(s, 'feature_claim_next')).toMatchObject({
      feature: { id: 1, status: 'in_progress', attempts: 1 },
    });

    open = [];
    await s.closeAndWaitForExit();

    const store = openProjectStore(projectPaths(projectDir), { create: false });
    try {
      const f = store.features.get(1);
      expect(f).toMatchObject({ status: 'pending', attempts: 0, claimedBy: null, leaseExpiresAt: null });
      expect(f.notes).toContain('the MCP client disconnected');
      expect(store.features.get(2).status).toBe('pending');
      expect(store.features.stats()).toMatchObject({ total: 2, pending: 2, in_progress: 0 });
    } finally {
      store.close();
    }
  });

  it('a second server process sees what the first one wrote and cannot finish its claim', SLOW, async () => {
    const first = await connect('demo');
    await okCall(first, 'feature_create_bulk', { features: [feature('a'), feature('b')] });
    await okCall(first, 'feature_claim_next');

    const second = await connect(projectDir);
    const stolen = await second.call('feature_mark_passing', { feature_id: 1 });
    expect(stolen.isError).toBe(true);
    expect(stolen.text).toContain('claimed by another session');
    expect(await okCall(second, 'feature_claim_next')).toMatchObject({ feature: { id: 2 } });
    expect(await okCall(first, 'feature_get_stats')).toMatchObject({ total: 2, in_progress: 2, ready: 0 });
  });

  it('masks secrets humans answered in every tool argument before it is stored, as a run does', SLOW, async () => {
    const secret = 'sk_stdio_P3rT8vW1xQ6z';
    const s = await connect('demo');
    await okCall(s, 'feature_create_bulk', { features: [feature('a'), feature('b')] });
    await okCall(s, 'feature_claim_next');
    const asked = await okCall(s, 'feature_request_human_input', {
      feature_id: 1,
      prompt: 'need the key',
      fields: [{ id: 'api_key', label: 'API key', type: 'secret' }],
    });
    const answered = await runCli(['answer', 'demo', asked.request_id as string, '--field', `api_key=${secret}`], env);
    expect(answered.code, answered.stderr).toBe(0);
    // The answered feature comes back first in line.
    expect(await okCall(s, 'feature_claim_next')).toMatchObject({ feature: { id: 1 } });
    // A careless client quotes the secret in a note: stored masked.
    await okCall(s, 'feature_mark_failing', { feature_id: 1, reason: `the call with API_KEY=${secret} timed out` });
    const store = openProjectStore(projectPaths(projectDir), { create: false });
    try {
      expect(store.features.get(1).notes).toContain('API_KEY=«redacted» timed out');
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      expect(readFileSync(join(projectDir, '.autocoder', 'autocoder.db')).toString('latin1')).not.toContain(secret);
    } finally {
      store.close();
    }
  });
});
