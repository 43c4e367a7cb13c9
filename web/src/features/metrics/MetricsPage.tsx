import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useSearchParams } from 'react-router';
import { RunIdSchema, type Metrics } from '@shared/metrics';
import { endpoints, keys } from '../../shared/api/endpoints';
import { useProject } from '../../shared/project-context';
import { formatCost, formatDuration } from '../../shared/ui/format';
import { BurnUpChart, CostByModelChart, CostOverTimeChart, DurationChart, WastedChart } from './charts';
import { DownloadReport } from './DownloadReport';
import { FeatureCostTable } from './FeatureCostTable';
import { orDash, percent, sourceText, usd } from './metrics-view';

/** The run in `?run=`, or null for the whole project (a malformed id is ignored rather than sent). */
function useRunParam(): [string | null, (run: string | null) => void] {
  const [params, setParams] = useSearchParams();
  const parsed = RunIdSchema.safeParse(params.get('run'));
  const set = (run: string | null) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (run) next.set('run', run);
      else next.delete('run');
      return next;
    });
  return [parsed.success ? parsed.data : null, set];
}

function RunSelector({
  runs,
  value,
  onChange,
}: {
  runs: Metrics['runs'];
  value: string | null;
  onChange: (run: string | null) => void;
}) {
  const id = useId();
  const newestFirst = [...runs].sort((a, b) => b.startedAt - a.startedAt);
  return (
    <div className="flex min-w-0 max-w-full items-center gap-2">
      <label htmlFor={id} className="text-sm font-medium">
        Run
      </label>
      <select
        id={id}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value || null)}
        className="w-72 min-w-0 max-w-full rounded-lg border border-line bg-panel px-2 py-1.5 text-sm text-ink"
      >
        <option value="">All runs ({runs.length})</option>
        {newestFirst.map((r) => (
          <option key={r.id} value={r.id}>
            {r.id} · {new Date(r.startedAt).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })} · {r.status}{' '}
            · {formatCost(r.costUsd)}
          </option>
        ))}
      </select>
    </div>
  );
}

function Figure({ label, value, note, testId }: { label: string; value: string; note?: string; testId: string }) {
  return (
    <div className="rounded-[var(--radius-card)] border border-line bg-panel p-3 shadow-card" data-testid={testId}>
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="mt-1 text-xl font-semibold tabular-nums">{value}</dd>
      {note ? <dd className="mt-0.5 text-xs text-muted">{note}</dd> : null}
    </div>
  );
}

/** The headline figures, each defined in the README's Metrics table. */
function Headline({ m }: { m: Metrics }) {
  const p = m.progress;
  const b = m.blockers;
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
      <Figure
        testId="fig-passing"
        label="Passing"
        value={`${p.passing} / ${p.total}`}
        note={`${p.landings} landings`}
      />
      <Figure
        testId="fig-cost"
        label="Cost so far"
        value={formatCost(m.cost.total.costUsd)}
        note={`${m.cost.total.sessions} sessions`}
      />
      <Figure
        testId="fig-cost-per-feature"
        label="Cost per passing feature"
        value={orDash(m.cost.perPassingFeatureUsd, formatCost)}
      />
      <Figure
        testId="fig-per-hour"
        label="Features per hour"
        value={orDash(p.featuresPerHour, (v) => v.toFixed(1))}
        note={`${formatDuration(p.activeRunMs)} of active runs`}
      />
      <Figure
        testId="fig-first-pass"
        label="First-pass rate"
        value={percent(p.firstPassRate)}
        note={orDash(p.attemptsPerLanding, (v) => `${v.toFixed(1)} attempts per landing`)}
      />
      <Figure
        testId="fig-regressions"
        label="Regressions found"
        value={String(p.regressionsFound)}
        note={`${p.verificationFailures} failed verifications`}
      />
      <Figure
        testId="fig-duration"
        label="Feature duration (median / p90)"
        value={`${orDash(p.duration.medianMs, formatDuration)} / ${orDash(p.duration.p90Ms, formatDuration)}`}
        note={`${p.duration.count} landed`}
      />
      <Figure
        testId="fig-blockers"
        label="Blocker resolution (median)"
        value={orDash(b.resolution.medianMs, formatDuration)}
        note={`${b.asked} asked · ${b.open} open · ${Math.round(b.humanMinutesWaited)} min waited`}
      />
      <Figure
        testId="fig-wasted"
        label="Wasted spend"
        value={formatCost(m.cost.wasted.costUsd)}
        note={`${percent(m.cost.wasted.share)} of the cost`}
      />
      <Roi m={m} />
    </dl>
  );
}

