import type { Progress } from '@shared/events';

/** Stacked bar of passing / in progress / needs input / failed, with the numbers in words for screen readers. */
export function ProgressBar({ progress, compact = false }: { progress: Progress | null; compact?: boolean }) {
  const p = progress ?? { total: 0, passing: 0, in_progress: 0, needs_input: 0, failed: 0, pending: 0, percentage: 0 };
  const pct = (n: number) => (p.total === 0 ? 0 : (n / p.total) * 100);
  const label = `${p.passing} of ${p.total} features passing (${p.percentage.toFixed(1)}%)`;
  return (
    <div className="min-w-0">
      <div
        role="progressbar"
        aria-label="Features passing"
        aria-valuemin={0}
        aria-valuemax={p.total}
        aria-valuenow={p.passing}
        aria-valuetext={label}
        className={`flex w-full overflow-hidden rounded-full border border-line bg-sunken ${compact ? 'h-2.5' : 'h-4'}`}
      >
        <div className="bg-st-passing transition-[width] duration-500" style={{ width: `${pct(p.passing)}%` }} />
        <div className="bg-st-progress transition-[width] duration-500" style={{ width: `${pct(p.in_progress)}%` }} />
        <div className="bg-st-input transition-[width] duration-500" style={{ width: `${pct(p.needs_input)}%` }} />
        <div className="bg-st-failed transition-[width] duration-500" style={{ width: `${pct(p.failed)}%` }} />
      </div>
      {compact ? null : (
        <p className="mt-1 text-xs text-muted">
          <span className="font-semibold text-ink">{p.passing}</span>/{p.total} passing
          {/* On a phone the bar and "n/m passing" say it; the full count is in the bar's aria-valuetext too. */}
          <span className="hidden sm:inline">
            {' '}
            · {p.in_progress} in progress · {p.needs_input} need input · {p.failed} failed · {p.pending} pending
          </span>
        </p>
      )}
    </div>
  );
}
