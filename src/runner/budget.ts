import { randomBytes } from 'node:crypto';
import type { BudgetLimits, BudgetPort, BudgetScope, HumanInputRequest, NewHumanInputRequest } from '../db/ports.js';
import type { RunSettings } from '../config/run-settings.js';
import { dayStart, sessionFloor, usd } from '../domain/budget.js';
import type { BudgetState, SlotKind } from './scheduler.js';
import type { RunContext } from './slot-sessions.js';

/**
 * The runner's side of budgets: the limits a run's settings give, what decide() is told about them, and the Inbox
 * request for a feature over its own budget. The arithmetic is in domain/budget.ts, the reservations in the store.
 */

/** The field ids of the budget request, read back when the feature is claimed again. */
export const BUDGET_DECISION_FIELD = 'decision';
export const BUDGET_AMOUNT_FIELD = 'budgetUsd';
export const RAISE = 'raise the budget';
export const SKIP = 'skip the feature';

export function budgetLimits(
  settings: Pick<RunSettings, 'maxCostUsd' | 'maxFeatureCostUsd' | 'dailyBudgetUsd'>,
): BudgetLimits {
  return {
    runUsd: settings.maxCostUsd ?? null,
    featureUsd: settings.maxFeatureCostUsd ?? null,
    dailyUsd: settings.dailyBudgetUsd ?? null,
  };
}

const ROLE_OF: Record<SlotKind, string> = { coding: 'coding', testing: 'testing', supervisor: 'supervisor' };

/**
 * What reserving a session's budget gave: null when no budget binds it; a hold (`amountUsd`: the SDK's maxBudgetUsd,
 * undefined when nothing was held back); or a refusal naming the budget with too little left.
 */
export type SessionHold =
  | { readonly id: string; readonly amountUsd: number | undefined }
  | { readonly refused: BudgetScope; readonly leftUsd: number; readonly limitUsd: number }
  | null;

/**
 * Reserves a session's budget before it starts: the store checks what is left and holds `share` of it in one
 * transaction, refusing when less is left than the role's sessions typically cost. Every paid session goes through
 * here (coding, supervisor, initializer, verifier), so no session runs past the run's or the day's budget unheld.
 */
export function reserveSession(
  budget: BudgetPort | undefined,
  limits: BudgetLimits,
  session: {
    readonly runId: string;
    readonly role: string;
    /** The feature whose own budget applies too (null: none). */
    readonly featureId: number | null;
    readonly featureLimitUsd: number | null;
    /** The share of what is left this session holds: 1 / the slots that may run at once. */
    readonly share: number;
    readonly now: number;
    /** The reservation of the session this one runs inside (see ReservationRequest.alongside). */
    readonly alongside?: string;
  },
): SessionHold {
  if (!budget) return null;
  const featureUsd = session.featureId === null ? null : session.featureLimitUsd;
  if (limits.runUsd === null && limits.dailyUsd === null && featureUsd === null) return null;
  const result = budget.reserve({
    id: `bud_${randomBytes(6).toString('hex')}`,
    runId: session.runId,
    featureId: session.featureId,
    role: session.role,
    limits: { ...limits, featureUsd },
    dayStart: dayStart(session.now),
    minUsd: sessionFloor(budget.medianCost(session.role)),
    share: session.share,
    ...(session.alongside === undefined ? {} : { alongside: session.alongside }),
  });
  if (!result.ok) return { refused: result.scope, leftUsd: result.leftUsd, limitUsd: result.limitUsd };
  return { id: result.id, amountUsd: result.amountUsd ?? undefined };
}

/** The run context of one session held to its reservation (the SDK's maxBudgetUsd), or unchanged without one. */
export function budgeted(run: RunContext, held: SessionHold): RunContext {
  if (held === null || 'refused' in held) return run;
  return { ...run, reservationId: held.id, ...(held.amountUsd === undefined ? {} : { maxBudgetUsd: held.amountUsd }) };
}

/** Why a session could not start: how little is left of which budget (reports, the verifier's refusal). */
export function refusalLine(held: {
  readonly refused: BudgetScope;
  readonly leftUsd: number;
  readonly limitUsd: number;
}): string {
  const which = held.refused === 'run' ? 'run budget' : held.refused === 'day' ? 'daily budget' : 'feature budget';
  return `only ${usd(Math.max(0, held.leftUsd))} is left of the ${usd(held.limitUsd)} ${which}, less than such a session costs`;
}

