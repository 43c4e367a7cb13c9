import { scaleBand, scaleLinear, scaleUtc } from 'd3-scale';
import { area, curveStepAfter, line, stack } from 'd3-shape';
import type { Metrics } from '../shared/metrics.js';
import { usd } from './format.js';
import { html, type Html } from './html-text.js';

/**
 * The report's charts as inline SVG, computed on the server with d3-scale (positions) and d3-shape (paths): no
 * script and no chart library in the file. Colours are CSS classes (`s0`…`s5`) the page styles for light, dark and
 * print. Every label goes through `html`, so names from agents stay text.
 */

export interface ChartSize {
  readonly width: number;
  readonly height: number;
  readonly margin: { readonly top: number; readonly right: number; readonly bottom: number; readonly left: number };
}

export const CHART_SIZE: ChartSize = { width: 640, height: 240, margin: { top: 12, right: 16, bottom: 28, left: 56 } };

const SERIES = 6;
const DIGITS = 2;
const round = (v: number) => Math.round(v * 100) / 100;

/** A UTC time axis label: the day, or the time of day when everything happened on one day. */
function timeLabel(at: number, sameDay: boolean): string {
  const iso = new Date(at).toISOString();
  return sameDay ? iso.slice(11, 16) : iso.slice(5, 10);
}

function timeScale(times: readonly number[], size: ChartSize) {
  const from = Math.min(...times);
  // One instant still needs a width: a minute after it.
  const to = Math.max(Math.max(...times), from + 60_000);
  return scaleUtc()
    .domain([from, to])
    .range([size.margin.left, size.width - size.margin.right]);
}

function yScale(max: number, size: ChartSize) {
  return scaleLinear()
    .domain([0, max > 0 ? max : 1])
    .nice()
    .range([size.height - size.margin.bottom, size.margin.top]);
}

function frame(id: string, title: string, desc: string, size: ChartSize, body: Html): Html {
  return html`<svg
    id="${id}"
    class="chart"
    role="img"
    aria-labelledby="${id}-title ${id}-desc"
    viewBox="0 0 ${size.width} ${size.height}"
    width="${size.width}"
    height="${size.height}"
    preserveAspectRatio="xMinYMin meet"
  >
    <title id="${id}-title">${title}</title>
    <desc id="${id}-desc">${desc}</desc>
    ${body}
  </svg>`;
}

/** Counts (features, landings) get whole-number ticks only: half a feature is not a value. */
const COUNT = (v: number): string | null => (Number.isInteger(v) ? String(v) : null);

function yAxis(y: ReturnType<typeof yScale>, size: ChartSize, format: (v: number) => string | null): Html {
  return html`<g class="axis"
    >${y
      .ticks(5)
      .filter((t) => format(t) !== null)
      .map(
        (t) =>
          html`<line
              class="grid"
              x1="${size.margin.left}"
              x2="${size.width - size.margin.right}"
              y1="${round(y(t))}"
              y2="${round(y(t))}"
            /><text x="${size.margin.left - 6}" y="${round(y(t))}" text-anchor="end" dominant-baseline="middle"
              >${format(t) ?? ''}</text
            >`,
      )}</g
  >`;
}

function timeAxis(x: ReturnType<typeof timeScale>, size: ChartSize): Html {
  const [from, to] = x.domain().map((d) => d.getTime()) as [number, number];
  const sameDay = new Date(from).toISOString().slice(0, 10) === new Date(to).toISOString().slice(0, 10);
  const y = size.height - size.margin.bottom;
  return html`<g class="axis"
    ><line x1="${size.margin.left}" x2="${size.width - size.margin.right}" y1="${y}" y2="${y}" />${x
      .ticks(5)
      .map(
        (t) =>
          html`<text x="${round(x(t))}" y="${y + 18}" text-anchor="middle">${timeLabel(t.getTime(), sameDay)}</text>`,
      )}</g
  >`;
}

export interface BurnUpPaths {
  /** Features over time (a step line). */
  readonly total: string;
  /** Passing features over time (a step area from 0). */
  readonly passing: string;
}

