import { randomBytes } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { designFingerprint, iterationOutcome } from '../domain/design-review.js';
import { FIXABLE, SEVERITY_ORDER, severityCounts } from '../domain/findings.js';
import {
  AxeCountsSchema,
  NewDesignFindingSchema,
  PersonaNameSchema,
  PersonaVoteSchema,
  type AxeCounts,
  type DesignFinding,
  type DesignIteration,
  type DesignSighting,
  type ExpectStep,
  type PersonaName,
  type PersonaVote,
} from '../shared/design.js';
import type { Db } from './connection.js';
import { appendEvent } from './event-repo.js';
import type { FeatureRepo } from './feature-repo.js';
import {
  type Clock,
  type DesignFindingFilter,
  type DesignFindingReport,
  type DesignPort,
  type Feature,
  type NewDesignIteration,
  type NewFeature,
  systemClock,
} from './ports.js';
import { jsonListSql } from './sql.js';

interface IterationRow {
  n: number;
  run_id: string | null;
  trigger: DesignIteration['trigger'];
  commit_sha: string;
  status: DesignIteration['status'];
  personas: string;
  started_at: number;
  ended_at: number | null;
  capture_dir: string;
  votes: string;
  axe: string | null;
  fix_feature_ids: string;
  outcome: DesignIteration['outcome'];
  report_path: string | null;
  cost_usd: number;
  error: string | null;
}

interface FindingRow {
  id: string;
  fingerprint: string;
  persona: string | null;
  source: DesignFinding['source'];
  severity: DesignFinding['severity'];
  category: string;
  title: string;
  detail: string;
  page: string;
  viewport: DesignFinding['viewport'];
  theme: DesignFinding['theme'];
  screenshot: string;
  evidence: string | null;
  suggested_fix: string | null;
  expect: string | null;
  status: DesignFinding['status'];
  first_iteration: number;
  last_iteration: number;
  seen_count: number;
  fix_feature_id: number | null;
  resolved_in: number | null;
  dismissed_reason: string | null;
  created_at: number;
  updated_at: number;
}

