import { randomBytes } from 'node:crypto';
import type { BlockerType } from '../domain/blocker.js';
import { AppError } from '../domain/errors.js';
import { type FeatureStatus, nextStatus } from '../domain/feature.js';
import type { EventBody } from '../shared/events.js';
import type { Db } from './connection.js';
import { appendEvent } from './event-repo.js';
import { notFound } from './feature-repo.js';
import { type FeatureRow, loadDependencies, toFeature } from './feature-rows.js';
import {
  type Claim,
  type ClaimPolicy,
  type ClaimPort,
  type ClaimResult,
  type Clock,
  DEFAULT_CLAIM_POLICY,
  type Feature,
  type Landed,
  systemClock,
} from './ports.js';
import { cachedStatement, type Statement } from './statement-cache.js';
import { bySql, jsonAppendSql } from './sql.js';

// The next ready feature: pending, backoff elapsed, attempts left, every dependency passing;
// ordered by priority, then the longest estimated path to the end of its dependents (path_ms, written by the runner
// from the project's history: src/runner/duration-estimates.ts), then how much work it unblocks, then id.
// INDEXED BY: without it the planner prefers features_status and sorts every pending row on each claim (O(n) each);
// the partial index is already in scheduling order, so the first ready entry ends the scan.
const NEXT_READY = `
  SELECT f.id FROM features f INDEXED BY features_ready
  WHERE f.status = 'pending' AND f.run_after <= @now AND f.attempts < f.max_attempts
    AND NOT EXISTS (SELECT 1 FROM feature_dependencies d JOIN features p ON p.id = d.depends_on
                    WHERE d.feature_id = f.id AND p.status <> 'passing')
  ORDER BY f.priority, f.path_ms DESC, f.unblocks DESC, f.id LIMIT 1`;

/** The attempt given back, never below 0 (SQL both dialects run: SQLite has no greatest(), PostgreSQL no max(a, b)). */
export const REFUND_ATTEMPT = 'CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END';

// @status is always 'in_progress', checked against the lifecycle inside each claim's transaction.
const CLAIM_SET = `
  status = @status, claim_token = @token, claim_epoch = claim_epoch + 1, claimed_by = @owner,
  lease_expires_at = @now + @leaseMs, heartbeat_at = @now, attempts = attempts + 1,
  started_at = coalesce(started_at, @now), updated_at = @now`;