/** The role whose recorded sessions set the floor of a slot kind. */
export const roleOf = (kind: SlotKind): string => ROLE_OF[kind];

/** What each kind of session must have left to start: the median of its role's recorded sessions, or the floor. */
export function budgetFloors(budget: Pick<BudgetPort, 'medianCost'>): Record<SlotKind, number> {
  return {
    coding: sessionFloor(budget.medianCost('coding')),
    testing: sessionFloor(budget.medianCost('testing')),
    supervisor: sessionFloor(budget.medianCost('supervisor')),
  };
}

/**
 * The budget decide() holds the run to: the run's or the day's, whichever has less left (null: neither is set).
 * `floors` is read only when a budget is set.
 */
export function bindingBudget(
  budget: Pick<BudgetPort, 'use' | 'medianCost'>,
  limits: BudgetLimits,
  runId: string,
  now: number,
  memory: { readonly warned: boolean; readonly refused: boolean },
): BudgetState | null {
  const candidates: { scope: 'run' | 'day'; limitUsd: number; usedUsd: number; reservedUsd: number }[] = [];
  const of = (u: { spentUsd: number; reservedUsd: number }) => ({ usedUsd: u.spentUsd, reservedUsd: u.reservedUsd });
  if (limits.runUsd !== null) candidates.push({ scope: 'run', limitUsd: limits.runUsd, ...of(budget.use({ runId })) });
  if (limits.dailyUsd !== null)
    candidates.push({ scope: 'day', limitUsd: limits.dailyUsd, ...of(budget.use({ since: dayStart(now) })) });
  const left = (c: (typeof candidates)[number]) => c.limitUsd - c.usedUsd - c.reservedUsd;
  let tightest: (typeof candidates)[number] | null = null;
  for (const c of candidates) if (tightest === null || left(c) < left(tightest)) tightest = c;
  if (tightest === null) return null;
  return { ...tightest, floors: budgetFloors(budget), warned: memory.warned, refused: memory.refused };
}

/** A feature's own budget: the setting, or what a person raised it to in the newest answer to its budget request. */
export function featureBudget(setting: number | null, requests: readonly HumanInputRequest[]): number | null {
  const raised = latestBudgetAnswer(requests);
  if (raised?.decision === RAISE && raised.amount !== null) return Math.max(setting ?? 0, raised.amount);
  return setting;
}

/** The newest answered budget request of a feature: what was decided, and the new budget when one was given. */
export function latestBudgetAnswer(
  requests: readonly HumanInputRequest[],
): { readonly decision: string; readonly amount: number | null } | null {
  const answered = requests
    .filter((r) => r.status === 'answered' && r.answer !== null && BUDGET_DECISION_FIELD in r.answer)
    .filter((r) => r.fields.some((f) => f.id === BUDGET_AMOUNT_FIELD))
    .sort((a, b) => (b.answeredAt ?? 0) - (a.answeredAt ?? 0));
  const newest = answered[0];
  if (!newest?.answer) return null;
  const amount = newest.answer[BUDGET_AMOUNT_FIELD];
  return { decision: String(newest.answer[BUDGET_DECISION_FIELD]), amount: typeof amount === 'number' ? amount : null };
}

/** The Inbox request for a feature that used its own budget: raise it, or skip the feature. */
export function featureBudgetRequest(
  feature: { readonly id: number; readonly name: string },
  spentUsd: number,
  limitUsd: number,
): NewHumanInputRequest {
  return {
    kind: 'fields',
    prompt: `Feature #${feature.id} "${feature.name}" has used ${usd(spentUsd)} of its ${usd(limitUsd)} budget: raise the budget for #${feature.id}, or skip it.`,
    fields: [
      {
        id: BUDGET_DECISION_FIELD,
        label: `Raise the budget for #${feature.id}, or skip it?`,
        type: 'select',
        required: true,
        options: [RAISE, SKIP],
      },
      {
        id: BUDGET_AMOUNT_FIELD,
        label: `New budget for #${feature.id} in USD (when raising; more than ${usd(spentUsd)})`,
        type: 'number',
        required: false,
        help: 'Skipping sends the feature to the back of the queue; it fails once its attempts are used.',
      },
    ],
  };
}
