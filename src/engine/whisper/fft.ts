/**
 * Mixed-radix (2, 3, 4, 5) complex FFT for any size whose factors are those primes, e.g. Whisper's n_fft = 400.
 * Recursive decimation in time over a precomputed plan: twiddles per level and the small DFT matrices are tables,
 * and all buffers are allocated once per plan.
 */
interface Level {
  /** Radix of this level. */
  p: number;
  /** Sub-transform length n / p. */
  m: number;
  /** Twiddles W_n^(r k) for r < p, k < m, at [r * m + k]. */
  twRe: Float64Array;
  twIm: Float64Array;
  /** The p-point DFT matrix at [q * p + r]. */
  dftRe: Float64Array;
  dftIm: Float64Array;
}

/** cos and sin of 2 pi / 5 and 4 pi / 5, for the radix-5 butterfly. */
const C5_1 = Math.cos((2 * Math.PI) / 5);
const C5_2 = Math.cos((4 * Math.PI) / 5);
const S5_1 = Math.sin((2 * Math.PI) / 5);
const S5_2 = Math.sin((4 * Math.PI) / 5);

export class FFT {
  private readonly levels: Level[] = [];
  private readonly tmpRe: Float64Array;
  private readonly tmpIm: Float64Array;

  constructor(readonly size: number) {
    const factors = factorize(size);
    let n = size;
    for (const p of factors) {
      const m = n / p;
      const twRe = new Float64Array(p * m);
      const twIm = new Float64Array(p * m);
      for (let r = 0; r < p; r++) {
        for (let k = 0; k < m; k++) {
          const a = (-2 * Math.PI * r * k) / n;
          twRe[r * m + k] = Math.cos(a);
          twIm[r * m + k] = Math.sin(a);
        }
      }
      const dftRe = new Float64Array(p * p);
      const dftIm = new Float64Array(p * p);
      for (let q = 0; q < p; q++) {
        for (let r = 0; r < p; r++) {
          const a = (-2 * Math.PI * ((q * r) % p)) / p;
          dftRe[q * p + r] = Math.cos(a);
          dftIm[q * p + r] = Math.sin(a);
        }
      }
      this.levels.push({ p, m, twRe, twIm, dftRe, dftIm });
      n = m;
    }
    const maxRadix = Math.max(...factors, 1);
    this.tmpRe = new Float64Array(maxRadix);
    this.tmpIm = new Float64Array(maxRadix);
  }

  /** out = DFT(in); `in` and `out` must not alias. */
  transform(inRe: Float64Array, inIm: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    this.rec(inRe, inIm, 0, 1, outRe, outIm, 0, 0);
  }