/** ROI with its assumptions printed beside it, and where each assumption came from. */
function Roi({ m }: { m: Metrics }) {
  const r = m.roi;
  const a = r.assumptions;
  return (
    <div
      className="col-span-2 rounded-[var(--radius-card)] border border-line bg-panel p-3 shadow-card sm:col-span-3 lg:col-span-5"
      data-testid="fig-roi"
    >
      <dt className="text-xs text-muted">Return on investment</dt>
      <dd className="mt-1 text-xl font-semibold tabular-nums">
        {r.ratio === null ? '—' : `${r.ratio.toFixed(1)}×`}{' '}
        <span className="text-sm font-normal text-muted">
          value {usd(r.valueUsd)} − cost {usd(r.costUsd)} = net {usd(r.netUsd)}
        </span>
      </dd>
      <dd className="mt-1 text-xs text-muted" data-testid="roi-assumptions">
        Assumes {r.featuresLanded} landed {r.featuresLanded === 1 ? 'feature' : 'features'} × {a.hoursPerFeature}{' '}
        developer hours each ({sourceText(a.source.hoursPerFeature)} <code>metrics.hoursPerFeature</code>) ={' '}
        {r.hoursSaved} hours × {usd(a.hourlyRateUsd)} an hour ({sourceText(a.source.hourlyRateUsd)}{' '}
        <code>metrics.hourlyRateUsd</code>). Change them in Settings.
      </dd>
    </div>
  );
}

/** The Metrics tab: headline figures, charts and the per-feature cost table, for the project or one run. */
export function MetricsPage() {
  const { name } = useProject();
  const [run, setRun] = useRunParam();
  const all = useQuery({ queryKey: keys.metrics(name, null), queryFn: () => endpoints.metrics(name, null) });
  const scoped = useQuery({
    queryKey: keys.metrics(name, run),
    queryFn: () => endpoints.metrics(name, run),
    enabled: run !== null,
  });
  const q = run === null ? all : scoped;
  const m = q.data;

  return (
    <section aria-labelledby="metrics-title" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="metrics-title" className="text-lg font-semibold">
          Metrics{run ? <span className="ml-2 font-mono text-sm font-normal text-muted">{run}</span> : null}
        </h2>
        <div className="flex flex-wrap items-center gap-3">
          {all.data && all.data.runs.length > 0 ? (
            <RunSelector runs={all.data.runs} value={run} onChange={setRun} />
          ) : null}
          <DownloadReport project={name} run={run} />
        </div>
      </div>
      {q.error ? (
        <p role="alert" className="rounded-xl border border-st-failed bg-st-failed-bg px-4 py-2 text-sm text-st-failed">
          The metrics cannot be shown: {q.error.message}
        </p>
      ) : !m ? (
        <p className="text-sm text-muted" role="status">
          Loading the metrics…
        </p>
      ) : m.features.length === 0 && m.sessions.length === 0 ? (
        <div
          data-testid="metrics-empty"
          className="rounded-[var(--radius-card)] border border-dashed border-line bg-panel px-6 py-12 text-center"
        >
          <p className="text-base font-semibold">No metrics yet</p>
          <p className="mt-1 text-sm text-muted">
            {run
              ? 'This run has no features or sessions to measure.'
              : 'Add features and start a run: progress, cost, durations and ROI appear here as the agents work.'}
          </p>
        </div>
      ) : (
        <>
          <Headline m={m} />
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
            <BurnUpChart m={m} />
            <CostOverTimeChart m={m} />
            <DurationChart m={m} />
            <CostByModelChart m={m} />
            <WastedChart m={m} />
          </div>
          <FeatureCostTable features={m.features} />
        </>
      )}
    </section>
  );
}
