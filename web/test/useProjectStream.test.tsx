// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { WS_TOKEN_PROTOCOL_PREFIX } from '../../src/shared/events.js';
import { setServerToken } from '../src/shared/api/token';
import type { SocketFactory } from '../src/shared/ws/project-socket';
import { nodeSockets } from './node-socket';
import { useProjectStream } from '../src/shared/ws/useProjectStream';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';

// Each test starts a real server with a project database and renders into jsdom.
vi.setConfig({ testTimeout: 30_000 });

function Probe({ project, create, origin }: { project: string; create: SocketFactory; origin: string }) {
  const s = useProjectStream(project, { createSocket: create, origin });
  return (
    <div>
      <p data-testid="connected">{String(s.connected)}</p>
      <p data-testid="synced">{String(s.synced)}</p>
      <p data-testid="cursor">{s.lastEventId}</p>
      <p data-testid="log">{s.log.map((l) => `${l.id}:${l.text}`).join('|')}</p>
      <p data-testid="passing">{s.progress?.passing ?? -1}</p>
      <p data-testid="agent">{s.agents.get(0)?.state ?? 'none'}</p>
    </div>
  );
}

const text = (id: string) => screen.getByTestId(id).textContent ?? '';

describe('useProjectStream against the real server', () => {
  let ui: UiServer;
  let dir: string;
  beforeEach(async () => {
    ui = await startUiServer();
    // The page keeps the token for the tab; the hook sends it with every connect (as a subprotocol).
    setServerToken(ui.token);
    dir = seedProject(ui, 'live', { count: 3 }).dir;
  });
  afterEach(async () => {
    cleanup();
    setServerToken(null);
    await ui.close();
  });

  const log = (n: string) => {
    const store = openProjectStore(projectPaths(dir));
    try {
      return store.events.append({
        type: 'session.log',
        at: Date.now(),
        sessionId: 's1',
        slot: 0,
        payload: { kind: 'text', text: n },
      });
    } finally {
      store.close();
    }
  };

  it('folds the snapshot and live events, then after a dropped connection resumes with ?since and misses nothing', async () => {
    const wsOrigin = ui.url.replace(/^http/, 'ws');
    const sockets = nodeSockets(ui.url);
    render(<Probe project="live" create={sockets.create} origin={wsOrigin} />);
    await waitFor(() => expect(text('synced')).toBe('true'), { timeout: 10_000 });
    expect(sockets.opened[0]!.url).toBe(`${wsOrigin}/ws/projects/live`);

    log('one');
    log('two');
    await waitFor(() => expect(text('log')).toMatch(/:one\|\d+:two$/), { timeout: 10_000 });
    expect(text('agent')).toBe('thinking');
    const cursorBefore = Number(text('cursor'));

    // Cut the connection, write while nobody listens, and let the hook come back by itself.
    const closed = new Promise<void>((r) => sockets.opened[0]!.ws.once('close', () => r()));
    act(() => sockets.opened[0]!.ws.terminate());
    await closed;
    await waitFor(() => expect(text('connected')).toBe('false'));
    log('three');
    log('four');
    await waitFor(() => expect(text('log')).toMatch(/:four$/), { timeout: 15_000 });

    expect(sockets.opened).toHaveLength(2); // one reconnect, and it succeeded
    expect(sockets.opened[1]!.url).toBe(`${wsOrigin}/ws/projects/live?since=${cursorBefore}`);
    const texts = text('log')
      .split('|')
      .map((l) => l.split(':')[1]);
    expect(texts).toEqual(['one', 'two', 'three', 'four']);
    expect(text('connected')).toBe('true');
    // Every connect, the reconnect too, carried the tab's token.
    expect(sockets.opened.map((o) => o.protocols)).toEqual(
      sockets.opened.map(() => [`${WS_TOKEN_PROTOCOL_PREFIX}${ui.token}`]),
    );
  });

  it('follows progress when a feature passes', async () => {
    const sockets = nodeSockets(ui.url);
    render(<Probe project="live" create={sockets.create} origin={ui.url.replace(/^http/, 'ws')} />);
    await waitFor(() => expect(text('passing')).toBe('0'), { timeout: 10_000 });
    const store = openProjectStore(projectPaths(dir));
    try {
      const claimed = store.claims.claimNext('test')!;
      store.claims.markPassing(claimed.claim);
    } finally {
      store.close();
    }
    await waitFor(() => expect(text('passing')).toBe('1'), { timeout: 10_000 });
  });
});
