import type { DurationSample } from '../domain/duration-estimate.js';
import type { Db } from './connection.js';
import { appendEvent } from './event-repo.js';
import {
  type Clock,
  type NewSession,
  type RunningSession,
  type SessionPort,
  type SessionRecord,
  type SessionStatus,
  type SessionUsage,
  systemClock,
} from './ports.js';
import { bySql, jsonArrayLengthSql, jsonFirstIntegerSql, jsonListSql } from './sql.js';

interface SessionRow {
  id: string;
  run_id: string | null;
  slot: number | null;
  role: string;
  feature_ids: string;
  model: string | null;
  status: SessionStatus;
  outcome: string | null;
  started_at: number;
  ended_at: number | null;
  turns: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  cost_usd: number;
  transcript_path: string | null;
  error: string | null;
}

const toRecord = (r: SessionRow): SessionRecord => ({
  id: r.id,
  runId: r.run_id,
  slot: r.slot,
  role: r.role,
  featureIds: JSON.parse(r.feature_ids) as number[],
  model: r.model,
  status: r.status,
  outcome: r.outcome,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  turns: r.turns,
  inputTokens: r.input_tokens,
  outputTokens: r.output_tokens,
  cacheReadTokens: r.cache_read_tokens,
  cacheCreationTokens: r.cache_creation_tokens,
  costUsd: r.cost_usd,
  transcriptPath: r.transcript_path,
  error: r.error,
});

