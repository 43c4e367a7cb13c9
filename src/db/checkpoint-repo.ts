import { randomBytes } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { findingFingerprint, severityCounts, SEVERITY_ORDER } from '../domain/findings.js';
import {
  CheckpointReviewSchema,
  ToolFactSchema,
  type Checkpoint,
  type CheckpointAgent,
  type CheckpointReview,
  type Finding,
  type FindingSighting,
  type ToolFact,
} from '../shared/checkpoints.js';
import type { Db } from './connection.js';
import { appendEvent } from './event-repo.js';
import type { FeatureRepo } from './feature-repo.js';
import {
  type CheckpointPort,
  type Clock,
  type Feature,
  type FindingFilter,
  type FindingReport,
  type NewCheckpoint,
  type NewFeature,
  systemClock,
} from './ports.js';

interface CheckpointRow {
  n: number;
  run_id: string | null;
  trigger: Checkpoint['trigger'];
  commit_sha: string;
  previous_commit: string | null;
  agents: string;
  status: Checkpoint['status'];
  started_at: number;
  ended_at: number | null;
  passing: number;
  cost_usd: number;
  facts: string;
  reviews: string;
  fix_feature_ids: string;
  report_path: string | null;
  error: string | null;
}

interface FindingRow {
  id: string;
  fingerprint: string;
  agent: Finding['agent'];
  source: Finding['source'];
  severity: Finding['severity'];
  category: string;
  title: string;
  detail: string;
  file: string | null;
  line: number | null;
  evidence: string | null;
  suggested_fix: string | null;
  status: Finding['status'];
  first_checkpoint: number;
  last_checkpoint: number;
  seen_count: number;
  fix_feature_id: number | null;
  resolved_in: number | null;
  dismissed_reason: string | null;
  created_at: number;
  updated_at: number;
}

