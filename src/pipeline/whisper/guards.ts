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
 * With timestamps, whether a token at position `n` opens a segment: at the start, or right after a segment's
 * closing timestamp (a timestamp that follows text).
 */
export function opensSegmentAt(tokens: readonly number[], n: number, timestampBegin: number): boolean {
  return n === 0 || (n >= 2 && tokens[n - 1] >= timestampBegin && tokens[n - 2] < timestampBegin);
}

/**
 * With timestamps, asked after each token: when the newest segment has just got its SEGMENT_REPEAT_TOKENS-th text
 * token and they are an earlier segment's first ones, the index of the newest segment's opening timestamp, else -1.
 * A decoder that has reached the end of what was said sometimes starts over ("And so my fellow Americans ... And so
 * my fellow Americans ..."); cutting there keeps the first reading, where the compression-ratio guard would
 * otherwise drop the whole utterance. O(1) per token but at a segment's fourth word; no allocation.
 */
export function repeatedSegmentStart(tokens: readonly number[], timestampBegin: number): number {
  const k = SEGMENT_REPEAT_TOKENS;
  const at = tokens.length - k - 1;
  if (at < 1 || tokens[at] < timestampBegin || !opensSegmentAt(tokens, at, timestampBegin)) return -1;
  for (let i = at + 1; i < tokens.length; i++) if (tokens[i] >= timestampBegin) return -1;
  for (let s = 0; s < at; s++) {
    if (tokens[s] < timestampBegin || !opensSegmentAt(tokens, s, timestampBegin)) continue;
    let same = true;
    for (let j = 1; j <= k && same; j++) same = tokens[s + j] === tokens[at + j];
    if (same) return at;
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
