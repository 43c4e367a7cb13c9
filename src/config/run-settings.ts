import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import type { Env } from './env.js';

/** Settings of one `autocoder run`. Defaults < environment (AUTOCODER_*) < CLI flags. */
export const RunSettingsSchema = z
  .object({
    model: z.string().min(1).optional().describe('Model for all roles (Claude Code default when unset)'),
    maxIterations: z.number().int().min(1).optional().describe('Stop after this many coding sessions'),
    maxTurns: z.number().int().min(1).max(10_000).optional().describe('Turn limit per session (default per role)'),
    yolo: z.boolean().default(false).describe('No browser verification instructions and no testing agents'),
    concurrency: z.number().int().min(1).max(5).default(1).describe('Coding agents working at once, each in its own git worktree (1-5)'),
    testingRatio: z.number().int().min(0).max(3).default(0).describe('Testing agents re-verifying passing features beside the coding agents (0-3; none with yolo)'),
    stallMs: z.number().int().min(1_000).default(600_000).describe('A session with no agent activity for this long is aborted and its feature retried later'),
    maxSessionMs: z.number().int().min(1_000).default(3_600_000).describe('Longest one session may run before it is aborted'),
    leaseMs: z.number().int().min(1_000).default(90_000).describe('How long a claim lives without a heartbeat'),
    heartbeatMs: z.number().int().min(100).default(10_000).describe('How often the runner renews the leases it holds'),
    retryBackoffMs: z.number().int().min(0).default(15_000).describe('Base backoff before a failed feature is retried (doubles per attempt)'),
    rateLimitBackoffMs: z.number().int().min(0).default(60_000).describe('Wait after a rate limit that names no reset time (doubles while it repeats, up to 15 min)'),
    maxWaitMs: z.number().int().min(0).default(6 * 3_600_000).describe('Longest the runner waits for a rate-limit reset or a backoff before giving up'),
    basePort: z.number().int().min(1024).max(65_000).default(5100).describe('First port of the block agents run their app on (slot N uses basePort + 10·N)'),
    sandbox: z.enum(['auto', 'on', 'off']).default('auto').describe("Claude Code's OS sandbox for agent Bash commands: auto = on where available"),
    chromium: z.string().optional().describe('Browser executable for playwright-cli (found on PATH when unset)'),
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
  AUTOCODER_BASE_PORT: 'basePort',
  AUTOCODER_SANDBOX: 'sandbox',
  AUTOCODER_CONCURRENCY: 'concurrency',
  AUTOCODER_TESTING_RATIO: 'testingRatio',
  AUTOCODER_STALL_MS: 'stallMs',
  AUTOCODER_MAX_SESSION_MS: 'maxSessionMs',
};

const NUMERIC = new Set<keyof RunSettings>(['leaseMs', 'heartbeatMs', 'retryBackoffMs', 'maxWaitMs', 'rateLimitBackoffMs', 'basePort', 'concurrency', 'testingRatio', 'stallMs', 'maxSessionMs']);

/** `defaults` (e.g. the user's global settings, see user-settings.ts) rank below the environment and flags. */
export function loadRunSettings(env: Env, flags: Partial<RunSettings>, defaults: Partial<RunSettings> = {}): RunSettings {
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    fromEnv[key] = NUMERIC.has(key) ? Number(raw) : raw;
  }
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const base = Object.fromEntries(Object.entries(defaults).filter(([, v]) => v !== undefined));
  const parsed = RunSettingsSchema.safeParse({ ...base, ...fromEnv, ...defined });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError('INVALID_INPUT', `invalid run settings: ${issues}`);
  }
  return parsed.data;
}
