import { parseTarget, type WebhookEvent, type WebhookTarget } from '../config/webhook-settings.js';
import type { Logger } from '../logging/logger.js';
import { timeLimit } from '../verify/bounded.js';

export { WEBHOOK_EVENTS, type WebhookEvent, type WebhookTarget } from '../config/webhook-settings.js';

/** What the runner tells webhooks with each event (the receiver gets it with the project, time and progress). */
export type WebhookData = {
  readonly 'feature.passed': { readonly featureId: number; readonly featureName: string };
  readonly 'feature.needs_input': {
    readonly featureId: number;
    readonly featureName: string;
    /** The open request, when there is one: what it asks and its fields (never a value). */
    readonly requestId?: string;
    readonly prompt?: string;
    readonly fields?: readonly { readonly id: string; readonly label: string; readonly type: string }[];
  };
  readonly 'run.finished': { readonly runId: string; readonly status: 'finished' | 'stopped'; readonly reason: string };
  readonly 'run.failed': { readonly runId: string; readonly status: 'failed'; readonly reason: string };
  /** 80 % of the run's or the day's budget is used (budget.runUsd / --max-cost, budget.dailyUsd). */
  readonly 'run.budget_warning': {
    readonly runId: string;
    readonly scope: 'run' | 'day';
    readonly limitUsd: number;
    readonly usedUsd: number;
  };
  /** A checkpoint ended: its findings by severity, what it found first and resolved, the fix features it created. */
  readonly 'checkpoint.finished': {
    readonly n: number;
    readonly status: 'finished' | 'failed' | 'aborted';
    readonly counts: Readonly<Record<'critical' | 'major' | 'minor' | 'info', number>>;
    readonly newFindings: number;
    readonly resolvedFindings: number;
    readonly fixFeatureIds: readonly number[];
    readonly costUsd: number;
  };
  /** A checkpoint found critical problems: the run drains (pauseOnCritical) and asks in the Inbox. */
  readonly 'checkpoint.critical': {
    readonly n: number;
    readonly findingIds: readonly string[];
    readonly titles: readonly string[];
    readonly requestId: string | null;
  };
  /** A design review iteration ended: its outcome, each persona's vote, axe's counts, the fix features it created. */
  readonly 'design.iteration_finished': {
    readonly n: number;
    readonly status: 'finished' | 'failed' | 'aborted';
    readonly outcome: 'approved' | 'changes_requested' | null;
    readonly votes: readonly {
      readonly persona: string;
      readonly approve: boolean | null;
      readonly score: number | null;
    }[];
    readonly axe: Readonly<Record<'critical' | 'serious' | 'moderate' | 'minor', number>> | null;
    readonly fixFeatureIds: readonly number[];
    readonly costUsd: number;
  };
  /** The runner ran a feature's frozen checks (a landing, a regression pass, `autocoder verify`). */
  readonly 'verification.finished': {
    readonly featureId: number;
    readonly featureName: string;
    readonly verificationId: string;
    readonly trigger: 'landing' | 'regression' | 'manual';
    readonly verdict: 'passed' | 'failed' | 'error';
    readonly commit: string;
    readonly checks: number;
    readonly passed: number;
  };
};

/** Tells webhooks about one event; must return at once. */
export type WebhookNotify = <E extends WebhookEvent>(event: E, data: WebhookData[E]) => void;

export interface WebhookProgress {
  readonly passing: number;
  readonly total: number;
}

export interface WebhookFailure {
  readonly url: string;
  readonly event: WebhookEvent;
  readonly attempts: number;
  readonly error: string;
}

export interface WebhookNotifierOptions {
  readonly targets: readonly WebhookTarget[];
  readonly projectName: string;
  readonly now: () => number;
  /** Progress at the moment of the event (read synchronously when `notify` is called). */
  readonly progress?: () => WebhookProgress;
  readonly fetch?: typeof fetch;
  /** Called once per delivery that was given up (after the last attempt, a permanent error, or drain's deadline). */
  readonly onFailure?: (failure: WebhookFailure) => void;
  /** Attempts per delivery (5). */
  readonly maxAttempts?: number;
  /** First retry delay, doubling per attempt (1000 ms). */
  readonly retryBaseMs?: number;
  /** Timeout of one attempt (5000 ms). */
  readonly attemptTimeoutMs?: number;
  /** Deliveries waiting per target beyond which the oldest are dropped (100). */
  readonly maxQueue?: number;
  /** Where a failure of the notifier itself is logged (the run never sees it). */
  readonly logger?: Logger;
}

interface Delivery {
  readonly event: WebhookEvent;
  readonly body: string;
}

interface Lane {
  readonly target: WebhookTarget;
  readonly queue: Delivery[];
  running: boolean;
}

/** A failure worth retrying (network error, timeout, 5xx, 429) or not (other 4xx). */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * Tells webhook receivers about a run. `notify` only enqueues: each target has its own
 * background queue delivering in order, with a timeout per attempt and exponential backoff on
 * network errors, 5xx and 429, so a slow or dead receiver never holds the runner up.
 */
