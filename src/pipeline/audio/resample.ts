/**
 * Band-limited resampling by windowed sinc (Blackman window), for any rate ratio.
 * Downsampling lowers the cutoff to the new Nyquist so nothing aliases into speech.
 */
const ZERO_CROSSINGS = 16;
const CUTOFF_MARGIN = 0.95;

export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input;
  const ratio = fromRate / toRate;
  const outLength = Math.floor((input.length * toRate) / fromRate);
  const out = new Float32Array(outLength);
  // Cutoff as a fraction of the input's Nyquist.
  const cutoff = Math.min(1, toRate / fromRate) * CUTOFF_MARGIN;
  const halfWidth = Math.ceil(ZERO_CROSSINGS / cutoff);
  for (let j = 0; j < outLength; j++) {
    const t = j * ratio;
    const center = Math.floor(t);
    let acc = 0;
    let norm = 0;
    const lo = Math.max(0, center - halfWidth + 1);
    const hi = Math.min(input.length - 1, center + halfWidth);
    for (let k = center - halfWidth + 1; k <= center + halfWidth; k++) {
      const x = t - k;
      const w = kernel(x, cutoff, halfWidth);
      norm += w;
      if (k >= lo && k <= hi) acc += input[k] * w;
    }
    out[j] = norm !== 0 ? acc / norm : 0;
  }
  return out;
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
