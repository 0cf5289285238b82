import * as assert from 'assert';
import { mulberry32 } from '../../../../eval/random';
import { FFT, RealPowerSpectrum } from '../../../../src/engine/whisper/fft';

/** Deterministic uniform numbers in [-1, 1), so a failure reproduces. */
function random(seed: number): () => number {
  const r = mulberry32(seed);
  return () => r() * 2 - 1;
}

/** X[k] = sum_n x[n] e^(-2 pi i k n / N), in float64, straight from the definition. */
function naiveDft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let accRe = 0;
    let accIm = 0;
    for (let t = 0; t < n; t++) {
      const ph = (-2 * Math.PI * ((k * t) % n)) / n;
      const c = Math.cos(ph);
      const s = Math.sin(ph);
      accRe += re[t] * c - im[t] * s;
      accIm += re[t] * s + im[t] * c;
    }
    outRe[k] = accRe;
    outIm[k] = accIm;
  }
  return [outRe, outIm];
}

function fftOf(fft: FFT, re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const outRe = new Float64Array(fft.size);
  const outIm = new Float64Array(fft.size);
  fft.transform(re, im, outRe, outIm);
  return [outRe, outIm];
}

function maxAbsDiff(a: [Float64Array, Float64Array], b: [Float64Array, Float64Array]): number {
  let m = 0;
  for (let i = 0; i < a[0].length; i++) m = Math.max(m, Math.abs(a[0][i] - b[0][i]), Math.abs(a[1][i] - b[1][i]));
  return m;
}

describe('FFT', () => {
  for (const size of [400, 16, 60, 125, 1, 2, 3, 4, 5, 8, 12, 45, 240, 512, 1000]) {
    it(`matches a naive float64 DFT for size ${size} on random complex input`, () => {
      const rnd = random(size);
      const re = Float64Array.from({ length: size }, rnd);
      const im = Float64Array.from({ length: size }, rnd);
      const fft = new FFT(size);
      const err = maxAbsDiff(fftOf(fft, re, im), naiveDft(re, im));
      // Values are O(sqrt(N)); float64 round-off is ~1e-15 of that.
      assert.ok(err < 1e-10, `max abs error ${err}`);
    });
  }

  it('leaves its input untouched and gives the same answer when reused', () => {
    const fft = new FFT(400);
    const rnd = random(7);
    const re = Float64Array.from({ length: 400 }, rnd);
    const im = Float64Array.from({ length: 400 }, rnd);
    const reCopy = re.slice();
    const first = fftOf(fft, re, im);
    const other = fftOf(fft, Float64Array.from({ length: 400 }, rnd), new Float64Array(400));
    const again = fftOf(fft, re, im);
    assert.deepStrictEqual(re, reCopy);
    assert.strictEqual(maxAbsDiff(first, again), 0);
    assert.ok(maxAbsDiff(first, other) > 1, 'different input, different output');
  });

  it('transforms an impulse to a flat spectrum and a pure tone to one bin', () => {
    const fft = new FFT(400);
    const re = new Float64Array(400);
    const im = new Float64Array(400);
    re[0] = 1;
    const [fr, fi] = fftOf(fft, re, im);
    for (let k = 0; k < 400; k++) {
      assert.ok(Math.abs(fr[k] - 1) < 1e-12 && Math.abs(fi[k]) < 1e-12, `bin ${k}`);
    }
    for (let t = 0; t < 400; t++) re[t] = Math.cos((2 * Math.PI * 17 * t) / 400);
    const [tr, ti] = fftOf(fft, re, im);
    for (let k = 0; k < 400; k++) {
      const expected = k === 17 || k === 400 - 17 ? 200 : 0;
      assert.ok(Math.abs(tr[k] - expected) < 1e-9 && Math.abs(ti[k]) < 1e-9, `bin ${k}: ${tr[k]} ${ti[k]}`);
    }
  });

  it('refuses sizes with a prime factor other than 2, 3 and 5', () => {
    assert.throws(() => new FFT(7), /prime factor/);
    assert.throws(() => new FFT(14), /prime factor/);
    assert.throws(() => new FFT(401), /prime factor/);
  });
});

describe('RealPowerSpectrum', () => {
  for (const n of [400, 16, 60, 250]) {
    it(`gives |DFT|^2 of a real signal for bins 0..n/2 (n = ${n})`, () => {
      const rnd = random(n + 7);
      const x = new Float64Array(n).map(() => rnd());
      const [re, im] = naiveDft(x, new Float64Array(n));
      const out = new Float64Array(n / 2 + 1);
      new RealPowerSpectrum(n).compute(x, out);
      for (let k = 0; k <= n / 2; k++) {
        const want = re[k] * re[k] + im[k] * im[k];
        assert.ok(Math.abs(out[k] - want) <= 1e-9 * Math.max(1, want), `bin ${k}: ${out[k]} vs ${want}`);
      }
    });
  }

  it('refuses an odd size', () => {
    assert.throws(() => new RealPowerSpectrum(401), /even size/);
  });
});
