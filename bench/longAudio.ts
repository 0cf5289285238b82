/**
 * The long-file figure (issue 11, "Every word heard"): the shared clips that have a reference, concatenated with
 * pauses into ten minutes, transcribed whole by file mode (`transcribe`) with each model; words lost (deletions),
 * misheard (substitutions) and invented (insertions) against the concatenated references. bench.ts prints it after
 * the tables; BENCH_LONG=0 skips it.
 * The tests build the same recording with their own copy of the builder (test/support/longAudio.ts): tests and
 * bench never import each other's folders.
 */
import * as path from 'path';
import { ModelName } from '../src/protocol';
import { Clip, loadAudio16k, writeAudio } from './clips';
import { EngineRunner } from './engineRunner';
import { alignWords, normalizeWords } from './wer';

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

/** Small deterministic PRNG (mulberry32): the same recording at every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Rounds of the clips, each round in its own shuffled order, a pause of MIN_PAUSE_MS..MAX_PAUSE_MS before each clip,
 * until the next clip would not fit in `seconds`; silence pads the end.
 */
export function buildLongAudio(clips: readonly { samples: Float32Array; reference: string }[], seconds = LONG_AUDIO_SECONDS, seed = LONG_AUDIO_SEED): LongAudio {
  if (clips.length === 0) throw new Error('buildLongAudio needs at least one clip.');
  const rnd = random(seed);
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

export interface WordErrors {
  referenceWords: number;
  substitutions: number;
  /** Reference words with nothing in the hypothesis: words lost. */
  deletions: number;
  /** Hypothesis words with nothing in the reference: words invented. */
  insertions: number;
}

/** S/D/I of a minimum-edit alignment of the normalized words (bench/wer.ts). */
export function wordErrors(reference: string, hypothesis: string): WordErrors {
  const { referenceWords, substitutions, deletions, insertions } = alignWords(normalizeWords(reference), normalizeWords(hypothesis));
  return { referenceWords, substitutions, deletions, insertions };
}

export interface LongAudioResult extends WordErrors {
  model: ModelName;
  seconds: number;
  engineMs: number;
  text: string;
}

/** Builds the ten minutes into `tmp`, then transcribes it once per model in file mode. */
export async function measureLongAudio(enginePath: string, models: readonly ModelName[], speech: readonly Clip[], tmp: string): Promise<LongAudioResult[]> {
  const long = buildLongAudio(speech.filter((c) => c.reference).map((c) => ({ samples: loadAudio16k(c.path), reference: c.reference! })));
  const file = path.join(tmp, 'long-audio-10min.wav');
  writeAudio(file, long.samples);
  const results: LongAudioResult[] = [];
  for (const model of models) {
    process.stderr.write(`[long] ${model}: ${long.spans.length} clips, ${LONG_AUDIO_SECONDS} s in one file...\n`);
    const engine = await EngineRunner.start(enginePath, { model });
    try {
      const r = await engine.client.transcribeFile({ path: file });
      results.push({ model, seconds: r.audioMs / 1000, engineMs: r.engineMs, text: r.text, ...wordErrors(long.reference, r.text) });
    } finally {
      await engine.shutdown();
    }
  }
  return results;
}

export function formatLongAudio(results: readonly LongAudioResult[]): string {
  const lines = ['Long file (file mode): the shared clips with references, with 0.6-2 s pauses, in one 10-minute WAV'];
  lines.push('  model  words  lost (D)  misheard (S)  invented (I)  engineMs  real-time factor');
  for (const r of results) {
    lines.push(
      `  ${r.model.padEnd(5)}  ${String(r.referenceWords).padStart(5)}  ${String(r.deletions).padStart(8)}  ${String(r.substitutions).padStart(12)}` +
        `  ${String(r.insertions).padStart(12)}  ${String(Math.round(r.engineMs)).padStart(8)}  ${(r.engineMs / 1000 / r.seconds).toFixed(3).padStart(16)}`,
    );
  }
  return lines.join('\n') + '\n';
}
