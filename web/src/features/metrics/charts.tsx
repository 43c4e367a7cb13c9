import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Metrics, UsageRow } from '@shared/metrics';
import { C, tick, tooltipStyle } from '../../shared/ui/chart-theme';
import { ChartFigure } from '../../shared/ui/ChartFigure';
import { formatCost, formatDuration } from '../../shared/ui/format';
import { costOverTimeRows, costRoles, durationBins } from './metrics-view';

/**
 * The Metrics page's charts (recharts). Each is a figure whose drawing is hidden from screen readers and whose numbers
 * are in a visually hidden table beside it, so nothing is only a picture. Colours are the theme's CSS variables, so
 * the dark theme swaps them with everything else.
 */

/** One colour per series (roles, models): the status tokens, which are readable on both themes. */
const SERIES = [
  'var(--color-accent)',
  'var(--color-st-progress)',
  'var(--color-st-passing)',
  'var(--color-st-input)',
  'var(--color-st-failed)',
  'var(--color-st-pending)',
];
export const seriesColour = (i: number) => SERIES[i % SERIES.length]!;

const when = (at: number) => new Date(at).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
const axisProps = { stroke: C.line, tick, tickLine: false } as const;
/** Time ticks as precise as the span needs: seconds for a short demo run, dates for days of work. */
function timeTick(spanMs: number): (at: number) => string {
  if (spanMs < 15 * 60_000)
    return (at) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (spanMs < 24 * 3_600_000)
    return (at) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (at) => new Date(at).toLocaleDateString([], { month: 'short', day: 'numeric' });
}
const timeAxis = (points: readonly { at: number }[]) => (
  <XAxis
    dataKey="at"
    type="number"
    scale="time"
    domain={['dataMin', 'dataMax']}
    minTickGap={24}
    tickFormatter={timeTick(points.length ? points[points.length - 1]!.at - points[0]!.at : 0)}
    {...axisProps}
  />
);

/** Burn-up: features and passing features after every change. */
export function BurnUpChart({ m }: { m: Metrics }) {
  const points = m.passingOverTime;
  const last = points.at(-1);
  return (
    <ChartFigure
      title="Burn-up"
      summary={
        last ? `${last.passing} of ${last.total} features passing at ${when(last.at)}.` : 'No feature changes yet.'
      }
      empty={points.length === 0 ? 'No feature changes yet' : null}
      table={{ head: ['Time', 'Features', 'Passing'], rows: points.map((p) => [when(p.at), p.total, p.passing]) }}
    >
      <LineChart data={points} accessibilityLayer={false} margin={{ top: 8, right: 12, bottom: 0, left: -16 }}>
        <CartesianGrid stroke={C.line} strokeDasharray="3 3" />
        {timeAxis(points)}
        <YAxis allowDecimals={false} {...axisProps} />
        <Tooltip contentStyle={tooltipStyle} labelFormatter={(v) => when(Number(v))} />
        <Legend wrapperStyle={{ color: C.muted, fontSize: 12 }} />
        <Line type="stepAfter" dataKey="total" name="Features" stroke={C.total} dot={false} isAnimationActive={false} />
        <Line
          type="stepAfter"
          dataKey="passing"
          name="Passing"
          stroke={C.passing}
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFigure>
  );
}

/** Cumulative cost over time, stacked by role. */
export function CostOverTimeChart({ m }: { m: Metrics }) {
  const roles = costRoles(m);
  const rows = costOverTimeRows(m);
  return (
    <ChartFigure
      title="Cost over time by role"
      summary={`${formatCost(m.cost.total.costUsd)} in ${m.cost.total.sessions} sessions${
        roles.length ? `: ${m.cost.byRole.map((r) => `${r.key} ${formatCost(r.costUsd)}`).join(', ')}` : ''
      }.`}
      empty={rows.length === 0 ? 'No session has ended yet' : null}
      table={{
        head: ['Time', 'Total', ...roles],
        rows: m.cost.overTime.map((p) => [
          when(p.at),
          formatCost(p.totalUsd),
          ...roles.map((r) => formatCost(p.byRole[r] ?? 0)),
        ]),
      }}
    >
      <AreaChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 12, bottom: 0, left: -8 }}>
        <CartesianGrid stroke={C.line} strokeDasharray="3 3" />
        {timeAxis(m.cost.overTime)}
        <YAxis tickFormatter={(v: number) => `$${v}`} {...axisProps} />
        <Tooltip
          contentStyle={tooltipStyle}
          labelFormatter={(v) => when(Number(v))}
          formatter={(v) => formatCost(Number(v))}
        />
        <Legend wrapperStyle={{ color: C.muted, fontSize: 12 }} />
        {roles.map((r, i) => (
          <Area
            key={r}
            type="stepAfter"
            dataKey={r}
            stackId="cost"
            stroke={seriesColour(i)}
            fill={seriesColour(i)}
            fillOpacity={0.35}
            isAnimationActive={false}
          />
        ))}
      </AreaChart>
    </ChartFigure>
  );
}

