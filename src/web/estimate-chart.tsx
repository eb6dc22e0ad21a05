import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { EstimateChange, Source } from './api';
import { dayText, DAY_MS, knownFromMs, readableDate } from './dates';
import { figureText, rangeText } from './quantities';

/** One measure's estimate over knowledge time: the low and high of the estimate, and each source's own figure. */
export type EstimateSeries = Readonly<{ measure: string; unit: string; changes: readonly EstimateChange[] }>;

/** The estimate history split by (measure, unit), in the order the API lists them. */
export function byMeasure(changes: readonly EstimateChange[]): EstimateSeries[] {
  const groups = new Map<string, EstimateChange[]>();
  for (const change of changes) {
    const key = `${change.measure}\u0000${change.unit}`;
    groups.set(key, [...(groups.get(key) ?? []), change]);
  }
  return [...groups.values()].map((changes) => ({ measure: changes[0].measure, unit: changes[0].unit, changes }));
}

const DAY_S = DAY_MS / 1000;
/** Whole days, weeks and months between ticks: knowledge time here moves by the day. */
const DAY_INCREMENTS = [1, 2, 7, 14, 30, 61, 91, 182, 365].map((days) => days * DAY_S);

const PALETTE = ['#b35806', '#542788', '#1b7837', '#2166ac', '#b2182b', '#8c510a', '#01665e', '#762a83'];

type Column = { label: string; stroke: string; dash?: number[]; values: (number | null)[] };

/** The columns uPlot draws: x (seconds), low, high, then a column per source (two for a source's range). */
function columnsOf(series: EstimateSeries, sources: ReadonlyMap<string, Source>, untilMs: number): { xs: number[]; columns: Column[] } {
  const steps = [...series.changes];
  // Each step from when it became known (a day from its start, a month or year from its end: SPEC §2).
  const xs = steps.map((change) => (knownFromMs(change.at) ?? 0) / 1000);
  // Carry the last state on to the as-of instant, so the chart ends where the reader stands (and a
  // single step still draws as a line).
  if (steps.length > 0 && untilMs / 1000 > xs[xs.length - 1]) {
    steps.push(steps[steps.length - 1]);
    xs.push(untilMs / 1000);
  }
  const sourceIds = [...new Set(steps.flatMap((change) => change.figures.map((figure) => figure.sourceId)))];
  const columns: Column[] = [
    { label: 'low', stroke: '#222', values: steps.map((change) => change.low) },
    { label: 'high', stroke: '#222', dash: [6, 4], values: steps.map((change) => change.high) },
  ];
  sourceIds.forEach((sourceId, i) => {
    const name = sources.get(sourceId)?.name ?? sourceId;
    const figureAt = (change: EstimateChange) => change.figures.find((figure) => figure.sourceId === sourceId);
    const ranged = steps.some((change) => figureAt(change)?.qualifier === 'range');
    const stroke = PALETTE[i % PALETTE.length];
    if (ranged) {
      columns.push({ label: `${name} (from)`, stroke, values: steps.map((c) => figureAt(c)?.min ?? figureAt(c)?.value ?? null) });
      columns.push({ label: `${name} (to)`, stroke, dash: [2, 3], values: steps.map((c) => figureAt(c)?.max ?? figureAt(c)?.value ?? null) });
    } else {
      columns.push({ label: name, stroke, values: steps.map((c) => figureAt(c)?.value ?? null) });
    }
  });
  return { xs, columns };
}

/** A stepped chart of one measure (uPlot on a canvas), with the same figures as a table under it. */
export function EstimateChart(props: { series: EstimateSeries; sources: ReadonlyMap<string, Source>; untilMs: number }) {
  const { series, sources, untilMs } = props;
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return undefined;
    const { xs, columns } = columnsOf(series, sources, untilMs);
    const stepped = uPlot.paths.stepped?.({ align: 1 });
    const chart = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 220,
        scales: { x: { time: true, range: (_u, min, max) => [min - DAY_S, max + DAY_S] } },
        axes: [
          { incrs: DAY_INCREMENTS, space: 70, values: (_u, splits) => splits.map((s) => readableDate(dayText(s * 1000)).replace(/ \d{4}$/, '')) },
          { label: series.unit, size: 70 },
        ],
        series: [
          { label: 'known from' },
          ...columns.map((column) => ({
            label: column.label,
            stroke: column.stroke,
            dash: column.dash,
            width: 2,
            paths: stepped,
            points: { show: true, size: 6 },
            spanGaps: false,
          })),
        ],
      },
      [xs, ...columns.map((column) => column.values)],
      element,
    );
    return () => chart.destroy();
  }, [series, sources, untilMs]);

  return (
    <figure class="estimate" data-testid="estimate-chart" data-measure={series.measure}>
      <figcaption>
        Estimate of <strong>{series.measure}</strong> ({series.unit}) over knowledge time
      </figcaption>
      <div ref={host} class="chart" role="img" aria-label={`Chart of the ${series.measure} estimate; the table below lists the same figures`} />
      <table class="figures">
        <thead>
          <tr>
            <th scope="col">Known from</th>
            <th scope="col">Least to greatest</th>
            <th scope="col">Figures</th>
          </tr>
        </thead>
        <tbody>
          {series.changes.map((change, i) => (
            <tr key={i} data-testid="estimate-step">
              <td>{readableDate(change.at)}</td>
              <td>{change.low === null ? 'withdrawn' : rangeText(change.low, change.high ?? change.low, series.unit)}</td>
              <td>
                {change.figures.map((figure) => `${sources.get(figure.sourceId)?.name ?? figure.sourceId}: ${figureText(figure, series.unit)}`).join('; ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
