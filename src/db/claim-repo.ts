import { randomBytes } from 'node:crypto';
import type { BlockerType } from '../domain/blocker.js';
import { AppError } from '../domain/errors.js';
import type { Db } from './connection.js';
import { appendEvent } from './event-repo.js';
import { type Clock, notFound, systemClock } from './feature-repo.js';
import { type Feature, type FeatureRow, loadDependencies, toFeature } from './feature-rows.js';
import { cachedStatement, type Statement } from './statement-cache.js';

/** Proof of holding a feature. Every write about a claimed feature is compare-and-set on `token`. */
export interface Claim {
  readonly featureId: number;
  readonly token: string;
  readonly epoch: number;
  readonly owner: string;
}

export interface ClaimResult {
  readonly claim: Claim;
  readonly feature: Feature;
}

export interface ClaimPolicy {
  /** How long a claim lives without a heartbeat. */
  readonly leaseMs: number;
  /** Backoff before a failed attempt is retried: base · 2^(attempt-1), capped. */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
}

export const DEFAULT_CLAIM_POLICY: ClaimPolicy = { leaseMs: 90_000, backoffBaseMs: 15_000, backoffCapMs: 600_000 };

// The next ready feature: pending, backoff elapsed, attempts left, every dependency passing;
// ordered by priority, then how much work it unblocks, then id. INDEXED BY: without it the
// planner prefers features_status and sorts every pending row on each claim (O(n) per claim);
// the partial index is already in scheduling order, so the first ready entry ends the scan.
const NEXT_READY = `
  SELECT f.id FROM features f INDEXED BY features_ready
  WHERE f.status = 'pending' AND f.run_after <= @now AND f.attempts < f.max_attempts
    AND NOT EXISTS (SELECT 1 FROM feature_dependencies d JOIN features p ON p.id = d.depends_on
                    WHERE d.feature_id = f.id AND p.status <> 'passing')
  ORDER BY f.priority, f.unblocks DESC, f.id LIMIT 1`;

const CLAIM_SET = `
  status = 'in_progress', claim_token = @token, claim_epoch = claim_epoch + 1, claimed_by = @owner,
  lease_expires_at = @now + @leaseMs, heartbeat_at = @now, attempts = attempts + 1,
  started_at = coalesce(started_at, @now), updated_at = @now`;

