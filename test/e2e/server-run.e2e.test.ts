import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import type { ServerMessage } from '../../src/shared/events.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync } from '../support/cli-process.js';
import {
  assignedFeature,
  codingSession,
  initializerSession,
  roleScript,
  SAMPLE_FEATURES,
  SAMPLE_SPEC,
  startScriptedModelServer,
  type Script,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { waitFor } from '../support/wait-for.js';
import { isType, openSocket, type Received, type TestSocket } from '../support/ws-client.js';
import { killIfRunning } from '../support/kill.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let model: ScriptedModelServer | undefined;
let server: RunningServer | undefined;
let runnerPid: number | undefined;
const sockets: TestSocket[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-server-run-'));
});

afterEach(async () => {
  for (const s of sockets.splice(0)) await s.close();
  await server?.close();
  server = undefined;
  if (runnerPid !== undefined) {
    killIfRunning(-runnerPid, 'SIGKILL'); // only if the test failed before the run finished
    runnerPid = undefined;
  }
  await model?.close();
  model = undefined;
  rmSync(root, { recursive: true, force: true });
});

type EventMsg = Extract<ServerMessage, { id: number }>;
const eventMessages = (received: Received[]) =>
  received.filter((r): r is Received & { message: EventMsg } => 'id' in r.message);

/**
 * Live feature_update messages: after the snapshot, not replayed. (How fast they arrive is measured by
 * bench/events.ts.)
 */
function liveUpdates(received: Received[], snapshotLastId: number) {
  return received.flatMap((r) =>
    r.message.type === 'feature_update' && r.message.id > snapshotLastId ? [r.message] : [],
  );
}

describe('autocoder serve: a run started over the API, watched over the WebSocket', () => {
  it('streams feature updates live, and survives a server restart mid-run without losing or repeating events', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const coding = codingSession();
    const script: Script = async (conv) => {
      // Feature #2 waits until the restarted server has a client again, so live updates follow.
      if (assignedFeature(conv) === 2 && conv.turn === 0) await gate;
      return roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding })(conv);
    };
    model = await startScriptedModelServer(script);
    const env = agentTestEnv(root, model.url);
    const specFile = join(root, 'spec.txt');
    writeFileSync(specFile, SAMPLE_SPEC);
    const dir = join(root, 'notes');
    const created = await cliAsync(['new', 'notes', '--dir', dir, '--spec', specFile], env);
    expect(created.status).toBe(0);

    server = await startServer({ env, cwd: root, host: '127.0.0.1', port: 0 });
    const port = server.port;
    const auth = { Authorization: `Bearer ${server.token}` };
    const first = await openSocket(`ws://127.0.0.1:${port}/ws/projects/notes`, {
      headers: { ...auth, Origin: `http://127.0.0.1:${port}` },
    });
    sockets.push(first);
    const snap1 = await first.next(isType('snapshot'));
    expect(snap1.progress.total).toBe(0);

    const started = await fetch(`http://127.0.0.1:${port}/api/projects/notes/agent/start`, {
      method: 'POST',
      headers: auth,
    });
    expect(started.status).toBe(202);
    const body = (await started.json()) as { status: string; pid: number };
    expect(body.status).toBe('starting');
    runnerPid = body.pid;

    await first.next(isType('feature_update'), 120_000);
    // Kill the server mid-run; the detached runner goes on writing events meanwhile.
    await server.close();
    await first.closed;
    const lastSeen = Math.max(...eventMessages(first.received).map((r) => r.message.id));
    // While no server runs, the initializer finishes and feature #1 passes: all of that must be replayed.
    const watch = new Database(join(dir, '.autocoder', 'autocoder.db'), { readonly: true });
    try {
      await waitFor(
        () => watch.prepare('SELECT status FROM features WHERE id = 1').pluck().get() === 'passing',
        120_000,
        'feature #1 to pass while the server is down',
      );
    } finally {
      watch.close();
    }

    server = await startServer({ env, cwd: root, host: '127.0.0.1', port });
    // The restarted server reads the same install token from $AUTOCODER_HOME/server-token.
    expect(server.token).toBe(auth.Authorization.slice('Bearer '.length));
    const second = await openSocket(`ws://127.0.0.1:${port}/ws/projects/notes?since=${lastSeen}`, { headers: auth });
    sockets.push(second);
    const snap2 = await second.next(isType('snapshot'));
    release();

    await second.until(
      () => second.received.some((r) => r.message.type === 'run_status' && r.message.eventType === 'run.finished'),
      150_000,
      'the run to finish',
    );
    const progress = second.received.filter((r) => r.message.type === 'progress').at(-1)?.message;
    expect(progress).toMatchObject({ total: 4, passing: 4, percentage: 100 });

    const db = new Database(join(dir, '.autocoder', 'autocoder.db'), { readonly: true });
    let tableIds: number[];
    try {
      tableIds = db
        .prepare('SELECT id FROM events WHERE id > ? ORDER BY id')
        .pluck()
        .all(snap1.lastEventId) as number[];
      expect(db.prepare(`SELECT count(*) FROM features WHERE status = 'passing'`).pluck().get()).toBe(4);
    } finally {
      db.close();
    }
    await second.until(
      () => eventMessages(second.received).some((r) => r.message.id === tableIds.at(-1)),
      5000,
      'the last event',
    );

    // Every event after the first snapshot arrives exactly once, in order, across both connections.
    const stream = [...eventMessages(first.received), ...eventMessages(second.received)].map((r) => r.message);
    const keys = stream.map((m) => `${m.id}:${m.type}`);
    expect(new Set(keys).size).toBe(keys.length);
    const ids = stream.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect([...new Set(ids)]).toEqual(tableIds);
    expect(snap2.lastEventId).toBeGreaterThan(lastSeen);
    const replayed = eventMessages(second.received).filter((r) => r.message.id <= snap2.lastEventId);
    expect(
      replayed.some(
        (r) => r.message.type === 'feature_update' && r.message.featureId === 1 && r.message.status === 'passing',
      ),
    ).toBe(true);

    // Feature changes arrive live (the first connection already waited for one); #2, #3 and #4 pass after the restart,
    // each once (later updates of passing features are their verifications: the run's closing regression pass); #2
    // first (the longest path), then #3 and #4 in the order of their estimates.
    const passedLive = liveUpdates(second.received, snap2.lastEventId).filter((m) => m.eventType === 'feature.passed');
    expect(passedLive[0]?.featureId).toBe(2);
    expect(passedLive.map((m) => Number(m.featureId)).sort()).toEqual([2, 3, 4]);
    const agentStates = new Set(
      second.received.flatMap((r) => (r.message.type === 'agent_update' ? [r.message.state] : [])),
    );
    expect(agentStates).toContain('working');
    expect(agentStates).toContain('success');
    runnerPid = undefined;
  }, 240_000);
});
