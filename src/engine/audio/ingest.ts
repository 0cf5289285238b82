import { EngineErrorCode, IngestReport } from '../../protocol';
import { EngineError } from '../errors';
import { resample } from './resample';
import { WavAudio } from './wav';

export const SAMPLE_RATE = 16000;
const CLIP_LEVEL = 0.999;

export interface IngestedAudio {
  /** 16 kHz mono float32; every later stage trusts this format. */
  samples: Float32Array;
  report: IngestReport;
}

/**
 * Validation once at ingestion: every sample is checked (NaN/Inf rejected, clipping counted),
 * channels are averaged to mono, and the rate is converted to 16 kHz.
 */
export function ingest(wav: WavAudio, name = 'audio'): IngestedAudio {
  const { samples, channels, frames } = wav;
  let clipped = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (!Number.isFinite(v)) {
      const frame = Math.floor(i / channels);
      throw new EngineError(
        EngineErrorCode.InvalidSamples,
        `${name} contains a non-finite sample (${v}) at ${(frame / wav.sampleRate).toFixed(3)} s; the audio was rejected.`,
      );
    }
    if (v >= CLIP_LEVEL || v <= -CLIP_LEVEL) clipped++;
  }
  let mono: Float32Array;
  if (channels === 1) {
    mono = samples;
  } else {
    mono = new Float32Array(frames);
    for (let f = 0; f < frames; f++) {
      let acc = 0;
      for (let c = 0; c < channels; c++) acc += samples[f * channels + c];
      mono[f] = acc / channels;
    }
  }
  // Float WAVs may exceed [-1, 1]; the model expects that range.
  if (wav.format === 'float32') {
    if (mono === samples) mono = Float32Array.from(mono);
    for (let i = 0; i < mono.length; i++) mono[i] = mono[i] > 1 ? 1 : mono[i] < -1 ? -1 : mono[i];
  }
  return {
    samples: resample(mono, wav.sampleRate, SAMPLE_RATE),
    report: { sourceRate: wav.sampleRate, channels, format: wav.format, clippedSamples: clipped },
  };
}