/** How long features took from claim to passing, as a histogram. */
export function DurationChart({ m }: { m: Metrics }) {
  const d = m.progress.duration;
  const bins = durationBins(d.samplesMs).map((b) => ({
    ...b,
    label: `${formatDuration(b.fromMs)}–${formatDuration(b.toMs)}`,
  }));
  return (
    <ChartFigure
      title="Feature duration"
      summary={
        d.count === 0
          ? 'No feature has landed yet.'
          : `${d.count} landed; median ${formatDuration(d.medianMs ?? 0)}, p90 ${formatDuration(d.p90Ms ?? 0)}.`
      }
      empty={bins.length === 0 ? 'No feature has landed yet' : null}
      table={{ head: ['Duration', 'Features'], rows: bins.map((b) => [b.label, b.count]) }}
    >
      <BarChart data={bins} accessibilityLayer={false} margin={{ top: 8, right: 12, bottom: 0, left: -16 }}>
        <CartesianGrid stroke={C.line} strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" {...axisProps} />
        <YAxis allowDecimals={false} {...axisProps} />
        <Tooltip contentStyle={tooltipStyle} cursor={{ fill: 'var(--color-sunken)' }} />
        <Bar dataKey="count" name="Features" fill={C.passing} maxBarSize={64} isAnimationActive={false} />
      </BarChart>
    </ChartFigure>
  );
}

/** A breakdown of cost (by model, by wasted-spend reason) as horizontal bars. */
function UsageBars({
  title,
  rows,
  empty,
  colour,
  summary,
}: {
  title: string;
  rows: readonly UsageRow[];
  empty: string;
  colour: string;
  summary: string;
}) {
  return (
    <ChartFigure
      title={title}
      summary={summary}
      empty={rows.length === 0 ? empty : null}
      table={{
        head: ['', 'Cost', 'Sessions'],
        rows: rows.map((r) => [r.key, formatCost(r.costUsd), r.sessions]),
      }}
    >
      <BarChart
        data={[...rows]}
        layout="vertical"
        accessibilityLayer={false}
        margin={{ top: 8, right: 12, bottom: 0, left: 8 }}
      >
        <CartesianGrid stroke={C.line} strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" tickFormatter={(v: number) => `$${v}`} {...axisProps} />
        <YAxis type="category" dataKey="key" width={110} {...axisProps} />
        <Tooltip
          contentStyle={tooltipStyle}
          cursor={{ fill: 'var(--color-sunken)' }}
          formatter={(v) => formatCost(Number(v))}
        />
        <Bar dataKey="costUsd" name="Cost" fill={colour} maxBarSize={36} isAnimationActive={false} />
      </BarChart>
    </ChartFigure>
  );
}

export function CostByModelChart({ m }: { m: Metrics }) {
  const rows = m.cost.byModel;
  return (
    <UsageBars
      title="Cost by model"
      rows={rows}
      colour={C.accent}
      empty="No session has used a model yet"
      summary={rows.length ? rows.map((r) => `${r.key} ${formatCost(r.costUsd)}`).join(', ') + '.' : 'Nothing yet.'}
    />
  );
}

export function WastedChart({ m }: { m: Metrics }) {
  const w = m.cost.wasted;
  return (
    <UsageBars
      title="Wasted spend by reason"
      rows={w.byReason}
      colour={C.failed}
      empty="No wasted spend"
      summary={`${formatCost(w.costUsd)} wasted in ${w.sessions} ${w.sessions === 1 ? 'session' : 'sessions'}${
        w.byReason.length ? `: ${w.byReason.map((r) => `${r.key} ${formatCost(r.costUsd)}`).join(', ')}` : ''
      }.`}
    />
  );
}