/** The burn-up's two paths: pure geometry, unit-tested on known data. */
export function burnUpPaths(points: Metrics['passingOverTime'], size: ChartSize = CHART_SIZE): BurnUpPaths {
  const x = timeScale(
    points.map((p) => p.at),
    size,
  );
  const y = yScale(Math.max(...points.map((p) => p.total)), size);
  const total = line<Metrics['passingOverTime'][number]>()
    .x((p) => x(p.at))
    .y((p) => y(p.total))
    .curve(curveStepAfter)
    .digits(DIGITS);
  const passing = area<Metrics['passingOverTime'][number]>()
    .x((p) => x(p.at))
    .y0(y(0))
    .y1((p) => y(p.passing))
    .curve(curveStepAfter)
    .digits(DIGITS);
  return { total: total(points) ?? '', passing: passing(points) ?? '' };
}

/**
 * Where the time axis ends: the end of the latest run (the report's time while one is going), so the last step
 * reaches the end of the work without stretching the chart over idle months.
 */
export const chartEnd = (m: Metrics): number => Math.max(0, ...m.runs.map((r) => r.endedAt ?? m.generatedAt));

/** The points extended to `until`, so the last step is drawn to the end of the work. */
function untilEnd<T extends { at: number }>(points: readonly T[], until: number): T[] {
  const last = points.at(-1);
  return last && until > last.at ? [...points, { ...last, at: until }] : [...points];
}

export function burnUpChart(m: Metrics, size: ChartSize = CHART_SIZE): Html | null {
  if (m.passingOverTime.length === 0) return null;
  const points = untilEnd(m.passingOverTime, chartEnd(m));
  const x = timeScale(
    points.map((p) => p.at),
    size,
  );
  const y = yScale(Math.max(...points.map((p) => p.total)), size);
  const paths = burnUpPaths(points, size);
  const last = points.at(-1);
  return frame(
    'chart-burn-up',
    'Burn-up: features and passing features over time',
    `${last?.passing ?? 0} of ${last?.total ?? 0} features passing at the end.`,
    size,
    html`${yAxis(y, size, COUNT)}${timeAxis(x, size)}<path class="area s1" d="${paths.passing}" /><path
        class="line s0"
        d="${paths.total}"
      />`,
  );
}

/** The roles of the cost chart, in the order of the by-role breakdown. */
const rolesOf = (m: Metrics) => m.cost.byRole.map((r) => r.key);

/** Cumulative cost per role, stacked: one area per role (pure geometry). */
export function costAreas(m: Metrics, size: ChartSize = CHART_SIZE): { role: string; d: string }[] {
  const points = untilEnd(m.cost.overTime, chartEnd(m));
  if (points.length === 0) return [];
  const roles = rolesOf(m);
  const x = timeScale(
    points.map((p) => p.at),
    size,
  );
  const y = yScale(Math.max(...points.map((p) => p.totalUsd)), size);
  const series = stack<Metrics['cost']['overTime'][number], string>()
    .keys(roles)
    .value((p, role) => p.byRole[role] ?? 0)(points);
  const shape = area<(typeof series)[number][number]>()
    .x((d) => x(d.data.at))
    .y0((d) => y(d[0]))
    .y1((d) => y(d[1]))
    .curve(curveStepAfter)
    .digits(DIGITS);
  return series.map((s) => ({ role: s.key, d: shape(s) ?? '' }));
}

export function costChart(m: Metrics, size: ChartSize = CHART_SIZE): Html | null {
  const points = untilEnd(m.cost.overTime, chartEnd(m));
  if (points.length === 0) return null;
  const x = timeScale(
    points.map((p) => p.at),
    size,
  );
  const y = yScale(Math.max(...points.map((p) => p.totalUsd)), size);
  const areas = costAreas(m, size);
  return frame(
    'chart-cost',
    'Cost over time by role (cumulative, USD)',
    `${usd(m.cost.total.costUsd)} in total: ${m.cost.byRole.map((r) => `${r.key} ${usd(r.costUsd)}`).join(', ')}.`,
    size,
    html`${yAxis(y, size, usd)}${timeAxis(x, size)}${areas.map(
      (a, i) => html`<path class="area s${i % SERIES}" d="${a.d}"><title>${a.role}</title></path>`,
    )}`,
  );
}

/** A legend: each series' colour (`s<i>`) and name (HTML, under a chart). */
export function legend(names: readonly string[]): Html {
  return html`<ul class="legend">
    ${names.map((name, i) => html`<li><span class="swatch s${i % SERIES}" aria-hidden="true"></span>${name}</li>`)}
  </ul>`;
}

/** The cost chart's legend: the roles in their stacking order. */
export const costLegend = (m: Metrics): Html => legend(rolesOf(m));

/** The burn-up's legend: the line of features (s0) and the area of passing ones (s1). */
export const burnUpLegend = (): Html => legend(['Features', 'Passing']);

