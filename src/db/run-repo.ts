import type { RunOutcome } from '../domain/run-outcome.js';
import type { Db } from './connection.js';
import { appendEvent } from './event-repo.js';
import {
  ACTIVE_RUN_STATUSES,
  type Clock,
  type RunEndDetails,
  type RunPort,
  type RunRecord,
  type RunControl,
  type RunRecordStatus,
  systemClock,
} from './ports.js';
import { jsonListSql } from './sql.js';

interface RunRow {
  id: string;
  pid: number | null;
  host: string | null;
  incarnation: string;
  status: RunRecordStatus;
  settings: string;
  started_at: number;
  heartbeat_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
  outcome: RunOutcome | null;
  features_passing: number | null;
  features_total: number | null;
  cost_usd: number | null;
  control: RunControl | null;
}

const toRecord = (r: RunRow): RunRecord => ({
  id: r.id,
  pid: r.pid,
  host: r.host,
  incarnation: r.incarnation,
  status: r.status,
  settings: JSON.parse(r.settings) as Record<string, unknown>,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
  endedAt: r.ended_at,
  endReason: r.end_reason,
  outcome: r.outcome,
  featuresPassing: r.features_passing,
  featuresTotal: r.features_total,
  costUsd: r.cost_usd,
  control: r.control ?? null,
});

/** Runner processes of a project: who runs, since when, and how each run ended. */
export class RunRepo implements RunPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {}

  start(input: {
    id: string;
    pid: number;
    host: string;
    incarnation: string;
    settings: Record<string, unknown>;
  }): RunRecord {
    const now = this.clock.now();
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare(
            `INSERT INTO runs (id, pid, host, incarnation, status, settings, started_at, heartbeat_at)
             VALUES (@id, @pid, @host, @incarnation, 'running', @settings, @now, @now) RETURNING *`,
          )
          .get({ ...input, settings: JSON.stringify(input.settings), now }) as RunRow;
        appendEvent(this.db, {
          type: 'run.started',
          at: now,
          runId: input.id,
          payload: { pid: input.pid, settings: input.settings },
        });
        return toRecord(row);
      })
      .immediate();
  }

  setStatus(id: string, status: 'running' | 'draining' | 'paused'): void {
    const now = this.clock.now();
    this.db
      .transaction(() => {
        this.db.prepare('UPDATE runs SET status = ?, heartbeat_at = ? WHERE id = ?').run(status, now, id);
        appendEvent(this.db, { type: `run.${status}`, at: now, runId: id, payload: {} });
      })
      .immediate();
  }

  requestControl(id: string, control: RunControl | null): boolean {
    const now = this.clock.now();
    return this.db
      .transaction(() => {
        const changed = this.db
          .prepare(`UPDATE runs SET control = @control WHERE id = @id AND ended_at IS NULL`)
          .run({ id, control }).changes;
        if (changed > 0) appendEvent(this.db, { type: 'run.control', at: now, runId: id, payload: { control } });
        return changed > 0;
      })
      .immediate();
  }

  heartbeat(id: string): void {
    this.db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?').run(this.clock.now(), id);
  }

  end(id: string, status: 'finished' | 'failed' | 'crashed', reason: string, details: RunEndDetails = {}): void {
    const now = this.clock.now();
    this.db
      .transaction(() => {
        // The ending in one write: a reload never sees a run ended without its outcome, backlog or cost.
        this.db
          .prepare(
            `UPDATE runs SET status = @status, ended_at = @now, heartbeat_at = @now, end_reason = @reason,
               outcome = @outcome, features_passing = @passing, features_total = @total,
               cost_usd = (SELECT COALESCE(SUM(cost_usd), 0) FROM sessions WHERE run_id = @id)
             WHERE id = @id`,
          )
          .run({
            status,
            now,
            reason,
            id,
            outcome: details.outcome ?? null,
            passing: details.counts?.passing ?? null,
            total: details.counts?.total ?? null,
          });
        const payload = {
          reason,
          ...(details.stopped === undefined ? {} : { stopped: details.stopped }),
          ...(details.released === undefined ? {} : { released: [...details.released] }),
        };
        appendEvent(this.db, { type: `run.${status}`, at: now, runId: id, payload });
      })
      .immediate();
  }

  active(): RunRecord[] {
    return (
      this.db
        .prepare(`SELECT * FROM runs WHERE status IN (${jsonListSql(this.db, '?', 'text')}) ORDER BY started_at`)
        .all(JSON.stringify(ACTIVE_RUN_STATUSES)) as RunRow[]
    ).map(toRecord);
  }

  get(id: string): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  latestOfPid(pid: number): RunRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM runs WHERE pid = ? ORDER BY started_at DESC, rowid DESC LIMIT 1')
      .get(pid) as RunRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(): RunRecord[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY started_at, rowid').all() as RunRow[]).map(toRecord);
  }

  latest(): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1').get() as
      RunRow | undefined;
    return row ? toRecord(row) : undefined;
  }
}
