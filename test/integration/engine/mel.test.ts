import * as assert from 'assert';
import { CHUNK_SAMPLES, HOP_LENGTH, LogMel, melFilterbank, N_FFT, N_FRAMES, N_MELS } from '../../../src/engine/whisper/mel';
import { loadClip } from '../../audioFixtures';

/**
 * The reference is written from Whisper's recipe (openai/whisper audio.py log_mel_spectrogram), in float64,
 * without looking at how LogMel does it: pad or trim to 30 s, torch.stft(center=True, pad_mode='reflect') with a
 * periodic Hann window, |X|^2, Slaney mel filterbank (librosa.filters.mel), drop the last frame, log10 with a
 * 1e-10 clamp, floor at max - 8 over the whole window, (x + 4) / 4.
 */
const SR = 16000;
const WINDOW_SAMPLES = 480000;
const FFT_SIZE = 400;
const HOP = 160;
const MELS = 80;
const FRAMES = 3000;
const TOLERANCE = 1e-3;

function linspace(start: number, stop: number, n: number): number[] {
  const step = (stop - start) / (n - 1);
  return Array.from({ length: n }, (_, i) => start + i * step);
}

/** librosa.filters.mel(sr, n_fft, n_mels, htk=False, norm='slaney'), as librosa writes it. */
function librosaMelFilters(sr: number, nFft: number, nMels: number): number[][] {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logstep = Math.log(6.4) / 27;
  const hzToMel = (f: number) => (f >= minLogHz ? minLogMel + Math.log(f / minLogHz) / logstep : f / fSp);
  const melToHz = (m: number) => (m >= minLogMel ? minLogHz * Math.exp(logstep * (m - minLogMel)) : fSp * m);
  const fftFreqs = linspace(0, sr / 2, 1 + nFft / 2);
  const melF = linspace(hzToMel(0), hzToMel(sr / 2), nMels + 2).map(melToHz);
  const fdiff = melF.slice(1).map((f, i) => f - melF[i]);
  const weights: number[][] = [];
  for (let i = 0; i < nMels; i++) {
    const enorm = 2 / (melF[i + 2] - melF[i]);
    weights.push(
      fftFreqs.map((f) => {
        const lower = -(melF[i] - f) / fdiff[i];
        const upper = (melF[i + 2] - f) / fdiff[i + 1];
        return Math.max(0, Math.min(lower, upper)) * enorm;
      }),
    );
  }
  return weights;
}

/** Whisper's log-mel of `audio` as [mel][frame] row-major, float64. */
function referenceLogMel(audio: Float32Array): Float64Array {
  const filters = librosaMelFilters(SR, FFT_SIZE, MELS);
  const nBins = FFT_SIZE / 2 + 1;
  // pad_or_trim to 30 s, then center=True: reflect-pad n_fft/2 on both sides.
  const x = new Float64Array(WINDOW_SAMPLES);
  for (let i = 0; i < Math.min(audio.length, WINDOW_SAMPLES); i++) x[i] = audio[i];
  const pad = FFT_SIZE / 2;
  const padded = new Float64Array(WINDOW_SAMPLES + 2 * pad);
  for (let i = 0; i < padded.length; i++) {
    let j = i - pad;
    if (j < 0) j = -j;
    if (j >= WINDOW_SAMPLES) j = 2 * (WINDOW_SAMPLES - 1) - j;
    padded[i] = x[j];
  }
  const nStftFrames = 1 + Math.floor((padded.length - FFT_SIZE) / HOP); // 3001
  assert.strictEqual(nStftFrames, FRAMES + 1);
  const hann = Float64Array.from({ length: FFT_SIZE }, (_, n) => Math.sin((Math.PI * n) / FFT_SIZE) ** 2); // periodic
  const cosT = Float64Array.from({ length: FFT_SIZE }, (_, i) => Math.cos((2 * Math.PI * i) / FFT_SIZE));
  const sinT = Float64Array.from({ length: FFT_SIZE }, (_, i) => Math.sin((2 * Math.PI * i) / FFT_SIZE));
  const mel = new Float64Array(MELS * FRAMES);
  const frame = new Float64Array(FFT_SIZE);
  const power = new Float64Array(nBins);
  for (let t = 0; t < FRAMES; t++) {
    let any = false;
    for (let n = 0; n < FFT_SIZE; n++) {
      frame[n] = padded[t * HOP + n] * hann[n];
      if (frame[n] !== 0) any = true;
    }
    for (let k = 0; k < nBins; k++) {
      let re = 0;
      let im = 0;
      if (any) {
        for (let n = 0; n < FFT_SIZE; n++) {
          const idx = (k * n) % FFT_SIZE;
          re += frame[n] * cosT[idx];
          im -= frame[n] * sinT[idx];
        }
      }
      power[k] = re * re + im * im;
    }
    for (let m = 0; m < MELS; m++) {
      let acc = 0;
      for (let k = 0; k < nBins; k++) acc += filters[m][k] * power[k];
      mel[m * FRAMES + t] = acc;
    }
  }
  let max = -Infinity;
  for (let i = 0; i < mel.length; i++) {
    mel[i] = Math.log10(Math.max(mel[i], 1e-10));
    if (mel[i] > max) max = mel[i];
  }
  for (let i = 0; i < mel.length; i++) mel[i] = (Math.max(mel[i], max - 8) + 4) / 4;
  return mel;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): { err: number; at: number } {
  assert.strictEqual(a.length, b.length);
  let err = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= err)) {
      err = d;
      at = i;
    }
  }
  return { err, at };
}

