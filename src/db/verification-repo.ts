import { AppError } from '../domain/errors.js';
import { VerificationSchema, type CheckResult, type Verification } from '../shared/acceptance.js';
import { issuesText } from '../shared/zod-issues.js';
import type { Db } from './connection.js';
import { appendEvent } from './event-repo.js';
import { notFound } from './feature-repo.js';
import { type Clock, systemClock, type VerificationPort } from './ports.js';
import { jsonListSql } from './sql.js';

interface VerificationRow {
  id: string;
  feature_id: number;
  commit_sha: string;
  trigger: Verification['trigger'];
  status: Verification['status'];
  session_id: string | null;
  started_at: number;
  ended_at: number | null;
  evidence_dir: string;
  checks: string;
  error: string | null;
}

/** The verification id the store accepts: what names an evidence folder (`ver_<hex>` from the runner). */
const VERIFICATION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Verifications in the project database: the engine reports a start, its checks one by one, and
 * the end; each start and end is one transaction with its event. A finished verification never
 * changes again, so what a pass was linked to stays what it was.
 */
export class VerificationRepo implements VerificationPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {}

  start(verification: Verification): Verification {
    const v = checked(verification);
    if (!VERIFICATION_ID.test(v.id))
      throw new AppError('INVALID_INPUT', `"${v.id.slice(0, 80)}" is not a verification id (letters, digits, _ and -)`);
    if (v.status !== 'running' || v.endedAt !== null)
      throw new AppError('INVALID_INPUT', `verification ${v.id} is ${v.status}; a verification starts as running`);
    this.db
      .transaction(() => {
        if (this.db.prepare('SELECT 1 FROM features WHERE id = ?').get(v.featureId) === undefined)
          throw notFound(v.featureId);
        if (this.db.prepare('SELECT 1 FROM verifications WHERE id = ?').get(v.id) !== undefined)
          throw new AppError('CONFLICT', `verification ${v.id} is recorded already`);
        this.db
          .prepare(
            `INSERT INTO verifications (id, feature_id, commit_sha, trigger, status, session_id, started_at, ended_at,
               evidence_dir, checks, error)
             VALUES (@id, @featureId, @commit, @trigger, 'running', @sessionId, @startedAt, NULL, @evidenceDir, @checks, NULL)`,
          )
          .run({
            id: v.id,
            featureId: v.featureId,
            commit: v.commit,
            trigger: v.trigger,
            sessionId: v.sessionId,
            startedAt: v.startedAt,
            evidenceDir: v.evidenceDir,
            checks: JSON.stringify(v.checks),
          });
        appendEvent(this.db, {
          type: 'verification.started',
          at: this.clock.now(),
          featureId: v.featureId,
          sessionId: v.sessionId,
          payload: { verificationId: v.id, commit: v.commit, trigger: v.trigger },
        });
      })
      .immediate();
    return this.get(v.id);
  }

  progress(verification: Verification): boolean {
    const v = checked(verification);
    const info = this.db
      .prepare(
        `UPDATE verifications SET checks = @checks, commit_sha = @commit WHERE id = @id AND feature_id = @featureId
           AND status = 'running'`,
      )
      .run({ id: v.id, featureId: v.featureId, checks: JSON.stringify(v.checks), commit: v.commit });
    return info.changes === 1;
  }

  finish(verification: Verification): Verification {
    const v = checked(verification);
    if (v.status === 'running' || v.endedAt === null)
      throw new AppError('INVALID_INPUT', `verification ${v.id} has not ended (status ${v.status}, no end time)`);
    this.db
      .transaction(() => {
        const info = this.db
          .prepare(
            `UPDATE verifications SET status = @status, ended_at = @endedAt, checks = @checks, error = @error,
               commit_sha = @commit
             WHERE id = @id AND feature_id = @featureId AND status = 'running'`,
          )
          .run({
            id: v.id,
            featureId: v.featureId,
            status: v.status,
            endedAt: v.endedAt,
            checks: JSON.stringify(v.checks),
            error: v.error,
            commit: v.commit,
          });
        if (info.changes === 0) throw this.notRunning(v);
        appendEvent(this.db, {
          type: 'verification.finished',
          at: this.clock.now(),
          featureId: v.featureId,
          sessionId: v.sessionId,
          payload: {
            verificationId: v.id,
            verdict: v.status as 'passed' | 'failed' | 'error',
            checks: v.checks.length,
            passed: v.checks.filter((c) => c.passed).length,
            error: v.error,
          },
        });
      })
      .immediate();
    return this.get(v.id);
  }

  get(id: string): Verification {
    const row = this.db.prepare('SELECT * FROM verifications WHERE id = ?').get(id) as VerificationRow | undefined;
    if (!row)
      throw new AppError('NOT_FOUND', `verification "${id.slice(0, 80)}" does not exist in this project`, {
        details: { verificationId: id.slice(0, 80) },
      });
    return toVerification(row);
  }

  list(featureId: number, limit = 100): Verification[] {
    const rows = this.db
      .prepare('SELECT * FROM verifications WHERE feature_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?')
      .all(featureId, limit) as VerificationRow[];
    return rows.map(toVerification);
  }

  latest(featureIds?: readonly number[]): Map<number, Verification> {
    const newest = `SELECT v.* FROM verifications v
      WHERE v.rowid = (SELECT w.rowid FROM verifications w WHERE w.feature_id = v.feature_id
                       ORDER BY w.started_at DESC, w.rowid DESC LIMIT 1)`;
    const rows = (
      featureIds === undefined
        ? this.db.prepare(newest).all()
        : this.db
            .prepare(`${newest} AND v.feature_id IN (${jsonListSql(this.db, '?', 'integer')})`)
            .all(JSON.stringify(featureIds))
    ) as VerificationRow[];
    return new Map(rows.map((r) => [r.feature_id, toVerification(r)]));
  }

  verifiedCount(): number {
    return this.db
      .prepare(
        `SELECT count(*) FROM features f WHERE f.status = 'passing'
           AND (SELECT v.status FROM verifications v WHERE v.feature_id = f.id AND v.status <> 'running'
                ORDER BY v.started_at DESC, v.rowid DESC LIMIT 1) = 'passed'`,
      )
      .pluck()
      .get() as number;
  }

  private notRunning(v: Verification): AppError {
    const row = this.db.prepare('SELECT feature_id, status FROM verifications WHERE id = ?').get(v.id) as
      { feature_id: number; status: string } | undefined;
    if (!row) return new AppError('NOT_FOUND', `verification ${v.id} was never started; record its start first`);
    if (row.feature_id !== v.featureId)
      return new AppError('CONFLICT', `verification ${v.id} is feature ${row.feature_id}'s, not ${v.featureId}'s`);
    return new AppError('CONFLICT', `verification ${v.id} has ended already (${row.status}); nothing was changed`);
  }
}

/** The engine's shape, checked: a store never keeps a verification the wire schema would refuse. */
function checked(v: Verification): Verification {
  const parsed = VerificationSchema.safeParse(v);
  if (!parsed.success)
    throw new AppError('INVALID_INPUT', `invalid verification: ${issuesText(parsed.error.issues, 'verification')}`);
  return parsed.data;
}

function toVerification(r: VerificationRow): Verification {
  return {
    id: r.id,
    featureId: r.feature_id,
    commit: r.commit_sha,
    trigger: r.trigger,
    status: r.status,
    sessionId: r.session_id,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    evidenceDir: r.evidence_dir,
    checks: JSON.parse(r.checks) as CheckResult[],
    error: r.error,
  };
}
