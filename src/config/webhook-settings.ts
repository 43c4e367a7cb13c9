import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import type { EventType } from '../shared/events.js';
import type { Env } from './env.js';

/** What a webhook can be told about: events of the catalogue (src/shared/events.ts). */
export const WEBHOOK_EVENTS = [
  'feature.passed',
  'feature.needs_input',
  'run.finished',
  'run.failed',
  'verification.finished',
  'run.budget_warning',
  'checkpoint.finished',
  'checkpoint.critical',
  'design.iteration_finished',
] as const satisfies readonly EventType[];
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** One receiver: where to POST, which events, and in which payload shape. */
export const WebhookTargetSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1)
      .default([...WEBHOOK_EVENTS]),
    format: z.enum(['n8n', 'json']).default('json'),
  })
  .strict();

export type WebhookTarget = z.output<typeof WebhookTargetSchema>;

export interface WebhookSettings {
  readonly targets: WebhookTarget[];
  /** First retry delay; doubles per attempt. */
  readonly retryBaseMs: number;
}

export const DEFAULT_WEBHOOK_RETRY_MS = 1_000;

/**
 * Webhook receivers from the environment: `PROGRESS_N8N_WEBHOOK_URL` (n8n payload, sent when
 * a feature passes) and `AUTOCODER_WEBHOOKS` (a JSON array of `{url, events?, format?}`).
 * `AUTOCODER_WEBHOOK_RETRY_MS` sets the first retry delay.
 */
export function loadWebhookSettings(env: Env): WebhookSettings {
  const targets: WebhookTarget[] = [];
  const n8n = env.PROGRESS_N8N_WEBHOOK_URL?.trim();
  if (n8n)
    targets.push(parseTarget({ url: n8n, events: ['feature.passed'], format: 'n8n' }, 'PROGRESS_N8N_WEBHOOK_URL'));
  const raw = env.AUTOCODER_WEBHOOKS?.trim();
  if (raw) {
    let list: unknown;
    try {
      list = JSON.parse(raw);
    } catch (err: unknown) {
      throw new AppError(
        'INVALID_INPUT',
        `AUTOCODER_WEBHOOKS is not valid JSON (${err instanceof Error ? err.message : String(err)}); expected an array like [{"url":"https://…","events":["run.finished"],"format":"json"}]`,
      );
    }
    if (!Array.isArray(list))
      throw new AppError('INVALID_INPUT', 'AUTOCODER_WEBHOOKS must be a JSON array of {url, events?, format?} objects');
    list.forEach((entry, i) => targets.push(parseTarget(entry, `AUTOCODER_WEBHOOKS[${i}]`)));
  }
  const retryRaw = env.AUTOCODER_WEBHOOK_RETRY_MS?.trim();
  let retryBaseMs = DEFAULT_WEBHOOK_RETRY_MS;
  if (retryRaw) {
    retryBaseMs = Number(retryRaw);
    if (!Number.isInteger(retryBaseMs) || retryBaseMs < 0)
      throw new AppError(
        'INVALID_INPUT',
        `AUTOCODER_WEBHOOK_RETRY_MS must be a whole number of milliseconds, not "${retryRaw}"`,
      );
  }
  return { targets, retryBaseMs };
}

export function loadWebhookTargets(env: Env): WebhookTarget[] {
  return loadWebhookSettings(env).targets;
}

/** Validates one target; the error names where it came from and what is wrong. */
export function parseTarget(value: unknown, where: string): WebhookTarget {
  const parsed = WebhookTargetSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`)
    .join('; ');
  throw new AppError('INVALID_INPUT', `invalid webhook ${where}: ${issues}`);
}
