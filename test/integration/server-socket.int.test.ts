import { request } from 'node:http';
import type { Socket } from 'node:net';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import type { NewEvent } from '../../src/db/ports.js';
import { openProjectStore, openRegistry } from '../../src/db/stores.js';
import { createProject } from '../../src/projects/projects.js';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import { tokenFile } from '../../src/server/server-token.js';
import { WS_TOKEN_PROTOCOL_PREFIX } from '../../src/shared/events.js';
import { waitFor } from '../support/wait-for.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { isType, openSocket, type TestSocket } from '../support/ws-client.js';

// Starts real servers, git repositories or jails: slower than a unit test on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });

let tmp: TempDir;
let env: Record<string, string>;
let server: RunningServer | undefined;
const sockets: TestSocket[] = [];

beforeEach(() => {
  tmp = makeTempDir('ac-server-');
  env = {
    AUTOCODER_HOME: join(tmp.dir, 'home'),
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: tmp.dir,
    PATH: process.env.PATH ?? '',
  };
});

afterEach(async () => {
  for (const s of sockets.splice(0)) await s.close();
  await server?.close();
  server = undefined;
  tmp.cleanup();
});

function newProject(name: string): string {
  const reg = openRegistry(env);
  try {
    return createProject(reg.registry, { name, dir: join(tmp.dir, name), cwd: tmp.dir, env }).path;
  } finally {
    reg.close();
  }
}

async function start(host = '127.0.0.1', heartbeatMs?: number): Promise<RunningServer> {
  server = await startServer({
    env,
    cwd: tmp.dir,
    host,
    port: 0,
    launchRunner: () => ({ pid: -1 }),
    ...(heartbeatMs !== undefined ? { heartbeatMs } : {}),
  });
  return server;
}

/** The server's token as a header (every upgrade needs it, loopback included). */
const auth = (): Record<string, string> => ({ Authorization: `Bearer ${server!.token}` });

/** Opens a socket with the token unless `headers` or `protocols` are given (then exactly those are sent). */
async function connect(path: string, headers?: Record<string, string>, protocols?: string[]): Promise<TestSocket> {
  const s = await openSocket(`ws://127.0.0.1:${server!.port}${path}`, {
    headers: headers ?? (protocols ? {} : auth()),
    ...(protocols ? { protocols } : {}),
  });
  sockets.push(s);
  return s;
}

