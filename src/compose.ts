import {
  DEFAULT_CLAIM_POLICY,
  systemClock,
  type ClaimPolicy,
  type ProjectStore,
  type RegistryPort,
  type RegistryStore,
} from './db/ports.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ClaudeRuntime } from './agent/claude-runtime.js';
import type { AgentRuntime } from './agent/runtime.js';
import type { RunSettings, SettingSource } from './config/run-settings.js';
import type { RunDeps } from './runner/run-loop.js';
import type { RemoteTarget } from './runner/remote-sync.js';
import { silentLogger, type Logger } from './logging/logger.js';
import { createToolGuard } from './runner/tool-guard.js';
import { combineRedactors, createRedactor, NO_SECRETS, type Redactor } from './security/redactor.js';
import type { Env } from './config/env.js';
import type { WebhookTarget } from './config/webhook-settings.js';
import { WebhookNotifier } from './runner/webhooks.js';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { demoPaceMs, demoRunEnv } from './config/demo-env.js';
import { demoScript } from './demo/demo-scenario.js';
import { startScriptedModelServer } from './model-server/server.js';
import { startSpecChat, type SpecChatSession } from './agent/spec-chat.js';
import { createOwnedDir, removeDir } from './agent/session-dirs.js';
import { projectPaths, type ProjectPaths } from './config/paths.js';
import { DEMO_MODEL } from './shared/runs.js';
import type { StoreOptions } from './db/stores.js';
import { DATABASE_URL_VAR, openProjectStoreAt, openRegistryAt, projectStoreExists } from './db/store-location.js';
import { configuredProviderEnv } from './config/run-provider.js';
import { answeredSecretsRedactor } from './projects/human-input.js';

/** The one place that constructs concrete adapters and wires them together. */

export type { ProjectStore, RegistryStore } from './db/ports.js';
export type { AgentRuntime } from './agent/runtime.js';

/**
 * A project's store, seen through the storage port: its SQLite file, or its PostgreSQL schema when its folder says so
 * (db/store-location.ts; `env` gives the server's URL then).
 */
export function openProjectStore(paths: ProjectPaths, options: StoreOptions & { env?: Env } = {}): ProjectStore {
  const { env, ...rest } = options;
  return openProjectStoreAt(paths, env, rest);
}

/** The registry store, seen through the storage port: SQLite, or PostgreSQL when `env` selects it. */
export function openRegistry(env: Env): RegistryStore {
  return openRegistryAt(env);
}

/** Runs `fn` with the store of the project at `root`, or with null when it has no store yet; closes it after. */
export function withExistingProjectStore<T>(root: string, env: Env, fn: (store: ProjectStore | null) => T): T {
  const paths = projectPaths(root);
  if (!projectStoreExists(paths)) return fn(null);
  const store = openProjectStore(paths, { create: false, env });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** Leases and retry backoff of a run's claims, from its settings. */
export function runClaimPolicy(settings: RunSettings): ClaimPolicy {
  return { ...DEFAULT_CLAIM_POLICY, leaseMs: settings.leaseMs, backoffBaseMs: settings.retryBackoffMs };
}

/** The store `autocoder run` works with: its claims under the run's lease and backoff settings. */
export function openRunStore(paths: ProjectPaths, settings: RunSettings, env: Env): ProjectStore {
  return openProjectStore(paths, { create: false, policy: runClaimPolicy(settings), env });
}

/** Everything `autocoder run` needs, wired with the real Claude runtime. */
export function createRunDeps(input: {
  /** The project's store, opened with the run's claim policy (`openRunStore`). */
  store: ProjectStore;
  projectName: string;
  settings: RunSettings;
  env: Env;
  report: (line: string) => void;
  runtime?: AgentRuntime;
  /** The user's allowlist extensions for this project. */
  extraCommands?: readonly string[];
  /** Which settings layer decided each setting (for the run's security line). */
  settingSource?: (key: keyof RunSettings) => SettingSource;
  /** Paths the OS sandbox hides from agent commands. */
  sandboxReadDeny?: readonly string[];
  /** Webhook receivers (`loadWebhookSettings`); the notifier is returned so the caller can drain it. */
  webhooks?: readonly WebhookTarget[];
  webhookRetryBaseMs?: number;
  /** The run's log (webhook failures the run does not see go there). */
  logger?: Logger;
  /** The project's git remote and landing lock, for a project shared by machines (#20). */
  remote?: RemoteTarget;
  /** False: the run leaves its coding sessions to workers (`run --no-local-work`). */
  localWork?: boolean;
  /** Told the features the run's coding slots work, as they change (a worker's heartbeat). */
  slotsChanged?: RunDeps['slotsChanged'];
}): RunDeps & { webhooks: WebhookNotifier } {
  const { store } = input;
  const clock = systemClock;
  const webhooks = new WebhookNotifier({
    targets: input.webhooks ?? [],
    projectName: input.projectName,
    now: () => clock.now(),
    progress: () => store.features.stats(),
    retryBaseMs: input.webhookRetryBaseMs,
    onFailure: (f) =>
      input.report(`Webhook ${new URL(f.url).origin} did not take ${f.event} (${f.attempts} attempt(s)): ${f.error}.`),
    ...(input.logger ? { logger: input.logger } : {}),
  });
  return {
    paths: store.paths,
    projectName: input.projectName,
    features: store.features,
    claims: store.claims,
    sessions: store.sessions,
    runs: store.runs,
    humanInput: store.humanInput,
    disputes: store.disputes,
    verifications: store.verifications,
    events: store.events,
    budget: store.budget,
    checkpoints: store.checkpoints,
    design: store.design,
    runtime: input.runtime ?? new ClaudeRuntime(),
    settings: input.settings,
    ...(input.settingSource ? { settingSource: input.settingSource } : {}),
    extraCommands: input.extraCommands ?? [],
    sandboxReadDeny: input.sandboxReadDeny ?? [],
    env: input.env,
    packageBinDir: packageBinDir(),
    makeGuard: (root, session) => createToolGuard(root, { extraCommands: input.extraCommands ?? [], ...session }),
    redact: createRedactor(providerSecrets(input.env)),
    now: () => clock.now(),
    report: input.report,
    notify: (event, data) => webhooks.notify(event, data),
    logger: input.logger ?? silentLogger(),
    webhooks,
    ...(input.remote ? { remote: input.remote } : {}),
    ...(input.localWork === false ? { localWork: false } : {}),
    ...(input.slotsChanged ? { slotsChanged: input.slotsChanged } : {}),
  };
}

/** Secrets autocoder itself was given, masked wherever it writes text. */
export function providerSecrets(env: Env): string[] {
  const password = databasePassword(env);
  return [...SECRET_ENV_VARS.map((k) => env[k]), password].filter(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
}

/** The password in the PostgreSQL URL (#20), masked like the provider's keys; none for SQLite or a URL without one. */
function databasePassword(env: Env): string | undefined {
  const url = env[DATABASE_URL_VAR]?.trim();
  if (url === undefined || url === '' || !URL.canParse(url)) return undefined;
  const password = new URL(url).password;
  return password === '' ? undefined : decodeURIComponent(password);
}

const SECRET_ENV_VARS = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_CUSTOM_HEADERS',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK',
] as const;

/** autocoder's own `node_modules/.bin` (where `playwright-cli` is), wherever autocoder is installed. */
function packageBinDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@playwright/cli/package.json')), '..', '..', '.bin');
}

