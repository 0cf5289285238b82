/**
 * The long recording of issue 11 ("Every word heard"): clips with a reference concatenated with pauses into ten
 * minutes, built in memory (never a copy of the audio in the repository). The tests (test/support/longAudio.ts) and
 * the bench (bench/longAudio.ts) build it from the shared clips with this one builder.
 */
import { mulberry32 } from './random';

const RATE = 16000;
export const LONG_AUDIO_SECONDS = 600;
/** Pauses between clips, drawn uniformly: short enough that neighbouring clips share a Whisper window. */
const MIN_PAUSE_MS = 600;
const MAX_PAUSE_MS = 2000;
const LONG_AUDIO_SEED = 11;

export interface LongAudio {
  samples: Float32Array;
  /** The references of the clips in the order they play. */
  reference: string;
  /** Where each clip plays, in samples. */
  spans: Array<{ startSample: number; endSample: number; reference: string }>;
}

/**
 * Rounds of the clips, each round in its own shuffled order, a pause of MIN_PAUSE_MS..MAX_PAUSE_MS before each clip,
 * until the next clip would not fit in `seconds`; silence pads the end.
 */
export function buildLongAudio(
  clips: readonly { samples: Float32Array; reference: string }[],
  seconds = LONG_AUDIO_SECONDS,
  seed = LONG_AUDIO_SEED,
): LongAudio {
  if (clips.length === 0) throw new Error('buildLongAudio needs at least one clip.');
  const rnd = mulberry32(seed);
  const samples = new Float32Array(seconds * RATE);
  const spans: LongAudio['spans'] = [];
  let at = 0;
  for (;;) {
    const order = clips.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order) {
      const pause = Math.round(((MIN_PAUSE_MS + rnd() * (MAX_PAUSE_MS - MIN_PAUSE_MS)) / 1000) * RATE);
      const clip = clips[i];
      if (at + pause + clip.samples.length > samples.length) return { samples, reference: spans.map((s) => s.reference).join(' '), spans };
      samples.set(clip.samples, at + pause);
      spans.push({ startSample: at + pause, endSample: at + pause + clip.samples.length, reference: clip.reference });
      at += pause + clip.samples.length;
    }
  }
}
