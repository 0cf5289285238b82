/**
 * The geometry of the panel's "End of speech to text" chart: one point per utterance, oldest left, in an SVG
 * viewBox of CHART_WIDTH x CHART_HEIGHT that the page stretches to its width. No DOM here (panel.ts draws it).
 */

export const CHART_WIDTH = 600;
export const CHART_HEIGHT = 160;
/** Margin inside the viewBox around the plot, viewBox units. */
export const CHART_PADDING = 24;
/** The y axis reaches at least this, ms, so a few fast utterances do not fill the chart. */
export const CHART_MIN_MAX_MS = 100;
/** Headroom above the slowest utterance, as a factor. */
const HEADROOM = 1.1;

export interface ChartPoint {
  x: number;
  y: number;
}

export interface LatencyChart {
  /** The value at the top of the plot, ms. */
  maxMs: number;
  /** The label at the top left, e.g. "774 ms". */
  label: string;
  /** The x axis: a horizontal line at `axisY` from `axisX1` to `axisX2`. */
  axisX1: number;
  axisX2: number;
  axisY: number;
  /** One per value, in order; empty when there are none. */
  points: ChartPoint[];
}

export function latencyChart(valuesMs: number[]): LatencyChart {
  const maxMs = Math.max(CHART_MIN_MAX_MS, ...valuesMs) * HEADROOM;
  const plotWidth = CHART_WIDTH - 2 * CHART_PADDING;
  const plotHeight = CHART_HEIGHT - 2 * CHART_PADDING;
  const x = (i: number) => CHART_PADDING + (valuesMs.length < 2 ? 0 : (i * plotWidth) / (valuesMs.length - 1));
  const y = (v: number) => CHART_HEIGHT - CHART_PADDING - (v / maxMs) * plotHeight;
  return {
    maxMs,
    label: `${Math.round(maxMs)} ms`,
    axisX1: CHART_PADDING,
    axisX2: CHART_WIDTH - CHART_PADDING,
    axisY: CHART_HEIGHT - CHART_PADDING,
    points: valuesMs.map((v, i) => ({ x: x(i), y: y(v) })),
  };
}