/** The demo model (scripted, no AI) serving one run, and the environment that points sessions at it. */
export interface DemoModel {
  readonly url: string;
  /** The run's environment: `env` with the scripted server as the only provider (see config/demo-env.ts). */
  readonly env: Env;
  close(): Promise<void>;
}

/**
 * Starts the built-in scripted Messages API server on 127.0.0.1 (a free port) with the demo
 * script, for a run whose model is `demo`. No credentials are used and nothing leaves the
 * machine; `close` stops the server and removes the private Claude Code config folder.
 */
export async function startDemoModel(env: Env): Promise<DemoModel> {
  const server = await startScriptedModelServer(demoScript({ paceMs: demoPaceMs(env) }), {
    host: '127.0.0.1',
    port: 0,
  });
  // Marked as this process's, so a later sweep removes it if the process dies before `close`.
  const claudeConfigDir = createOwnedDir(
    tmpdir(),
    `demo-${randomBytes(4).toString('hex')}`,
    { purpose: 'demo-model', run: null, project: null, keep: false },
    { sessionFolders: false },
  );
  return {
    url: server.url,
    env: demoRunEnv(env, { modelUrl: server.url, claudeConfigDir }),
    close: async () => {
      await server.close();
      removeDir(claudeConfigDir);
    },
  };
}

function withRegistryHandle<T>(env: Env, fn: (registry: RegistryPort) => T): T {
  const handle = openRegistry(env);
  try {
    return fn(handle.registry);
  } finally {
    handle.close();
  }
}

/**
 * The guided spec chat of one project, with the real Claude runtime (see agent/spec-chat.ts).
 * With the demo model, the chat gets its own scripted model server (the demo script's fixed
 * interview), stopped when the chat ends.
 */
export async function startProjectSpecChat(input: {
  env: Env;
  projectName: string;
  paths: ProjectPaths;
  model: string | undefined;
}): Promise<SpecChatSession> {
  const demo = input.model === DEMO_MODEL ? await startDemoModel(input.env) : null;
  // The provider chosen with `autocoder config` (or the project's settings) applies here as in a run.
  const env = demo?.env ?? withRegistryHandle(input.env, (r) => configuredProviderEnv(input.env, r, input.projectName));
  // Masked as in a run: the provider's keys (the user's and those the settings add) and the secrets answered for the
  // project.
  const redact = combineRedactors(
    createRedactor([...providerSecrets(input.env), ...providerSecrets(env)]),
    projectSecretsRedactor(input.paths, input.env),
  );
  const chat = startSpecChat({
    projectName: input.projectName,
    root: input.paths.root,
    specFile: input.paths.spec,
    model: input.model,
    env,
    packageBinDir: packageBinDir(),
    redact,
  });
  if (!demo) return chat;
  async function* events() {
    try {
      yield* chat.events;
    } finally {
      await demo?.close();
    }
  }
  return { ...chat, events: events() };
}

/** What `autocoder verify` masks: the provider's keys and the project's answered secrets. */
export function verificationRedactor(env: Env, store: ProjectStore): Redactor {
  return combineRedactors(createRedactor(providerSecrets(env)), answeredSecretsRedactor(store.humanInput, store.paths));
}

/** The secrets humans answered for the project (none when it has no database yet), read now. */
function projectSecretsRedactor(paths: ProjectPaths, env: Env): Redactor {
  if (!projectStoreExists(paths)) return NO_SECRETS;
  const store = openProjectStore(paths, { create: false, env });
  try {
    return answeredSecretsRedactor(store.humanInput, paths);
  } finally {
    store.close();
  }
}