export interface Bin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** Durations in minutes, binned on the nice ticks of their range (the last bin includes its end). Pure. */
export function durationBins(samplesMs: readonly number[], binsWanted = 10): Bin[] {
  if (samplesMs.length === 0) return [];
  const minutes = samplesMs.map((v) => v / 60_000);
  const x = scaleLinear()
    .domain([0, Math.max(...minutes, 1e-9)])
    .nice(binsWanted);
  const edges = x.ticks(binsWanted);
  const bins = edges.slice(0, -1).map((from, i) => ({ from, to: edges[i + 1] as number, count: 0 }));
  for (const v of minutes) {
    const i = bins.findIndex((b, k) => v >= b.from && (v < b.to || k === bins.length - 1));
    const bin = bins[i];
    if (bin) bins[i] = { ...bin, count: bin.count + 1 };
  }
  return bins;
}

export function durationChart(m: Metrics, size: ChartSize = CHART_SIZE): Html | null {
  const bins = durationBins(m.progress.duration.samplesMs);
  if (bins.length === 0) return null;
  const x = scaleLinear()
    .domain([bins[0]?.from ?? 0, bins.at(-1)?.to ?? 1])
    .range([size.margin.left, size.width - size.margin.right]);
  const y = yScale(Math.max(...bins.map((b) => b.count)), size);
  const base = size.height - size.margin.bottom;
  const label = (v: number) => `${Number(v.toFixed(2))} min`;
  return frame(
    'chart-durations',
    'Feature durations (claim to passing, minutes)',
    `${m.progress.duration.count} landings; ${bins.map((b) => `${label(b.from)}–${label(b.to)}: ${b.count}`).join(', ')}.`,
    size,
    html`${yAxis(y, size, COUNT)}<g class="axis"
        ><line x1="${size.margin.left}" x2="${size.width - size.margin.right}" y1="${base}" y2="${base}" />${x
          .ticks(5)
          .map((t) => html`<text x="${round(x(t))}" y="${base + 18}" text-anchor="middle">${label(t)}</text>`)}</g
      >${bins.map(
        (b) =>
          html`<rect
            class="bar s0"
            x="${round(x(b.from) + 1)}"
            y="${round(y(b.count))}"
            width="${round(Math.max(0, x(b.to) - x(b.from) - 2))}"
            height="${round(base - y(b.count))}"
            ><title>${label(b.from)}–${label(b.to)}: ${b.count}</title></rect
          >`,
      )}`,
  );
}

export function modelChart(m: Metrics, size: ChartSize = CHART_SIZE): Html | null {
  const rows = m.cost.byModel;
  if (rows.length === 0) return null;
  const height = Math.max(size.height / 2, size.margin.top + size.margin.bottom + rows.length * 32);
  const sized: ChartSize = { ...size, height, margin: { ...size.margin, left: 140 } };
  const y = scaleBand()
    .domain(rows.map((r) => r.key))
    .range([sized.margin.top, height - sized.margin.bottom])
    .padding(0.25);
  const x = scaleLinear()
    .domain([0, Math.max(...rows.map((r) => r.costUsd), 0.01)])
    .nice()
    .range([sized.margin.left, sized.width - sized.margin.right]);
  const base = height - sized.margin.bottom;
  return frame(
    'chart-models',
    'Cost by model (USD)',
    rows.map((r) => `${r.key}: ${usd(r.costUsd)}`).join(', '),
    sized,
    html`<g class="axis"
        ><line x1="${sized.margin.left}" x2="${sized.width - sized.margin.right}" y1="${base}" y2="${base}" />${x
          .ticks(5)
          .map((t) => html`<text x="${round(x(t))}" y="${base + 18}" text-anchor="middle">${usd(t)}</text>`)}</g
      >${rows.map((r, i) => {
        const top = y(r.key) ?? 0;
        const mid = round(top + y.bandwidth() / 2);
        return html`<g
          ><text class="label" x="${sized.margin.left - 6}" y="${mid}" text-anchor="end" dominant-baseline="middle"
            >${r.key}</text
          ><rect
            class="bar s${i % SERIES}"
            x="${sized.margin.left}"
            y="${round(top)}"
            width="${round(x(r.costUsd) - sized.margin.left)}"
            height="${round(y.bandwidth())}"
            ><title>${r.key}: ${usd(r.costUsd)}</title></rect
          ></g
        >`;
      })}`,
  );
}
