import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/http-server.js';

let root: string;
let server: RunningServer;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'ac-body-'));
  server = await startServer({ env: { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH }, cwd: root, host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** Sends a chunked (no Content-Length) POST, the way a streaming client would. */
function chunkedPost(path: string, contentType: string, chunks: number, chunkSize: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: 'POST', headers: { host: `localhost:${server.port}`, 'content-type': contentType, 'transfer-encoding': 'chunked' } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
    const chunk = 'a'.repeat(chunkSize);
    req.write('{"name":"x","spec":"');
    for (let i = 0; i < chunks; i += 1) req.write(chunk);
    req.end('"}');
  });
}

describe('request bodies on a real socket', () => {
  it('refuses a chunked body larger than the limit, although it declares no length', async () => {
    expect(await chunkedPost('/api/projects', 'application/json', 40, 64 * 1024)).toBe(413);
  });

  it('refuses a chunked body that is not JSON', async () => {
    expect(await chunkedPost('/api/projects', 'text/plain', 1, 10)).toBe(415);
  });
});
