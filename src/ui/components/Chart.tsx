import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  /** A CSS custom property of the stylesheet, so that the colours follow the light or dark theme. */
  colorVar: string;
  values: (number | null)[];
}

interface ChartProps {
  /** x values: Unix seconds. */
  times: number[];
  series: ChartSeries[];
  height: number;
  /** A sparkline of hourly rates: no axes, legend or cursor, a fixed y range of 0..1. */
  spark?: boolean;
  /** Formats y values on the axis. */
  unit?: (value: number) => string;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Polling hands over new arrays each time; only different figures are news. */
function sameData(a: uPlot.AlignedData, b: uPlot.AlignedData): boolean {
  return (
    a.length === b.length &&
    a.every((values, index) => {
      const other = b[index];
      if (other?.length !== values.length) return false;
      for (let at = 0; at < values.length; at++) if (!Object.is(values[at], other[at])) return false;
      return true;
    })
  );
}

/** Under this many values a series shows its points: a lone value has no line to draw. */
const SPARSE_VALUES = 12;

function isSparse(chart: uPlot, seriesIndex: number): boolean {
  return (chart.data[seriesIndex] ?? []).filter((value) => value !== null).length < SPARSE_VALUES;
}

function optionsFor({ series, height, spark, unit }: ChartProps, width: number): uPlot.Options {
  const text = cssVar('--pico-muted-color');
  const grid = cssVar('--pico-muted-border-color');
  const axis: uPlot.Axis = {
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
  };
  const yAxis: uPlot.Axis = {
    ...axis,
    size: 60,
    ...(unit ? { values: (_chart: uPlot, ticks: number[]) => ticks.map(unit) } : {}),
  };
  return {
    width,
    height,
    legend: { show: !spark },
    cursor: spark ? { show: false } : {},
    axes: spark ? [{ show: false }, { show: false }] : [axis, yAxis],
    // Half a step of room at each end, so that a value at the first or last time is not cut in half.
    scales: spark
      ? {
          x: { time: true, range: (_chart, min, max) => [min - 1800, max + 1800] },
          y: { range: [-0.05, 1.05] },
        }
      : { x: { time: true } },
    series: [
      {},
      ...series.map(({ label, colorVar }) => ({
        label,
        stroke: cssVar(colorVar),
        width: spark ? 1.5 : 2,
        spanGaps: false,
        points: { show: isSparse, size: 6 },
      })),
    ],
  };
}

/**
 * A uPlot chart that fills its container's width and follows it when the window is resized. The canvas
 * says nothing to a screen reader: callers put the figures it shows in words next to it.
 */
export function Chart(props: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const { times, series, spark } = props;
  const data: uPlot.AlignedData = [times, ...series.map((line) => line.values)];

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    chart.current = new uPlot(optionsFor(props, element.clientWidth), data, element);
    const resize = new ResizeObserver(() => {
      chart.current?.setSize({ width: element.clientWidth, height: props.height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
    // The chart is made once; new figures go through setData below.
  }, [series.length, spark]);

  // setData resets the scales, and with them a zoom the reader chose: only when the figures changed.
  useEffect(() => {
    const current = chart.current;
    if (current && !sameData(current.data, data)) current.setData(data);
  });

  return <div ref={container} class={spark ? 'sparkline' : 'chart'} aria-hidden="true" />;
}
