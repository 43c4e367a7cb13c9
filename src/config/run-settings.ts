import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import type { Env } from './env.js';
import { HttpUrlSchema } from '../shared/api.js';
import { MODEL_ROLES, PROVIDERS, type ModelRole } from '../shared/providers.js';
import { DEMO_MODEL } from '../shared/runs.js';
import { CHECKPOINT_AGENTS } from '../shared/checkpoints.js';

const roleModel = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((v) => v !== DEMO_MODEL, { message: `"${DEMO_MODEL}" can only be the general model, not one role's` });

/** Each role's own model (see modelFor); a role left out uses `model`. */
export const RoleModelsSchema = z
  .object(
    Object.fromEntries(MODEL_ROLES.map((r) => [r, roleModel.optional()])) as Record<
      ModelRole,
      z.ZodOptional<typeof roleModel>
    >,
  )
  .strict();
export type RoleModels = z.infer<typeof RoleModelsSchema>;

/** Settings of one `autocoder run`. Defaults < environment (AUTOCODER_*) < CLI flags. */
export const RunSettingsSchema = z
  .object({
    model: z.string().min(1).optional().describe('Model for all roles (Claude Code default when unset)'),
    maxIterations: z.number().int().min(1).optional().describe('Stop after this many coding sessions'),
    maxTurns: z.number().int().min(1).max(10_000).optional().describe('Turn limit per session (default per role)'),
    yolo: z.boolean().default(false).describe('No browser verification instructions and no testing agents'),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(5)
      .default(1)
      .describe('Coding agents working at once, each in its own git worktree (1-5)'),
    testingRatio: z
      .number()
      .int()
      .min(0)
      .max(3)
      .default(0)
      .describe('Testing agents re-verifying passing features beside the coding agents (0-3; none with yolo)'),
    stallMs: z
      .number()
      .int()
      .min(1_000)
      .default(600_000)
      .describe('A session with no agent activity for this long is aborted and its feature retried later'),
    maxSessionMs: z
      .number()
      .int()
      .min(1_000)
      .default(3_600_000)
      .describe('Longest one session may run before it is aborted'),
    leaseMs: z.number().int().min(1_000).default(90_000).describe('How long a claim lives without a heartbeat'),
    heartbeatMs: z.number().int().min(100).default(10_000).describe('How often the runner renews the leases it holds'),
    retryBackoffMs: z
      .number()
      .int()
      .min(0)
      .default(15_000)
      .describe('Base backoff before a failed feature is retried (doubles per attempt)'),
    rateLimitBackoffMs: z
      .number()
      .int()
      .min(0)
      .default(60_000)
      .describe('Wait after a rate limit that names no reset time (doubles while it repeats, up to 15 min)'),
    maxWaitMs: z
      .number()
      .int()
      .min(0)
      .default(6 * 3_600_000)
      .describe('Longest the runner waits for a rate-limit reset or a backoff before giving up'),
    basePort: z
      .number()
      .int()
      .min(1024)
      .max(65_000)
      .default(5100)
      .describe('First port of the block agents run their app on (slot N uses basePort + 10·N)'),
    sandbox: z
      .enum(['auto', 'on', 'off'])
      .default('auto')
      .describe("Claude Code's OS sandbox for agent Bash commands: auto = on where available"),
    chromium: z.string().optional().describe('Browser executable for playwright-cli (found on PATH when unset)'),
    headed: z
      .boolean()
      .default(false)
      .describe(
        "The agents' playwright-cli browser shows its window when a display is there (DISPLAY or WAYLAND_DISPLAY); headless without one",
      ),
    supervisor: z
      .boolean()
      .default(false)
      .describe(
        'A supervisor session answers human-input requests (development placeholders for secrets, reasoned choices) so the run never waits for a person',
      ),
    waitForInput: z
      .boolean()
      .default(true)
      .describe(
        'When only features waiting for a human answer can move, keep the run alive until they are answered (false: end the run)',
      ),
    regressionEvery: z
      .number()
      .int()
      .min(0)
      .max(1_000)
      .default(5)
      .describe(
        'Run the frozen acceptance checks of every passing feature on main (no model) after this many landings and at the end of a run; regressions go back to pending (0: never)',
      ),
    checkpointInterval: z
      .number()
      .int()
      .min(0)
      .max(1_000)
      .default(10)
      .describe(
        'A checkpoint (tool results, then code, security and performance reviewer sessions) after this many features pass, fix features not counted, and at the end of a run when main moved since the last (0: never)',
      ),
    checkpointAgents: z
      .array(z.enum(CHECKPOINT_AGENTS))
      .min(1)
      .default([...CHECKPOINT_AGENTS])
      .describe('The reviewers of a checkpoint: code, security, performance'),
    designReviewEvery: z
      .number()
      .int()
      .min(0)
      .max(1_000)
      .default(0)
      .describe(
        'A design review (screenshots of the app, axe-core, persona sessions) after this many features pass, fix features not counted, and at the end of a run when main moved since the last (0: never)',
      ),
    designIterations: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(3)
      .describe(
        "How many iterations a design review may take: the next one photographs the app again once the last one's design fix features pass",
      ),
    pauseOnCritical: z
      .boolean()
      .default(true)
      .describe(
        'A critical finding at a checkpoint drains the run and asks in the Inbox whether to continue (false: fix features only)',
      ),
    verifier: z
      .boolean()
      .default(false)
      .describe(
        "After a feature's checks pass and before main moves, a read-only verifier session reviews the diff, the spec, the checks and the evidence, and passes or rejects it",
      ),
    maxCostUsd: z
      .number()
      .positive()
      .max(1_000_000)
      .optional()
      .describe(
        'Run budget in USD: sessions reserve from it before they start; when it is used up the run drains and stops (exit code 6)',
      ),
    maxFeatureCostUsd: z
      .number()
      .positive()
      .max(1_000_000)
      .optional()
      .describe(
        'Budget of one feature in USD: a feature that used it goes to the Inbox (raise it, or skip the feature)',
      ),
    dailyBudgetUsd: z
      .number()
      .positive()
      .max(1_000_000)
      .optional()
      .describe("Budget of one day (UTC) in USD, over all of the project's runs"),
    keepTemp: z
      .boolean()
      .default(false)
      .describe(
        "Keep each session's temporary folder (its HOME and TMPDIR) after it ends, for debugging; they are never removed automatically then",
      ),
    models: RoleModelsSchema.optional().describe(
      'Model per role (initializer, coding, testing, supervisor, reviewer, verifier, designer); a role left out uses model',
    ),
    provider: z
      .enum(PROVIDERS)
      .optional()
      .describe('How sessions reach a model (unset: whatever the environment says)'),
    baseUrl: HttpUrlSchema.optional().describe('Anthropic-compatible endpoint for provider compatible'),
    awsRegion: z.string().min(1).optional().describe('AWS region for provider bedrock'),
    vertexProject: z.string().min(1).optional().describe('GCP project for provider vertex'),
    vertexRegion: z.string().min(1).optional().describe('GCP region for provider vertex'),
  })
  .strict();

