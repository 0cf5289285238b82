import * as assert from 'assert';
import { resample } from '../../../../src/engine/audio/resample';
import { rms } from '../../../support/signal';

const OUT_RATE = 16000;

function tone(freq: number, rate: number, seconds: number, amp: number): Float32Array {
  const n = Math.round(rate * seconds);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return a;
}

/** Amplitude of the `freq` component over x[from, from+n) by a single-bin DFT (exact for whole periods). */
function amplitudeAt(x: Float32Array, rate: number, freq: number, from: number, n: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    const ph = (2 * Math.PI * freq * (from + i)) / rate;
    re += x[from + i] * Math.cos(ph);
    im -= x[from + i] * Math.sin(ph);
  }
  return (2 * Math.hypot(re, im)) / n;
}

function zeroCrossings(x: Float32Array, from: number, to: number): number {
  let n = 0;
  for (let i = from + 1; i < to; i++) if (x[i - 1] < 0 !== x[i] < 0) n++;
  return n;
}

describe('resample', () => {
  it('returns the input itself when the rates match', () => {
    const x = tone(440, 16000, 0.1, 0.5);
    assert.strictEqual(resample(x, 16000, 16000), x);
  });

  it('gives floor(length * to / from) samples', () => {
    assert.strictEqual(resample(new Float32Array(44100), 44100, 16000).length, 16000);
    assert.strictEqual(resample(new Float32Array(44101), 44100, 16000).length, 16000);
    assert.strictEqual(resample(new Float32Array(1000), 48000, 16000).length, 333);
    assert.strictEqual(resample(new Float32Array(8001), 8000, 16000).length, 16002);
    assert.strictEqual(resample(new Float32Array(0), 8000, 16000).length, 0);
  });

  for (const rate of [44100, 48000, 8000, 22050, 11025]) {
    it(`keeps the frequency and amplitude of a 1 kHz sine resampled from ${rate} Hz to 16 kHz`, () => {
      const amp = 0.5;
      const out = resample(tone(1000, rate, 1, amp), rate, OUT_RATE);
      assert.strictEqual(out.length, OUT_RATE);
      // Middle half second, away from the edges where the kernel runs off the input: 500 whole periods,
      // starting at a peak so no zero crossing sits on the window's edge.
      const from = 4004;
      const n = 8000;
      assert.strictEqual(zeroCrossings(out, from, from + n), 1000);
      const a = amplitudeAt(out, OUT_RATE, 1000, from, n);
      assert.ok(Math.abs(a / amp - 1) < 0.01, `amplitude ${a}, expected ${amp}`);
      // All the energy is at 1 kHz: the residual after removing the tone is tiny.
      const expected = tone(1000, OUT_RATE, 1, amp);
      let err = 0;
      for (let i = from; i < from + n; i++) err = Math.max(err, Math.abs(out[i] - expected[i]));
      assert.ok(err < 0.01 * amp, `max deviation from the ideal 16 kHz sine ${err}`);
    });
  }

  it('keeps a 3 kHz sine when upsampling 8 kHz to 16 kHz', () => {
    const out = resample(tone(3000, 8000, 1, 0.4), 8000, OUT_RATE);
    const a = amplitudeAt(out, OUT_RATE, 3000, 4004, 8000);
    assert.ok(Math.abs(a / 0.4 - 1) < 0.01, `amplitude ${a}`);
    assert.strictEqual(zeroCrossings(out, 4004, 12004), 3000);
  });

  it('keeps DC at its level', () => {
    const out = resample(new Float32Array(4800).fill(0.25), 48000, OUT_RATE);
    for (let i = 100; i < out.length - 100; i++) assert.ok(Math.abs(out[i] - 0.25) < 1e-5, `sample ${i}: ${out[i]}`);
  });

  it('attenuates a 12 kHz tone at 48 kHz by more than 40 dB when going to 16 kHz (no aliasing to 4 kHz)', () => {
    const amp = 0.5;
    const out = resample(tone(12000, 48000, 1, amp), 48000, OUT_RATE);
    const level = rms(out, 1000, 15000);
    const db = 20 * Math.log10(level / (amp * Math.SQRT1_2));
    assert.ok(db < -40, `12 kHz leaked through at ${db.toFixed(1)} dB`);
    const alias = amplitudeAt(out, OUT_RATE, 4000, 4000, 8000);
    assert.ok(20 * Math.log10(alias / amp) < -40, `alias at 4 kHz: ${alias}`);
  });

  it('attenuates a 10 kHz tone at 44.1 kHz by more than 40 dB when going to 16 kHz', () => {
    const amp = 0.5;
    const out = resample(tone(10000, 44100, 1, amp), 44100, OUT_RATE);
    const db = 20 * Math.log10(rms(out, 1000, 15000) / (amp * Math.SQRT1_2));
    assert.ok(db < -40, `10 kHz leaked through at ${db.toFixed(1)} dB`);
  });
});
