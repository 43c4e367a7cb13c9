import type { RunBudget } from '@shared/runs';
import { formatCost } from '../shared/ui/format';

/** The header's budget line: what is left of the active run's budget, else of the day's; nothing without one. */
export function BudgetLeft({ budget }: { budget: RunBudget | null | undefined }) {
  if (!budget) return null;
  const which = budget.scope === 'run' ? 'run budget' : 'daily budget';
  // The run warns at 80 % used: the line turns to the warning colour there too.
  const low = budget.leftUsd <= 0.2 * budget.limitUsd;
  return (
    <p className="text-sm text-muted" data-testid="budget-left">
      Budget left{' '}
      <span className={`font-semibold ${low ? 'text-st-input' : 'text-ink'}`}>{formatCost(budget.leftUsd)}</span> of the{' '}
      {formatCost(budget.limitUsd)} {which}
    </p>
  );
}
