import type { BlockerType } from '../domain/blocker.js';
import type { FeatureStatus } from '../domain/feature.js';
import type { AcceptanceCheck } from '../shared/acceptance.js';
import type { Db } from './connection.js';
import type { Feature } from './ports.js';
import { cachedStatement } from './statement-cache.js';
import { jsonListSql } from './sql.js';

export interface FeatureRow {
  id: number;
  priority: number;
  category: string;
  name: string;
  description: string;
  steps: string;
  status: FeatureStatus;
  attempts: number;
  max_attempts: number;
  run_after: number;
  unblocks: number;
  estimate_ms: number;
  path_ms: number;
  skip_count: number;
  blocker_type: BlockerType | null;
  blocker_note: string | null;
  blocked_since: number | null;
  claim_token: string | null;
  claim_epoch: number;
  claimed_by: string | null;
  lease_expires_at: number | null;
  heartbeat_at: number | null;
  branch: string | null;
  landing_commit: string | null;
  verify: string | null;
  acceptance: string | null;
  acceptance_hash: string | null;
  verification_id: string | null;
  evidence: string;
  notes: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  cost_usd: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  passed_at: number | null;
  last_verified_at: number | null;
}

export function toFeature(row: FeatureRow, dependencies: number[]): Feature {
  return {
    id: row.id,
    priority: row.priority,
    category: row.category,
    name: row.name,
    description: row.description,
    steps: JSON.parse(row.steps) as string[],
    status: row.status,
    dependencies,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAfter: row.run_after,
    unblocks: row.unblocks,
    estimateMs: row.estimate_ms,
    pathMs: row.path_ms,
    skipCount: row.skip_count,
    blockerType: row.blocker_type,
    blockerNote: row.blocker_note,
    blockedSince: row.blocked_since,
    claimEpoch: row.claim_epoch,
    claimedBy: row.claimed_by,
    leaseExpiresAt: row.lease_expires_at,
    heartbeatAt: row.heartbeat_at,
    branch: row.branch,
    landingCommit: row.landing_commit,
    verify: row.verify,
    // Validated when written (frozenAcceptance); read back as stored.
    acceptance: row.acceptance === null ? null : (JSON.parse(row.acceptance) as AcceptanceCheck[]),
    acceptanceHash: row.acceptance_hash,
    verificationId: row.verification_id,
    evidence: JSON.parse(row.evidence) as unknown[],
    notes: row.notes,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheReadTokens: row.cache_read_tokens,
    cacheCreationTokens: row.cache_creation_tokens,
    costUsd: row.cost_usd,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    passedAt: row.passed_at,
    lastVerifiedAt: row.last_verified_at,
  };
}

/** Dependencies of many features in one query, grouped by feature id. */
export function loadDependencies(db: Db, ids?: readonly number[]): Map<number, number[]> {
  const rows = (
    ids === undefined
      ? db.prepare('SELECT feature_id, depends_on FROM feature_dependencies ORDER BY feature_id, depends_on').all()
      : cachedStatement(
          db,
          `SELECT feature_id, depends_on FROM feature_dependencies
           WHERE feature_id IN (${jsonListSql(db, '?', 'integer')}) ORDER BY feature_id, depends_on`,
        ).all(JSON.stringify(ids))
  ) as { feature_id: number; depends_on: number }[];
  const map = new Map<number, number[]>();
  for (const r of rows) {
    const list = map.get(r.feature_id);
    if (list) list.push(r.depends_on);
    else map.set(r.feature_id, [r.depends_on]);
  }
  return map;
}

export function rowsToFeatures(db: Db, rows: readonly FeatureRow[]): Feature[] {
  if (rows.length === 0) return [];
  const deps =
    rows.length > 500
      ? loadDependencies(db)
      : loadDependencies(
          db,
          rows.map((r) => r.id),
        );
  return rows.map((r) => toFeature(r, deps.get(r.id) ?? []));
}