/** Atomic claims with leases, heartbeats, release, a reaper, and token-guarded outcomes. */
export class ClaimRepo implements ClaimPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
    private readonly policy: ClaimPolicy = DEFAULT_CLAIM_POLICY,
  ) {}

  /** Claims the next ready feature for `owner`, or returns null when nothing is ready. */
  claimNext(owner: string): ClaimResult | null {
    return this.db
      .transaction(() => {
        // PostgreSQL: the row is locked as it is picked, skipping rows another transaction holds (pg-db.ts: the store's
        // write lock already orders its writers; this keeps a claim from ever waiting on a row locked outside it).
        const next = bySql(this.db, { sqlite: NEXT_READY, pg: `${NEXT_READY} FOR UPDATE OF f SKIP LOCKED` });
        const claim = this.prepared(`UPDATE features SET ${CLAIM_SET} WHERE id = (${next}) RETURNING *`);
        const row = claim.get(this.claimParams(owner)) as FeatureRow | undefined;
        return row ? this.afterClaim(row, owner) : null;
      })
      .immediate();
  }

  /**
   * Claims one specific feature; it must be ready (pending, dependencies passing, attempts
   * left). A feature the lifecycle cannot move to `in_progress` (passing, failed, waiting for
   * input) is refused as INVALID_TRANSITION, naming both states.
   */
  claimFeature(featureId: number, owner: string): ClaimResult {
    return this.db
      .transaction(() => {
        const current = this.statusOf(featureId);
        if (current === undefined) throw notFound(featureId);
        if (current === 'in_progress')
          throw new AppError('CONFLICT', `feature ${featureId} is already claimed by another session`);
        nextStatus(current, 'in_progress', featureId);
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
      .prepare(
        `UPDATE features SET landing_commit = ?, updated_at = ? WHERE id = ? AND claim_token = ? AND status = 'in_progress'`,
      )
      .run(commit, this.clock.now(), claim.featureId, claim.token);
    return info.changes === 1;
  }

  /**
   * The feature passes. With `landing.verificationId` it is linked to the verification that let it land; that must be
   * a passed verification of this feature, checked in the same transaction (else CONFLICT, nothing written). With
   * `landing.rebased` its `feature.passed` event says the runner rebased the branch before it landed.
   */
  markPassing(claim: Claim, evidence?: unknown, landing?: Landed): Feature {
    return this.finish(claim, (now) => {
      if (landing?.verificationId !== undefined)
        this.assertLandingVerification(claim.featureId, landing.verificationId);
      return {
        to: 'passing',
        sql: `passed_at = @now, last_verified_at = @now, blocker_type = NULL, blocker_note = NULL, landing_commit = NULL,
              blocked_since = NULL, verification_id = @verificationId,
              evidence = CASE WHEN CAST(@evidence AS text) IS NULL THEN evidence ELSE ${jsonAppendSql(this.db, 'evidence', '@evidence')} END`,
        params: {
          now,
          evidence: evidence === undefined ? null : JSON.stringify(evidence),
          verificationId: landing?.verificationId ?? null,
        },
        // Whether the merge queue rebased it itself (main had moved on): counted by `bench parallel` and the metrics.
        event: (status) => ({
          type: 'feature.passed',
          payload: { status, ...(landing?.rebased ? { rebased: true } : {}) },
        }),
      };
    });
  }

  /** A pass may name only a passed verification of the same feature. */
  private assertLandingVerification(featureId: number, verificationId: string): void {
    const row = this.db.prepare('SELECT feature_id, status FROM verifications WHERE id = ?').get(verificationId) as
      { feature_id: number; status: string } | undefined;
    if (!row)
      throw new AppError('CONFLICT', `verification ${verificationId} does not exist; the feature is not passing`, {
        details: { verificationId },
      });
    if (row.feature_id !== featureId || row.status !== 'passed')
      throw new AppError(
        'CONFLICT',
        `verification ${verificationId} ${row.feature_id !== featureId ? `is feature ${row.feature_id}'s, not ${featureId}'s` : `did not pass (${row.status})`}; the feature is not passing`,
        { details: { verificationId, featureId: row.feature_id, status: row.status } },
      );
  }

  /** The attempt failed: retry later with backoff, or `failed` once attempts are used up. */
  markFailing(claim: Claim, reason: string): Feature {
    return this.finish(claim, (now, row) => {
      const exhausted = row.attempts >= row.max_attempts;
      const backoff = Math.min(
        this.policy.backoffCapMs,
        this.policy.backoffBaseMs * 2 ** Math.max(0, row.attempts - 1),
      );
      return {
        to: exhausted ? 'failed' : 'pending',
        sql: `run_after = @runAfter, notes = notes || @note`,
        params: {
          runAfter: exhausted ? 0 : now + backoff,
          note: noteLine(now, `attempt ${row.attempts}/${row.max_attempts} failed: ${reason}`),
        },
        event: (status) => ({
          type: 'feature.failed',
          payload: { reason, attempts: row.attempts, final: exhausted, status },
        }),
      };
    });
  }

  /** Gives the feature up for now: it goes to the back of the queue with a classified blocker. */
  skip(claim: Claim, reason: string, blockerType: BlockerType): Feature {
    return this.finish(claim, (now, row) => {
      const exhausted = row.attempts >= row.max_attempts;
      return {
        to: exhausted ? 'failed' : 'pending',
        sql: `priority = (SELECT coalesce(max(priority), 0) + 1 FROM features),
              skip_count = skip_count + 1, blocker_type = @blockerType, blocker_note = @reason,
              blocked_since = coalesce(blocked_since, @now), notes = notes || @note`,
        params: {
          now,
          blockerType,
          reason,
          note: noteLine(now, `skipped (${blockerType}): ${reason}`),
        },
        event: (status) => ({ type: 'feature.skipped', payload: { reason, blockerType, final: exhausted, status } }),
      };
    });
  }

  /** Hands the claim back without counting the attempt (drain, stop, or the agent's own choice). */
  release(claim: Claim, note?: string): Feature {
    return this.finish(claim, (now) => ({
      to: 'pending',
      sql: `attempts = ${REFUND_ATTEMPT}, notes = notes || @note`,
      params: { note: note ? noteLine(now, `released: ${note}`) : '' },
      event: (status) => ({ type: 'feature.released', payload: { note: note ?? null, status } }),
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
        const expired = this.prepared(
          `SELECT id, status, attempts, max_attempts FROM features WHERE status = 'in_progress' AND lease_expires_at < @now ORDER BY id`,
        ).all({
          now,
        }) as Pick<FeatureRow, 'id' | 'status' | 'attempts' | 'max_attempts'>[];
        const note = noteLine(now, 'lease expired (the session holding it stopped heartbeating)');
        for (const r of expired) {
          const status = nextStatus(r.status, r.attempts >= r.max_attempts ? 'failed' : 'pending', r.id);
          this.prepared(
            `UPDATE features SET status = @status, claim_token = NULL, claimed_by = NULL, lease_expires_at = NULL, updated_at = @now,
               notes = notes || @note
             WHERE id = @id AND status = @from`,
          ).run({ id: r.id, from: r.status, status, now, note });
          appendEvent(this.db, { type: 'feature.lease_expired', at: now, featureId: r.id, payload: { status } });
        }
        return expired.map((r) => r.id);
      })
      .immediate();
  }

  /** Frees every claim held by owners that are known to be dead (e.g. a crashed runner's sessions). */
  releaseOwnedBy(ownerPrefix: string, note: string): number[] {
    const now = this.clock.now();
    return this.db
      .transaction(() => {
        const owned = this.db
          .prepare(
            `SELECT id, status FROM features WHERE status = 'in_progress' AND substr(claimed_by, 1, length(@prefix)) = @prefix ORDER BY id`,
          )
          .all({ prefix: ownerPrefix }) as Pick<FeatureRow, 'id' | 'status'>[];
        for (const r of owned) {
          const status = nextStatus(r.status, 'pending', r.id);
          this.db
            .prepare(
              `UPDATE features SET status = @status, attempts = ${REFUND_ATTEMPT}, claim_token = NULL,
                 claimed_by = NULL, lease_expires_at = NULL, updated_at = @now, notes = notes || @note
               WHERE id = @id AND status = @from`,
            )
            .run({ id: r.id, from: r.status, status, now, note: noteLine(now, note) });
          appendEvent(this.db, { type: 'feature.released', at: now, featureId: r.id, payload: { note, status } });
        }
        return owned.map((r) => r.id);
      })
      .immediate();
  }

  /** A regression: a passing feature goes back to pending with the evidence as a note. */
  regress(featureId: number, reason: string, sessionId: string | null, evidence?: unknown): Feature {
    const now = this.clock.now();
    this.db
      .transaction(() => {
        const from = this.statusOf(featureId);
        if (from !== 'passing') throw this.notPassing(featureId, 'mark it failing as a regression');
        this.db
          .prepare(
            `UPDATE features SET status = @status, passed_at = NULL, verification_id = NULL, attempts = 0, run_after = 0,
               updated_at = @now, notes = notes || @note,
               evidence = CASE WHEN CAST(@evidence AS text) IS NULL THEN evidence ELSE ${jsonAppendSql(this.db, 'evidence', '@evidence')} END
             WHERE id = @id AND status = @from`,
          )
          .run({
            id: featureId,
            from,
            status: nextStatus(from, 'pending', featureId),
            now,
            note: noteLine(now, `regression: ${reason}`),
            evidence: evidence === undefined ? null : JSON.stringify(evidence),
          });
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
          .prepare(
            `UPDATE features SET last_verified_at = @now, updated_at = @now WHERE id = @id AND status = 'passing'`,
          )
          .run({ id: featureId, now });
        if (info.changes === 0) throw this.notPassing(featureId, 'record it as verified');
        appendEvent(this.db, { type: 'feature.verified', at: now, featureId, sessionId, payload: {} });
      })
      .immediate();
    return this.get(featureId);
  }

  /**
   * Settles a claim: in one transaction the claimed row is read (compare-and-set on the token),
   * its next status checked against the lifecycle, the row updated and the event appended.
   */
  private finish(
    claim: Claim,
    change: (
      now: number,
      row: FeatureRow,
    ) => {
      to: FeatureStatus;
      sql: string;
      params: Record<string, unknown>;
      event: (status: FeatureStatus) => Extract<EventBody, { type: `feature.${string}` }>;
    },
  ): Feature {
    const now = this.clock.now();
    const row = this.db
      .transaction(() => {
        const current = this.prepared(
          `SELECT * FROM features WHERE id = ? AND claim_token = ? AND status = 'in_progress'`,
        ).get(claim.featureId, claim.token) as FeatureRow | undefined;
        if (!current) throw this.claimLost(claim);
        const { to, sql, params, event } = change(now, current);
        const status = nextStatus(current.status, to, claim.featureId);
        const updated = this.db
          .prepare(
            `UPDATE features SET status = @status, ${sql}, claim_token = NULL, claimed_by = NULL, lease_expires_at = NULL, updated_at = @now
             WHERE id = @id AND claim_token = @token AND status = @from RETURNING *`,
          )
          .get({ now, ...params, status, from: current.status, id: claim.featureId, token: claim.token }) as
          FeatureRow | undefined;
        if (!updated) throw this.claimLost(claim);
        appendEvent(this.db, { ...event(updated.status), at: now, featureId: claim.featureId, sessionId: claim.owner });
        return updated;
      })
      .immediate();
    return toFeature(row, loadDependencies(this.db, [row.id]).get(row.id) ?? []);
  }

  /** Runs inside the claim's transaction, so the claim and its event are committed together. */
  private afterClaim(row: FeatureRow, owner: string): ClaimResult {
    // The token is read from the row we just wrote inside the same transaction.
    const claim: Claim = { featureId: row.id, token: row.claim_token as string, epoch: row.claim_epoch, owner };
    appendEvent(this.db, {
      type: 'feature.claimed',
      at: this.clock.now(),
      featureId: row.id,
      sessionId: owner,
      payload: { epoch: row.claim_epoch, attempt: row.attempts },
    });
    return { claim, feature: toFeature(row, loadDependencies(this.db, [row.id]).get(row.id) ?? []) };
  }

  /** Hot paths (claims, heartbeats) compile their fixed SQL once per connection. */
  private prepared(sql: string): Statement {
    return cachedStatement(this.db, sql);
  }

  /**
   * The claim's parameters; its status is the lifecycle's `pending` → `in_progress`, checked here, inside the
   * transaction.
   */
  private claimParams(owner: string): Record<string, unknown> {
    return {
      now: this.clock.now(),
      leaseMs: this.policy.leaseMs,
      owner,
      token: randomBytes(16).toString('hex'),
      status: nextStatus('pending', 'in_progress'),
    };
  }

  private statusOf(featureId: number): FeatureStatus | undefined {
    return (
      this.prepared('SELECT status FROM features WHERE id = ?').get(featureId) as { status: FeatureStatus } | undefined
    )?.status;
  }

  private get(id: number): Feature {
    const row = this.db.prepare('SELECT * FROM features WHERE id = ?').get(id) as FeatureRow | undefined;
    if (!row) throw notFound(id);
    return toFeature(row, loadDependencies(this.db, [id]).get(id) ?? []);
  }

  private claimLost(claim: Claim): AppError {
    const row = this.db.prepare('SELECT status FROM features WHERE id = ?').get(claim.featureId) as
      { status: string } | undefined;
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
      { status: string; attempts: number; max_attempts: number } | undefined;
    if (!row) return notFound(featureId);
    if (row.attempts >= row.max_attempts)
      return new AppError('CONFLICT', `feature ${featureId} has used all ${row.max_attempts} attempts`);
    return new AppError('CONFLICT', `feature ${featureId} is blocked: not all of its dependencies are passing`);
  }

  private notPassing(featureId: number, action: string): AppError {
    const row = this.db.prepare('SELECT status FROM features WHERE id = ?').get(featureId) as
      { status: string } | undefined;
    if (!row) return notFound(featureId);
    return new AppError(
      'CONFLICT',
      `feature ${featureId} is ${row.status}, not passing; only a passing feature can ${action}`,
    );
  }
}

function noteLine(at: number, text: string): string {
  return `[${new Date(at).toISOString()}] ${text}\n`;
}