export type RunSettings = z.infer<typeof RunSettingsSchema>;

const ENV_KEYS: Record<string, keyof RunSettings> = {
  AUTOCODER_MODEL: 'model',
  AUTOCODER_LEASE_MS: 'leaseMs',
  AUTOCODER_HEARTBEAT_MS: 'heartbeatMs',
  AUTOCODER_RETRY_BACKOFF_MS: 'retryBackoffMs',
  AUTOCODER_MAX_WAIT_MS: 'maxWaitMs',
  AUTOCODER_RATE_LIMIT_BACKOFF_MS: 'rateLimitBackoffMs',
  AUTOCODER_CHROMIUM: 'chromium',
  AUTOCODER_HEADED: 'headed',
  AUTOCODER_BASE_PORT: 'basePort',
  AUTOCODER_SANDBOX: 'sandbox',
  AUTOCODER_CONCURRENCY: 'concurrency',
  AUTOCODER_TESTING_RATIO: 'testingRatio',
  AUTOCODER_STALL_MS: 'stallMs',
  AUTOCODER_MAX_SESSION_MS: 'maxSessionMs',
  AUTOCODER_SUPERVISOR: 'supervisor',
  AUTOCODER_WAIT_FOR_INPUT: 'waitForInput',
  AUTOCODER_KEEP_TEMP: 'keepTemp',
  AUTOCODER_REGRESSION_EVERY: 'regressionEvery',
  AUTOCODER_VERIFIER: 'verifier',
  AUTOCODER_CHECKPOINT_INTERVAL: 'checkpointInterval',
  AUTOCODER_PAUSE_ON_CRITICAL: 'pauseOnCritical',
  AUTOCODER_DESIGN_REVIEW_EVERY: 'designReviewEvery',
  AUTOCODER_DESIGN_ITERATIONS: 'designIterations',
  AUTOCODER_PROVIDER: 'provider',
  AUTOCODER_BASE_URL: 'baseUrl',
  AUTOCODER_AWS_REGION: 'awsRegion',
  AUTOCODER_VERTEX_PROJECT: 'vertexProject',
  AUTOCODER_VERTEX_REGION: 'vertexRegion',
};

