/**
 * A real project (registered like `autocoder new`: a git repository, `.autocoder/`, the app
 * spec, a SQLite database) in a temp folder, run in this process by `runProject` wired with
 * `createRunDeps` and the scripted runtime instead of Claude Code. Runs take seconds.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunDeps, openRegistry, openRunStore } from '../../src/compose.js';
import { openProjectStore, type SqliteProjectStore } from '../../src/db/stores.js';
import type { Env } from '../../src/config/env.js';
import { projectPaths, type ProjectPaths } from '../../src/config/paths.js';
import { resolveRunSettings, type RunSettings } from '../../src/config/run-settings.js';
import type { WebhookTarget } from '../../src/config/webhook-settings.js';
import { createProject } from '../../src/projects/projects.js';
import { runProject, type RunResult } from '../../src/runner/run-loop.js';
import type { PhaseRecorder } from '../../src/runner/phases.js';
import { SAMPLE_SPEC, type Script } from './fake-anthropic/index.js';
import { ScriptedRuntime } from './scripted-runtime.js';

export interface ScriptedProject {
  readonly root: string;
  /** The project folder (`<root>/notes`). */
  readonly dir: string;
  readonly paths: ProjectPaths;
  readonly env: Env;
  readonly runtime: ScriptedRuntime;
  /** Every line the runs reported, in order (what `autocoder run` prints). */
  readonly reports: string[];
  /** One run to its end, like `autocoder run notes` with these settings (flags) on top of the environment. */
  run(
    settings?: Partial<RunSettings>,
    options?: {
      signal?: AbortSignal;
      webhooks?: readonly WebhookTarget[];
      webhookRetryBaseMs?: number;
      /** The runner's phase recorder (RunDeps.phases). */
      phases?: PhaseRecorder;
    },
  ): Promise<RunResult>;
  /** Reads the project's database while `fn` runs (the SQLite store: its ports and its connection). */
  inspect<T>(fn: (store: SqliteProjectStore) => T): T;
  cleanup(): void;
}

/**
 * Creates project `notes` from `spec` (the 4-feature sample by default) with its own HOME and
 * autocoder home. `env` adds variables (AUTOCODER_* settings) to the runs' environment.
 */
export function scriptedProject(
  script: Script,
  options: { spec?: string; env?: Record<string, string>; prefix?: string } = {},
): ScriptedProject {
  const root = mkdtempSync(join(tmpdir(), options.prefix ?? 'ac-scripted-'));
  const home = join(root, 'home');
  mkdirSync(home);
  const env: Env = {
    PATH: process.env.PATH,
    HOME: home,
    AUTOCODER_HOME: join(root, 'autocoder-home'),
    CLAUDE_CONFIG_DIR: join(root, 'claude-config'),
    ANTHROPIC_API_KEY: 'sk-ant-test-key-not-real-0123456789',
    AUTOCODER_MODEL: 'claude-sonnet-4-5',
    AUTOCODER_RETRY_BACKOFF_MS: '0',
    // The scripted runtime runs commands without Claude Code's sandbox; the sandbox has its own e2e tests.
    AUTOCODER_SANDBOX: 'off',
    GIT_CONFIG_NOSYSTEM: '1',
    // Checkpoints add reviewer sessions to every run: only the tests about them turn them on (flags beat this).
    AUTOCODER_CHECKPOINT_INTERVAL: '0',
    ...options.env,
  };
  const specFile = join(root, 'spec.txt');
  writeFileSync(specFile, options.spec ?? SAMPLE_SPEC);
  const registry = openRegistry(env);
  let dir: string;
  try {
    dir = createProject(registry.registry, { name: 'notes', cwd: root, specFile, env }).path;
  } finally {
    registry.close();
  }
  const paths = projectPaths(dir);
  const runtime = new ScriptedRuntime(script);
  const reports: string[] = [];
  return {
    root,
    dir,
    paths,
    env,
    runtime,
    reports,
    async run(settings = {}, runOptions = {}) {
      const resolved = resolveRunSettings({ env, flags: settings });
      // Opened with the run's claim policy (lease, backoff), as `autocoder run` does.
      const store = openRunStore(paths, resolved, env);
      const deps = createRunDeps({
        store,
        projectName: 'notes',
        settings: resolved,
        env,
        report: (line) => reports.push(line),
        runtime,
        webhooks: runOptions.webhooks ?? [],
        ...(runOptions.webhookRetryBaseMs === undefined ? {} : { webhookRetryBaseMs: runOptions.webhookRetryBaseMs }),
      });
      try {
        return await runProject(
          runOptions.phases ? { ...deps, phases: runOptions.phases } : deps,
          runOptions.signal ?? new AbortController().signal,
        );
      } finally {
        await deps.webhooks.drain(10_000);
        store.close();
      }
    },
    inspect(fn) {
      const store = openProjectStore(paths, { create: false });
      try {
        return fn(store);
      } finally {
        store.close();
      }
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