/** Agent sessions: one row each, with usage summed onto the features they worked on. */
export class SessionRepo implements SessionPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {}

  start(input: NewSession): void {
    const now = this.clock.now();
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT INTO sessions (id, run_id, slot, role, feature_ids, model, status, started_at, transcript_path)
             VALUES (@id, @runId, @slot, @role, @featureIds, @model, 'running', @now, @transcriptPath)`,
          )
          // The browser locator is the event's only: the row has no column for it.
          .run({
            id: input.id,
            runId: input.runId,
            slot: input.slot,
            role: input.role,
            model: input.model,
            transcriptPath: input.transcriptPath,
            featureIds: JSON.stringify(input.featureIds),
            now,
          });
        appendEvent(this.db, {
          type: 'session.started',
          at: now,
          runId: input.runId,
          sessionId: input.id,
          featureId: input.featureIds[0] ?? null,
          slot: input.slot,
          payload: {
            role: input.role,
            model: input.model,
            featureIds: [...input.featureIds],
            ...(input.browser ? { browser: input.browser } : {}),
          },
        });
      })
      .immediate();
  }

  /** Ends a session, and adds its tokens and cost to each feature it worked on. */
  end(
    id: string,
    result: { status: SessionStatus; outcome: string; usage: SessionUsage; error: string | null },
  ): SessionRecord {
    const now = this.clock.now();
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare(
            `UPDATE sessions SET status = @status, outcome = @outcome, ended_at = @now, turns = @turns,
               input_tokens = @inputTokens, output_tokens = @outputTokens, cache_read_tokens = @cacheReadTokens,
               cache_creation_tokens = @cacheCreationTokens, cost_usd = @costUsd, error = @error
             WHERE id = @id RETURNING *`,
          )
          .get({
            id,
            now,
            status: result.status,
            outcome: result.outcome,
            error: result.error,
            ...result.usage,
          }) as SessionRow;
        const featureIds = JSON.parse(row.feature_ids) as number[];
        // Shared sessions split their usage evenly between the features they worked on.
        const share = featureIds.length > 0 ? 1 / featureIds.length : 0;
        const add = this.db.prepare(
          `UPDATE features SET input_tokens = input_tokens + @i, output_tokens = output_tokens + @o,
             cache_read_tokens = cache_read_tokens + @cr, cache_creation_tokens = cache_creation_tokens + @cc,
             cost_usd = cost_usd + @cost WHERE id = @id`,
        );
        for (const fid of featureIds) {
          add.run({
            id: fid,
            i: Math.round(result.usage.inputTokens * share),
            o: Math.round(result.usage.outputTokens * share),
            cr: Math.round(result.usage.cacheReadTokens * share),
            cc: Math.round(result.usage.cacheCreationTokens * share),
            cost: result.usage.costUsd * share,
          });
        }
        appendEvent(this.db, {
          type: 'session.ended',
          at: now,
          runId: row.run_id,
          sessionId: id,
          featureId: featureIds[0] ?? null,
          slot: row.slot,
          payload: {
            role: row.role,
            status: result.status,
            outcome: result.outcome,
            turns: result.usage.turns,
            costUsd: result.usage.costUsd,
            error: result.error,
          },
        });
        return toRecord(row);
      })
      .immediate();
  }

  get(id: string): SessionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(filter: { runId?: string; featureId?: number } = {}): SessionRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM sessions
         WHERE (CAST(@runId AS text) IS NULL OR run_id = @runId)
           AND (CAST(@featureId AS text) IS NULL OR EXISTS (${bySql(this.db, {
             sqlite: 'SELECT 1 FROM json_each(feature_ids) WHERE value = @featureId',
             pg: 'SELECT 1 FROM jsonb_array_elements_text(feature_ids) AS e (value) WHERE e.value = CAST(@featureId AS text)',
           })}))
         ORDER BY started_at, id`,
      )
      .all({ runId: filter.runId ?? null, featureId: filter.featureId ?? null }) as SessionRow[];
    return rows.map(toRecord);
  }

  running(runId: string): RunningSession[] {
    const first = jsonFirstIntegerSql(this.db, 's.feature_ids');
    const rows = this.db
      .prepare(
        `SELECT s.slot, s.id AS "sessionId", s.role, ${first} AS "featureId", f.name AS "featureName", s.started_at AS "startedAt"
         FROM sessions s LEFT JOIN features f ON f.id = ${first}
         WHERE s.run_id = ? AND s.status = 'running' ORDER BY s.slot, s.started_at`,
      )
      .all(runId) as (Omit<RunningSession, 'slot'> & { slot: number | null })[];
    return rows.map((r) => ({ ...r, slot: r.slot ?? 0 }));
  }

  costOfRun(runId: string): number {
    return (
      (this.db.prepare('SELECT coalesce(sum(cost_usd), 0) FROM sessions WHERE run_id = ?').pluck().get(runId) as
        number | null) ?? 0
    );
  }

  durationHistory(): DurationSample[] {
    const rows = this.db
      .prepare(
        `SELECT f.id AS "featureId", f.category, ${jsonArrayLengthSql(this.db, 'f.steps')} AS steps, s.ended_at - s.started_at AS "durationMs",
           EXISTS (SELECT 1 FROM events e WHERE e.feature_id = f.id AND e.type = 'feature.passed'
                   AND e.at BETWEEN s.started_at AND s.ended_at) AS passed
         FROM sessions s JOIN features f ON f.id = ${jsonFirstIntegerSql(this.db, 's.feature_ids')}
         WHERE s.role = 'coding' AND s.ended_at IS NOT NULL AND s.status <> 'aborted'
           AND coalesce(s.outcome, '') <> 'rate_limited' AND ${jsonArrayLengthSql(this.db, 's.feature_ids')} = 1
         ORDER BY s.started_at, s.id`,
      )
      .all() as (Omit<DurationSample, 'passed'> & { passed: number })[];
    return rows.map((r) => ({ ...r, passed: r.passed === 1 }));
  }

  /** Marks sessions of dead runs that never ended as aborted (crash recovery). */
  abortRunning(runIds: readonly string[], error: string): number {
    const now = this.clock.now();
    return this.db
      .prepare(
        `UPDATE sessions SET status = 'aborted', outcome = 'aborted', ended_at = @now, error = @error
         WHERE status = 'running' AND run_id IN (${jsonListSql(this.db, '@runIds', 'text')})`,
      )
      .run({ now, error, runIds: JSON.stringify(runIds) }).changes;
  }
}