/** `AUTOCODER_MODEL_CODING` etc.: one role's model. */
export const roleModelEnvVar = (role: ModelRole): string => `AUTOCODER_MODEL_${role.toUpperCase()}`;

/**
 * AUTOCODER_SUPERVISOR=1 / true / yes turn a boolean on, 0 / false / no off; anything else is refused by the schema.
 */
const BOOLEAN = new Set<keyof RunSettings>([
  'supervisor',
  'waitForInput',
  'keepTemp',
  'verifier',
  'pauseOnCritical',
  'headed',
]);
function envBoolean(raw: string): boolean | string {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return raw;
}

const NUMERIC = new Set<keyof RunSettings>([
  'leaseMs',
  'heartbeatMs',
  'retryBackoffMs',
  'maxWaitMs',
  'rateLimitBackoffMs',
  'basePort',
  'concurrency',
  'testingRatio',
  'stallMs',
  'maxSessionMs',
  'regressionEvery',
  'checkpointInterval',
  'designReviewEvery',
  'designIterations',
]);

/** The settings one layer gives (a layer may set any subset, role models included). */
export type SettingsLayer = Partial<RunSettings>;

/**
 * AutoCoder-2's variables (its README's harness `.env`), each the same as one of ours. Ours win when both are set. A
 * value outside true/false is refused by the schema, naming our setting.
 */
export const SEED_ENV_VARS = {
  /** `true` = supervisor mode (as AUTOCODER_SUPERVISOR). */
  ENABLE_SUPERVISORY_AGENT: 'supervisor',
  /** The supervisor role's model (as AUTOCODER_MODEL_SUPERVISOR). */
  SUPERVISORY_AGENT_MODEL: 'models.supervisor',
  /** `false` = headed browsers (as AUTOCODER_HEADED=true): the seed's variable says the opposite of ours. */
  PLAYWRIGHT_HEADLESS: 'headed',
} as const;

function seedLayer(env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const supervisor = env.ENABLE_SUPERVISORY_AGENT;
  if (supervisor !== undefined && supervisor !== '') out.supervisor = envBoolean(supervisor);
  const headless = env.PLAYWRIGHT_HEADLESS;
  if (headless !== undefined && headless !== '') {
    const v = envBoolean(headless);
    out.headed = typeof v === 'boolean' ? !v : v;
  }
  const model = env.SUPERVISORY_AGENT_MODEL;
  if (model !== undefined && model !== '') out.models = { supervisor: model };
  return out;
}

/** The `AUTOCODER_*` variables of an environment as a layer, over AutoCoder-2's own names for the same settings. */
export function envLayer(env: Env): SettingsLayer {
  const out: Record<string, unknown> = seedLayer(env);
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    out[key] = NUMERIC.has(key) ? Number(raw) : BOOLEAN.has(key) ? envBoolean(raw) : raw;
  }
  const models: Record<string, string> = { ...(out.models as Record<string, string> | undefined) };
  for (const role of MODEL_ROLES) {
    const raw = env[roleModelEnvVar(role)];
    if (raw !== undefined && raw !== '') models[role] = raw;
  }
  if (Object.keys(models).length > 0) out.models = models;
  return out as SettingsLayer;
}

const defined = (layer: SettingsLayer): Record<string, unknown> =>
  Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined));

/**
 * Merges layers, lowest first: a later layer's value wins key by key. Models resolve per role:
 * the highest layer that names either the role's own model or the general model decides, and
 * within one layer the role's own model beats the general one. So `--model x` overrides every
 * role model saved in the settings, and `--role-model coding=y --model x` gives coding y.
 */
export function mergeLayers(layers: readonly SettingsLayer[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) Object.assign(merged, defined(layer));
  delete merged.models;
  const models: Record<string, unknown> = {};
  for (const role of MODEL_ROLES) {
    for (let i = layers.length - 1; i >= 0; i -= 1) {
      const layer = layers[i] as SettingsLayer;
      const own = (layer.models as Record<string, unknown> | undefined)?.[role];
      if (own !== undefined) {
        models[role] = own;
        break;
      }
      if (layer.model !== undefined) break;
    }
  }
  // Role models not known to the schema are kept so that it names them in its error.
  for (const layer of layers) {
    for (const [k, v] of Object.entries((layer.models as Record<string, unknown> | undefined) ?? {}))
      if (!(MODEL_ROLES as readonly string[]).includes(k) && v !== undefined) models[k] = v;
  }
  if (Object.keys(models).length > 0) merged.models = models;
  return merged;
}

/**
 * Every layer of the run settings, in precedence order (each optional but the process
 * environment). A project's `.env` is deliberately not one: it is the app's environment, and
 * agents can write it, so an `AUTOCODER_SANDBOX=off` line there must not weaken the next run.
 */
