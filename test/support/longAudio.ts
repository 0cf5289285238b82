/**
 * The long recording of issue 11 ("Every word heard"): the shared clips that have a reference, concatenated with
 * pauses into ten minutes, built in memory (never a copy of the audio in the repository). The benchmark builds the
 * same recording with its own copy (bench/longAudio.ts): tests and bench never import each other's folders. Also the
 * word errors it is judged by: lost (deletions), misheard (substitutions), invented (insertions).
 */
import { loadClip, readManifest } from '../audioFixtures';

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

/** The ten minutes from the shared clips of manifest.tsv that have a reference. */
export function sharedLongAudio(): LongAudio {
  const clips = readManifest()
    .filter((e) => e.transcript !== null)
    .map((e) => ({ samples: loadClip(e.file), reference: e.transcript! }));
  return buildLongAudio(clips);
}

const ONES = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** 0..99 spelled out ("10" and "ten" are the same word); other numbers stay digits. */
function spell(digits: string): string[] {
  const n = Number(digits);
  if (n >= 100) return [digits];
  if (n < 20) return [ONES[n]];
  return n % 10 ? [TENS[Math.floor(n / 10)], ONES[n % 10]] : [TENS[n / 10]];
}

/** Lowercase words without punctuation, small numbers spelled out. */
export function normalizeWords(text: string): string[] {
  const cleaned = text
    .toLowerCase()
    .replace(/['\u2019]/g, '')
    .replace(/(\d)(?=\p{L})|(\p{L})(?=\d)/gu, '$1$2 ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ');
  return cleaned.split(' ').filter(Boolean).flatMap((w) => (/^\d+$/.test(w) ? spell(w) : [w]));
}

export interface WordErrors {
  referenceWords: number;
  substitutions: number;
  /** Reference words with nothing in the hypothesis: words lost. */
  deletions: number;
  /** Hypothesis words with nothing in the reference: words invented. */
  insertions: number;
}

/** S/D/I of a minimum-edit alignment of the normalized words; ties prefer a substitution. */
export function wordErrors(reference: string, hypothesis: string): WordErrors {
  const ref = normalizeWords(reference);
  const hyp = normalizeWords(hypothesis);
  const cols = hyp.length + 1;
  const cost = new Uint32Array((ref.length + 1) * cols);
  for (let j = 0; j < cols; j++) cost[j] = j;
  for (let i = 1; i <= ref.length; i++) {
    cost[i * cols] = i;
    for (let j = 1; j < cols; j++) {
      const sub = cost[(i - 1) * cols + j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      cost[i * cols + j] = Math.min(sub, cost[(i - 1) * cols + j] + 1, cost[i * cols + j - 1] + 1);
    }
  }
  const e: WordErrors = { referenceWords: ref.length, substitutions: 0, deletions: 0, insertions: 0 };
  for (let i = ref.length, j = hyp.length; i > 0 || j > 0; ) {
    const here = cost[i * cols + j];
    if (i > 0 && j > 0 && here === cost[(i - 1) * cols + j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1)) {
      if (ref[i - 1] !== hyp[j - 1]) e.substitutions++;
      i--;
      j--;
    } else if (i > 0 && here === cost[(i - 1) * cols + j] + 1) {
      e.deletions++;
      i--;
    } else {
      e.insertions++;
      j--;
    }
  }
  return e;
}
