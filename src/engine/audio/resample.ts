/**
 * Band-limited resampling by windowed sinc (Blackman window), for any rate ratio.
 * Downsampling lowers the cutoff to the new Nyquist so nothing aliases into speech.
 * Output positions fall on a fixed set of fractional phases (toRate / gcd of the rates); each phase's taps are
 * computed once, so the work per sample is one dot product, not a sin and two cos per tap.
 */
const ZERO_CROSSINGS = 16;
const CUTOFF_MARGIN = 0.95;
/** Above this many phases (unusual rate pairs) the taps are computed per sample instead of tabled. */
const MAX_PHASES = 4096;

export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input;
  const outLength = Math.floor((input.length * toRate) / fromRate);
  const out = new Float32Array(outLength);
  // Cutoff as a fraction of the input's Nyquist.
  const cutoff = Math.min(1, toRate / fromRate) * CUTOFF_MARGIN;
  const halfWidth = Math.ceil(ZERO_CROSSINGS / cutoff);
  const taps = 2 * halfWidth;
  const g = gcd(fromRate, toRate);
  const phases = toRate / g;
  const table = phases <= MAX_PHASES ? new Float64Array(phases * taps) : undefined;
  if (table) for (let p = 0; p < phases; p++) weights((p * g) / toRate, cutoff, halfWidth, table, p * taps);
  const scratch = table ? undefined : new Float64Array(taps);
  for (let j = 0; j < outLength; j++) {
    // t = j * fromRate / toRate, as an integer part and an exact phase.
    const num = j * fromRate;
    const center = Math.floor(num / toRate);
    const rem = num - center * toRate;
    let w: Float64Array;
    let base: number;
    if (table) {
      w = table;
      base = (rem / g) * taps;
    } else {
      w = scratch!;
      base = 0;
      weights(rem / toRate, cutoff, halfWidth, w, 0);
    }
    const first = center - halfWidth + 1;
    let acc = 0;
    const lo = Math.max(0, first);
    const hi = Math.min(input.length - 1, center + halfWidth);
    for (let k = lo; k <= hi; k++) acc += input[k] * w[base + (k - first)];
    out[j] = acc;
  }
  return out;
}

/** Normalized taps for output offset `frac` (0 <= frac < 1) past input sample `center`, at k = center-halfWidth+1.. */
function weights(frac: number, cutoff: number, halfWidth: number, into: Float64Array, at: number): void {
  let norm = 0;
  for (let i = 0; i < 2 * halfWidth; i++) {
    const x = frac + halfWidth - 1 - i; // t - k
    const v = kernel(x, cutoff, halfWidth);
    into[at + i] = v;
    norm += v;
  }
  if (norm !== 0) for (let i = 0; i < 2 * halfWidth; i++) into[at + i] /= norm;
}

function kernel(x: number, cutoff: number, halfWidth: number): number {
  const ax = Math.abs(x);
  if (ax >= halfWidth) return 0;
  const arg = Math.PI * cutoff * x;
  const sinc = x === 0 ? 1 : Math.sin(arg) / arg;
  // Blackman window over [-halfWidth, halfWidth].
  const p = (x / halfWidth + 1) / 2;
  const win = 0.42 - 0.5 * Math.cos(2 * Math.PI * p) + 0.08 * Math.cos(4 * Math.PI * p);
  return sinc * win;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
