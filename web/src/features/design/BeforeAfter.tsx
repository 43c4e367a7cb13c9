import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { DesignIteration } from '@shared/design';
import { THEMES, VIEWPORT_NAMES } from '@shared/design-capture';
import { endpoints, keys } from '../../shared/api/endpoints';
import { errorMessage } from '../../shared/api/client';
import { comparableIterations, comparablePages, defaultComparison, shotAt, type Comparison } from './design-view';
import { ShotThumbnail } from './ShotImage';

const card = 'rounded-[var(--radius-card)] border border-line bg-panel p-4 shadow-card';
const selectClass = 'rounded-lg border border-line bg-panel px-2 py-1.5 text-sm text-ink';

function Choice<T extends string | number>({
  label,
  value,
  options,
  text = String,
  onChange,
}: {
  label: string;
  value: T;
  options: readonly T[];
  text?: (o: T) => string;
  onChange: (v: T) => void;
}) {
  const id = useId();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <select
        id={id}
        value={String(value)}
        onChange={(e) => onChange(options.find((o) => String(o) === e.target.value) ?? value)}
        className={selectClass}
      >
        {options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {text(o)}
          </option>
        ))}
      </select>
    </div>
  );
}

function useCapture(project: string, n: number | null) {
  return useQuery({
    queryKey: keys.designIteration(project, n ?? 0),
    queryFn: () => endpoints.designIteration(project, n ?? 0),
    enabled: n !== null,
  });
}

/** One side of the comparison: the chosen page, viewport and theme in one iteration, or why there is no shot. */
function Side({ project, c, n, heading }: { project: string; c: Comparison; n: number; heading: string }) {
  const q = useCapture(project, n);
  const shot = shotAt(q.data?.capture, c.page, c.viewport, c.theme);
  const label = `${c.page}, ${c.viewport}, ${c.theme}`;
  return (
    <div className="flex min-w-0 flex-col gap-2" data-testid={`compare-${heading.toLowerCase()}`}>
      <h4 className="text-sm font-semibold">
        {heading}: iteration {n}
      </h4>
      {q.error ? (
        <p role="alert" className="text-sm text-st-failed">
          {errorMessage(q.error)}
        </p>
      ) : !q.data ? (
        <p role="status" className="text-sm text-muted">
          Loading iteration {n}…
        </p>
      ) : shot?.file ? (
        <ShotThumbnail
          shot={{ project, n, file: shot.file }}
          alt={`Screenshot of ${label} (iteration ${n})`}
          caption={`${label} · iteration ${n}`}
        />
      ) : (
        <p className="rounded-lg bg-sunken p-3 text-sm text-muted">
          Iteration {n} has no screenshot of {label}.
        </p>
      )}
    </div>
  );
}

/** Before/after: one page at one viewport and theme in two iterations, side by side (stacked on a phone). */
export function BeforeAfter({ project, iterations }: { project: string; iterations: readonly DesignIteration[] }) {
  const ns = comparableIterations(iterations);
  const latest = useCapture(project, ns.at(-1) ?? null);
  const [chosen, setChosen] = useState<Comparison | null>(null);
  const c = chosen ?? defaultComparison(iterations, latest.data?.capture ?? null);
  const before = useCapture(project, c?.before ?? null);
  if (ns.length < 2 || c === null) return null;
  const pages = comparablePages([latest.data?.capture, before.data?.capture]);
  const set = (patch: Partial<Comparison>) => setChosen({ ...c, ...patch });
  return (
    <section className={`${card} flex flex-col gap-3`} aria-labelledby="design-compare-title">
      <h3 id="design-compare-title" className="text-base font-semibold">
        Before and after
      </h3>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <Choice
          label="Page"
          value={c.page}
          options={pages.length > 0 ? pages : [c.page]}
          onChange={(page) => set({ page })}
        />
        <Choice
          label="Viewport"
          value={c.viewport}
          options={VIEWPORT_NAMES}
          onChange={(viewport) => set({ viewport })}
        />
        <Choice label="Theme" value={c.theme} options={THEMES} onChange={(theme) => set({ theme })} />
        <Choice
          label="Before"
          value={c.before}
          options={ns}
          text={(n) => `Iteration ${n}`}
          onChange={(b) => set({ before: b })}
        />
        <Choice
          label="After"
          value={c.after}
          options={ns}
          text={(n) => `Iteration ${n}`}
          onChange={(a) => set({ after: a })}
        />
      </div>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <Side project={project} c={c} n={c.before} heading="Before" />
        <Side project={project} c={c} n={c.after} heading="After" />
      </div>
    </section>
  );
}