const toFinding = (r: FindingRow): Finding => ({
  id: r.id,
  fingerprint: r.fingerprint,
  agent: r.agent,
  source: r.source,
  severity: r.severity,
  category: r.category,
  title: r.title,
  detail: r.detail,
  ...(r.file === null ? {} : { file: r.file }),
  ...(r.line === null ? {} : { line: r.line }),
  ...(r.evidence === null ? {} : { evidence: r.evidence }),
  ...(r.suggested_fix === null ? {} : { suggestedFix: r.suggested_fix }),
  status: r.status,
  firstCheckpoint: r.first_checkpoint,
  lastCheckpoint: r.last_checkpoint,
  seenCount: r.seen_count,
  fixFeatureId: r.fix_feature_id,
  resolvedIn: r.resolved_in,
  dismissedReason: r.dismissed_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const SEVERITY_RANK = `CASE severity ${SEVERITY_ORDER.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`;

/** Checkpoints and findings in the project database (migration 0007); each change with its event in one transaction. */
export class CheckpointRepo implements CheckpointPort {
  constructor(
    private readonly db: Db,
    private readonly features: FeatureRepo,
    private readonly clock: Clock = systemClock,
  ) {}

  start(input: NewCheckpoint): Checkpoint {
    const n = this.db
      .transaction(() => {
        const running = this.running();
        if (running)
          throw new AppError('CONFLICT', `checkpoint ${running.n} is still running; one checkpoint runs at a time`);
        const next = (this.db.prepare('SELECT coalesce(max(n), 0) + 1 AS n FROM checkpoints').get() as { n: number }).n;
        const now = this.clock.now();
        this.db
          .prepare(
            `INSERT INTO checkpoints (n, run_id, trigger, commit_sha, previous_commit, agents, status, started_at, passing)
             VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
          )
          .run(
            next,
            input.runId,
            input.trigger,
            input.commit,
            input.previousCommit,
            JSON.stringify(input.agents),
            now,
            input.passing,
          );
        appendEvent(this.db, {
          type: 'checkpoint.started',
          at: now,
          runId: input.runId,
          payload: { n: next, trigger: input.trigger, commit: input.commit, agents: [...input.agents] },
        });
        return next;
      })
      .immediate();
    return this.get(n);
  }

  get(n: number): Checkpoint {
    const row = this.db.prepare('SELECT * FROM checkpoints WHERE n = ?').get(n) as CheckpointRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `there is no checkpoint ${n}`);
    return this.toCheckpoint(row);
  }

  list(): Checkpoint[] {
    return (this.db.prepare('SELECT * FROM checkpoints ORDER BY n').all() as CheckpointRow[]).map((r) =>
      this.toCheckpoint(r),
    );
  }

  latestFinished(): Checkpoint | undefined {
    const row = this.db.prepare(`SELECT * FROM checkpoints WHERE status = 'finished' ORDER BY n DESC LIMIT 1`).get() as
      CheckpointRow | undefined;
    return row ? this.toCheckpoint(row) : undefined;
  }

  running(): Checkpoint | undefined {
    const row = this.db.prepare(`SELECT * FROM checkpoints WHERE status = 'running' LIMIT 1`).get() as
      CheckpointRow | undefined;
    return row ? this.toCheckpoint(row) : undefined;
  }

  recordFacts(n: number, facts: readonly ToolFact[]): void {
    const valid = facts.map((f) => ToolFactSchema.parse(f));
    this.update(n, 'facts = ?', JSON.stringify(valid));
  }

  recordReview(n: number, review: CheckpointReview): void {
    const valid = CheckpointReviewSchema.parse(review);
    this.db
      .transaction(() => {
        const reviews = this.get(n).reviews.filter((r) => r.agent !== valid.agent);
        reviews.push(valid);
        this.update(n, 'reviews = ?', JSON.stringify(reviews));
      })
      .immediate();
  }

  see(n: number, report: FindingReport): { finding: Finding; isNew: boolean } {
    const fingerprint = findingFingerprint(report);
    return this.db
      .transaction(() => {
        const checkpoint = this.assertRunning(n);
        const now = this.clock.now();
        const known = this.db.prepare('SELECT * FROM findings WHERE fingerprint = ?').get(fingerprint) as
          FindingRow | undefined;
        const fields = {
          severity: report.severity,
          category: report.category,
          title: report.title,
          detail: report.detail,
          file: report.file ?? null,
          line: report.line ?? null,
          evidence: report.evidence ?? null,
          suggestedFix: report.suggestedFix ?? null,
        };
        let id: string;
        let isNew = false;
        if (known) {
          id = known.id;
          // Seen twice in one checkpoint (two reviewers, or a tool and a reviewer): one sighting.
          const again = known.last_checkpoint === n;
          // A problem that came back opens again; a dismissed one stays dismissed (a person decided). A fix_pending
          // one seen by a checkpoint that started after its fix landed (fixLanded set updated_at) was not fixed: open
          // again (it may get another fix feature). One that started before reviewed code without the fix: pending.
          const fixFailed = known.status === 'fix_pending' && known.updated_at <= checkpoint.startedAt;
          const status =
            known.status === 'dismissed'
              ? 'dismissed'
              : known.status === 'resolved' || fixFailed
                ? 'open'
                : known.status;
          // The newest report describes it (severity, line, detail); evidence and a suggested fix it leaves out are
          // kept from an earlier one rather than lost.
          this.db
            .prepare(
              `UPDATE findings SET severity = @severity, category = @category, title = @title, detail = @detail,
                 file = @file, line = @line, evidence = coalesce(@evidence, evidence),
                 suggested_fix = coalesce(@suggestedFix, suggested_fix), status = @status,
                 last_checkpoint = @n, seen_count = seen_count + @count, resolved_in = NULL, updated_at = @now
               WHERE id = @id`,
            )
            .run({ ...fields, status, n, count: again ? 0 : 1, now, id });
        } else {
          id = `fnd_${randomBytes(6).toString('hex')}`;
          isNew = true;
          this.db
            .prepare(
              `INSERT INTO findings (id, fingerprint, agent, source, severity, category, title, detail, file, line,
                 evidence, suggested_fix, status, first_checkpoint, last_checkpoint, seen_count, created_at, updated_at)
               VALUES (@id, @fingerprint, @agent, @source, @severity, @category, @title, @detail, @file, @line,
                 @evidence, @suggestedFix, 'open', @n, @n, 1, @now, @now)`,
            )
            .run({ ...fields, id, fingerprint, agent: report.agent, source: report.source, n, now });
        }
        this.db
          .prepare(
            `INSERT INTO finding_sightings (finding_id, checkpoint, severity, at) VALUES (?, ?, ?, ?)
             ON CONFLICT (finding_id, checkpoint) DO UPDATE SET severity = excluded.severity`,
          )
          .run(id, n, report.severity, now);
        return { finding: this.finding(id), isNew };
      })
      .immediate();
  }

  createFixFeature(n: number, findingId: string, feature: NewFeature, alsoFor: readonly string[] = []): Feature | null {
    return this.db
      .transaction(() => {
        const finding = this.finding(findingId);
        if (finding.fixFeatureId !== null) {
          const existing = this.db.prepare('SELECT status FROM features WHERE id = ?').get(finding.fixFeatureId) as
            { status: string } | undefined;
          if (existing && existing.status !== 'passing') return null;
        }
        // First in line: ahead of every feature there is.
        const first = (
          this.db.prepare('SELECT coalesce(min(priority), 0) - 1 AS p FROM features').get() as { p: number }
        ).p;
        const taken = this.db.prepare('SELECT 1 FROM features WHERE category = ? AND name = ?');
        // Two findings with the same title: the finding's id tells their fix features apart; the same finding's next
        // fix (its earlier one landed without fixing it) is numbered.
        const base = `${feature.name} [${finding.id}]`;
        let name = feature.name;
        for (let k = 1; taken.get(feature.category, name) !== undefined; k += 1)
          name = k === 1 ? base.slice(0, 200) : `${base.slice(0, 190)} #${k}`;
        const created = this.features.create({ ...feature, name, priority: first });
        const link = this.db.prepare('UPDATE findings SET fix_feature_id = ?, updated_at = ? WHERE id = ?');
        for (const id of [findingId, ...alsoFor.filter((id) => id !== findingId)]) {
          this.finding(id);
          link.run(created.id, this.clock.now(), id);
        }
        const ids = this.get(n).fixFeatureIds;
        this.update(n, 'fix_feature_ids = ?', JSON.stringify([...ids, created.id]));
        return created;
      })
      .immediate();
  }

  finish(
    n: number,
    end: {
      status: 'finished' | 'failed' | 'aborted';
      costUsd: number;
      error: string | null;
      reviewed: readonly CheckpointAgent[];
    },
  ): { checkpoint: Checkpoint; resolved: Finding[] } {
    return this.db
      .transaction(() => {
        const before = this.assertRunning(n);
        const now = this.clock.now();
        const agents = end.status === 'finished' ? end.reviewed : [];
        const gone =
          agents.length === 0
            ? []
            : (this.db
                .prepare(
                  `SELECT id FROM findings WHERE status IN ('open', 'fix_pending') AND last_checkpoint < ?
                     AND agent IN (${agents.map(() => '?').join(', ')})`,
                )
                .pluck()
                .all(n, ...agents) as string[]);
        const resolve = this.db.prepare(
          `UPDATE findings SET status = 'resolved', resolved_in = ?, updated_at = ? WHERE id = ?`,
        );
        for (const id of gone) resolve.run(n, now, id);
        this.db
          .prepare(`UPDATE checkpoints SET status = ?, ended_at = ?, cost_usd = ?, error = ? WHERE n = ?`)
          .run(end.status, now, end.costUsd, end.error, n);
        const checkpoint = this.get(n);
        appendEvent(this.db, {
          type: 'checkpoint.finished',
          at: now,
          runId: before.runId,
          payload: {
            n,
            status: end.status,
            counts: checkpoint.counts,
            newFindings: checkpoint.newFindings,
            resolvedFindings: checkpoint.resolvedFindings,
            fixFeatureIds: checkpoint.fixFeatureIds,
            costUsd: end.costUsd,
          },
        });
        return { checkpoint, resolved: gone.map((id) => this.finding(id)) };
      })
      .immediate();
  }

  setReportPath(n: number, path: string): void {
    this.update(n, 'report_path = ?', path);
  }

  fixLanded(featureId: number): Finding[] {
    return this.db
      .transaction(() => {
        const ids = this.db
          .prepare(`SELECT id FROM findings WHERE fix_feature_id = ? AND status = 'open'`)
          .pluck()
          .all(featureId) as string[];
        const now = this.clock.now();
        for (const id of ids)
          this.db.prepare(`UPDATE findings SET status = 'fix_pending', updated_at = ? WHERE id = ?`).run(now, id);
        return ids.map((id) => this.finding(id));
      })
      .immediate();
  }

  dismiss(findingId: string, reason: string): Finding {
    const why = reason.trim();
    if (why === '') throw new AppError('INVALID_INPUT', 'say why the finding is not a problem (a reason is kept)');
    return this.db
      .transaction(() => {
        const finding = this.finding(findingId);
        if (finding.status === 'dismissed')
          throw new AppError('CONFLICT', `finding ${findingId} is dismissed already: ${finding.dismissedReason ?? ''}`);
        const now = this.clock.now();
        this.db
          .prepare(`UPDATE findings SET status = 'dismissed', dismissed_reason = ?, updated_at = ? WHERE id = ?`)
          .run(why, now, findingId);
        appendEvent(this.db, { type: 'finding.dismissed', at: now, payload: { findingId, reason: why } });
        return this.finding(findingId);
      })
      .immediate();
  }

  finding(id: string): Finding {
    const row = this.db.prepare('SELECT * FROM findings WHERE id = ?').get(id) as FindingRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `there is no finding ${id}`);
    return toFinding(row);
  }

  findings(filter: FindingFilter = {}): Finding[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    add('status = ?', filter.status);
    add('agent = ?', filter.agent);
    add('severity = ?', filter.severity);
    add('resolved_in = ?', filter.resolvedIn);
    add('id IN (SELECT finding_id FROM finding_sightings WHERE checkpoint = ?)', filter.checkpoint);
    const sql = `SELECT * FROM findings ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY ${SEVERITY_RANK}, last_checkpoint DESC, created_at, rowid`;
    return (this.db.prepare(sql).all(...args) as FindingRow[]).map(toFinding);
  }

  sightings(findingId: string): FindingSighting[] {
    this.finding(findingId);
    return this.db
      .prepare('SELECT checkpoint, severity, at FROM finding_sightings WHERE finding_id = ? ORDER BY checkpoint')
      .all(findingId) as FindingSighting[];
  }

  abortRunning(reason: string): number {
    return this.db
      .transaction(() => {
        const running = this.db.prepare(`SELECT n FROM checkpoints WHERE status = 'running'`).pluck().all() as number[];
        for (const n of running)
          this.finish(n, { status: 'aborted', costUsd: this.get(n).costUsd, error: reason, reviewed: [] });
        return running.length;
      })
      .immediate();
  }

  private assertRunning(n: number): Checkpoint {
    const c = this.get(n);
    if (c.status !== 'running') throw new AppError('CONFLICT', `checkpoint ${n} is ${c.status}; it changes no more`);
    return c;
  }

  private update(n: number, set: string, value: string): void {
    const changed = this.db.prepare(`UPDATE checkpoints SET ${set} WHERE n = ?`).run(value, n).changes;
    if (changed === 0) throw new AppError('NOT_FOUND', `there is no checkpoint ${n}`);
  }

  private toCheckpoint(r: CheckpointRow): Checkpoint {
    const seen = this.db.prepare('SELECT severity FROM finding_sightings WHERE checkpoint = ?').all(r.n) as {
      severity: Finding['severity'];
    }[];
    const count = (sql: string) => (this.db.prepare(sql).get(r.n) as { c: number }).c;
    return {
      n: r.n,
      runId: r.run_id,
      trigger: r.trigger,
      commit: r.commit_sha,
      previousCommit: r.previous_commit,
      agents: JSON.parse(r.agents) as CheckpointAgent[],
      status: r.status,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      passing: r.passing,
      costUsd: r.cost_usd,
      facts: JSON.parse(r.facts) as ToolFact[],
      reviews: JSON.parse(r.reviews) as CheckpointReview[],
      counts: severityCounts(seen),
      newFindings: count('SELECT count(*) AS c FROM findings WHERE first_checkpoint = ?'),
      resolvedFindings: count('SELECT count(*) AS c FROM findings WHERE resolved_in = ?'),
      fixFeatureIds: JSON.parse(r.fix_feature_ids) as number[],
      reportPath: r.report_path,
      error: r.error,
    };
  }
}
