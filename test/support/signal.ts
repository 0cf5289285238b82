/** Measures on test signals, shared by the tests (not by the product, which has its own per-frame RMS). */

/** RMS of `a` from `from` to `to` (exclusive). */
export function rms(a: Float32Array, from = 0, to = a.length): number {
  let acc = 0;
  for (let i = from; i < to; i++) acc += a[i] * a[i];
  return Math.sqrt(acc / (to - from));
}

/** The clips one after another with `gap` samples of silence before, between and after them. */
export function joinWithPauses(clips: readonly Float32Array[], gap: number): Float32Array {
  const out = new Float32Array(clips.reduce((n, c) => n + c.length + gap, gap));
  let pos = gap;
  for (const c of clips) {
    out.set(c, pos);
    pos += c.length + gap;
  }
  return out;
}
