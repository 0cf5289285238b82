/**
 * Mixed-radix (2, 3, 4, 5) complex FFT for any size whose factors are those primes, e.g. Whisper's n_fft = 400.
 * Recursive decimation in time over a precomputed plan; all buffers are allocated once per plan.
 */
export class FFT {
  private readonly factors: number[];
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly tmpRe: Float64Array;
  private readonly tmpIm: Float64Array;

  constructor(readonly size: number) {
    this.factors = factorize(size);
    this.cos = new Float64Array(size);
    this.sin = new Float64Array(size);
    for (let k = 0; k < size; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    const maxRadix = Math.max(...this.factors, 1);
    this.tmpRe = new Float64Array(maxRadix);
    this.tmpIm = new Float64Array(maxRadix);
  }

  /** out = DFT(in); `in` and `out` must not alias. */
  transform(inRe: Float64Array, inIm: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    this.rec(inRe, inIm, 0, 1, this.size, outRe, outIm, 0, 0);
  }

  private rec(
    inRe: Float64Array, inIm: Float64Array, inOff: number, stride: number, n: number,
    outRe: Float64Array, outIm: Float64Array, outOff: number, depth: number,
  ): void {
    if (n === 1) {
      outRe[outOff] = inRe[inOff];
      outIm[outOff] = inIm[inOff];
      return;
    }
    const p = this.factors[depth];
    const m = n / p;
    for (let r = 0; r < p; r++) {
      this.rec(inRe, inIm, inOff + r * stride, stride * p, m, outRe, outIm, outOff + r * m, depth + 1);
    }
    // Twiddle step: W_n^(rk) = W_N^(rk * N/n); then a radix-p DFT across the p sub-results.
    const twStep = this.size / n;
    const pStep = this.size / p;
    const tRe = this.tmpRe;
    const tIm = this.tmpIm;
    const N = this.size;
    for (let k = 0; k < m; k++) {
      for (let r = 0; r < p; r++) {
        const idx = outOff + r * m + k;
        const tw = (r * k * twStep) % N;
        const c = this.cos[tw];
        const s = this.sin[tw];
        const xr = outRe[idx];
        const xi = outIm[idx];
        tRe[r] = xr * c - xi * s;
        tIm[r] = xr * s + xi * c;
      }
      for (let q = 0; q < p; q++) {
        let accRe = 0;
        let accIm = 0;
        for (let r = 0; r < p; r++) {
          const tw = ((r * q) % p) * pStep;
          const c = this.cos[tw];
          const s = this.sin[tw];
          accRe += tRe[r] * c - tIm[r] * s;
          accIm += tRe[r] * s + tIm[r] * c;
        }
        outRe[outOff + q * m + k] = accRe;
        outIm[outOff + q * m + k] = accIm;
      }
    }
  }
}

function factorize(n: number): number[] {
  const factors: number[] = [];
  let rest = n;
  for (const p of [4, 2, 3, 5]) {
    while (rest % p === 0) {
      factors.push(p);
      rest /= p;
    }
  }
  if (rest !== 1) throw new Error(`FFT size ${n} has a prime factor other than 2, 3 and 5`);
  return factors;
}
