/**
 * Live-update latency: events appended to a project database at a fixed rate, measured from
 * the event's `at` (its database write time) to its arrival at WebSocket clients of a real
 * `autocoder serve` on 127.0.0.1, with 1 and with 50 clients. Also the latency of
 * GET /api/projects/{name}/features with 2,000 features (median of 20).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { projectPaths } from '../src/config/paths.js';
import { openProjectStore, openRegistry } from '../src/db/stores.js';
import { createProject } from '../src/projects/projects.js';
import { startServer, type RunningServer } from '../src/server/http-server.js';

const RATE_PER_S = 100;
const EVENTS = 300;
const FEATURES = 2_000;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function connectClients(
  server: RunningServer,
  n: number,
  onEvent: (latencyMs: number) => void,
): Promise<WebSocket[]> {
  return Promise.all(
    Array.from({ length: n }, () => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws/projects/bench`);
      return new Promise<WebSocket>((resolve, reject) => {
        ws.on('message', (data) => {
          const m = JSON.parse(String(data)) as { type: string; at?: number; eventType?: string };
          if (m.type === 'snapshot') resolve(ws);
          else if (m.type === 'event' && m.eventType === 'settings.updated' && m.at !== undefined)
            onEvent(Date.now() - m.at);
        });
        ws.on('error', reject);
      });
    }),
  );
}

async function measureEvents(server: RunningServer, root: string, clients: number): Promise<void> {
  const latencies: number[] = [];
  const sockets = await connectClients(server, clients, (ms) => latencies.push(ms));
  const store = openProjectStore(projectPaths(root), { create: false });
  try {
    let sent = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        store.events.append({ type: 'settings.updated', at: Date.now(), payload: { keys: [`bench-${sent}`] } });
        sent += 1;
        if (sent >= EVENTS) {
          clearInterval(timer);
          resolve();
        }
      }, 1000 / RATE_PER_S);
    });
    const expected = EVENTS * clients;
    const deadline = Date.now() + 10_000;
    while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `${String(clients).padStart(2)} client(s): ${latencies.length}/${expected} events received; latency p50 ${percentile(sorted, 50)} ms, p95 ${percentile(sorted, 95)} ms, max ${sorted.at(-1)} ms`,
    );
  } finally {
    store.close();
    for (const ws of sockets) ws.close();
  }
}

async function measureFeatures(server: RunningServer, root: string): Promise<void> {
  const store = openProjectStore(projectPaths(root), { create: false });
  try {
    store.features.createBulk(
      Array.from({ length: FEATURES }, (_, i) => ({
        category: `area ${i % 20}`,
        name: `Feature ${i}`,
        description: `Does thing ${i}.`,
        steps: ['open the page', 'check the result'],
        ...(i > 0 && i % 3 === 0 ? { dependsOnIndices: [i - 1] } : {}),
      })),
    );
  } finally {
    store.close();
  }
  const url = `http://127.0.0.1:${server.port}/api/projects/bench/features`;
  const first = await fetch(url);
  if (first.status === 404) {
    const body = await first.text();
    console.log(`GET /api/projects/{name}/features: not available yet (404: ${body.slice(0, 120)})`);
    return;
  }
  await first.arrayBuffer();
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 20; i += 1) {
    const t0 = performance.now();
    const res = await fetch(url);
    const buf = await res.arrayBuffer();
    times.push(performance.now() - t0);
    bytes = buf.byteLength;
  }
  times.sort((a, b) => a - b);
  console.log(
    `GET /api/projects/{name}/features with ${FEATURES} features: median ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms (status ${first.status}, ${(bytes / 1024).toFixed(0)} KiB)`,
  );
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'autocoder-bench-events-'));
  const env = {
    AUTOCODER_HOME: join(root, 'home'),
    HOME: root,
    PATH: process.env.PATH ?? '',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  let server: RunningServer | undefined;
  try {
    const reg = openRegistry(env);
    let projectRoot: string;
    try {
      projectRoot = createProject(reg.registry, { name: 'bench', dir: join(root, 'bench'), cwd: root, env }).path;
    } finally {
      reg.close();
    }
    server = await startServer({ env, cwd: root, host: '127.0.0.1', port: 0, launchRunner: () => ({ pid: -1 }) });
    console.log(
      `events appended at ${RATE_PER_S}/s (${EVENTS} per round) from this process; latency = receive time − event.at`,
    );
    await measureEvents(server, projectRoot, 1);
    await measureEvents(server, projectRoot, 50);
    await measureFeatures(server, projectRoot);
    console.log(
      `machine load: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (1/5/15 min) on ${availableParallelism()} cores`,
    );
  } finally {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  }
}
