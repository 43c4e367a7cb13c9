import type { DependencyGraph } from '../domain/dependency-graph.js';
import {
  blockedSet,
  buildGraph,
  downstreamCounts,
  readySet,
  validateDependencyList,
  wouldCreateCycle,
} from '../domain/dependency-graph.js';
import type { EstimateTarget } from '../domain/duration-estimate.js';
import type { BlockerType } from '../domain/blocker.js';
import { AppError } from '../domain/errors.js';
import { type FeatureStatus, nextStatus } from '../domain/feature.js';
import { countStatuses, type StatusCounts } from '../domain/progress.js';
import { frozenAcceptance } from './acceptance-hash.js';
import type { Db } from './connection.js';
import { appendEvent } from './event-repo.js';
import { type FeatureRow, loadDependencies, rowsToFeatures, toFeature } from './feature-rows.js';
import { cachedStatement } from './statement-cache.js';
import {
  type BulkFeature,
  type BulkResult,
  type Clock,
  type Feature,
  type FeaturePort,
  type FeatureUpdate,
  type GraphView,
  type NewFeature,
  systemClock,
} from './ports.js';
import { bySql, jsonArrayLengthSql, jsonListSql } from './sql.js';

// Claimable now: pending, backoff elapsed, attempts left, every dependency passing. Must match
// the claim query in claim-repo.ts.
const READY_WHERE = `f.status = 'pending' AND f.run_after <= @now AND f.attempts < f.max_attempts
  AND NOT EXISTS (SELECT 1 FROM feature_dependencies d JOIN features p ON p.id = d.depends_on
                  WHERE d.feature_id = f.id AND p.status <> 'passing')`;

const BLOCKED_WHERE = `f.status IN ('pending', 'failed', 'needs_input')
  AND EXISTS (SELECT 1 FROM feature_dependencies d JOIN features p ON p.id = d.depends_on
              WHERE d.feature_id = f.id AND p.status <> 'passing')`;