/** Atomic claims with leases, heartbeats, release, a reaper, and token-guarded outcomes. */
export class ClaimRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
    private readonly policy: ClaimPolicy = DEFAULT_CLAIM_POLICY,
  ) {}

  /** Claims the next ready feature for `owner`, or returns null when nothing is ready. */
  claimNext(owner: string): ClaimResult | null {
    return this.db
      .transaction(() => {
        const claim = this.prepared(`UPDATE features SET ${CLAIM_SET} WHERE id = (${NEXT_READY}) RETURNING *`);
        const row = claim.get(this.claimParams(owner)) as FeatureRow | undefined;
        return row ? this.afterClaim(row, owner) : null;
      })
      .immediate();
  }

  /** Claims one specific feature; it must be ready (pending, dependencies passing, backoff elapsed). */
  claimFeature(featureId: number, owner: string): ClaimResult {
    return this.db
      .transaction(() => {
        const found = this.prepared(
          `UPDATE features SET ${CLAIM_SET}
           WHERE id = @id AND status = 'pending' AND attempts < max_attempts
             AND NOT EXISTS (SELECT 1 FROM feature_dependencies d JOIN features p ON p.id = d.depends_on
                             WHERE d.feature_id = features.id AND p.status <> 'passing')
           RETURNING *`,
        ).get({ ...this.claimParams(owner), id: featureId }) as FeatureRow | undefined;
        if (!found) throw this.whyNotClaimable(featureId);
        return this.afterClaim(found, owner);
      })
      .immediate();
  }

  /** Extends the lease. Returns false when the claim was lost: the holder must stop at once. */
  heartbeat(claim: Claim): boolean {
    const now = this.clock.now();
    const info = this.prepared(
      `UPDATE features SET heartbeat_at = @now, lease_expires_at = @now + @leaseMs
       WHERE id = @id AND claim_token = @token AND status = 'in_progress'`,
    ).run({ now, leaseMs: this.policy.leaseMs, id: claim.featureId, token: claim.token });
    return info.changes === 1;
  }

  /** Whether `claim` is still the live claim on its feature. */
  holds(claim: Claim): boolean {
    return (
      this.db
        .prepare(`SELECT 1 FROM features WHERE id = ? AND claim_token = ? AND status = 'in_progress'`)
        .get(claim.featureId, claim.token) !== undefined
    );
  }

  /**
   * The merge queue is about to move main to `commit` for this claim's feature. Recorded first,
   * so a runner that dies before the pass is recorded can tell, next time, that it landed.
   */
  recordLanding(claim: Claim, commit: string): boolean {
    const info = this.db
      .prepare(`UPDATE features SET landing_commit = ?, updated_at = ? WHERE id = ? AND claim_token = ? AND status = 'in_progress'`)
      .run(commit, this.clock.now(), claim.featureId, claim.token);
    return info.changes === 1;
  }

  markPassing(claim: Claim, evidence?: unknown): Feature {
    return this.finish(claim, 'feature.passed', (now) => ({
      sql: `status = 'passing', passed_at = @now, last_verified_at = @now, blocker_type = NULL, blocker_note = NULL, landing_commit = NULL,
            blocked_since = NULL, evidence = CASE WHEN @evidence IS NULL THEN evidence
                                                   ELSE json_insert(evidence, '$[#]', json(@evidence)) END`,
      params: { now, evidence: evidence === undefined ? null : JSON.stringify(evidence) },
    }));
  }

  /** The attempt failed: retry later with backoff, or `failed` once attempts are used up. */
  markFailing(claim: Claim, reason: string): Feature {
    return this.finish(claim, 'feature.failed', (now, row) => {
      const exhausted = row.attempts >= row.max_attempts;
      const backoff = Math.min(this.policy.backoffCapMs, this.policy.backoffBaseMs * 2 ** Math.max(0, row.attempts - 1));
      return {
        sql: `status = @status, run_after = @runAfter, notes = notes || @note`,
        params: {
          status: exhausted ? 'failed' : 'pending',
          runAfter: exhausted ? 0 : now + backoff,
          note: noteLine(now, `attempt ${row.attempts}/${row.max_attempts} failed: ${reason}`),
        },
        payload: { reason, attempts: row.attempts, final: exhausted },
      };
    });
  }

  /** Gives the feature up for now: it goes to the back of the queue with a classified blocker. */
  skip(claim: Claim, reason: string, blockerType: BlockerType): Feature {
    return this.finish(claim, 'feature.skipped', (now, row) => {
      const exhausted = row.attempts >= row.max_attempts;
      return {
        sql: `status = @status, priority = (SELECT coalesce(max(priority), 0) + 1 FROM features),
              skip_count = skip_count + 1, blocker_type = @blockerType, blocker_note = @reason,
              blocked_since = coalesce(blocked_since, @now), notes = notes || @note`,
        params: {
          now,
          status: exhausted ? 'failed' : 'pending',
          blockerType,
          reason,
          note: noteLine(now, `skipped (${blockerType}): ${reason}`),
        },
        payload: { reason, blockerType, final: exhausted },
      };
    });
  }

  /** Hands the claim back without counting the attempt (drain, stop, or the agent's own choice). */
  release(claim: Claim, note?: string): Feature {
    return this.finish(claim, 'feature.released', (now) => ({
      sql: `status = 'pending', attempts = max(attempts - 1, 0), notes = notes || @note`,
      params: { note: note ? noteLine(now, `released: ${note}`) : '' },
      payload: { note: note ?? null },
    }));
  }

  /**
   * Returns expired leases to the queue (or to `failed` when attempts are used up).
   * Safe to run from any process at any time.
   */
  reapExpired(): number[] {
    const now = this.clock.now();
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare(
            `UPDATE features SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END,
               claim_token = NULL, claimed_by = NULL, lease_expires_at = NULL, updated_at = @now,
               notes = notes || @note
             WHERE status = 'in_progress' AND lease_expires_at < @now
             RETURNING id, status, claimed_by`,
          )
          .all({ now, note: noteLine(now, 'lease expired (the session holding it stopped heartbeating)') }) as { id: number; status: string }[];
        for (const r of rows) {
          appendEvent(this.db, { type: 'feature.lease_expired', at: now, featureId: r.id, payload: { status: r.status } });
        }
        return rows.map((r) => r.id);
      })
      .immediate();
  }

  /** Frees every claim held by owners that are known to be dead (e.g. a crashed runner's sessions). */
  releaseOwnedBy(ownerPrefix: string, note: string): number[] {
    const now = this.clock.now();
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare(
            `UPDATE features SET status = 'pending', attempts = max(attempts - 1, 0), claim_token = NULL,
               claimed_by = NULL, lease_expires_at = NULL, updated_at = @now, notes = notes || @note
             WHERE status = 'in_progress' AND substr(claimed_by, 1, length(@prefix)) = @prefix
             RETURNING id`,
          )
          .all({ now, prefix: ownerPrefix, note: noteLine(now, note) }) as { id: number }[];
        for (const r of rows) appendEvent(this.db, { type: 'feature.released', at: now, featureId: r.id, payload: { note } });
        return rows.map((r) => r.id);
      })
      .immediate();
  }

  /** A regression: a passing feature goes back to pending with the evidence as a note. */
  regress(featureId: number, reason: string, sessionId: string | null, evidence?: unknown): Feature {
    const now = this.clock.now();
    this.db
      .transaction(() => {
        const info = this.db
          .prepare(
            `UPDATE features SET status = 'pending', passed_at = NULL, attempts = 0, run_after = 0,
               updated_at = @now, notes = notes || @note,
               evidence = CASE WHEN @evidence IS NULL THEN evidence ELSE json_insert(evidence, '$[#]', json(@evidence)) END
             WHERE id = @id AND status = 'passing'`,
          )
          .run({ id: featureId, now, note: noteLine(now, `regression: ${reason}`), evidence: evidence === undefined ? null : JSON.stringify(evidence) });
        if (info.changes === 0) throw this.notPassing(featureId, 'mark it failing as a regression');
        appendEvent(this.db, { type: 'feature.regressed', at: now, featureId, sessionId, payload: { reason } });
      })
      .immediate();
    return this.get(featureId);
  }

  /** A regression check found the passing feature still works. */
  recordVerified(featureId: number, sessionId: string | null): Feature {
    const now = this.clock.now();
    this.db
      .transaction(() => {
        const info = this.db
          .prepare(`UPDATE features SET last_verified_at = @now, updated_at = @now WHERE id = @id AND status = 'passing'`)
          .run({ id: featureId, now });
        if (info.changes === 0) throw this.notPassing(featureId, 'record it as verified');
        appendEvent(this.db, { type: 'feature.verified', at: now, featureId, sessionId, payload: {} });
      })
      .immediate();
    return this.get(featureId);
  }

  private finish(
    claim: Claim,
    eventType: string,
    change: (now: number, row: FeatureRow) => { sql: string; params: Record<string, unknown>; payload?: Record<string, unknown> },
  ): Feature {
    const now = this.clock.now();
    const row = this.db
      .transaction(() => {
        const current = this.db
          .prepare(`SELECT * FROM features WHERE id = ? AND claim_token = ? AND status = 'in_progress'`)
          .get(claim.featureId, claim.token) as FeatureRow | undefined;
        if (!current) throw this.claimLost(claim);
        const { sql, params, payload } = change(now, current);
        const updated = this.db
          .prepare(
            `UPDATE features SET ${sql}, claim_token = NULL, claimed_by = NULL, lease_expires_at = NULL, updated_at = @now
             WHERE id = @id AND claim_token = @token AND status = 'in_progress' RETURNING *`,
          )
          .get({ now, ...params, id: claim.featureId, token: claim.token }) as FeatureRow | undefined;
        if (!updated) throw this.claimLost(claim);
        appendEvent(this.db, { type: eventType, at: now, featureId: claim.featureId, sessionId: claim.owner, payload: { ...payload, status: updated.status } });
        return updated;
      })
      .immediate();
    return toFeature(row, loadDependencies(this.db, [row.id]).get(row.id) ?? []);
  }

  /** Runs inside the claim's transaction, so the claim and its event are committed together. */
  private afterClaim(row: FeatureRow, owner: string): ClaimResult {
    // The token is read from the row we just wrote inside the same transaction.
    const claim: Claim = { featureId: row.id, token: row.claim_token as string, epoch: row.claim_epoch, owner };
    appendEvent(this.db, { type: 'feature.claimed', at: this.clock.now(), featureId: row.id, sessionId: owner, payload: { epoch: row.claim_epoch, attempt: row.attempts } });
    return { claim, feature: toFeature(row, loadDependencies(this.db, [row.id]).get(row.id) ?? []) };
  }

  /** Hot paths (claims, heartbeats) compile their fixed SQL once per connection. */
  private prepared(sql: string): Statement {
    return cachedStatement(this.db, sql);
  }

  private claimParams(owner: string): Record<string, unknown> {
    return { now: this.clock.now(), leaseMs: this.policy.leaseMs, owner, token: randomBytes(16).toString('hex') };
  }

  private get(id: number): Feature {
    const row = this.db.prepare('SELECT * FROM features WHERE id = ?').get(id) as FeatureRow | undefined;
    if (!row) throw notFound(id);
    return toFeature(row, loadDependencies(this.db, [id]).get(id) ?? []);
  }

  private claimLost(claim: Claim): AppError {
    const row = this.db.prepare('SELECT status FROM features WHERE id = ?').get(claim.featureId) as { status: string } | undefined;
    if (!row) return notFound(claim.featureId);
    if (row.status === 'passing') {
      return new AppError('CONFLICT', `feature ${claim.featureId} is already passing; nothing to do`);
    }
    return new AppError(
      'CLAIM_LOST',
      `your claim on feature ${claim.featureId} is no longer valid (its status is now ${row.status}: the lease expired or another session took it over). Stop working on it.`,
      { details: { featureId: claim.featureId, status: row.status } },
    );
  }

  private whyNotClaimable(featureId: number): AppError {
    const row = this.db.prepare('SELECT status, attempts, max_attempts FROM features WHERE id = ?').get(featureId) as
      | { status: string; attempts: number; max_attempts: number }
      | undefined;
    if (!row) return notFound(featureId);
    if (row.status === 'in_progress') return new AppError('CONFLICT', `feature ${featureId} is already claimed by another session`);
    if (row.status !== 'pending') return new AppError('CONFLICT', `feature ${featureId} is ${row.status}, not pending`);
    if (row.attempts >= row.max_attempts) return new AppError('CONFLICT', `feature ${featureId} has used all ${row.max_attempts} attempts`);
    return new AppError('CONFLICT', `feature ${featureId} is blocked: not all of its dependencies are passing`);
  }

  private notPassing(featureId: number, action: string): AppError {
    const row = this.db.prepare('SELECT status FROM features WHERE id = ?').get(featureId) as { status: string } | undefined;
    if (!row) return notFound(featureId);
    return new AppError('CONFLICT', `feature ${featureId} is ${row.status}, not passing; only a passing feature can ${action}`);
  }
}

function noteLine(at: number, text: string): string {
  return `[${new Date(at).toISOString()}] ${text}\n`;
}
