import { request } from 'node:http';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openRegistry } from '../../src/db/stores.js';
import { createProject } from '../../src/projects/projects.js';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import { tokenFile } from '../../src/server/server-token.js';
import { WS_TOKEN_PROTOCOL_PREFIX } from '../../src/shared/events.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { isType, openSocket, type TestSocket } from '../support/ws-client.js';

// Starts real servers, git repositories or jails: slower than a unit test on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });

/**
 * Issue #14, item 1: an agent's `curl` reaches loopback, so a loopback request without the
 * server token (and without an Origin, as curl sends none) must change and reveal nothing.
 */

let tmp: TempDir;
let env: Record<string, string>;
let server: RunningServer | undefined;
const sockets: TestSocket[] = [];

beforeEach(() => {
  tmp = makeTempDir('ac-token-');
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

async function start(token?: string): Promise<RunningServer> {
  server = await startServer({
    env,
    cwd: tmp.dir,
    host: '127.0.0.1',
    port: 0,
    launchRunner: () => ({ pid: -1 }),
    ...(token !== undefined ? { token } : {}),
  });
  return server;
}

function newProject(name: string): string {
  const reg = openRegistry(env);
  try {
    return createProject(reg.registry, { name, dir: join(tmp.dir, name), cwd: tmp.dir, env }).path;
  } finally {
    reg.close();
  }
}

/** A request as curl sends it: loopback Host, no Origin, JSON body when given. */
function curl(
  method: string,
  path: string,
  options: { body?: unknown; authorization?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const text = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${server!.port}` };
    if (text !== undefined)
      Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    if (options.authorization !== undefined) headers.authorization = options.authorization;
    const req = request({ host: '127.0.0.1', port: server!.port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

const bearer = (token: string) => `Bearer ${token}`;

function refusal(p: Promise<unknown>): Promise<number> {
  return p.then(
    () => {
      throw new Error('the upgrade was accepted');
    },
    (err: { statusCode?: number }) => err.statusCode ?? -1,
  );
}

async function connect(
  path: string,
  options: { headers?: Record<string, string>; protocols?: string[] },
): Promise<TestSocket> {
  const s = await openSocket(`ws://127.0.0.1:${server!.port}${path}`, options);
  sockets.push(s);
  return s;
}

describe('the control plane needs its token on loopback too', () => {
  it('a loopback request without the token cannot widen the settings, import a folder, delete a project or read one (401, nothing changed)', async () => {
    const root = newProject('alpha');
    const outside = join(tmp.dir, 'outside');
    mkdirSync(outside);
    await start();

    const global = await curl('PUT', '/api/settings', {
      body: { defaultSandbox: 'off', baseUrl: 'http://127.0.0.1:9/steal', confirm: true },
    });
    expect(global.status).toBe(401);
    const project = await curl('PUT', '/api/projects/alpha/settings', {
      body: { extraCommands: ['make'], confirm: true },
    });
    expect(project.status).toBe(401);
    expect((await curl('POST', '/api/projects/import', { body: { name: 'loot', path: outside } })).status).toBe(401);
    expect((await curl('DELETE', '/api/projects/alpha?deleteFiles=true')).status).toBe(401);
    const read = await curl('GET', '/api/projects/alpha');
    expect(read.status).toBe(401);
    expect(read.body).not.toContain(root);

    // With the token, the same server shows that none of it happened.
    const auth = bearer(server!.token);
    expect(JSON.parse((await curl('GET', '/api/settings', { authorization: auth })).body)).toEqual({
      secrets: { authToken: false, apiKey: false },
    });
    expect(JSON.parse((await curl('GET', '/api/projects/alpha/settings', { authorization: auth })).body)).toEqual({
      extraCommands: [],
    });
    expect(
      JSON.parse((await curl('GET', '/api/projects', { authorization: auth })).body).projects.map(
        (p: { name: string }) => p.name,
      ),
    ).toEqual(['alpha']);
    expect(existsSync(root)).toBe(true);
  });

  it('a wrong token is refused (401), of the same length as the real one or of another length', async () => {
    await start();
    const token = server!.token;
    const sameLength = token.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect(sameLength).toHaveLength(token.length);
    for (const wrong of [sameLength, token.slice(0, 10), `${token}0`, '']) {
      expect((await curl('GET', '/api/projects', { authorization: bearer(wrong) })).status, `token "${wrong}"`).toBe(
        401,
      );
      expect(
        (await curl('PUT', '/api/settings', { authorization: bearer(wrong), body: { yolo: true, confirm: true } }))
          .status,
      ).toBe(401);
    }
    expect((await curl('GET', '/api/projects', { authorization: token })).status, 'the token without "Bearer"').toBe(
      401,
    );
    expect((await curl('GET', '/api/projects', { authorization: bearer(token) })).status).toBe(200);
    expect(
      (await curl('GET', '/api/projects', { authorization: `bearer   ${token}` })).status,
      'the scheme is case-insensitive',
    ).toBe(200);
  });

  it('a 401 says where the token is and how to open the UI, with a Bearer challenge', async () => {
    await start();
    const res = await curl('GET', '/api/projects');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="autocoder"');
    const body = JSON.parse(res.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('UNAUTHORIZED');
    expect(body.error.message).toContain(tokenFile(env));
    expect(body.error.message).toContain(`http://127.0.0.1:${server!.port}/#token=`);
    expect(body.error.message).toContain('Authorization: Bearer <token>');
    expect(res.body).not.toContain(server!.token);
  });

  it('health and the web UI load without the token; every other /api route and an encoded /api path need it', async () => {
    await start();
    const health = await curl('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'healthy' });
    expect((await curl('POST', '/api/health')).status).toBe(401);
    expect((await curl('GET', '/api/openapi.json')).status).toBe(401);
    expect((await curl('GET', '/api/settings/changes')).status).toBe(401);
    expect((await curl('GET', '/api/filesystem/list')).status).toBe(401);
    // Percent-encoding does not slip an API path past the check.
    expect((await curl('PUT', '/%61pi/settings', { body: { yolo: true, confirm: true } })).status).toBe(401);
    expect((await curl('GET', '/%61pi/projects')).status).toBe(401);
    // The page itself must load without it: it reads the token from #token=.
    expect((await curl('GET', '/projects/alpha/board')).status).not.toBe(401);
  });

  it('the WebSocket upgrade without the token or with a wrong one is refused (401); the right one works by header or subprotocol', async () => {
    newProject('alpha');
    await start();
    const token = server!.token;
    const wrong = token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    expect(await refusal(connect('/ws/projects/alpha', {}))).toBe(401);
    expect(await refusal(connect('/ws/projects/alpha', { headers: { Authorization: bearer(wrong) } }))).toBe(401);
    expect(await refusal(connect('/ws/projects/alpha', { protocols: [`${WS_TOKEN_PROTOCOL_PREFIX}${wrong}`] }))).toBe(
      401,
    );
    expect(
      await refusal(connect('/ws/projects/alpha', { protocols: [`${WS_TOKEN_PROTOCOL_PREFIX}${token.slice(0, 8)}`] })),
    ).toBe(401);
    // The spec chat socket is behind the same check.
    expect(await refusal(connect('/ws/projects/alpha/spec', {}))).toBe(401);
    const viaHeader = await connect('/ws/projects/alpha', { headers: { Authorization: bearer(token) } });
    await viaHeader.next(isType('snapshot'));
    const viaProtocol = await connect('/ws/projects/alpha', {
      protocols: [`${WS_TOKEN_PROTOCOL_PREFIX}${token}`],
      headers: { Origin: `http://127.0.0.1:${server!.port}` },
    });
    await viaProtocol.next(isType('snapshot'));
  });
});

describe('the token file', () => {
  it('is created 0600 on the first start on loopback, kept across restarts, and backs uiUrl', async () => {
    const first = await start();
    expect(first.token).toMatch(/^[0-9a-f]{64}$/);
    expect(first.tokenCreated).toBe(true);
    expect(statSync(tokenFile(env)).mode & 0o777).toBe(0o600);
    expect(readFileSync(tokenFile(env), 'utf8').trim()).toBe(first.token);
    expect(first.uiUrl).toBe(`http://127.0.0.1:${first.port}/#token=${first.token}`);
    await first.close();
    const second = await start();
    expect(second.token).toBe(first.token);
    expect(second.tokenCreated).toBe(false);
  });

  it('readable by others, is set back to 0600 at start', async () => {
    mkdirSync(env.AUTOCODER_HOME!, { recursive: true });
    const token = 'c'.repeat(64);
    writeFileSync(tokenFile(env), `${token}\n`);
    chmodSync(tokenFile(env), 0o644);
    const s = await start();
    expect(s.token).toBe(token);
    expect(statSync(tokenFile(env)).mode & 0o777).toBe(0o600);
  });

  it('refuses to start with a clear error when the file is not a token or is a symbolic link', async () => {
    mkdirSync(env.AUTOCODER_HOME!, { recursive: true });
    writeFileSync(tokenFile(env), 'short\n', { mode: 0o600 });
    await expect(start()).rejects.toThrow(/does not hold a server token.*remove it/);
    const elsewhere = join(tmp.dir, 'elsewhere');
    writeFileSync(elsewhere, `${'d'.repeat(64)}\n`, { mode: 0o600 });
    rmSync(tokenFile(env));
    symlinkSync(elsewhere, tokenFile(env));
    await expect(start()).rejects.toThrow(/symbolic link/);
  });

  it('a token given in the options wins over the file (tests); a malformed one is refused', async () => {
    const given = 'e'.repeat(64);
    const s = await start(given);
    expect(s.token).toBe(given);
    expect(existsSync(tokenFile(env))).toBe(false);
    expect((await curl('GET', '/api/projects', { authorization: bearer(given) })).status).toBe(200);
    await s.close();
    server = undefined;
    await expect(start('not-hex')).rejects.toThrow(/32-128 hex digits/);
  });
});