function assertMatchesReference(audio: Float32Array, what: string): void {
  const got = new LogMel().compute(audio);
  const ref = referenceLogMel(audio);
  assert.strictEqual(got.length, MELS * FRAMES);
  const { err, at } = maxAbsDiff(got, ref);
  const where = `mel ${Math.floor(at / FRAMES)}, frame ${at % FRAMES}: ${got[at]} vs ${ref[at]}`;
  assert.ok(err < TOLERANCE, `${what}: max abs diff ${err} at ${where}`);
}

/** Linear chirp from f0 to f1 Hz with a slow amplitude swell, so the max - 8 floor bites in places. */
function chirp(seconds: number, f0: number, f1: number): Float32Array {
  const n = Math.round(seconds * SR);
  const out = new Float32Array(n);
  const rate = (f1 - f0) / seconds;
  for (let i = 0; i < n; i++) {
    const t = i / SR;
    const amp = 0.5 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 0.3 * t)) ** 3;
    out[i] = amp * Math.sin(2 * Math.PI * (f0 * t + 0.5 * rate * t * t));
  }
  return out;
}

describe('Whisper log-mel front end', () => {
  it("has Whisper's constants", () => {
    assert.deepStrictEqual([N_FFT, HOP_LENGTH, N_MELS, CHUNK_SAMPLES, N_FRAMES], [FFT_SIZE, HOP, MELS, WINDOW_SAMPLES, FRAMES]);
  });

  describe('melFilterbank', () => {
    const fb = melFilterbank(SR, FFT_SIZE, MELS);
    const ref = librosaMelFilters(SR, FFT_SIZE, MELS);

    it('is 80 rows of 201 bins', () => {
      assert.strictEqual(fb.length, 80);
      for (const row of fb) assert.strictEqual(row.length, 201);
    });

    it("matches librosa's Slaney filterbank computed here", () => {
      let err = 0;
      for (let m = 0; m < MELS; m++) for (let k = 0; k < 201; k++) err = Math.max(err, Math.abs(fb[m][k] - ref[m][k]));
      assert.ok(err < 1e-12, `max abs diff ${err}`);
    });

    it('has Slaney area normalisation: every row non-empty with an area of about 1 (sum x 40 Hz bin width)', () => {
      const binHz = SR / FFT_SIZE;
      fb.forEach((row, m) => {
        const area = row.reduce((a, b) => a + b, 0) * binHz;
        assert.ok(
          row.every((v) => v >= 0),
          `row ${m} has a negative weight`,
        );
        // Narrow low triangles are sampled by only one or two bins, so their sampled area wanders a little.
        assert.ok(Math.abs(area - 1) < 0.1, `row ${m}: area ${area}`);
        if (m >= 50) assert.ok(Math.abs(area - 1) < 0.02, `row ${m}: area ${area}`);
      });
      // Whisper's assets/mel_filters.npz, mel_80[0][1].
      assert.ok(Math.abs(fb[0][1] - 0.02486259) < 1e-7, `fb[0][1] = ${fb[0][1]}`);
    });

    it('has triangles centred on increasing frequencies that leave no bin between DC and Nyquist uncovered', () => {
      const peak = fb.map((row) => row.indexOf(Math.max(...row)));
      for (let m = 1; m < MELS; m++) assert.ok(peak[m] >= peak[m - 1], `peak of ${m} below peak of ${m - 1}`);
      assert.ok(peak[0] <= 2 && peak[79] >= 185, `peaks span ${peak[0]}..${peak[79]}`);
      for (let k = 1; k < 200; k++)
        assert.ok(
          fb.some((row) => row[k] > 0),
          `bin ${k} is in no filter`,
        );
      assert.ok(
        fb.every((row) => row[0] === 0),
        'DC is in no filter',
      );
      assert.strictEqual(fb[79][200], 0, 'nothing at exactly Nyquist');
    });
  });

  describe('LogMel.compute against the float64 reference', function () {
    this.timeout(60000);

    it('matches on real speech (cards/001.wav, zero-padded to 30 s)', () => {
      const audio = loadClip('cards/001.wav');
      assert.ok(audio.length > 16000 && audio.length < 20000);
      assertMatchesReference(audio, 'cards/001.wav');
    });

    it('matches on a 30 s chirp that fills the window (reflect padding at both ends)', () => {
      assertMatchesReference(chirp(30, 50, 7900), 'chirp 30 s');
    });

    it('matches on audio longer than 30 s (cut at 30 s)', () => {
      assertMatchesReference(chirp(31.5, 7900, 100), 'chirp 31.5 s');
    });

    it('matches on very short audio (shorter than half a window)', () => {
      const a = new Float32Array(150);
      for (let i = 0; i < a.length; i++) a[i] = 0.3 * Math.sin(i / 3) + (i === 0 ? 0.5 : 0);
      assertMatchesReference(a, '150 samples');
    });

    it('matches on audio ending just short of 30 s (the end reflection picks up real samples)', () => {
      const a = chirp(30, 300, 3000).subarray(0, WINDOW_SAMPLES - 120);
      assertMatchesReference(a, '30 s - 120 samples');
    });
  });

  it('gives -1.5 everywhere for digital silence and for empty input', () => {
    for (const audio of [new Float32Array(32000), new Float32Array(0)]) {
      const out = new LogMel().compute(audio);
      for (let i = 0; i < out.length; i++) if (out[i] !== -1.5) assert.fail(`value ${out[i]} at ${i}`);
    }
  });

  it('leaves nothing of an earlier call in a later one', function () {
    this.timeout(20000);
    const mel = new LogMel();
    const short = loadClip('cards/003.wav');
    const fresh = Float32Array.from(new LogMel().compute(short));
    mel.compute(chirp(30, 100, 5000));
    const reused = mel.compute(short);
    assert.strictEqual(maxAbsDiff(reused, fresh).err, 0);
  });
});
