import { deflateSync } from 'zlib';

/** Whisper's own thresholds (openai/whisper transcribe.py). */
export const NO_SPEECH_THRESHOLD = 0.6;
export const LOGPROB_THRESHOLD = -1.0;
export const COMPRESSION_RATIO_THRESHOLD = 2.4;
/** A tail n-gram (n <= MAX_LOOP_NGRAM) repeated this many times in a row is a decoding loop. */
const LOOP_REPEATS = 4;
const MAX_LOOP_NGRAM = 8;
/** A single token repeated this many times in a row is a loop, even where words legitimately repeat. */
const SINGLE_TOKEN_REPEATS = 6;

/** Ratio of text bytes to its zlib-compressed size: high for repetitive hallucinations. */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  return bytes.length / deflateSync(bytes).length;
}

/** Length of the tail loop if the tokens end in a repeated n-gram, else 0. */
export function tailLoopLength(tokens: readonly number[]): number {
  for (let n = 1; n <= MAX_LOOP_NGRAM; n++) {
    const repeats = n === 1 ? SINGLE_TOKEN_REPEATS : LOOP_REPEATS;
    if (tokens.length < n * repeats) continue;
    let ok = true;
    const end = tokens.length;
    for (let r = 1; r < repeats && ok; r++) {
      for (let i = 0; i < n; i++) {
        if (tokens[end - 1 - i] !== tokens[end - 1 - i - r * n]) {
          ok = false;
          break;
        }
      }
    }
    if (ok) return n * repeats;
  }
  return 0;
}

/** Text tokens that, opening a new timestamp segment, repeat an earlier segment's opening: the window read again. */
const SEGMENT_REPEAT_TOKENS = 4;

/**
 * With timestamps: the index of the timestamp that opens a segment whose first SEGMENT_REPEAT_TOKENS text tokens are
 * those of an earlier segment, else -1. A decoder that has reached the end of what was said sometimes starts over
 * ("And so my fellow Americans ... And so my fellow Americans ..."); cutting there keeps the first reading, where
 * the compression-ratio guard would otherwise drop the whole utterance.
 */
export function repeatedSegmentStart(tokens: readonly number[], timestampBegin: number): number {
  const starts: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    // A segment opens with a timestamp at the start or right after a segment's closing timestamp.
    if (tokens[i] >= timestampBegin && (i === 0 || (tokens[i - 1] >= timestampBegin && (i < 2 || tokens[i - 2] < timestampBegin)))) starts.push(i);
  }
  const opening = (at: number): number[] | undefined => {
    const text = tokens.slice(at + 1, at + 1 + SEGMENT_REPEAT_TOKENS);
    return text.length === SEGMENT_REPEAT_TOKENS && text.every((t) => t < timestampBegin) ? text : undefined;
  };
  for (let j = 1; j < starts.length; j++) {
    const later = opening(starts[j]);
    if (!later) continue;
    for (let i = 0; i < j; i++) {
      const earlier = opening(starts[i]);
      if (earlier && earlier.every((t, k) => t === later[k])) return starts[j];
    }
  }
  return -1;
}

/** Keeps one copy of a looping tail: "a b a b a b a b" -> "a b". */
export function trimLoop(tokens: readonly number[]): number[] {
  const loop = tailLoopLength(tokens);
  if (loop === 0) return tokens.slice();
  for (let n = 1; n <= MAX_LOOP_NGRAM; n++) {
    const repeats = n === 1 ? SINGLE_TOKEN_REPEATS : LOOP_REPEATS;
    if (n * repeats === loop) {
      let end = tokens.length;
      // Drop whole repetitions while the n-gram before is the same.
      while (end - 2 * n >= 0 && sameRun(tokens, end - n, end - 2 * n, n)) end -= n;
      return tokens.slice(0, end);
    }
  }
  return tokens.slice();
}

function sameRun(tokens: readonly number[], a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (tokens[a + i] !== tokens[b + i]) return false;
  return true;
}

export interface GuardInput {
  text: string;
  tokens: number;
  avgLogprob: number;
  noSpeechProb: number;
  looped: boolean;
}

/**
 * The reason the text is not speech (silence or hallucination), or undefined when it is kept.
 * Low confidence alone does not reject: a short real utterance ("ask not") can score below -1, and a dropped
 * word is worse than a wrong one. Silence and noise are stopped earlier, by the VAD, and here by no-speech.
 */
export function rejectReason(r: GuardInput): string | undefined {
  if (r.text.length === 0) return 'empty';
  if (r.noSpeechProb > NO_SPEECH_THRESHOLD && r.avgLogprob < LOGPROB_THRESHOLD) {
    return `no speech (p=${r.noSpeechProb.toFixed(2)}, avg logprob ${r.avgLogprob.toFixed(2)})`;
  }
  const cr = compressionRatio(r.text);
  if (cr > COMPRESSION_RATIO_THRESHOLD) return `repetitive (compression ratio ${cr.toFixed(2)})`;
  return undefined;
}