/** The feature backlog and its dependency graph. Every write is one immediate transaction. */
export class FeatureRepo implements FeaturePort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {}

  get(id: number): Feature {
    const row = this.db.prepare('SELECT * FROM features WHERE id = ?').get(id) as FeatureRow | undefined;
    if (!row) throw notFound(id);
    return toFeature(row, loadDependencies(this.db, [id]).get(id) ?? []);
  }

  find(id: number): Feature | undefined {
    const row = this.db.prepare('SELECT * FROM features WHERE id = ?').get(id) as FeatureRow | undefined;
    return row ? toFeature(row, loadDependencies(this.db, [id]).get(id) ?? []) : undefined;
  }

  list(filter: { status?: FeatureStatus } = {}): Feature[] {
    const rows = (
      filter.status
        ? this.db
            .prepare('SELECT * FROM features WHERE status = ? ORDER BY priority, path_ms DESC, unblocks DESC, id')
            .all(filter.status)
        : this.db.prepare('SELECT * FROM features ORDER BY priority, path_ms DESC, unblocks DESC, id').all()
    ) as FeatureRow[];
    return rowsToFeatures(this.db, rows);
  }

  summaries(ids: readonly number[]): Map<number, { name: string; status: FeatureStatus }> {
    if (ids.length === 0) return new Map();
    const rows = this.db
      .prepare(`SELECT id, name, status FROM features WHERE id IN (${jsonListSql(this.db, '?', 'integer')})`)
      .all(JSON.stringify(ids)) as {
      id: number;
      name: string;
      status: FeatureStatus;
    }[];
    return new Map(rows.map((r) => [r.id, { name: r.name, status: r.status }]));
  }

  stats(): StatusCounts {
    const rows = this.db.prepare('SELECT status, count(*) AS n FROM features GROUP BY status').all() as {
      status: FeatureStatus;
      n: number;
    }[];
    return countStatuses(rows.flatMap((r) => Array<FeatureStatus>(r.n).fill(r.status)));
  }

  create(input: NewFeature): Feature {
    const id = this.db
      .transaction(() => {
        this.assertNotDuplicate(input.category, input.name);
        const newId = this.insert(input);
        const deps = input.dependencies ?? [];
        validateDependencyList(newId, deps, this.knownIds());
        this.insertDependencies(newId, deps);
        this.recomputeUnblocks();
        appendEvent(this.db, {
          type: 'feature.created',
          at: this.clock.now(),
          featureId: newId,
          payload: { name: input.name },
        });
        return newId;
      })
      .immediate();
    return this.get(id);
  }

  /**
   * Creates many features at once, resolving `dependsOnIndices` to the new ids. An item whose
   * category+name already exists is not created again; indices that point at it resolve to the
   * existing feature, so re-running an initializer cannot double the backlog.
   */
  createBulk(items: readonly BulkFeature[]): BulkResult {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const key = duplicateKey(item.category, item.name);
      const first = seen.get(key);
      if (first !== undefined) {
        throw new AppError(
          'INVALID_INPUT',
          `items ${first} and ${index} are both "${item.category} / ${item.name}"; names must be unique per category`,
        );
      }
      seen.set(key, index);
      for (const dep of item.dependsOnIndices ?? []) {
        if (!Number.isInteger(dep) || dep < 0 || dep >= index) {
          throw new AppError(
            'INVALID_INPUT',
            `item ${index} ("${item.name}") depends on index ${dep}; depends_on_indices may only name earlier items (0..${index - 1})`,
          );
        }
      }
    });
    const { createdIds, duplicates } = this.db
      .transaction(() => {
        const ids: number[] = [];
        const createdIds: number[] = [];
        const duplicates: BulkResult['duplicates'] = [];
        items.forEach((item, index) => {
          const existing = this.findIdByName(item.category, item.name);
          if (existing !== undefined) {
            ids.push(existing);
            duplicates.push({ index, name: item.name, existingId: existing });
            return;
          }
          const id = this.insert(item, `features[${index}].acceptance`);
          ids.push(id);
          createdIds.push(id);
        });
        const known = this.knownIds();
        items.forEach((item, index) => {
          const id = ids[index] as number;
          if (!createdIds.includes(id)) return;
          const deps = [...new Set((item.dependsOnIndices ?? []).map((i) => ids[i] as number))];
          validateDependencyList(id, deps, known);
          this.insertDependencies(id, deps);
        });
        this.recomputeUnblocks();
        appendEvent(this.db, {
          type: 'feature.bulk_created',
          at: this.clock.now(),
          payload: { ids: createdIds, duplicates: duplicates.length },
        });
        return { createdIds, duplicates };
      })
      .immediate();
    const created = createdIds.length === 0 ? [] : this.listByIds(createdIds);
    return { created, duplicates };
  }

  addDependency(featureId: number, dependsOn: number): Feature {
    const current = this.get(featureId).dependencies;
    if (current.includes(dependsOn)) {
      throw new AppError('CONFLICT', `feature ${featureId} already depends on ${dependsOn}`);
    }
    return this.setDependencies(featureId, [...current, dependsOn]);
  }

  removeDependency(featureId: number, dependsOn: number): Feature {
    const current = this.get(featureId).dependencies;
    if (!current.includes(dependsOn)) {
      throw new AppError('NOT_FOUND', `feature ${featureId} does not depend on ${dependsOn}`);
    }
    return this.setDependencies(
      featureId,
      current.filter((d) => d !== dependsOn),
    );
  }

  /** Replaces a feature's dependencies; refuses (and changes nothing) if that would make a cycle. */
  setDependencies(featureId: number, dependsOn: readonly number[]): Feature {
    this.db
      .transaction(() => {
        if (!this.exists(featureId)) throw notFound(featureId);
        validateDependencyList(featureId, dependsOn, this.knownIds());
        this.db.prepare('DELETE FROM feature_dependencies WHERE feature_id = ?').run(featureId);
        const graph = this.loadGraph();
        for (const dep of dependsOn) {
          const cycle = wouldCreateCycle(graph, featureId, dep);
          if (cycle) {
            throw new AppError(
              'DEPENDENCY_CYCLE',
              `feature ${featureId} cannot depend on ${dep}: that would make the cycle ${cycle.join(' → ')}`,
              {
                details: { cycle },
              },
            );
          }
        }
        this.insertDependencies(featureId, dependsOn);
        this.recomputeUnblocks();
        appendEvent(this.db, {
          type: 'feature.dependencies_changed',
          at: this.clock.now(),
          featureId,
          payload: { dependencies: [...dependsOn] },
        });
      })
      .immediate();
    return this.get(featureId);
  }

  /**
   * A human edits a feature's text or priority. Refused while an agent works on it or once it
   * passes (re-open it first), so nobody changes what is being or has been verified.
   */
  update(featureId: number, patch: FeatureUpdate): Feature {
    this.db
      .transaction(() => {
        const row = this.row(featureId);
        if (row.status === 'in_progress' || row.status === 'passing') {
          throw new AppError(
            'CONFLICT',
            `feature ${featureId} is ${row.status}; ${row.status === 'passing' ? 're-open it' : 'wait for its session to end'} before editing it`,
            {
              details: { status: row.status },
            },
          );
        }
        const category = patch.category ?? row.category;
        const name = patch.name ?? row.name;
        if (category !== row.category || name !== row.name) {
          const existing = this.findIdByName(category, name);
          if (existing !== undefined && existing !== featureId) {
            throw new AppError('DUPLICATE', `a feature "${category} / ${name}" already exists (#${existing})`, {
              details: { existingId: existing },
            });
          }
        }
        const now = this.clock.now();
        this.db
          .prepare(
            `UPDATE features SET category = @category, name = @name, description = @description, steps = @steps,
               priority = @priority, updated_at = @now WHERE id = @id`,
          )
          .run({
            id: featureId,
            category,
            name,
            description: patch.description ?? row.description,
            steps: patch.steps === undefined ? row.steps : JSON.stringify(patch.steps),
            priority: patch.priority ?? row.priority,
            now,
          });
        appendEvent(this.db, {
          type: 'feature.updated',
          at: now,
          featureId,
          payload: { fields: Object.keys(patch).filter((k) => patch[k as keyof FeatureUpdate] !== undefined) },
        });
      })
      .immediate();
    return this.get(featureId);
  }

  /** Deletes a feature; the foreign keys drop it from its dependents' dependency lists. */
  delete(featureId: number): Feature {
    return this.db
      .transaction(() => {
        const feature = this.get(featureId);
        if (feature.status === 'in_progress') {
          throw new AppError(
            'CONFLICT',
            `feature ${featureId} is in progress; stop or wait for its session before deleting it`,
            { details: { status: feature.status } },
          );
        }
        const dependents = this.db
          .prepare('SELECT feature_id FROM feature_dependencies WHERE depends_on = ? ORDER BY feature_id')
          .pluck()
          .all(featureId) as number[];
        this.db.prepare('DELETE FROM features WHERE id = ?').run(featureId);
        this.recomputeUnblocks();
        appendEvent(this.db, {
          type: 'feature.deleted',
          at: this.clock.now(),
          featureId,
          payload: { name: feature.name, dependents },
        });
        return feature;
      })
      .immediate();
  }

  /** A human sends a feature to the back of the queue (no claim involved), with the blocker class when given. */
  humanSkip(featureId: number, reason: string | null, blockerType: BlockerType | null = null): Feature {
    this.db
      .transaction(() => {
        const row = this.row(featureId);
        if (row.status === 'in_progress' || row.status === 'passing') {
          throw new AppError(
            'CONFLICT',
            `feature ${featureId} is ${row.status}; only a feature that waits can be moved to the back of the queue`,
            { details: { status: row.status } },
          );
        }
        const now = this.clock.now();
        this.db
          .prepare(
            `UPDATE features SET priority = (SELECT coalesce(max(priority), 0) + 1 FROM features), skip_count = skip_count + 1,
               notes = notes || @note, updated_at = @now,
               blocker_type = coalesce(@blockerType, blocker_type),
               blocker_note = CASE WHEN CAST(@blockerType AS text) IS NULL THEN blocker_note ELSE @reason END,
               blocked_since = CASE WHEN CAST(@blockerType AS text) IS NULL THEN blocked_since ELSE coalesce(blocked_since, @now) END
             WHERE id = @id`,
          )
          .run({
            id: featureId,
            now,
            blockerType,
            reason,
            note: `[${new Date(now).toISOString()}] moved to the back of the queue by a human${blockerType ? ` (${blockerType})` : ''}${reason ? `: ${reason}` : ''}\n`,
          });
        appendEvent(this.db, {
          type: 'feature.skipped',
          at: now,
          featureId,
          payload: { reason, by: 'human', ...(blockerType ? { blockerType } : {}) },
        });
      })
      .immediate();
    return this.get(featureId);
  }

  /** A failed feature gets a fresh set of attempts. */
  retry(featureId: number): Feature {
    return this.requeue(featureId, 'failed', 'feature.retried', 'retried by a human');
  }

  /** A human re-opens a passing feature: it goes back to pending. */
  reopen(featureId: number, reason: string | null = null): Feature {
    return this.requeue(featureId, 'passing', 'feature.reopened', `re-opened by a human${reason ? `: ${reason}` : ''}`);
  }

  private requeue(
    featureId: number,
    from: 'failed' | 'passing',
    eventType: 'feature.retried' | 'feature.reopened',
    note: string,
  ): Feature {
    this.db
      .transaction(() => {
        const row = this.row(featureId);
        if (row.status !== from) {
          throw new AppError('CONFLICT', `feature ${featureId} is ${row.status}, not ${from}`, {
            details: { status: row.status, expected: from },
          });
        }
        const now = this.clock.now();
        const status = nextStatus(row.status, 'pending', featureId);
        this.db
          .prepare(
            `UPDATE features SET status = @status, attempts = 0, run_after = 0, passed_at = NULL, verification_id = NULL, updated_at = @now,
               notes = notes || @note WHERE id = @id AND status = @from`,
          )
          .run({ id: featureId, from, status, now, note: `[${new Date(now).toISOString()}] ${note}\n` });
        appendEvent(this.db, { type: eventType, at: now, featureId, payload: { from, status } });
      })
      .immediate();
    return this.get(featureId);
  }

  private row(id: number): FeatureRow {
    const row = this.db.prepare('SELECT * FROM features WHERE id = ?').get(id) as FeatureRow | undefined;
    if (!row) throw notFound(id);
    return row;
  }

  /** Pending features whose dependencies all pass and whose backoff has elapsed, in scheduling order. */
  ready(limit: number): Feature[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM features f WHERE ${READY_WHERE} ORDER BY f.priority, f.path_ms DESC, f.unblocks DESC, f.id LIMIT @limit`,
      )
      .all({ now: this.clock.now(), limit }) as FeatureRow[];
    return rowsToFeatures(this.db, rows);
  }

  /** Every feature that is not yet passing or failed, as the duration estimator sees it. */
  durationTargets(): EstimateTarget[] {
    return this.db
      .prepare(
        `SELECT id, category, ${jsonArrayLengthSql(this.db, 'steps')} AS steps, attempts, max_attempts AS "maxAttempts" FROM features
         WHERE status NOT IN ('passing', 'failed') ORDER BY id`,
      )
      .all() as EstimateTarget[];
  }

  /**
   * Stores the runner's estimates in one transaction: each feature's own estimate (0 when absent: passing or failed)
   * and its estimated path (0 when absent), the claim order after priority. Writes only rows that change; how many.
   */
  setDurationEstimates(estimates: ReadonlyMap<number, number>, paths: ReadonlyMap<number, number>): number {
    const update = cachedStatement(
      this.db,
      `UPDATE features SET estimate_ms = @estimate, path_ms = @path WHERE id = @id AND (estimate_ms <> @estimate OR path_ms <> @path)`,
    );
    return this.db
      .transaction(() => {
        let changed = 0;
        for (const id of this.db.prepare('SELECT id FROM features').pluck().all() as number[]) {
          const estimate = Math.round(estimates.get(id) ?? 0);
          const path = Math.round(paths.get(id) ?? 0);
          changed += update.run({ id, estimate, path }).changes;
        }
        return changed;
      })
      .immediate();
  }

  /** How many features `ready` would return without a limit. */
  readyCount(): number {
    return this.db
      .prepare(`SELECT count(*) FROM features f WHERE ${READY_WHERE}`)
      .pluck()
      .get({ now: this.clock.now() }) as number;
  }

  /** Features that wait for at least one dependency that is not passing, with what blocks them. */
  blocked(limit: number): { total: number; features: (Feature & { blockedBy: number[] })[] } {
    const total = this.db.prepare(`SELECT count(*) FROM features f WHERE ${BLOCKED_WHERE}`).pluck().get() as number;
    const rows = this.db
      .prepare(
        `SELECT f.*, (SELECT ${bySql(this.db, { sqlite: 'json_group_array(d.depends_on)', pg: "coalesce(json_agg(d.depends_on), '[]')" })} FROM feature_dependencies d JOIN features p ON p.id = d.depends_on
                      WHERE d.feature_id = f.id AND p.status <> 'passing') AS blocked_by
         FROM features f WHERE ${BLOCKED_WHERE} ORDER BY f.id LIMIT ?`,
      )
      .all(limit) as (FeatureRow & { blocked_by: string })[];
    const features = rowsToFeatures(this.db, rows);
    return {
      total,
      features: features.map((f, i) => ({
        ...f,
        blockedBy: (JSON.parse(rows[i]?.blocked_by ?? '[]') as number[]).sort((a, b) => a - b),
      })),
    };
  }

  graph(): GraphView {
    const graph = this.loadGraph();
    const ready = new Set(readySet(graph));
    const blocked = new Set(blockedSet(graph).map((b) => b.id));
    const rows = this.db.prepare('SELECT id, name, category, status, priority FROM features ORDER BY id').all() as {
      id: number;
      name: string;
      category: string;
      status: FeatureStatus;
      priority: number;
    }[];
    const nodes = rows.map((r) => ({
      ...r,
      dependencies: [...(graph.dependsOn.get(r.id) ?? [])],
      ready: ready.has(r.id),
      blocked: blocked.has(r.id),
    }));
    const edges = nodes.flatMap((n) => n.dependencies.map((dep) => ({ source: dep, target: n.id })));
    return { nodes, edges };
  }

  /** Passing features that have gone longest without re-verification. */
  forRegression(limit: number, options: { readonly unseenSinceLastLanding?: boolean } = {}): Feature[] {
    // unseenSinceLastLanding: only features main may have broken since they were last checked; a feature landed or
    // verified after the newest landing has been seen on today's main, and re-checking it would learn nothing.
    const unseen = options.unseenSinceLastLanding
      ? `AND coalesce(last_verified_at, passed_at, 0) < (SELECT max(passed_at) FROM features WHERE status = 'passing')`
      : '';
    const rows = this.db
      .prepare(
        `SELECT * FROM features WHERE status = 'passing' ${unseen}
         ORDER BY coalesce(last_verified_at, passed_at, 0), unblocks DESC, id LIMIT ?`,
      )
      .all(limit) as FeatureRow[];
    return rowsToFeatures(this.db, rows);
  }

  loadGraph(): DependencyGraph {
    const nodes = this.db.prepare('SELECT id, status, priority FROM features').all() as {
      id: number;
      status: FeatureStatus;
      priority: number;
    }[];
    const edges = this.db
      .prepare('SELECT feature_id AS "featureId", depends_on AS "dependsOn" FROM feature_dependencies')
      .all() as {
      featureId: number;
      dependsOn: number;
    }[];
    return buildGraph(nodes, edges);
  }

  private listByIds(ids: readonly number[]): Feature[] {
    const rows = this.db
      .prepare(`SELECT * FROM features WHERE id IN (${jsonListSql(this.db, '?', 'integer')}) ORDER BY id`)
      .all(JSON.stringify(ids)) as FeatureRow[];
    return rowsToFeatures(this.db, rows);
  }

  private insert(input: NewFeature | BulkFeature, field = 'acceptance'): number {
    const now = this.clock.now();
    const frozen = frozenAcceptance(input.acceptance, field);
    const inserted = this.db
      .prepare(
        `INSERT INTO features (priority, category, name, description, steps, max_attempts, verify, acceptance, acceptance_hash,
           created_at, updated_at)
         VALUES (@priority, @category, @name, @description, @steps, @maxAttempts, @verify, @acceptance, @acceptanceHash, @now, @now)
         RETURNING id`,
      )
      .get({
        acceptance: frozen?.json ?? null,
        acceptanceHash: frozen?.hash ?? null,
        priority: input.priority ?? 0,
        category: input.category,
        name: input.name,
        description: input.description,
        steps: JSON.stringify(input.steps),
        maxAttempts: input.maxAttempts ?? 3,
        verify: input.verify ?? null,
        now,
      }) as { id: number };
    return inserted.id;
  }

  private insertDependencies(featureId: number, dependsOn: readonly number[]): void {
    const stmt = this.db.prepare('INSERT INTO feature_dependencies (feature_id, depends_on) VALUES (?, ?)');
    for (const dep of dependsOn) stmt.run(featureId, dep);
  }

  /** Keeps the `unblocks` scheduling column (distinct transitive dependents) true. */
  private recomputeUnblocks(): void {
    const counts = downstreamCounts(this.loadGraph());
    // One statement for every feature (pairs [id, n] as one JSON parameter): a statement per feature costs a round
    // trip each on PostgreSQL, which made seeding 20,000 features take minutes.
    const pairs = bySql(this.db, {
      sqlite: "SELECT value ->> '$[0]' AS id, value ->> '$[1]' AS n FROM json_each(?)",
      pg: 'SELECT (value ->> 0)::bigint AS id, (value ->> 1)::integer AS n FROM json_array_elements(CAST(? AS json)) AS value',
    });
    this.db
      .prepare(
        `UPDATE features SET unblocks = c.n FROM (${pairs}) AS c WHERE features.id = c.id AND features.unblocks <> c.n`,
      )
      .run(JSON.stringify([...counts]));
  }

  private assertNotDuplicate(category: string, name: string): void {
    const existing = this.findIdByName(category, name);
    if (existing !== undefined) {
      throw new AppError(
        'DUPLICATE',
        `a feature "${category} / ${name}" already exists (#${existing}); update it instead of creating it again`,
        {
          details: { existingId: existing },
        },
      );
    }
  }

  private findIdByName(category: string, name: string): number | undefined {
    const row = this.db.prepare('SELECT id FROM features WHERE category = ? AND name = ?').get(category, name) as
      { id: number } | undefined;
    return row?.id;
  }

  private exists(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM features WHERE id = ?').get(id) !== undefined;
  }

  private knownIds(): Set<number> {
    return new Set(this.db.prepare('SELECT id FROM features').pluck().all() as number[]);
  }
}

function duplicateKey(category: string, name: string): string {
  return `${category}\u0000${name}`;
}

/** A missing feature: people read the message; the agent's next step rides along for MCP results only. */
export function notFound(id: number): AppError {
  return new AppError('NOT_FOUND', `feature #${id} does not exist`, {
    details: { id },
    agentHint: 'list features with feature_get_stats or feature_get_ready',
  });
}
