import { useState } from 'react';
import type { FeatureMetrics } from '@shared/metrics';
import { formatCost, formatDuration } from '../../shared/ui/format';
import { StatusBadge } from '../../shared/ui/status';
import { nextSort, sortFeatures, type Sort, type SortKey } from './metrics-view';

const COLUMNS: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'featureId', label: '#', numeric: true },
  { key: 'name', label: 'Feature', numeric: false },
  { key: 'status', label: 'Status', numeric: false },
  { key: 'attempts', label: 'Attempts', numeric: true },
  { key: 'durationMs', label: 'Duration', numeric: true },
  { key: 'costUsd', label: 'Cost', numeric: true },
  { key: 'wastedUsd', label: 'Wasted', numeric: true },
];

/** What each feature cost, sortable by any column (buttons in the headers; `aria-sort` says the order). */
export function FeatureCostTable({ features }: { features: readonly FeatureMetrics[] }) {
  const [sort, setSort] = useState<Sort>({ key: 'costUsd', dir: 'descending' });
  const rows = sortFeatures(features, sort);
  return (
    <section aria-labelledby="feature-costs" className="flex flex-col gap-2">
      <h2 id="feature-costs" className="text-base font-semibold">
        Cost per feature
      </h2>
      <div
        role="region"
        aria-label="Cost per feature (scrolls sideways)"
        tabIndex={0}
        className="overflow-x-auto rounded-[var(--radius-card)] border border-line bg-panel shadow-card outline-none focus-visible:ring-2 focus-visible:ring-focus"
      >
        <table className="w-full min-w-[36rem] text-sm">
          <caption className="sr-only">
            Cost per feature, sorted by {COLUMNS.find((c) => c.key === sort.key)?.label} {sort.dir}
          </caption>
          <thead className="border-b border-line text-left text-xs text-muted">
            <tr>
              {COLUMNS.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  aria-sort={sort.key === c.key ? sort.dir : 'none'}
                  className={`px-3 py-2 font-medium ${c.numeric ? 'text-right' : ''}`}
                >
                  <button
                    type="button"
                    onClick={() => setSort((s) => nextSort(s, c.key))}
                    className="inline-flex items-center gap-1 rounded hover:text-ink focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
                  >
                    {c.label}
                    <span aria-hidden="true">{sort.key === c.key ? (sort.dir === 'ascending' ? '▲' : '▼') : '↕'}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f.featureId} data-feature-id={f.featureId} className="border-b border-line last:border-0">
                <td className="px-3 py-2 text-right font-mono text-xs text-muted">{f.featureId}</td>
                <th scope="row" className="px-3 py-2 text-left font-medium">
                  {f.name}
                </th>
                <td className="px-3 py-2">
                  <StatusBadge status={f.status} />
                </td>
                <td className="px-3 py-2 text-right">{f.attempts}</td>
                <td className="px-3 py-2 text-right">{f.durationMs === null ? '—' : formatDuration(f.durationMs)}</td>
                <td className="px-3 py-2 text-right">{formatCost(f.usage.costUsd)}</td>
                <td className={`px-3 py-2 text-right ${f.wastedUsd > 0 ? 'text-st-failed' : ''}`}>
                  {formatCost(f.wastedUsd)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
