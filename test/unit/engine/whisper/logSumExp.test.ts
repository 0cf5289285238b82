import * as assert from 'assert';
import { logSumExp } from '../../../../src/engine/whisper/decoder';

/** The plain definition, in doubles. */
function reference(x: Float32Array, offset: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, x[offset + i]);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(x[offset + i] - max);
  return max + Math.log(sum);
}

/** Deterministic pseudo-random values in [lo, hi). */
function values(n: number, lo: number, hi: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * a) / 2 ** 32;
  });
}

describe("logSumExp (the decoder's per-token normalizer)", () => {
  it('is within 1e-6 of the definition over a vocabulary of logits, at an offset', () => {
    for (const [lo, hi, seed] of [
      [-10, 10, 1],
      [-40, 25, 2],
      [0, 0.001, 3],
      [-200, 30, 4],
    ]) {
      const x = values(3 * 51865, lo, hi, seed);
      for (const offset of [0, 51865, 2 * 51865]) {
        const got = logSumExp(x, offset, 51865);
        const want = reference(x, offset, 51865);
        assert.ok(Math.abs(got - want) < 1e-6, `[${lo}, ${hi}) offset ${offset}: ${got} against ${want}`);
      }
    }
  });

  it('gives exact answers where they are known', () => {
    assert.ok(Math.abs(logSumExp(new Float32Array(1000), 0, 1000) - Math.log(1000)) < 1e-9);
    assert.strictEqual(logSumExp(Float32Array.of(5), 0, 1), 5);
    // A term far below the largest adds nothing, one level with it adds log 2.
    assert.strictEqual(logSumExp(Float32Array.of(3, -1e6), 0, 2), 3);
    assert.ok(Math.abs(logSumExp(Float32Array.of(-7, -7), 0, 2) - (-7 + Math.LN2)) < 1e-9);
    assert.strictEqual(logSumExp(Float32Array.of(-Infinity, -Infinity), 0, 2), -Infinity);
  });
});
