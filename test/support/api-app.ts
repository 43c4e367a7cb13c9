import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore, type SqliteProjectStore } from '../../src/db/stores.js';
import { openRegistryAt, openStoreCache } from '../../src/db/store-location.js';
import { createLogger, silentLogger } from '../../src/logging/logger.js';
import { createApp } from '../../src/server/app.js';
import type { RunnerLauncher } from '../../src/server/routes/runs.js';
import type { CheckpointLauncher, DesignReviewLauncher } from '../../src/server/launcher.js';
import { API_ROUTES } from '../../src/server/routes/index.js';
import { createPreviewManager } from '../../src/preview/preview-manager.js';
import { createBrowserViews } from '../../src/browser-view/browser-views.js';
import type { BrowserWatchHub } from '../../src/browser-view/watch-hub.js';

export const ORIGIN = 'http://localhost:8888';

export const VALID_SPEC = `<project_specification>
  <project_name>Todo</project_name>
  <overview>A small todo app.</overview>
  <technology_stack>Node and SQLite.</technology_stack>
  <core_features>Add, complete and delete todos.</core_features>
  <success_criteria>Every feature passes in the browser.</success_criteria>
</project_specification>
`;

export interface ApiHarness {
  readonly app: Hono;
  /** Temp root: `home` (AUTOCODER_HOME), `user` (HOME), `work` (the server's cwd). */
  readonly root: string;
  readonly home: string;
  readonly user: string;
  readonly work: string;
  readonly launches: Parameters<RunnerLauncher>[];
  /** What each POST …/checkpoints with no run active started (project, reviewers). */
  readonly checkpointLaunches: Parameters<CheckpointLauncher>[];
  /** What each POST …/design/reviews with no run active started (project, personas). */
  readonly designLaunches: Parameters<DesignReviewLauncher>[];
  /** What the server logged (JSON records, debug and up). */
  logs(): Record<string, unknown>[];
  /** The server token every request but health must carry; `request` sends it unless told otherwise. */
  readonly token: string;
  /**
   * `headers` override the defaults (host, the token, and for unsafe methods the UI's Origin and JSON); `null` leaves
   * one out.
   */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string | null>): Promise<Response>;
  json<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Registers a project named `name` under `work` through the API. */
  createProject(name: string): Promise<string>;
  /** The project's store on a connection of its own (the test's, besides the server's). */
  store(name: string): SqliteProjectStore;
  /** The app's live browser views (what the browser view routes watch with). */
  readonly browserViews: BrowserWatchHub;
  /** A runs row that activeRun() sees as alive (this test process). */
  fakeActiveRun(name: string): void;
  cleanup(): void;
}

/** `extraEnv`: more of the server's environment (AUTOCODER_DATABASE_URL for a server on PostgreSQL). */
export function apiHarness(extraEnv: Record<string, string> = {}): ApiHarness {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'autocoder-api-')));
  const home = join(root, 'home');
  const user = join(root, 'user');
  const work = join(root, 'work');
  for (const dir of [home, user, work]) mkdirSync(dir);
  const launches: Parameters<RunnerLauncher>[] = [];
  const checkpointLaunches: Parameters<CheckpointLauncher>[] = [];
  const designLaunches: Parameters<DesignReviewLauncher>[] = [];
  const token = randomBytes(32).toString('hex');
  const logLines: string[] = [];
  const env = {
    AUTOCODER_HOME: home,
    HOME: user,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    ...extraEnv,
  };
  const stores = openStoreCache(env);
  const browserViews = createBrowserViews();
  const app = createApp(
    {
      env,
      cwd: work,
      now: () => Date.now(),
      stores,
      guard: { port: 8888, extraHosts: [], token, tokenFile: join(home, 'server-token'), maxBodyBytes: 1_000_000 },
      browserViews,
      previews: createPreviewManager(silentLogger()),
      launchRunner: (project, request) => {
        launches.push([project, request]);
        return { pid: 0 };
      },
      launchCheckpoint: (project, agents) => {
        checkpointLaunches.push([project, agents]);
        return { pid: 4242 };
      },
      launchDesignReview: (project, personas) => {
        designLaunches.push([project, personas]);
        return { pid: 5151 };
      },
      logger: createLogger({ write: (line) => void logLines.push(line) }, { level: 'debug' }),
    },
    API_ROUTES,
  );
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string | null> = {},
  ): Promise<Response> => {
    const unsafe = method !== 'GET' && method !== 'HEAD';
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    // Real clients send Content-Length (app.request does not add it); the guards read it.
    const length: Record<string, string> =
      text === undefined ? {} : { 'content-length': String(Buffer.byteLength(text)) };
    const merged: Record<string, string | null> = {
      host: 'localhost:8888',
      authorization: `Bearer ${token}`,
      ...(unsafe ? { 'content-type': 'application/json', origin: ORIGIN } : {}),
      ...length,
      ...headers,
    };
    const sent = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== null));
    return app.request(`http://localhost:8888${path}`, {
      method,
      headers: sent,
      ...(text === undefined ? {} : { body: text }),
    });
  };
  const registryPath = (name: string) => {
    const reg = openRegistryAt(env);
    try {
      const p = reg.registry.find(name);
      if (!p) throw new Error(`no project ${name}`);
      return p.path;
    } finally {
      reg.close();
    }
  };
  const h: ApiHarness = {
    app,
    root,
    home,
    user,
    work,
    launches,
    browserViews,
    checkpointLaunches,
    designLaunches,
    logs: () => logLines.map((l) => JSON.parse(l) as Record<string, unknown>),
    token,
    request,
    async json<T>(method: string, path: string, body?: unknown) {
      const res = await request(method, path, body);
      return { status: res.status, body: (await res.json()) as T };
    },
    async createProject(name: string) {
      const res = await request('POST', '/api/projects', { name });
      if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { path: string }).path;
    },
    store: (name) => openProjectStore(projectPaths(registryPath(name)), { create: false }),
    fakeActiveRun(name) {
      const store = h.store(name);
      try {
        store.db
          .prepare(
            `INSERT INTO runs (id, pid, host, incarnation, status, settings, started_at, heartbeat_at) VALUES ('run-1', ?, ?, 'inc', 'running', '{}', ?, ?)`,
          )
          .run(process.pid, hostname(), Date.now(), Date.now());
      } finally {
        store.close();
      }
    },
    cleanup: () => {
      stores.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return h;
}
