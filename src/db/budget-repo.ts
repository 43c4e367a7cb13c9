import type { Db } from './connection.js';
import {
  type BudgetPort,
  type BudgetScope,
  type BudgetUse,
  type Clock,
  type ReservationRequest,
  type ReservationResult,
  systemClock,
} from './ports.js';
import { medianOf } from '../domain/budget.js';

/** Budget reservations (migration 0006): the check of what is left and the hold, in one write transaction. */
export class BudgetRepo implements BudgetPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {}

  reserve(request: ReservationRequest): ReservationResult {
    // IMMEDIATE: the write lock is taken before reading; no other connection reserves between the sum and the insert.
    return this.db
      .transaction((): ReservationResult => {
        const scopes: { scope: BudgetScope; limit: number; use: BudgetUse }[] = [];
        const { limits } = request;
        if (limits.runUsd !== null && request.runId !== null)
          scopes.push({ scope: 'run', limit: limits.runUsd, use: this.use({ runId: request.runId }) });
        if (limits.featureUsd !== null && request.featureId !== null)
          scopes.push({ scope: 'feature', limit: limits.featureUsd, use: this.use({ featureId: request.featureId }) });
        if (limits.dailyUsd !== null)
          scopes.push({ scope: 'day', limit: limits.dailyUsd, use: this.use({ since: request.dayStart }) });
        const outer = request.alongside === undefined ? undefined : this.openHold(request.alongside);
        // What the outer session holds in a scope, when it counts there.
        const outerIn = (scope: BudgetScope): number => {
          if (outer === undefined) return 0;
          const counts =
            scope === 'run'
              ? outer.run_id === request.runId
              : scope === 'feature'
                ? outer.feature_id === request.featureId
                : outer.created_at >= request.dayStart;
          return counts ? outer.amount_usd : 0;
        };
        let tightest: { scope: BudgetScope; limit: number; left: number } | null = null;
        for (const s of scopes) {
          const left = Math.max(0, s.limit - s.use.spentUsd - (s.use.reservedUsd - outerIn(s.scope)));
          if (tightest === null || left < tightest.left) tightest = { scope: s.scope, limit: s.limit, left };
        }
        if (tightest !== null && tightest.left < request.minUsd)
          return { ok: false, scope: tightest.scope, leftUsd: tightest.left, limitUsd: tightest.limit };
        const share = Math.min(1, Math.max(0, request.share ?? 1));
        const amount =
          tightest === null ? null : Math.min(tightest.left, Math.max(request.minUsd, tightest.left * share));
        this.db
          .prepare(
            `INSERT INTO budget_reservations (id, run_id, feature_id, role, amount_usd, created_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(request.id, request.runId, request.featureId, request.role, amount ?? 0, this.clock.now());
        return { ok: true, id: request.id, amountUsd: amount };
      })
      .immediate();
  }

  private openHold(
    id: string,
  ): { run_id: string | null; feature_id: number | null; amount_usd: number; created_at: number } | undefined {
    return this.db
      .prepare(
        `SELECT run_id, feature_id, amount_usd, created_at FROM budget_reservations WHERE id = ? AND settled_at IS NULL`,
      )
      .get(id) as
      { run_id: string | null; feature_id: number | null; amount_usd: number; created_at: number } | undefined;
  }

  settle(id: string, costUsd: number): boolean {
    const changed = this.db
      .prepare(`UPDATE budget_reservations SET settled_at = ?, cost_usd = ? WHERE id = ? AND settled_at IS NULL`)
      .run(this.clock.now(), costUsd, id).changes;
    return changed === 1;
  }

  releaseRun(runId: string): number {
    return this.db
      .prepare(`UPDATE budget_reservations SET settled_at = ?, cost_usd = 0 WHERE run_id = ? AND settled_at IS NULL`)
      .run(this.clock.now(), runId).changes;
  }

  use(scope: { readonly runId: string } | { readonly featureId: number } | { readonly since: number }): BudgetUse {
    const open = (where: string, arg: string | number) =>
      (
        this.db
          .prepare(
            `SELECT COALESCE(SUM(amount_usd), 0) AS v FROM budget_reservations WHERE settled_at IS NULL AND ${where}`,
          )
          .get(arg) as { v: number }
      ).v;
    const one = (sql: string, arg: string | number) => (this.db.prepare(sql).get(arg) as { v: number | null }).v ?? 0;
    if ('runId' in scope)
      return {
        spentUsd: one(`SELECT COALESCE(SUM(cost_usd), 0) AS v FROM sessions WHERE run_id = ?`, scope.runId),
        reservedUsd: open('run_id = ?', scope.runId),
      };
    if ('featureId' in scope)
      return {
        spentUsd: one(`SELECT cost_usd AS v FROM features WHERE id = ?`, scope.featureId),
        reservedUsd: open('feature_id = ?', scope.featureId),
      };
    return {
      spentUsd: one(`SELECT COALESCE(SUM(cost_usd), 0) AS v FROM sessions WHERE started_at >= ?`, scope.since),
      reservedUsd: open('created_at >= ?', scope.since),
    };
  }

  medianCost(role: string): number | null {
    const costs = this.db
      .prepare(`SELECT cost_usd AS c FROM sessions WHERE role = ? AND ended_at IS NOT NULL AND cost_usd > 0`)
      .all(role) as { c: number }[];
    return medianOf(costs.map((r) => r.c));
  }
}