function rawGet(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; csp: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          csp: res.headers['content-security-policy'] as string | undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function refusal(p: Promise<unknown>): Promise<number> {
  return p.then(
    () => {
      throw new Error('the upgrade was accepted');
    },
    (err: { statusCode?: number }) => err.statusCode ?? -1,
  );
}

/** A plain event about the project (no feature, run or session): delivered as an `event` message. */
const tick = (n: number): NewEvent => ({ type: 'settings.updated', at: Date.now(), payload: { keys: [`tick-${n}`] } });

describe('server sockets: guards, live events, resume', () => {
  it('refuses a foreign Host header (DNS rebinding) with 403', async () => {
    const { port } = await start();
    const evil = await rawGet(port, '/api/health', { Host: `evil.example:${port}` });
    expect(evil.status).toBe(403);
    expect(evil.body).toContain('FORBIDDEN_HOST');
    const ok = await rawGet(port, '/api/health', { Host: `localhost:${port}` });
    expect(ok.status).toBe(200);
  });

  it('says honestly on / when the UI is not built, and lists the API', async () => {
    const emptyUiDir = join(tmp.dir, 'no-ui');
    mkdirSync(emptyUiDir);
    server = await startServer({
      env,
      cwd: tmp.dir,
      host: '127.0.0.1',
      port: 0,
      launchRunner: () => ({ pid: -1 }),
      uiDir: emptyUiDir,
    });
    const page = await rawGet(server.port, '/', { Host: `127.0.0.1:${server.port}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('not built yet');
    expect(page.body).toContain('/api/projects/:name/agent/start');
  });

  it('serves the built UI on / and deep links (SPA fallback), with the CSP header', async () => {
    const { port } = await start();
    for (const path of ['/', '/projects/alpha/board']) {
      const page = await rawGet(port, path, { Host: `127.0.0.1:${port}` });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<div id="root"></div>');
      expect(page.csp).toMatch(/default-src 'self'/);
    }
  });

  it('refuses WebSocket upgrades from a foreign Origin or a foreign Host, accepts its own Origin', async () => {
    newProject('alpha');
    const { port } = await start();
    expect(
      await refusal(
        openSocket(`ws://127.0.0.1:${port}/ws/projects/alpha`, {
          headers: { ...auth(), Origin: 'http://evil.example' },
        }),
      ),
    ).toBe(403);
    expect(
      await refusal(
        openSocket(`ws://127.0.0.1:${port}/ws/projects/alpha`, {
          headers: { ...auth(), Host: `evil.example:${port}` },
        }),
      ),
    ).toBe(403);
    const s = await connect('/ws/projects/alpha', { ...auth(), Origin: `http://localhost:${port}` });
    const snapshot = await s.next(isType('snapshot'));
    expect(snapshot.progress).toMatchObject({ total: 0, passing: 0, percentage: 0 });
    expect(snapshot.run.status).toBe('stopped');
    expect(snapshot.lastEventId).toBe(0); // a new project has no events yet
    s.ws.send(JSON.stringify({ type: 'ping' }));
    await s.next(isType('pong'));
  });

  it('refuses an unknown project and a malformed since', async () => {
    newProject('alpha');
    await start();
    expect(await refusal(connect('/ws/projects/nope'))).toBe(404);
    expect(await refusal(connect('/ws/projects/alpha?since=abc'))).toBe(400);
    expect(await refusal(connect('/ws/elsewhere'))).toBe(404);
  });

  it('streams new events live, and a client resuming with ?since= gets exactly what it missed', async () => {
    const root = newProject('alpha');
    await start();
    const store = openProjectStore(projectPaths(root), { create: false });
    try {
      const first = await connect('/ws/projects/alpha');
      const snapshot = await first.next(isType('snapshot'));
      const live = [1, 2, 3].map((n) => store.events.append(tick(n)));
      await first.until(
        () => first.received.some((r) => r.message.type === 'event' && r.message.id === live[2]),
        5000,
        'the live events',
      );
      const firstIds = first.received.flatMap((r) => (r.message.type === 'event' ? [r.message.id] : []));
      expect(firstIds).toEqual(live);
      expect(live[0]).toBe(snapshot.lastEventId + 1);
      await first.close();

      // While disconnected: plain events, a feature change (two messages with one id), a log line.
      const missed = [store.events.append(tick(4))];
      store.features.create({ category: 'core', name: 'Login', description: 'd', steps: ['s'] });
      missed.push((store.db.prepare('SELECT MAX(id) AS id FROM events').get() as { id: number }).id);
      missed.push(
        store.events.append({
          type: 'session.log',
          at: Date.now(),
          sessionId: 's1',
          slot: 0,
          featureId: 1,
          payload: { kind: 'text', text: 'planning the login form' },
        }),
      );
      missed.push(store.events.append(tick(5)));

      const second = await connect(`/ws/projects/alpha?since=${live[2]}`);
      const resumed = await second.next(isType('snapshot'));
      expect(resumed.lastEventId).toBe(missed[3]);
      expect(resumed.progress.total).toBe(1);
      const after = [store.events.append(tick(6))];
      await second.until(
        () => second.received.some((r) => 'id' in r.message && r.message.id === after[0]),
        5000,
        'the live event after resuming',
      );

      const stream = second.received.slice(1).map((r) => r.message);
      expect(stream.map((m) => `${'id' in m ? m.id : '-'}:${m.type}`)).toEqual([
        `${missed[0]}:event`,
        `${missed[1]}:feature_update`,
        `${missed[1]}:progress`,
        `${missed[2]}:agent_update`,
        `${missed[2]}:log`,
        `${missed[3]}:event`,
        `${after[0]}:event`,
      ]);
      expect(stream[1]).toMatchObject({
        type: 'feature_update',
        featureId: 1,
        eventType: 'feature.created',
        name: 'Login',
        status: 'pending',
      });
      expect(stream[3]).toMatchObject({
        type: 'agent_update',
        state: 'thinking',
        thought: 'planning the login form',
        sessionId: 's1',
      });
      expect(stream[4]).toMatchObject({ type: 'log', kind: 'text', text: 'planning the login form' });
    } finally {
      store.close();
    }
  });

  it('delivers a row it cannot read (an unknown type, or a payload that does not fit its type) as an unknown event, and goes on', async () => {
    const root = newProject('alpha');
    await start();
    const store = openProjectStore(projectPaths(root), { create: false });
    try {
      const client = await connect('/ws/projects/alpha');
      await client.next(isType('snapshot'));
      // What an older or newer autocoder may have written: bypasses the typed append on purpose.
      const insert = store.db.prepare(`INSERT INTO events (at, type, payload) VALUES (?, ?, ?)`);
      const newer = Number(
        insert.run(Date.now(), 'review.finding', JSON.stringify({ severity: 'warning' })).lastInsertRowid,
      );
      const older = Number(
        insert.run(Date.now(), 'feature.passed', JSON.stringify({ status: 'done' })).lastInsertRowid,
      );
      const fine = store.events.append(tick(7));
      await client.until(
        () => client.received.some((r) => r.message.type === 'event' && r.message.id === fine),
        5000,
        'the event after the unreadable ones',
      );
      const events = client.received.flatMap((r) => (r.message.type === 'event' ? [r.message] : []));
      expect(events.map((e) => [e.id, e.eventType, e.storedType ?? null])).toEqual([
        [newer, 'unknown', 'review.finding'],
        [older, 'unknown', 'feature.passed'],
        [fine, 'settings.updated', null],
      ]);
      expect(events[0]).toMatchObject({
        payload: { severity: 'warning' },
        problem: '"review.finding" is not an event type this version of autocoder knows',
      });
      expect(events[1]?.problem).toMatch(/^its payload does not match "feature\.passed": status: /);
    } finally {
      store.close();
    }
  });

  it('cuts off a client that stops answering heartbeat pings, keeps one that answers', async () => {
    newProject('alpha');
    const { port } = await start('127.0.0.1', 100);
    const silent = await openSocket(`ws://127.0.0.1:${port}/ws/projects/alpha`, { headers: auth(), autoPong: false });
    sockets.push(silent);
    const healthy = await connect('/ws/projects/alpha');
    const closed = await Promise.race([
      silent.closed,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000)),
    ]);
    expect(closed?.code).toBe(1006); // terminated without a close frame
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
    healthy.ws.send(JSON.stringify({ type: 'ping' }));
    await healthy.next(isType('pong'));
  });

  it('closes a client that does not keep up (over 8 MB unsent) with 1013', async () => {
    const root = newProject('alpha');
    await start();
    const slow = await connect('/ws/projects/alpha');
    await slow.next(isType('snapshot'));
    (slow.ws as unknown as { _socket: Socket })._socket.pause(); // stops reading: the server's buffer grows
    const store = openProjectStore(projectPaths(root), { create: false });
    try {
      const blob = 'x'.repeat(256 * 1024);
      for (let i = 0; i < 100; i += 1)
        store.events.append({ type: 'settings.updated', at: Date.now(), payload: { keys: [blob] } });
    } finally {
      store.close();
    }
    expect(server!.wsClients()).toBe(1);
    await waitFor(() => server!.wsClients() === 0, 4000, 'the server to give up on the slow client');
    (slow.ws as unknown as { _socket: Socket })._socket.resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(1013);
  });

  it('bound beyond loopback, the same install token (file mode 0600) guards the API and the socket; health stays open', async () => {
    newProject('alpha');
    const { port, token, tokenCreated } = await start('0.0.0.0');
    expect(tokenCreated).toBe(true);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(tokenFile(env)).mode & 0o777).toBe(0o600);
    const host = { Host: `127.0.0.1:${port}` };
    expect((await rawGet(port, '/api/projects', host)).status).toBe(401);
    expect((await rawGet(port, '/api/projects', { ...host, Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await rawGet(port, '/api/projects', { ...host, Authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await rawGet(port, '/api/health', host)).status).toBe(200);

    expect(await refusal(connect('/ws/projects/alpha', {}))).toBe(401);
    expect(await refusal(connect(`/ws/projects/alpha?token=${token}`, {}))).toBe(401);
    const viaHeader = await connect('/ws/projects/alpha', { Authorization: `Bearer ${token}` });
    await viaHeader.next(isType('snapshot'));
    const viaProtocol = await connect('/ws/projects/alpha', {}, [`${WS_TOKEN_PROTOCOL_PREFIX}${token}`]);
    await viaProtocol.next(isType('snapshot'));

    // The token survives restarts.
    await server!.close();
    const again = await start('0.0.0.0');
    expect(again.token).toBe(token);
    expect(again.tokenCreated).toBe(false);
  });
});
