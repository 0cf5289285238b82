/**
 * The geometry of the panel's "Felt latency over time" chart: one point per utterance at the time its text was
 * inserted, a y axis from 0 to a little over the slowest (labelled "0" and its top), an x axis labelled with the first
 * and last times, and the warning budget as a line when it is in range. In pixels of the chart's own size (the page
 * measures it, so nothing is stretched and no label is distorted). No DOM here (panel.ts draws it).
 */
import { formatDuration } from '../duration';

/** Room for the y labels on the left, the time labels below, and the top label, px. */
export const CHART_LEFT = 48;
export const CHART_BOTTOM = 20;
export const CHART_TOP = 10;
export const CHART_RIGHT = 10;
/** The y axis reaches at least this, ms, so a few fast utterances do not fill the chart. */
export const CHART_MIN_MAX_MS = 100;
/** Headroom above the slowest utterance, as a factor. */
const HEADROOM = 1.1;

export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartLabel {
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'middle' | 'end';
}

export interface LatencyChart {
  /** The value at the top of the plot, ms. */
  maxMs: number;
  /** The plot's corners. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** "0" at the bottom and the top's value on the left; the first and last times below. */
  labels: ChartLabel[];
  /** The warning budget's height, when it lies within the plot. */
  budgetY?: number;
  /** One per value, in order; empty when there are none. */
  points: ChartPoint[];
}

export interface ChartValue {
  /** Epoch ms. */
  at: number;
  ms: number;
}

/** Local wall-clock time, "14:02:11". */
export const clockTime = (epochMs: number): string => new Date(epochMs).toTimeString().slice(0, 8);

export function latencyChart(values: readonly ChartValue[], width: number, height: number, budgetMs = 0): LatencyChart {
  const maxMs = Math.max(CHART_MIN_MAX_MS, ...values.map((v) => v.ms)) * HEADROOM;
  const left = CHART_LEFT;
  const right = Math.max(left + 1, width - CHART_RIGHT);
  const top = CHART_TOP;
  const bottom = Math.max(top + 1, height - CHART_BOTTOM);
  const first = values[0]?.at ?? 0;
  const span = (values[values.length - 1]?.at ?? 0) - first;
  const x = (at: number) => left + (span > 0 ? ((at - first) / span) * (right - left) : 0);
  const y = (ms: number) => bottom - (ms / maxMs) * (bottom - top);
  const labels: ChartLabel[] = [
    { x: left - 6, y: top + 4, text: formatDuration(maxMs), anchor: 'end' },
    { x: left - 6, y: bottom, text: '0', anchor: 'end' },
  ];
  if (values.length > 0) {
    labels.push({ x: left, y: height - 4, text: clockTime(first), anchor: 'start' });
    if (span > 0) labels.push({ x: right, y: height - 4, text: clockTime(first + span), anchor: 'end' });
  }
  return {
    maxMs,
    left,
    right,
    top,
    bottom,
    labels,
    budgetY: budgetMs > 0 && budgetMs < maxMs ? y(budgetMs) : undefined,
    points: values.map((v) => ({ x: x(v.at), y: y(v.ms) })),
  };
}
