import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/http-server.js';

let root: string;
let server: RunningServer;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'ac-body-'));
  server = await startServer({
    env: { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH },
    cwd: root,
    host: '127.0.0.1',
    port: 0,
  });
});
afterEach(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** Sends a chunked (no Content-Length) POST, the way a streaming client would. */
function chunkedPost(path: string, contentType: string, chunks: number, chunkSize: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: 'POST',
        headers: {
          host: `localhost:${server.port}`,
          authorization: `Bearer ${server.token}`,
          'content-type': contentType,
          'transfer-encoding': 'chunked',
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err),
    );
    const chunk = 'a'.repeat(chunkSize);
    req.write('{"name":"x","spec":"');
    for (let i = 0; i < chunks; i += 1) req.write(chunk);
    req.end('"}');
  });
}

/** A raw GET, so the path reaches the server exactly as written (fetch would normalise `..`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: 'GET',
        headers: { host: `localhost:${server.port}`, authorization: `Bearer ${server.token}` },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the folder browser on a real socket', () => {
  it.each([
    '/api/filesystem/list?path=/tmp/../etc',
    '/api/filesystem/list?path=%2Ftmp%2F..%2Fetc',
    '/api/filesystem/list?path=/tmp/%252e%252e/etc',
    '/api/filesystem/list?path=%2F%2Fserver%2Fshare',
    '/api/filesystem/list?path=/tmp%00/etc',
  ])('refuses the traversal %s and lists nothing', async (path) => {
    const res = await rawGet(path);
    expect([400, 403]).toContain(res.status);
    expect(res.body).not.toContain('passwd');
  });

  it('refuses a secret folder and hides it from its parent listing', async () => {
    mkdirSync(join(root, '.ssh'));
    writeFileSync(join(root, '.ssh', 'id_rsa'), 'secret');
    const res = await rawGet(`/api/filesystem/list?path=${encodeURIComponent(join(root, '.ssh'))}`);
    expect(res.status).toBe(403);
    expect(res.body).not.toContain('id_rsa');
    const parent = await rawGet(`/api/filesystem/list?path=${encodeURIComponent(root)}&showHidden=true`);
    expect(parent.status).toBe(200);
    expect(parent.body).not.toContain('.ssh');
  });
});

describe('request bodies on a real socket', () => {
  it('refuses a chunked body larger than the limit, although it declares no length', async () => {
    expect(await chunkedPost('/api/projects', 'application/json', 40, 64 * 1024)).toBe(413);
  });

  it('refuses a chunked body that is not JSON', async () => {
    expect(await chunkedPost('/api/projects', 'text/plain', 1, 10)).toBe(415);
  });
});
