import { describe, expect, it } from 'vitest';
import type { HumanInputRequest } from '../db/ports.js';
import {
  BUDGET_AMOUNT_FIELD,
  BUDGET_DECISION_FIELD,
  bindingBudget,
  budgetLimits,
  featureBudget,
  featureBudgetRequest,
  latestBudgetAnswer,
  RAISE,
  SKIP,
} from './budget.js';
import { validateHumanInput } from '../shared/human-input.js';

const asked = featureBudgetRequest({ id: 12, name: 'Login' }, 2.5, 2);

function answered(values: Record<string, string | number>, answeredAt: number): HumanInputRequest {
  return {
    id: `hir_${answeredAt}`,
    featureId: 12,
    featureName: 'Login',
    sessionId: null,
    kind: 'fields',
    prompt: asked.prompt,
    fields: asked.fields.map((f) => ({ ...f })),
    status: 'answered',
    answeredBy: 'human',
    answer: values,
    secretKeys: {},
    reason: null,
    createdAt: answeredAt - 1,
    answeredAt,
    reasons: {},
    placeholderKeys: [],
    overrides: null,
    overriddenBy: null,
    disputeId: null,
  };
}

describe('budgets in the runner', () => {
  it('the limits come from --max-cost, --max-feature-cost and the daily budget; unset ones are null', () => {
    expect(budgetLimits({ maxCostUsd: 5 })).toEqual({ runUsd: 5, featureUsd: null, dailyUsd: null });
    expect(budgetLimits({ maxFeatureCostUsd: 1, dailyBudgetUsd: 20 })).toEqual({
      runUsd: null,
      featureUsd: 1,
      dailyUsd: 20,
    });
  });

  it('the Inbox request says "raise the budget for #12, or skip it", with a choice and an amount a person can give', () => {
    expect(asked.prompt).toBe(
      'Feature #12 "Login" has used $2.50 of its $2.00 budget: raise the budget for #12, or skip it.',
    );
    expect(asked.fields.map((f) => [f.id, f.type, f.required])).toEqual([
      [BUDGET_DECISION_FIELD, 'select', true],
      [BUDGET_AMOUNT_FIELD, 'number', false],
    ]);
    // The shared validation (API, CLI, UI) accepts a raise.
    const fields = asked.fields.map((f) => ({ ...f }));
    expect(validateHumanInput(fields, { [BUDGET_DECISION_FIELD]: RAISE, [BUDGET_AMOUNT_FIELD]: 5 })).toMatchObject({
      ok: true,
    });
  });

  it("a feature's budget is the setting until a person raises it; the newest answer counts; a skip raises nothing", () => {
    expect(featureBudget(2, [])).toBe(2);
    expect(featureBudget(2, [answered({ decision: RAISE, budgetUsd: 5 }, 10)])).toBe(5);
    expect(
      featureBudget(2, [
        answered({ decision: RAISE, budgetUsd: 5 }, 10),
        answered({ decision: RAISE, budgetUsd: 8 }, 20),
      ]),
    ).toBe(8);
    expect(featureBudget(2, [answered({ decision: SKIP }, 10)])).toBe(2);
    // A raise below the setting does not lower it.
    expect(featureBudget(2, [answered({ decision: RAISE, budgetUsd: 1 }, 10)])).toBe(2);
    expect(
      latestBudgetAnswer([answered({ decision: SKIP }, 30), answered({ decision: RAISE, budgetUsd: 8 }, 20)]),
    ).toEqual({ decision: SKIP, amount: null });
  });

  it("binds the run to the run's or the day's budget, whichever has less left; none without either", () => {
    const port = {
      use: (scope: object) => ('runId' in scope ? { spentUsd: 3, reservedUsd: 1 } : { spentUsd: 40, reservedUsd: 2 }),
      medianCost: (role: string) => (role === 'coding' ? 0.8 : null),
    };
    const memory = { warned: false, refused: false };
    const now = Date.UTC(2026, 0, 2, 5);
    expect(bindingBudget(port, { runUsd: 10, featureUsd: null, dailyUsd: 50 }, 'run_1', now, memory)).toEqual({
      scope: 'run',
      limitUsd: 10,
      usedUsd: 3,
      reservedUsd: 1,
      floors: { coding: 0.8, testing: 0.05, supervisor: 0.05 },
      warned: false,
      refused: false,
    });
    expect(bindingBudget(port, { runUsd: 10, featureUsd: null, dailyUsd: 45 }, 'run_1', now, memory)).toMatchObject({
      scope: 'day',
      limitUsd: 45,
      usedUsd: 40,
      reservedUsd: 2,
    });
    expect(bindingBudget(port, { runUsd: null, featureUsd: 3, dailyUsd: null }, 'run_1', now, memory)).toBeNull();
  });
});
