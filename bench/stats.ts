/** Order statistics for latency samples. */
import { percentile as sortedPercentile } from '../src/percentiles';

/** Nearest-rank percentile (p in 0..100) of the values, as the engine computes it; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  return sortedPercentile(
    [...values].sort((a, b) => a - b),
    p,
  );
}

/** The median; the mean of the middle two for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