const toFinding = (r: FindingRow): DesignFinding => ({
  id: r.id,
  fingerprint: r.fingerprint,
  persona: r.persona,
  source: r.source,
  severity: r.severity,
  category: r.category,
  title: r.title,
  detail: r.detail,
  page: r.page,
  viewport: r.viewport,
  theme: r.theme,
  screenshot: r.screenshot,
  ...(r.evidence === null ? {} : { evidence: r.evidence }),
  ...(r.suggested_fix === null ? {} : { suggestedFix: r.suggested_fix }),
  ...(r.expect === null ? {} : { expect: JSON.parse(r.expect) as ExpectStep[] }),
  status: r.status,
  firstIteration: r.first_iteration,
  lastIteration: r.last_iteration,
  seenCount: r.seen_count,
  fixFeatureId: r.fix_feature_id,
  resolvedIn: r.resolved_in,
  dismissedReason: r.dismissed_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const SEVERITY_RANK = `CASE severity ${SEVERITY_ORDER.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`;

/** A sighting's persona column: '' for axe (a primary key column cannot hold NULL usefully). */
const AXE = '';

/** Where an iteration's screenshots go, relative to the project. */
export const captureDirOf = (n: number): string => `.autocoder/design/iteration-${n}`;

/** Design iterations and findings in the project database (migration 0008); each change in one transaction. */
export class DesignRepo implements DesignPort {
  constructor(
    private readonly db: Db,
    private readonly features: FeatureRepo,
    private readonly clock: Clock = systemClock,
  ) {}

  start(input: NewDesignIteration): DesignIteration {
    const personas = input.personas.map((p) => PersonaNameSchema.parse(p));
    if (personas.length === 0) throw new AppError('INVALID_INPUT', 'a design iteration needs at least one persona');
    if (new Set(personas).size !== personas.length)
      throw new AppError('INVALID_INPUT', `a persona is named twice: ${personas.join(', ')}`);
    const n = this.db
      .transaction(() => {
        const running = this.running();
        if (running)
          throw new AppError(
            'CONFLICT',
            `design iteration ${running.n} is still running; one iteration runs at a time`,
          );
        const next = (
          this.db.prepare('SELECT coalesce(max(n), 0) + 1 AS n FROM design_iterations').get() as { n: number }
        ).n;
        const now = this.clock.now();
        this.db
          .prepare(
            `INSERT INTO design_iterations (n, run_id, trigger, commit_sha, status, personas, started_at, capture_dir)
             VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`,
          )
          .run(next, input.runId, input.trigger, input.commit, JSON.stringify(personas), now, captureDirOf(next));
        appendEvent(this.db, {
          type: 'design.iteration_started',
          at: now,
          runId: input.runId,
          payload: { n: next, trigger: input.trigger, commit: input.commit, personas },
        });
        return next;
      })
      .immediate();
    return this.get(n);
  }

  get(n: number): DesignIteration {
    const row = this.db.prepare('SELECT * FROM design_iterations WHERE n = ?').get(n) as IterationRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `there is no design iteration ${n}`);
    return this.toIteration(row);
  }

  list(): DesignIteration[] {
    return (this.db.prepare('SELECT * FROM design_iterations ORDER BY n').all() as IterationRow[]).map((r) =>
      this.toIteration(r),
    );
  }

  running(): DesignIteration | undefined {
    const row = this.db.prepare(`SELECT * FROM design_iterations WHERE status = 'running' LIMIT 1`).get() as
      IterationRow | undefined;
    return row ? this.toIteration(row) : undefined;
  }

  latestFinished(): DesignIteration | undefined {
    const row = this.db
      .prepare(`SELECT * FROM design_iterations WHERE status = 'finished' ORDER BY n DESC LIMIT 1`)
      .get() as IterationRow | undefined;
    return row ? this.toIteration(row) : undefined;
  }

  recordVote(n: number, vote: PersonaVote): void {
    const valid = PersonaVoteSchema.parse(vote);
    this.db
      .transaction(() => {
        const iteration = this.assertRunning(n);
        if (!iteration.personas.includes(valid.persona))
          throw new AppError(
            'INVALID_INPUT',
            `persona ${valid.persona} is not one of design iteration ${n}'s (${iteration.personas.join(', ')})`,
          );
        const votes = iteration.votes.filter((v) => v.persona !== valid.persona);
        votes.push(valid);
        this.update(n, 'votes = ?', JSON.stringify(votes));
      })
      .immediate();
  }

  recordAxe(n: number, counts: AxeCounts): void {
    const valid = AxeCountsSchema.parse(counts);
    this.db
      .transaction(() => {
        this.assertRunning(n);
        this.update(n, 'axe = ?', JSON.stringify(valid));
      })
      .immediate();
  }

  see(n: number, report: DesignFindingReport): { finding: DesignFinding; isNew: boolean } {
    const { persona, source, ...rest } = report;
    const parsed = NewDesignFindingSchema.safeParse(rest);
    if (!parsed.success)
      throw new AppError(
        'INVALID_INPUT',
        `invalid design finding: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'finding'}: ${i.message}`).join('; ')}`,
      );
    const r = parsed.data;
    if (source === 'agent') PersonaNameSchema.parse(persona);
    else if (persona !== null) throw new AppError('INVALID_INPUT', 'an axe finding (source tool) has no persona');
    const fingerprint = designFingerprint(r);
    return this.db
      .transaction(() => {
        const iteration = this.assertRunning(n);
        if (persona !== null && !iteration.personas.includes(persona))
          throw new AppError(
            'INVALID_INPUT',
            `persona ${persona} is not one of design iteration ${n}'s (${iteration.personas.join(', ')})`,
          );
        const now = this.clock.now();
        const known = this.db.prepare('SELECT * FROM design_findings WHERE fingerprint = ?').get(fingerprint) as
          FindingRow | undefined;
        const fields = {
          severity: r.severity,
          category: r.category,
          title: r.title,
          detail: r.detail,
          page: r.page,
          viewport: r.viewport,
          theme: r.theme,
          screenshot: r.screenshot,
          evidence: r.evidence ?? null,
          suggestedFix: r.suggestedFix ?? null,
          expect: r.expect === undefined ? null : JSON.stringify(r.expect),
        };
        let id: string;
        let isNew = false;
        if (known) {
          id = known.id;
          // Seen again in the same iteration (another persona, axe and a persona): one more sighting row at most,
          // the seen count counts iterations.
          const again = known.last_iteration === n;
          // As for checkpoint findings: a problem that came back opens again; a dismissed one stays dismissed; a
          // fix_pending one seen by an iteration that started after its fix landed was not fixed (open again).
          const fixFailed = known.status === 'fix_pending' && known.updated_at <= iteration.startedAt;
          const status =
            known.status === 'dismissed'
              ? 'dismissed'
              : known.status === 'resolved' || fixFailed
                ? 'open'
                : known.status;
          // The newest report describes it; evidence, a suggested fix and assertions it leaves out are kept.
          this.db
            .prepare(
              `UPDATE design_findings SET severity = @severity, category = @category, title = @title,
                 detail = @detail, page = @page, viewport = @viewport, theme = @theme, screenshot = @screenshot,
                 evidence = coalesce(@evidence, evidence), suggested_fix = coalesce(@suggestedFix, suggested_fix),
                 expect = coalesce(@expect, expect), status = @status, last_iteration = @n,
                 seen_count = seen_count + @count, resolved_in = NULL, updated_at = @now
               WHERE id = @id`,
            )
            .run({ ...fields, status, n, count: again ? 0 : 1, now, id });
        } else {
          id = `dfn_${randomBytes(6).toString('hex')}`;
          isNew = true;
          this.db
            .prepare(
              `INSERT INTO design_findings (id, fingerprint, persona, source, severity, category, title, detail, page,
                 viewport, theme, screenshot, evidence, suggested_fix, expect, status, first_iteration, last_iteration,
                 seen_count, created_at, updated_at)
               VALUES (@id, @fingerprint, @persona, @source, @severity, @category, @title, @detail, @page,
                 @viewport, @theme, @screenshot, @evidence, @suggestedFix, @expect, 'open', @n, @n, 1, @now, @now)`,
            )
            .run({ ...fields, id, fingerprint, persona, source, n, now });
        }
        this.db
          .prepare(
            `INSERT INTO design_sightings (finding_id, iteration, persona, severity, screenshot, at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (finding_id, iteration, persona) DO UPDATE
               SET severity = excluded.severity, screenshot = excluded.screenshot, at = excluded.at`,
          )
          .run(id, n, persona ?? AXE, r.severity, r.screenshot, now);
        return { finding: this.finding(id), isNew };
      })
      .immediate();
  }

  createFixFeature(n: number, findingId: string, feature: NewFeature): Feature | null {
    return this.db
      .transaction(() => {
        const finding = this.finding(findingId);
        if (!FIXABLE.has(finding.severity))
          throw new AppError(
            'INVALID_INPUT',
            `design finding ${findingId} is ${finding.severity}; only critical and major findings become fix features`,
          );
        this.get(n);
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
        // Two findings with the same title (another page or viewport): the finding's id tells their features apart;
        // the same finding's next fix (its earlier one landed without fixing it) is numbered.
        const base = `${feature.name} [${finding.id}]`;
        let name = feature.name;
        for (let k = 1; taken.get(feature.category, name) !== undefined; k += 1)
          name = k === 1 ? base.slice(0, 200) : `${base.slice(0, 190)} #${k}`;
        const created = this.features.create({ ...feature, name, priority: first });
        this.db
          .prepare('UPDATE design_findings SET fix_feature_id = ?, updated_at = ? WHERE id = ?')
          .run(created.id, this.clock.now(), findingId);
        const ids = this.get(n).fixFeatureIds;
        this.update(n, 'fix_feature_ids = ?', JSON.stringify([...ids, created.id]));
        return created;
      })
      .immediate();
  }

  finish(
    n: number,
    end: { status: 'finished' | 'failed' | 'aborted'; costUsd: number; error: string | null },
  ): { iteration: DesignIteration; resolved: DesignFinding[] } {
    return this.db
      .transaction(() => {
        const before = this.assertRunning(n);
        const now = this.clock.now();
        const finished = end.status === 'finished';
        // Only who looked can tell a problem is gone: the personas that voted, and axe when it ran.
        const voted = finished ? before.votes.filter((v) => v.status === 'voted').map((v) => v.persona) : [];
        const axeRan = finished && before.axe !== null;
        const gone =
          voted.length === 0 && !axeRan
            ? []
            : (this.db
                .prepare(
                  `SELECT id FROM design_findings WHERE status IN ('open', 'fix_pending') AND last_iteration < ?
                     AND ((source = 'tool' AND ? <> 0) OR (source = 'agent' AND id IN (
                       SELECT finding_id FROM design_sightings
                       WHERE persona IN (${jsonListSql(this.db, '?', 'text')}))))`,
                )
                .pluck()
                .all(n, axeRan ? 1 : 0, JSON.stringify(voted)) as string[]);
        const resolve = this.db.prepare(
          `UPDATE design_findings SET status = 'resolved', resolved_in = ?, updated_at = ? WHERE id = ?`,
        );
        for (const id of gone) resolve.run(n, now, id);
        const outcome = finished ? iterationOutcome(before.votes, before.axe) : null;
        this.db
          .prepare(
            `UPDATE design_iterations SET status = ?, ended_at = ?, cost_usd = ?, error = ?, outcome = ? WHERE n = ?`,
          )
          .run(end.status, now, end.costUsd, end.error, outcome, n);
        const iteration = this.get(n);
        appendEvent(this.db, {
          type: 'design.iteration_finished',
          at: now,
          runId: before.runId,
          payload: {
            n,
            status: end.status,
            outcome,
            counts: iteration.counts,
            newFindings: iteration.newFindings,
            resolvedFindings: iteration.resolvedFindings,
            fixFeatureIds: iteration.fixFeatureIds,
            costUsd: end.costUsd,
          },
        });
        return { iteration, resolved: gone.map((id) => this.finding(id)) };
      })
      .immediate();
  }

  setReportPath(n: number, path: string): void {
    this.update(n, 'report_path = ?', path);
  }

  fixLanded(featureId: number): DesignFinding[] {
    return this.db
      .transaction(() => {
        const ids = this.db
          .prepare(`SELECT id FROM design_findings WHERE fix_feature_id = ? AND status = 'open'`)
          .pluck()
          .all(featureId) as string[];
        const now = this.clock.now();
        const mark = this.db.prepare(`UPDATE design_findings SET status = 'fix_pending', updated_at = ? WHERE id = ?`);
        for (const id of ids) mark.run(now, id);
        return ids.map((id) => this.finding(id));
      })
      .immediate();
  }

  dismiss(findingId: string, reason: string): DesignFinding {
    const why = reason.trim();
    if (why === '') throw new AppError('INVALID_INPUT', 'say why the finding is not a problem (a reason is kept)');
    return this.db
      .transaction(() => {
        const finding = this.finding(findingId);
        if (finding.status === 'dismissed')
          throw new AppError(
            'CONFLICT',
            `design finding ${findingId} is dismissed already: ${finding.dismissedReason ?? ''}`,
          );
        const now = this.clock.now();
        this.db
          .prepare(`UPDATE design_findings SET status = 'dismissed', dismissed_reason = ?, updated_at = ? WHERE id = ?`)
          .run(why, now, findingId);
        appendEvent(this.db, { type: 'design.finding_dismissed', at: now, payload: { findingId, reason: why } });
        return this.finding(findingId);
      })
      .immediate();
  }

  finding(id: string): DesignFinding {
    const row = this.db.prepare('SELECT * FROM design_findings WHERE id = ?').get(id) as FindingRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `there is no design finding ${id}`);
    return toFinding(row);
  }

  findings(filter: DesignFindingFilter = {}): DesignFinding[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    add('status = ?', filter.status);
    add('persona = ?', filter.persona);
    add('severity = ?', filter.severity);
    add('page = ?', filter.page);
    add('viewport = ?', filter.viewport);
    add('resolved_in = ?', filter.resolvedIn);
    add('id IN (SELECT finding_id FROM design_sightings WHERE iteration = ?)', filter.iteration);
    const sql = `SELECT * FROM design_findings ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY ${SEVERITY_RANK}, last_iteration DESC, created_at, rowid`;
    return (this.db.prepare(sql).all(...args) as FindingRow[]).map(toFinding);
  }

  sightings(findingId: string): DesignSighting[] {
    this.finding(findingId);
    const rows = this.db
      .prepare(
        `SELECT iteration, persona, severity, screenshot, at FROM design_sightings WHERE finding_id = ?
         ORDER BY iteration, at, rowid`,
      )
      .all(findingId) as (Omit<DesignSighting, 'persona'> & { persona: string })[];
    return rows.map((r) => ({ ...r, persona: r.persona === AXE ? null : r.persona }));
  }

  abortRunning(reason: string): number {
    return this.db
      .transaction(() => {
        const running = this.db
          .prepare(`SELECT n FROM design_iterations WHERE status = 'running'`)
          .pluck()
          .all() as number[];
        for (const n of running) this.finish(n, { status: 'aborted', costUsd: this.get(n).costUsd, error: reason });
        return running.length;
      })
      .immediate();
  }

  private assertRunning(n: number): DesignIteration {
    const it = this.get(n);
    if (it.status !== 'running')
      throw new AppError('CONFLICT', `design iteration ${n} is ${it.status}; it changes no more`);
    return it;
  }

  private update(n: number, set: string, value: string): void {
    const changed = this.db.prepare(`UPDATE design_iterations SET ${set} WHERE n = ?`).run(value, n).changes;
    if (changed === 0) throw new AppError('NOT_FOUND', `there is no design iteration ${n}`);
  }

  private toIteration(r: IterationRow): DesignIteration {
    // One severity per finding seen in it (several personas may have seen it): the newest sighting's.
    const rows = this.db
      .prepare('SELECT finding_id, severity FROM design_sightings WHERE iteration = ? ORDER BY at, rowid')
      .all(r.n) as { finding_id: string; severity: DesignFinding['severity'] }[];
    const latest = new Map(rows.map((row) => [row.finding_id, row]));
    const count = (sql: string) => (this.db.prepare(sql).get(r.n) as { c: number }).c;
    return {
      n: r.n,
      runId: r.run_id,
      trigger: r.trigger,
      commit: r.commit_sha,
      status: r.status,
      personas: JSON.parse(r.personas) as PersonaName[],
      startedAt: r.started_at,
      endedAt: r.ended_at,
      captureDir: r.capture_dir,
      votes: JSON.parse(r.votes) as PersonaVote[],
      axe: r.axe === null ? null : (JSON.parse(r.axe) as AxeCounts),
      counts: severityCounts([...latest.values()]),
      newFindings: count('SELECT count(*) AS c FROM design_findings WHERE first_iteration = ?'),
      resolvedFindings: count('SELECT count(*) AS c FROM design_findings WHERE resolved_in = ?'),
      fixFeatureIds: JSON.parse(r.fix_feature_ids) as number[],
      outcome: r.outcome,
      reportPath: r.report_path,
      costUsd: r.cost_usd,
      error: r.error,
    };
  }
}
