import { useId, type ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';

/** A chart's frame: title, summary sentence, the drawing (aria-hidden) and its numbers as a hidden table. */
export function ChartFigure({
  title,
  summary,
  empty,
  children,
  table,
}: {
  title: string;
  summary: string;
  /** Shown instead of the drawing when there is nothing to draw. */
  empty: string | null;
  children: ReactNode;
  table: { head: string[]; rows: (string | number)[][] };
}) {
  const id = useId();
  return (
    // relative + overflow-hidden: the sr-only table keeps its full width (a table ignores sr-only's 1 px) and would
    // otherwise widen the page on a phone.
    <figure
      aria-labelledby={`${id}-t`}
      aria-describedby={`${id}-s`}
      className="relative flex min-w-0 flex-col gap-2 overflow-hidden rounded-[var(--radius-card)] border border-line bg-panel p-4 shadow-card"
    >
      <figcaption>
        <h3 id={`${id}-t`} className="text-sm font-semibold">
          {title}
        </h3>
        <p id={`${id}-s`} className="text-xs text-muted">
          {summary}
        </p>
      </figcaption>
      {empty !== null ? (
        <p className="flex h-56 items-center justify-center rounded-lg bg-sunken text-sm text-muted">{empty}</p>
      ) : (
        <>
          <div className="h-56 w-full" aria-hidden="true">
            <ResponsiveContainer width="100%" height="100%">
              {children as React.ReactElement}
            </ResponsiveContainer>
          </div>
          <table className="sr-only">
            <caption>{title}</caption>
            <thead>
              <tr>
                {table.head.map((h) => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((r, i) => (
                <tr key={i}>
                  {r.map((c, j) =>
                    j === 0 ? (
                      <th key={j} scope="row">
                        {c}
                      </th>
                    ) : (
                      <td key={j}>{c}</td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}
