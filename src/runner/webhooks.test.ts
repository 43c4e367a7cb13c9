import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.js';
import { WebhookNotifier, type WebhookFailure, type WebhookTarget } from './webhooks.js';

interface Received {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/** A real HTTP receiver on 127.0.0.1; `answer` decides each response (and may hold it). */
async function receiver(answer: (req: Received, res: ServerResponse, n: number) => void = (_r, res) => res.end('ok')) {
  const received: Received[] = [];
  let waiters: (() => void)[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const r = { path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(text) as unknown };
      received.push(r);
      for (const w of waiters) w();
      waiters = [];
      answer(r, res, received.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const waitFor = async (n: number) => {
    while (received.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { url, received, waitFor };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const NOW = Date.parse('2026-11-26T10:00:00.000Z');

function notifier(targets: WebhookTarget[], extra: Partial<ConstructorParameters<typeof WebhookNotifier>[0]> = {}) {
  const failures: WebhookFailure[] = [];
  let progress = { passing: 1, total: 4 };
  const n = new WebhookNotifier({
    targets,
    projectName: 'notes',
    now: () => NOW,
    progress: () => progress,
    retryBaseMs: 1,
    onFailure: (f) => failures.push(f),
    ...extra,
  });
  return { n, failures, setProgress: (p: typeof progress) => (progress = p) };
}

const FINISHED = { runId: 'run_1', status: 'finished', reason: 'All 4 features pass.' } as const;
const FAILED = { runId: 'run_1', status: 'failed', reason: 'boom' } as const;

describe('WebhookNotifier', () => {
  it('posts the n8n progress array and the flat JSON shape', async () => {
    const r = await receiver();
    const { n, failures } = notifier([
      { url: `${r.url}/n8n`, events: ['feature.passed'], format: 'n8n' },
      { url: `${r.url}/json`, events: ['feature.passed'], format: 'json' },
    ]);
    n.notify('feature.passed', { featureId: 3, featureName: 'Search notes' });
    expect(await n.drain(5_000)).toBe(true);
    const byPath = Object.fromEntries(r.received.map((x) => [x.path, x]));
    expect(byPath['/n8n']?.contentType).toBe('application/json');
    expect(byPath['/n8n']?.body).toEqual([
      {
        event: 'test_progress',
        passing: 1,
        total: 4,
        percentage: 25,
        project: 'notes',
        timestamp: '2026-11-26T10:00:00.000Z',
        feature_id: 3,
        feature_name: 'Search notes',
      },
    ]);
    expect(byPath['/json']?.body).toEqual({
      event: 'feature.passed',
      project: 'notes',
      timestamp: '2026-11-26T10:00:00.000Z',
      passing: 1,
      total: 4,
      percentage: 25,
      featureId: 3,
      featureName: 'Search notes',
    });
    expect(failures).toEqual([]);
  });

  it('sends each target only the events it asked for, in order', async () => {
    const r = await receiver();
    const { n, setProgress } = notifier([
      { url: `${r.url}/progress`, events: ['feature.passed'], format: 'n8n' },
      { url: `${r.url}/ends`, events: ['run.finished', 'run.failed'], format: 'json' },
    ]);
    n.notify('feature.passed', { featureId: 1, featureName: 'Add notes' });
    setProgress({ passing: 2, total: 4 });
    n.notify('feature.passed', { featureId: 2, featureName: 'List notes' });
    n.notify('feature.needs_input', { featureId: 3, featureName: 'Pay' });
    n.notify('run.finished', { ...FINISHED, reason: 'done' });
    expect(await n.drain(5_000)).toBe(true);
    const progress = r.received
      .filter((x) => x.path === '/progress')
      .map((x) => (x.body as { passing: number }[])[0]?.passing);
    expect(progress).toEqual([1, 2]);
    expect(r.received.filter((x) => x.path === '/ends').map((x) => x.body)).toEqual([
      expect.objectContaining({ event: 'run.finished', reason: 'done', passing: 2 }),
    ]);
    expect(r.received).toHaveLength(3);
  });

  it('retries 5xx with backoff: 500, 500, 200 is three attempts and a delivery', async () => {
    const r = await receiver((_req, res, count) => {
      res.statusCode = count <= 2 ? 500 : 200;
      res.end();
    });
    const { n, failures } = notifier([{ url: r.url, events: ['run.finished'], format: 'json' }]);
    n.notify('run.finished', { ...FINISHED, reason: 'all pass' });
    expect(await n.drain(5_000)).toBe(true);
    expect(r.received).toHaveLength(3);
    expect(failures).toEqual([]);
  });

  it('gives up after the last attempt and reports the failure', async () => {
    const r = await receiver((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const { n, failures } = notifier([{ url: r.url, events: ['run.failed'], format: 'json' }], { maxAttempts: 4 });
    n.notify('run.failed', FAILED);
    expect(await n.drain(5_000)).toBe(true);
    expect(r.received).toHaveLength(4);
    expect(failures).toEqual([{ url: r.url, event: 'run.failed', attempts: 4, error: 'HTTP 503' }]);
  });

  it('does not retry a 4xx other than 429', async () => {
    const r = await receiver((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    const { n, failures } = notifier([{ url: r.url, events: ['run.failed'], format: 'json' }]);
    n.notify('run.failed', FAILED);
    expect(await n.drain(5_000)).toBe(true);
    expect(r.received).toHaveLength(1);
    expect(failures).toEqual([expect.objectContaining({ attempts: 1, error: 'HTTP 404' })]);
  });

  it('retries when nothing listens, then reports', async () => {
    const r = await receiver();
    const dead = `${r.url.replace(/:\d+$/, '')}:1`;
    const { n, failures } = notifier([{ url: dead, events: ['run.finished'], format: 'json' }], { maxAttempts: 3 });
    n.notify('run.finished', FINISHED);
    expect(await n.drain(5_000)).toBe(true);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ attempts: 3, error: expect.stringMatching(/^request failed/) });
  });

  it('notify returns before the receiver has answered; drain waits for the in-flight delivery', async () => {
    let respond!: () => void;
    const r = await receiver((_req, res) => {
      respond = () => res.end('ok');
    });
    const { n, failures } = notifier([{ url: r.url, events: ['feature.passed'], format: 'n8n' }]);
    const returned = n.notify('feature.passed', { featureId: 1, featureName: 'Add notes' });
    // notify is synchronous: it has returned although the request has not even arrived yet.
    expect(returned).toBeUndefined();
    expect(r.received).toHaveLength(0);
    expect(n.idle).toBe(false);
    await r.waitFor(1);
    let drained: boolean | undefined;
    const draining = n.drain(5_000).then((ok) => (drained = ok));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBeUndefined();
    respond();
    await draining;
    expect(drained).toBe(true);
    expect(n.idle).toBe(true);
    expect(failures).toEqual([]);
  });

  it('drain gives up at its deadline, aborting what is still in flight', async () => {
    const r = await receiver(() => undefined);
    const { n, failures } = notifier([{ url: r.url, events: ['run.finished'], format: 'json' }]);
    n.notify('run.finished', FINISHED);
    n.notify('run.finished', FINISHED);
    await r.waitFor(1);
    expect(await n.drain(50)).toBe(false);
    expect(n.idle).toBe(true);
    expect(failures).toHaveLength(2);
    expect(failures.every((f) => f.error.startsWith('abandoned') || f.error.startsWith('request failed'))).toBe(true);
  });

  it('times out a silent receiver per attempt and retries', async () => {
    const r = await receiver(() => undefined);
    const { n, failures } = notifier([{ url: r.url, events: ['run.finished'], format: 'json' }], {
      attemptTimeoutMs: 50,
      maxAttempts: 2,
    });
    n.notify('run.finished', FINISHED);
    expect(await n.drain(5_000)).toBe(true);
    expect(r.received).toHaveLength(2);
    expect(failures).toEqual([expect.objectContaining({ attempts: 2, error: 'no answer within 50 ms' })]);
  });

  it('refuses a target that is not http(s), and does nothing without targets', () => {
    expect(
      () =>
        new WebhookNotifier({
          targets: [{ url: 'ftp://example.com/x', events: ['run.finished'], format: 'json' }],
          projectName: 'p',
          now: Date.now,
        }),
    ).toThrow(/http:\/\/ or https:\/\//);
    const n = new WebhookNotifier({ targets: [], projectName: 'p', now: Date.now });
    n.notify('run.finished', FINISHED);
    expect(n.enabled).toBe(false);
    expect(n.idle).toBe(true);
  });

  it('never throws from notify, even when progress cannot be read; the log says why nothing was sent', async () => {
    const r = await receiver();
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => void lines.push(l) }, { level: 'info' });
    const n = new WebhookNotifier({
      targets: [{ url: r.url, events: ['run.failed'], format: 'json' }],
      projectName: 'p',
      now: Date.now,
      progress: () => {
        throw new Error('db closed');
      },
      logger,
    });
    expect(() => n.notify('run.failed', FAILED)).not.toThrow();
    expect(await n.drain(1_000)).toBe(true);
    expect(r.received).toEqual([]);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'could not queue a webhook delivery',
        event: 'run.failed',
        err: expect.objectContaining({ message: 'db closed' }),
      }),
    ]);
  });

  it('keeps the queue going when the failure handler throws, and logs both failures', async () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => void lines.push(l) }, { level: 'info' });
    const r = await receiver((_req, res) => res.writeHead(400).end('no'));
    const n = new WebhookNotifier({
      targets: [{ url: r.url, events: ['run.failed'], format: 'json' }],
      projectName: 'p',
      now: Date.now,
      retryBaseMs: 1,
      logger,
      onFailure: () => {
        throw new Error('handler broke');
      },
    });
    n.notify('run.failed', FAILED);
    n.notify('run.failed', FAILED);
    expect(await n.drain(5_000)).toBe(true);
    expect(r.received).toHaveLength(2);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({
      level: 'error',
      msg: 'the webhook failure handler threw',
      url: r.url,
      event: 'run.failed',
      attempts: 1,
      deliveryError: 'HTTP 400',
      err: { message: 'handler broke' },
    });
  });
});
