import { Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import type { DesignIteration } from '@shared/design';
import { C, tick, tooltipStyle } from '../../shared/ui/chart-theme';
import { ChartFigure } from '../../shared/ui/ChartFigure';
import { designChartRows } from './design-view';

const dash = (v: number | null) => (v === null ? '—' : v);

/**
 * Per iteration: the serious and critical axe violations (bars, left axis) and the personas' mean score (line, right
 * axis, 1 to 10). The drawing is hidden from screen readers; the same numbers are in the figure's table.
 */
export function DesignChart({ iterations }: { iterations: readonly DesignIteration[] }) {
  const rows = designChartRows(iterations);
  const last = rows.at(-1);
  const summary =
    last === undefined
      ? 'No iteration yet.'
      : `Iteration ${last.n}: ${last.blocking ?? 'no'} serious or critical axe violations` +
        `${last.meanScore === null ? ', no score yet' : `, mean persona score ${last.meanScore} of 10`}.`;
  return (
    <ChartFigure
      title="Accessibility and persona score per iteration"
      summary={summary}
      empty={rows.length === 0 ? 'No iteration yet.' : null}
      table={{
        head: ['Iteration', 'Serious + critical axe violations', 'All axe violations', 'Mean persona score'],
        rows: rows.map((r) => [r.label, dash(r.blocking), dash(r.total), dash(r.meanScore)]),
      }}
    >
      <ComposedChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid stroke={C.line} strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" stroke={C.line} tick={tick} tickLine={false} />
        <YAxis yAxisId="axe" allowDecimals={false} stroke={C.line} tick={tick} tickLine={false} />
        <YAxis yAxisId="score" orientation="right" domain={[0, 10]} stroke={C.line} tick={tick} tickLine={false} />
        <Tooltip contentStyle={tooltipStyle} />
        <Legend wrapperStyle={{ fontSize: 12, color: C.muted }} />
        <Bar yAxisId="axe" dataKey="blocking" name="Serious + critical axe" fill={C.failed} radius={[4, 4, 0, 0]} />
        <Line
          yAxisId="score"
          dataKey="meanScore"
          name="Mean score"
          stroke={C.accent}
          strokeWidth={2}
          connectNulls
          isAnimationActive={false}
        />
      </ComposedChart>
    </ChartFigure>
  );
}