export class WebhookNotifier {
  private readonly lanes: Lane[];
  private readonly fetchFn: typeof fetch;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly maxQueue: number;
  private readonly closing = new AbortController();
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly options: WebhookNotifierOptions) {
    this.lanes = options.targets.map((t, i) => ({ target: parseTarget(t, `target ${i}`), queue: [], running: false }));
    this.fetchFn = options.fetch ?? fetch;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.retryBaseMs = Math.max(0, options.retryBaseMs ?? 1_000);
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
    this.maxQueue = Math.max(1, options.maxQueue ?? 100);
  }

  get enabled(): boolean {
    return this.lanes.length > 0;
  }

  /** Enqueues the event for every target that wants it and returns at once; never throws. */
  notify<E extends WebhookEvent>(event: E, data: WebhookData[E]): void {
    try {
      const lanes = this.lanes.filter((l) => l.target.events.includes(event));
      if (lanes.length === 0 || this.closing.signal.aborted) return;
      const progress = this.readProgress();
      const timestamp = new Date(this.options.now()).toISOString();
      for (const lane of lanes) {
        const body = JSON.stringify(
          payload(lane.target.format, event, { project: this.options.projectName, timestamp, ...progress }, data),
        );
        if (lane.queue.length >= this.maxQueue) {
          const dropped = lane.queue.shift() as Delivery;
          this.fail(lane, dropped, 0, `dropped: more than ${this.maxQueue} deliveries waiting`);
        }
        lane.queue.push({ event, body });
        if (!lane.running) void this.pump(lane);
      }
    } catch (err: unknown) {
      // Webhooks are best effort: nothing here may disturb the run, so the failure goes to the log only.
      this.options.logger?.error({ err, event }, 'could not queue a webhook delivery');
    }
  }

  /** True when nothing is queued or in flight. */
  get idle(): boolean {
    return this.lanes.every((l) => !l.running && l.queue.length === 0);
  }

  /**
   * Waits for queued and in-flight deliveries, at most `timeoutMs`; what is still pending then
   * is abandoned (reported through `onFailure`). Returns true when everything settled in time.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.idle) return true;
    let timer: NodeJS.Timeout | undefined;
    let onIdle: (() => void) | undefined;
    const settled = await Promise.race([
      new Promise<true>((resolve) => {
        onIdle = () => resolve(true);
        this.idleWaiters.add(onIdle);
      }),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (onIdle) this.idleWaiters.delete(onIdle);
    if (!settled) await this.abandon();
    return settled;
  }

  /** Stops everything now: in-flight attempts are aborted, waiting deliveries reported as failed. */
  private async abandon(): Promise<void> {
    this.closing.abort();
    for (const lane of this.lanes) {
      for (const d of lane.queue.splice(0))
        this.fail(lane, d, 0, 'abandoned: the run ended before it could be delivered');
    }
    if (this.idle) return;
    await new Promise<void>((resolve) => this.idleWaiters.add(resolve));
  }

  private readProgress(): { passing: number; total: number; percentage: number } {
    const p = this.options.progress?.() ?? { passing: 0, total: 0 };
    return {
      passing: p.passing,
      total: p.total,
      percentage: p.total === 0 ? 0 : Math.round((p.passing / p.total) * 1000) / 10,
    };
  }

  private async pump(lane: Lane): Promise<void> {
    lane.running = true;
    try {
      for (let d = lane.queue.shift(); d !== undefined; d = lane.queue.shift()) await this.deliver(lane, d);
    } finally {
      lane.running = false;
      if (this.idle) for (const wake of [...this.idleWaiters]) wake();
    }
  }

  private async deliver(lane: Lane, d: Delivery): Promise<void> {
    let lastError = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (this.closing.signal.aborted)
        return this.fail(
          lane,
          d,
          attempt - 1,
          `abandoned: the run ended before it could be delivered (last error: ${lastError || 'none'})`,
        );
      try {
        await this.attempt(lane.target.url, d.body);
        return;
      } catch (err: unknown) {
        lastError = err instanceof Error ? err.message : String(err);
        const retryable = !(err instanceof AttemptError) || err.retryable;
        if (!retryable || attempt === this.maxAttempts) return this.fail(lane, d, attempt, lastError);
        await sleep(this.retryBaseMs * 2 ** (attempt - 1), this.closing.signal);
      }
    }
  }

  private async attempt(url: string, body: string): Promise<void> {
    const limit = timeLimit(this.attemptTimeoutMs, this.closing.signal);
    try {
      await this.post(url, body, limit.signal);
    } finally {
      limit.clear();
    }
  }

  private async post(url: string, body: string, signal: AbortSignal): Promise<void> {
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'autocoder' },
        body,
        signal,
        redirect: 'follow',
      });
    } catch (err: unknown) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new AttemptError(
        timedOut ? `no answer within ${this.attemptTimeoutMs} ms` : `request failed: ${describeFetchError(err)}`,
        true,
      );
    }
    // The body is read only to free the connection; the status below is the answer, whatever happens to it.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return;
    throw new AttemptError(`HTTP ${res.status}`, res.status >= 500 || res.status === 429);
  }

  private fail(lane: Lane, d: Delivery, attempts: number, error: string): void {
    try {
      this.options.onFailure?.({ url: lane.target.url, event: d.event, attempts, error });
    } catch (err: unknown) {
      // A failing failure handler must not break the queue; the log keeps both failures.
      this.options.logger?.error(
        { err, url: lane.target.url, event: d.event, attempts, deliveryError: error },
        'the webhook failure handler threw',
      );
    }
  }
}

/** The body for one event: n8n's array shape (the progress notifier autocoder re-creates) or a flat JSON object. */
export function payload<E extends WebhookEvent>(
  format: WebhookTarget['format'],
  event: E,
  base: { project: string; timestamp: string; passing: number; total: number; percentage: number },
  data: WebhookData[E],
): unknown {
  if (format === 'json') return { event, ...base, ...data };
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) extra[snakeCase(k)] = v;
  return [
    {
      event: event === 'feature.passed' ? 'test_progress' : event.replace('.', '_'),
      passing: base.passing,
      total: base.total,
      percentage: base.percentage,
      project: base.project,
      timestamp: base.timestamp,
      ...extra,
    },
  ];
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
