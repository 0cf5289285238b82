import { RealPowerSpectrum } from './fft';

/** Whisper's front end (openai/whisper audio.py, as the Hugging Face feature extractor does it). */
export const N_FFT = 400;
export const HOP_LENGTH = 160;
export const N_MELS = 80;
export const CHUNK_SAMPLES = 480000; // 30 s at 16 kHz
export const N_FRAMES = CHUNK_SAMPLES / HOP_LENGTH; // 3000
const N_BINS = N_FFT / 2 + 1;
const LOG_FLOOR = 1e-10;
const DYNAMIC_RANGE = 8; // log10 units kept below the maximum

/** Slaney-style mel filterbank as librosa.filters.mel(sr, n_fft, n_mels) builds it: [nMels][nFft/2+1]. */
export function melFilterbank(sampleRate: number, nFft: number, nMels: number): Float64Array[] {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  const hzToMel = (f: number) => (f < minLogHz ? f / fSp : minLogMel + Math.log(f / minLogHz) / logStep);
  const melToHz = (m: number) => (m < minLogMel ? m * fSp : minLogHz * Math.exp(logStep * (m - minLogMel)));
  const nBins = nFft / 2 + 1;
  const maxMel = hzToMel(sampleRate / 2);
  const melF = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) melF[i] = melToHz((maxMel * i) / (nMels + 1));
  const filters: Float64Array[] = [];
  for (let m = 0; m < nMels; m++) {
    const row = new Float64Array(nBins);
    const enorm = 2 / (melF[m + 2] - melF[m]);
    for (let k = 0; k < nBins; k++) {
      const f = (k * sampleRate) / nFft;
      const lower = (f - melF[m]) / (melF[m + 1] - melF[m]);
      const upper = (melF[m + 2] - f) / (melF[m + 2] - melF[m + 1]);
      row[k] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
    filters.push(row);
  }
  return filters;
}

/**
 * Log-mel spectrogram of up to 30 s of 16 kHz audio, zero-padded to 30 s, as Whisper's encoder input
 * [N_MELS][N_FRAMES] (row-major). Buffers are allocated once; `compute` reuses them.
 * Frames that lie wholly in the zero padding are not transformed: their power is known to be zero.
 */
export class LogMel {
  readonly output = new Float32Array(N_MELS * N_FRAMES);
  private readonly spectrum = new RealPowerSpectrum(N_FFT);
  private readonly window = new Float64Array(N_FFT);
  private readonly filters: Float64Array[];
  /** First and last non-zero bin of each filter, to skip the zeros. */
  private readonly filterRange: Int32Array;
  private readonly frame = new Float64Array(N_FFT);
  private readonly power = new Float64Array(N_BINS);

  constructor() {
    for (let i = 0; i < N_FFT; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N_FFT); // periodic Hann
    this.filters = melFilterbank(16000, N_FFT, N_MELS);
    this.filterRange = new Int32Array(N_MELS * 2);
    this.filters.forEach((row, m) => {
      let lo = 0;
      while (lo < N_BINS && row[lo] === 0) lo++;
      let hi = N_BINS - 1;
      while (hi > lo && row[hi] === 0) hi--;
      this.filterRange[2 * m] = lo;
      this.filterRange[2 * m + 1] = hi;
    });
  }

  /** Computes into `this.output` and returns it. Audio longer than 30 s is cut at 30 s. */
  compute(audio: Float32Array): Float32Array {
    const n = Math.min(audio.length, CHUNK_SAMPLES);
    const out = this.output;
    const half = N_FFT / 2;
    let max = -Infinity;
    // Frames starting at or past the end of the audio see only zeros (the reflect padding at the end of
    // the 30 s window reflects zeros too, unless the audio fills the window).
    const silentFrom = n >= CHUNK_SAMPLES ? N_FRAMES : Math.min(N_FRAMES, Math.max(0, Math.ceil((n + half) / HOP_LENGTH)));
    for (let t = 0; t < silentFrom; t++) {
      const start = t * HOP_LENGTH - half;
      for (let i = 0; i < N_FFT; i++) {
        let idx = start + i;
        if (idx < 0)
          idx = -idx; // reflect padding at the start
        else if (idx >= CHUNK_SAMPLES) idx = 2 * (CHUNK_SAMPLES - 1) - idx; // reflect at the end of the window
        this.frame[i] = (idx < n ? audio[idx] : 0) * this.window[i];
      }
      this.spectrum.compute(this.frame, this.power);
      for (let m = 0; m < N_MELS; m++) {
        const row = this.filters[m];
        let acc = 0;
        for (let k = this.filterRange[2 * m], hi = this.filterRange[2 * m + 1]; k <= hi; k++) acc += row[k] * this.power[k];
        const v = Math.log10(acc > LOG_FLOOR ? acc : LOG_FLOOR);
        out[m * N_FRAMES + t] = v;
        if (v > max) max = v;
      }
    }
    const silentLog = Math.log10(LOG_FLOOR);
    if (silentFrom < N_FRAMES && silentLog > max) max = silentLog;
    const floor = max - DYNAMIC_RANGE;
    for (let m = 0; m < N_MELS; m++) {
      const base = m * N_FRAMES;
      for (let t = 0; t < silentFrom; t++) {
        const v = out[base + t];
        out[base + t] = ((v > floor ? v : floor) + 4) / 4;
      }
      const silent = ((silentLog > floor ? silentLog : floor) + 4) / 4;
      out.fill(silent, base + silentFrom, base + N_FRAMES);
    }
    return out;
  }
}
