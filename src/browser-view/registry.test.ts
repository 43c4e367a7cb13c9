import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findBrowserEndpoint } from './registry.js';

/** A registry folder as playwright-cli writes it (one JSON descriptor per browser), with real unix sockets. */
let root: string;
let registry: string;
const servers: Server[] = [];

beforeEach(() => {
  root = mkdtempSync('/tmp/ac-reg-');
  registry = join(root, 'b');
  mkdirSync(registry);
  mkdirSync(join(root, 'ws'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(root, { recursive: true, force: true });
});

async function socket(name: string): Promise<string> {
  const path = join(root, `${name}.sock`);
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return path;
}

function descriptor(file: string, fields: Record<string, unknown>, mtime?: number): void {
  const body = { title: 'ac-1', workspaceDir: join(root, 'ws'), browser: { browserName: 'chromium' }, ...fields };
  writeFileSync(join(registry, file), JSON.stringify(body));
  if (mtime !== undefined) utimesSync(join(registry, file), mtime, mtime);
}

const locator = () => ({ session: 'ac-1', registry, workspace: join(root, 'ws') });

describe('findBrowserEndpoint', () => {
  it('finds the socket of the browser the session registered', async () => {
    const endpoint = await socket('mine');
    descriptor('browser@1', { endpoint });
    expect(findBrowserEndpoint(locator())).toBe(endpoint);
  });

  it('takes the newest of the session’s descriptors', async () => {
    const older = await socket('older');
    const newer = await socket('newer');
    descriptor('browser@1', { endpoint: older }, 1_000);
    descriptor('browser@2', { endpoint: newer }, 2_000);
    expect(findBrowserEndpoint(locator())).toBe(newer);
  });

  it('ignores other sessions’ browsers, other folders, other browsers and anything but a local socket', async () => {
    const endpoint = await socket('other');
    descriptor('a', { endpoint, title: 'ac-2' });
    descriptor('b', { endpoint, workspaceDir: join(root, 'elsewhere') });
    descriptor('c', { endpoint, workspaceDir: undefined });
    descriptor('d', { endpoint, browser: { browserName: 'firefox' } });
    descriptor('e', { endpoint: 'ws://127.0.0.1:9222/devtools/browser/x' });
    descriptor('f', { endpoint: 'relative.sock' });
    writeFileSync(join(root, 'plain-file'), '');
    descriptor('g', { endpoint: join(root, 'plain-file') });
    descriptor('h', { endpoint: join(root, 'gone.sock') });
    writeFileSync(join(registry, 'i'), '{ not json');
    writeFileSync(
      join(registry, 'j'),
      JSON.stringify({
        title: 'ac-1',
        endpoint,
        workspaceDir: join(root, 'ws'),
        browser: { browserName: 'chromium' },
        pad: 'x'.repeat(70_000),
      }),
    );
    mkdirSync(join(registry, 'k'));
    expect(findBrowserEndpoint(locator())).toBeNull();
  });

  it('is null when no browser was ever registered with that HOME', () => {
    expect(findBrowserEndpoint({ ...locator(), registry: join(root, 'missing') })).toBeNull();
  });
});