export interface RunSettingsLayers {
  /** The user's global settings (`autocoder config`, GET/PUT /api/settings). */
  readonly registry?: SettingsLayer;
  /** The project's settings (`/api/projects/{name}/settings`), kept in the registry. */
  readonly project?: SettingsLayer;
  readonly env: Env;
  readonly flags?: SettingsLayer;
}

/** Where a setting's value came from, lowest precedence first. */
export const SETTING_SOURCES = ['default', 'user settings', 'project settings', 'environment', 'flag'] as const;
export type SettingSource = (typeof SETTING_SOURCES)[number];

/** The layer that decided each setting (the highest one that sets it); `default` for the rest. */
export function settingSources(l: RunSettingsLayers): (key: keyof RunSettings) => SettingSource {
  const layers: readonly [SettingSource, SettingsLayer][] = [
    ['flag', defined(l.flags ?? {})],
    ['environment', envLayer(l.env)],
    ['project settings', defined(l.project ?? {})],
    ['user settings', defined(l.registry ?? {})],
  ];
  return (key) => layers.find(([, layer]) => key in layer)?.[0] ?? 'default';
}

/** defaults < registry < project settings < environment < flags, validated by one schema. */
export function resolveRunSettings(l: RunSettingsLayers): RunSettings {
  const merged = mergeLayers([l.registry ?? {}, l.project ?? {}, envLayer(l.env), l.flags ?? {}]);
  const parsed = RunSettingsSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError('INVALID_INPUT', `invalid run settings: ${issues}`);
  }
  return parsed.data;
}

/** `defaults` (e.g. the user's global settings, see user-settings.ts) rank below the environment and flags. */
export function loadRunSettings(
  env: Env,
  flags: Partial<RunSettings>,
  defaults: Partial<RunSettings> = {},
): RunSettings {
  return resolveRunSettings({ registry: defaults, env, flags });
}

/**
 * The model a role's sessions use: its own, else the general one, else undefined (Claude
 * Code's default). The demo model plays every role.
 */
export function modelFor(settings: Pick<RunSettings, 'model' | 'models'>, role: ModelRole): string | undefined {
  if (settings.model === DEMO_MODEL) return DEMO_MODEL;
  return settings.models?.[role] ?? settings.model;
}

/** Parses one `--role-model role=model` value. */
export function parseRoleModel(raw: string): { role: ModelRole; model: string } {
  const at = raw.indexOf('=');
  const role = raw.slice(0, Math.max(at, 0)).trim();
  const model = raw.slice(at + 1).trim();
  if (at < 1 || model === '')
    throw new AppError(
      'INVALID_INPUT',
      `--role-model takes role=model (roles: ${MODEL_ROLES.join(', ')}), not "${raw}"`,
    );
  if (!(MODEL_ROLES as readonly string[]).includes(role))
    throw new AppError('INVALID_INPUT', `--role-model: unknown role "${role}"; roles: ${MODEL_ROLES.join(', ')}`);
  return { role: role as ModelRole, model };
}

/**
 * Settings every machine of a shared run uses as its owner started it (#20): what the agents are (models, turns), how
 * they are guarded and verified (sandbox, verifier, yolo), leases and timeouts all processes must agree on, and the
 * budgets reserved in the database. The rest is the worker's own machine's (its slots, ports, browser, temp folders).
 */
export const RUN_WIDE_SETTINGS = [
  'model',
  'models',
  'maxTurns',
  'yolo',
  'sandbox',
  'verifier',
  'waitForInput',
  'stallMs',
  'maxSessionMs',
  'leaseMs',
  'heartbeatMs',
  'retryBackoffMs',
  'rateLimitBackoffMs',
  'maxCostUsd',
  'maxFeatureCostUsd',
] as const satisfies readonly (keyof RunSettings)[];

/** A worker's settings for a run: its own, with the run's run-wide settings (as recorded when it started) on top. */
export function workerRunSettings(run: Readonly<Record<string, unknown>>, own: RunSettings): RunSettings {
  // A run-wide setting the run left unset (its model: Claude Code's default) is unset here too, whatever is set here.
  const local: Record<string, unknown> = { ...own };
  for (const key of RUN_WIDE_SETTINGS) delete local[key];
  const shared = Object.fromEntries(RUN_WIDE_SETTINGS.filter((k) => run[k] !== undefined).map((k) => [k, run[k]]));
  const parsed = RunSettingsSchema.safeParse({ ...local, ...shared });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError('INVALID_INPUT', `the run's recorded settings cannot be used here: ${issues}`);
  }
  return parsed.data;
}