  private rec(
    inRe: Float64Array,
    inIm: Float64Array,
    inOff: number,
    stride: number,
    outRe: Float64Array,
    outIm: Float64Array,
    outOff: number,
    depth: number,
  ): void {
    if (depth === this.levels.length) {
      outRe[outOff] = inRe[inOff];
      outIm[outOff] = inIm[inOff];
      return;
    }
    const { p, m, twRe, twIm, dftRe, dftIm } = this.levels[depth];
    if (m === 1) {
      // Last level: the sub-transforms have length 1, so they are the inputs themselves.
      for (let r = 0; r < p; r++) {
        outRe[outOff + r] = inRe[inOff + r * stride];
        outIm[outOff + r] = inIm[inOff + r * stride];
      }
    } else {
      for (let r = 0; r < p; r++) {
        this.rec(inRe, inIm, inOff + r * stride, stride * p, outRe, outIm, outOff + r * m, depth + 1);
      }
    }
    const tRe = this.tmpRe;
    const tIm = this.tmpIm;
    for (let k = 0; k < m; k++) {
      // Twiddle the k-th output of each sub-transform, then a p-point DFT across them.
      for (let r = 0; r < p; r++) {
        const idx = outOff + r * m + k;
        const c = twRe[r * m + k];
        const s = twIm[r * m + k];
        const xr = outRe[idx];
        const xi = outIm[idx];
        tRe[r] = xr * c - xi * s;
        tIm[r] = xr * s + xi * c;
      }
      if (p === 2) {
        outRe[outOff + k] = tRe[0] + tRe[1];
        outIm[outOff + k] = tIm[0] + tIm[1];
        outRe[outOff + m + k] = tRe[0] - tRe[1];
        outIm[outOff + m + k] = tIm[0] - tIm[1];
        continue;
      }
      if (p === 5) {
        // Radix 5 with the pairs r, 5 - r folded: 10 real multiplications instead of the matrix's 100.
        const a1r = tRe[1] + tRe[4],
          a1i = tIm[1] + tIm[4];
        const b1r = tRe[1] - tRe[4],
          b1i = tIm[1] - tIm[4];
        const a2r = tRe[2] + tRe[3],
          a2i = tIm[2] + tIm[3];
        const b2r = tRe[2] - tRe[3],
          b2i = tIm[2] - tIm[3];
        const m1r = tRe[0] + C5_1 * a1r + C5_2 * a2r,
          m1i = tIm[0] + C5_1 * a1i + C5_2 * a2i;
        const m2r = tRe[0] + C5_2 * a1r + C5_1 * a2r,
          m2i = tIm[0] + C5_2 * a1i + C5_1 * a2i;
        const n1r = S5_1 * b1r + S5_2 * b2r,
          n1i = S5_1 * b1i + S5_2 * b2i;
        const n2r = S5_2 * b1r - S5_1 * b2r,
          n2i = S5_2 * b1i - S5_1 * b2i;
        outRe[outOff + k] = tRe[0] + a1r + a2r;
        outIm[outOff + k] = tIm[0] + a1i + a2i;
        outRe[outOff + m + k] = m1r + n1i;
        outIm[outOff + m + k] = m1i - n1r;
        outRe[outOff + 2 * m + k] = m2r + n2i;
        outIm[outOff + 2 * m + k] = m2i - n2r;
        outRe[outOff + 3 * m + k] = m2r - n2i;
        outIm[outOff + 3 * m + k] = m2i + n2r;
        outRe[outOff + 4 * m + k] = m1r - n1i;
        outIm[outOff + 4 * m + k] = m1i + n1r;
        continue;
      }
      if (p === 4) {
        // Radix 4 without multiplications: W_4 = -i.
        const s0r = tRe[0] + tRe[2],
          s0i = tIm[0] + tIm[2];
        const d0r = tRe[0] - tRe[2],
          d0i = tIm[0] - tIm[2];
        const s1r = tRe[1] + tRe[3],
          s1i = tIm[1] + tIm[3];
        const d1r = tRe[1] - tRe[3],
          d1i = tIm[1] - tIm[3];
        outRe[outOff + k] = s0r + s1r;
        outIm[outOff + k] = s0i + s1i;
        outRe[outOff + m + k] = d0r + d1i;
        outIm[outOff + m + k] = d0i - d1r;
        outRe[outOff + 2 * m + k] = s0r - s1r;
        outIm[outOff + 2 * m + k] = s0i - s1i;
        outRe[outOff + 3 * m + k] = d0r - d1i;
        outIm[outOff + 3 * m + k] = d0i + d1r;
        continue;
      }
      for (let q = 0; q < p; q++) {
        let accRe = 0;
        let accIm = 0;
        const row = q * p;
        for (let r = 0; r < p; r++) {
          const c = dftRe[row + r];
          const s = dftIm[row + r];
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

/**
 * Power spectrum |X[k]|^2, k = 0..n/2, of a real signal of even length n, through one complex FFT of n/2 points
 * (even samples as the real part, odd ones as the imaginary part), then the split that separates them again.
 */
export class RealPowerSpectrum {
  private readonly half: number;
  private readonly fft: FFT;
  private readonly zRe: Float64Array;
  private readonly zIm: Float64Array;
  private readonly fRe: Float64Array;
  private readonly fIm: Float64Array;
  private readonly wRe: Float64Array;
  private readonly wIm: Float64Array;

  constructor(readonly size: number) {
    if (size % 2 !== 0) throw new Error(`RealPowerSpectrum needs an even size, not ${size}`);
    this.half = size / 2;
    this.fft = new FFT(this.half);
    this.zRe = new Float64Array(this.half);
    this.zIm = new Float64Array(this.half);
    this.fRe = new Float64Array(this.half);
    this.fIm = new Float64Array(this.half);
    this.wRe = new Float64Array(this.half + 1);
    this.wIm = new Float64Array(this.half + 1);
    for (let k = 0; k <= this.half; k++) {
      this.wRe[k] = Math.cos((-2 * Math.PI * k) / size);
      this.wIm[k] = Math.sin((-2 * Math.PI * k) / size);
    }
  }

  /** `out` gets size/2 + 1 values. */
  compute(input: Float64Array, out: Float64Array): void {
    const h = this.half;
    for (let i = 0; i < h; i++) {
      this.zRe[i] = input[2 * i];
      this.zIm[i] = input[2 * i + 1];
    }
    this.fft.transform(this.zRe, this.zIm, this.fRe, this.fIm);
    const fr = this.fRe;
    const fi = this.fIm;
    for (let k = 0; k <= h; k++) {
      const a = k === h ? 0 : k;
      const b = k === 0 ? 0 : h - k;
      // E = (Z[k] + conj(Z[h-k])) / 2, O = (Z[k] - conj(Z[h-k])) / 2i, X = E + W^k O.
      const er = (fr[a] + fr[b]) / 2;
      const ei = (fi[a] - fi[b]) / 2;
      const or = (fi[a] + fi[b]) / 2;
      const oi = -(fr[a] - fr[b]) / 2;
      const xr = er + this.wRe[k] * or - this.wIm[k] * oi;
      const xi = ei + this.wRe[k] * oi + this.wIm[k] * or;
      out[k] = xr * xr + xi * xi;
    }
  }
}
