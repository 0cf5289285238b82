/** Measures on test signals, shared by the tests (not by the product, which has its own per-frame RMS). */

/** RMS of `a` from `from` to `to` (exclusive). */
export function rms(a: Float32Array, from = 0, to = a.length): number {
  let acc = 0;
  for (let i = from; i < to; i++) acc += a[i] * a[i];
  return Math.sqrt(acc / (to - from));
}
