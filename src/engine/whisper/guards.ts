import { deflateSync } from 'zlib';
import type { DecodeStop } from './decoder';

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

/**
 * The decode loop's stop rule, composed of the loop guards: stop when the tail loops, or (with timestamps, from
 * `timestampBegin`) when a segment repeats an earlier one.
 */
export function loopStopRule(timestampBegin?: number): (tokens: number[]) => DecodeStop | undefined {
  return (tokens) => {
    const repeatAt = timestampBegin === undefined ? -1 : repeatedSegmentStart(tokens, timestampBegin);
    const looped = tailLoopLength(tokens) > 0;
    return looped || repeatAt >= 0 ? { looped, repeatAt } : undefined;
  };
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

/**
 * Text tokens that, opening a new timestamp segment, must repeat an earlier segment's opening for the window to be
 * read again: that segment's whole text up to SEGMENT_REPEAT_MAX_TOKENS, and never fewer than SEGMENT_REPEAT_TOKENS.
 * Four were not enough: prompts say "If you wish to ..." twice with different endings (dev set: 31 words cut).
 */
const SEGMENT_REPEAT_TOKENS = 4;
const SEGMENT_REPEAT_MAX_TOKENS = 12;

/**
 * With timestamps, whether a token at position `n` opens a segment: at the start, or right after a segment's
 * closing timestamp (a timestamp that follows text).
 */
export function opensSegmentAt(tokens: readonly number[], n: number, timestampBegin: number): boolean {
  return n === 0 || (n >= 2 && tokens[n - 1] >= timestampBegin && tokens[n - 2] < timestampBegin);
}

/**
 * With timestamps, asked after each token: when the newest segment's text so far is an earlier segment's opening,
 * as long as that segment's text (SEGMENT_REPEAT_TOKENS to SEGMENT_REPEAT_MAX_TOKENS tokens), the index of the
 * newest segment's opening timestamp, else -1. A decoder that has reached the end of what was said sometimes starts
 * over ("And so my fellow Americans ... And so my fellow Americans ..."); cutting there keeps the first reading,
 * where the compression-ratio guard would otherwise drop the whole utterance. No allocation.
 */
export function repeatedSegmentStart(tokens: readonly number[], timestampBegin: number): number {
  // Asked after every token: look back no further than the longest opening that can match.
  const stop = Math.max(-1, tokens.length - SEGMENT_REPEAT_MAX_TOKENS - 2);
  let at = tokens.length - 1;
  while (at > stop && tokens[at] < timestampBegin) at--;
  if (at === stop) return -1;
  const length = tokens.length - at - 1;
  if (at < 1 || length < SEGMENT_REPEAT_TOKENS || length > SEGMENT_REPEAT_MAX_TOKENS || !opensSegmentAt(tokens, at, timestampBegin))
    return -1;
  for (let s = 0; s < at; s++) {
    if (tokens[s] < timestampBegin || !opensSegmentAt(tokens, s, timestampBegin)) continue;
    let text = 0;
    while (s + 1 + text < at && tokens[s + 1 + text] < timestampBegin) text++;
    if (Math.max(SEGMENT_REPEAT_TOKENS, Math.min(text, SEGMENT_REPEAT_MAX_TOKENS)) !== length) continue;
    let same = true;
    for (let j = 1; j <= length && same; j++) same = tokens[s + j] === tokens[at + j];
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

/**
 * A decoding loop of one word and nothing else ("5 5 5 5 5 5" for a clear "five five"): trimLoop would keep one copy
 * and lose a word that was said. Where Silero clearly heard speech (`clear`), the copies are cut as excessRunStart
 * cuts a run: as many kept as the audio has bursts of voice (at least one). Any other loop, or audio that is not
 * clearly speech (noise looping "you you you"), gets trimLoop's single copy.
 */
export function trimLoopByBursts(
  tokens: readonly number[],
  pieceOf: (token: number) => string | undefined,
  clear: boolean,
  burstsOf: () => number,
): number[] {
  const trimmed = trimLoop(tokens);
  if (!clear || trimmed.length === tokens.length || tokenWords(trimmed, pieceOf).length !== 1) return trimmed;
  const at = excessRunStart(tokens, pieceOf, burstsOf);
  return tokens.slice(0, at < 0 ? tokens.length : at);
}

function sameRun(tokens: readonly number[], a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (tokens[a + i] !== tokens[b + i]) return false;
  return true;
}

/**
 * What the VAD heard in the audio handed to Whisper: the evidence a guard weighs before it drops decoded text.
 * Silero scores speech; Whisper's no-speech probability is high for short words and band-limited voices too
 * (dev set: "three", "fourteen" at 0.7), so it is not, alone, evidence that nothing was said.
 */
export interface SpeechEvidence {
  /** Highest Silero speech probability among the audio's frames. */
  maxProbability: number;
  /** Frames Silero scored at or above SPEECH_PROBABILITY, ms. */
  speechMs: number;
}
/** Silero's own speech threshold, for counting frames it called speech. */
export const SPEECH_PROBABILITY = 0.5;
/**
 * Speech Silero clearly called speech: a frame at this probability or above, and at least CLEAR_SPEECH_MS of frames
 * over SPEECH_PROBABILITY (a short word). Noise that gets past the VAD (white, pink, brown, hum, clicks, breathing,
 * chords: 0.03-0.8 here) does not reach it.
 */
export const CLEAR_SPEECH_PROBABILITY = 0.9;
export const CLEAR_SPEECH_MS = 150;
const FRAME_MS = 32;

export function clearlySpeech(e: SpeechEvidence | undefined): boolean {
  return e !== undefined && e.maxProbability >= CLEAR_SPEECH_PROBABILITY && e.speechMs >= CLEAR_SPEECH_MS;
}

/**
 * Where Silero called some of the audio speech, not clearly (two frames or more over SPEECH_PROBABILITY, none at
 * CLEAR_SPEECH_PROBABILITY), Whisper's no-speech probability must pass this instead of NO_SPEECH_THRESHOLD to drop
 * the text: radio voices at Silero 0.65-0.71 scored 0.63 ("Alright boys.", "Artifact detected."). Noise Silero
 * scores that high (chords, 0.7-0.8) comes out as a filler, which the filler rule drops.
 */
export const SOME_SPEECH_NO_SPEECH_THRESHOLD = 0.75;
const SOME_SPEECH_MS = 2 * FRAME_MS;

export function someSpeech(e: SpeechEvidence | undefined): boolean {
  return e !== undefined && e.maxProbability >= SPEECH_PROBABILITY && e.speechMs >= SOME_SPEECH_MS;
}

/** Accumulates the evidence of an utterance frame by frame (32 ms Silero frames). */
export class SpeechEvidenceMeter {
  private max = 0;
  private frames = 0;

  add(probability: number): void {
    if (probability > this.max) this.max = probability;
    if (probability >= SPEECH_PROBABILITY) this.frames++;
  }

  get evidence(): SpeechEvidence {
    return { maxProbability: this.max, speechMs: this.frames * FRAME_MS };
  }

  reset(): void {
    this.max = 0;
    this.frames = 0;
  }
}

/** The evidence of samples [from, to) from a recording's frame probabilities (frame f covers samples f*frame ...). */
export function speechEvidenceOf(probabilities: ArrayLike<number>, from: number, to: number, frame = 512): SpeechEvidence {
  const meter = new SpeechEvidenceMeter();
  for (let f = Math.max(0, Math.floor(from / frame)); f < Math.min(probabilities.length, Math.ceil(to / frame)); f++)
    meter.add(probabilities[f]);
  return meter.evidence;
}

/**
 * What Whisper writes for silence and noise when it writes anything (openai/whisper#928 and our noise runs):
 * lowercase words without punctuation. Said on its own, one of these is text only where the VAD clearly heard speech.
 */
const FILLERS = new Set([
  'you',
  'the',
  'a',
  'so',
  'oh',
  'uh',
  'um',
  'hmm',
  'bye',
  'bye bye',
  'thank you',
  'thanks',
  'thank you so much',
  'thank you very much',
  'thank you for watching',
  'thanks for watching',
  'the end',
  'music',
  'applause',
  'laughter',
]);

/** Lowercase words of the text, punctuation and brackets dropped. */
export function plainWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/['\u2019]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

export interface GuardInput {
  text: string;
  tokens: number;
  avgLogprob: number;
  noSpeechProb: number;
  looped: boolean;
  /** The VAD's view of the audio; undefined where the caller has none (then no speech is taken as clear). */
  speech?: SpeechEvidence;
  /**
   * The decoder had a prompt (vocabulary, earlier text): its confidence then says how well the text fits the prompt,
   * not the audio, so the no-speech rule goes by the (prompt-free) no-speech probability alone.
   */
  prompted?: boolean;
}

/**
 * The reason the text is not speech (silence or hallucination), or undefined when it is kept.
 * A guard that drops words needs evidence that they were not speech: audio Silero clearly called speech is never
 * dropped for Whisper's no-speech probability, nor for being a lone filler word ("you", "Thank you.").
 * Low confidence alone does not reject: a short real utterance ("ask not") can score below -1, and a dropped
 * word is worse than a wrong one. Silence and noise are stopped earlier, by the VAD, and here by no-speech.
 */
export function rejectReason(r: GuardInput): string | undefined {
  if (r.text.length === 0) return 'empty';
  const words = plainWords(r.text);
  if (words.length === 0) return 'no words';
  const clear = clearlySpeech(r.speech);
  const noSpeechThreshold = someSpeech(r.speech) ? SOME_SPEECH_NO_SPEECH_THRESHOLD : NO_SPEECH_THRESHOLD;
  if (!clear && r.noSpeechProb > noSpeechThreshold && (r.prompted || r.avgLogprob < LOGPROB_THRESHOLD)) {
    return `no speech (p=${r.noSpeechProb.toFixed(2)}, avg logprob ${r.avgLogprob.toFixed(2)}${vadNote(r.speech)})`;
  }
  if (!clear && FILLERS.has(words.join(' '))) return `filler without clear speech${vadNote(r.speech)}`;
  const cr = compressionRatio(r.text);
  if (cr > COMPRESSION_RATIO_THRESHOLD) return `repetitive (compression ratio ${cr.toFixed(2)})`;
  return undefined;
}

function vadNote(e: SpeechEvidence | undefined): string {
  return e ? `, VAD max ${e.maxProbability.toFixed(2)}, ${Math.round(e.speechMs)} ms speech` : '';
}

/** Text tokens grouped into words: the index of each word's first token and its plain form ('' for punctuation). */
function tokenWords(tokens: readonly number[], pieceOf: (token: number) => string | undefined): { at: number; word: string }[] {
  const words: { at: number; word: string }[] = [];
  let boundary = true;
  for (let i = 0; i < tokens.length; i++) {
    const piece = pieceOf(tokens[i]);
    if (piece === undefined) {
      boundary = true; // a timestamp or special token ends a word
      continue;
    }
    const plain = plainWords(piece).join('');
    const last = words[words.length - 1];
    if (boundary || /^\s/.test(piece) || (plain && !last.word)) words.push({ at: i, word: plain });
    else last.word += plain;
    boundary = false;
  }
  return words.filter((w) => w.word);
}

/**
 * Below this probability a token of a last segment Whisper never closed starts an unsure tail (unsureTailStart).
 * jfk.wav cut every 100 ms from 1 to 11 s and dictated (file source, tiny): 80 word errors, 40 with the cut
 * (docs/decisions.md, "Unclosed last segments").
 */
export const UNSURE_TAIL_PROBABILITY = 0.3;

/**
 * In audio cut off in speech, a last segment whose closing timestamp lies this far (timestamp steps: 1 s) or more
 * past the end of the audio is treated as one Whisper never closed (unsureTailStart): it wrote on into the window's
 * padding, past what it heard. tiny on jfk.wav cut inside "what your": "what you are talking about." closed at
 * <|10.00|> for 5.9 s of audio; cut after "country": "what your country is." closed at <|10.00|> for 6.2 s. Not for
 * audio that ends in a pause: there Whisper often closes a complete sentence at the window's end too, and on the dev
 * set the rule cut real words (tiny 199 -> 227 errors: "Agent Login. Please enter your Agent Number..." -> "Agent
 * Login"; docs/decisions.md, "Unclosed last segments").
 */
export const PAST_AUDIO_STEPS = 50;

/**
 * Where a decode's unsure tail starts, or -1. With timestamps, Whisper closes each segment with the timestamp where
 * its speech ends; a last segment left open (the text ran to the end of text or of the budget with no closing
 * timestamp), or closed PAST_AUDIO_STEPS or more past `audioSteps` (the end of audio cut off in speech), is speech
 * cut off by the end of the audio, and there tiny goes on writing what might follow ("and so my fellow Americans, as
 * well as the American" for a recording cut after "ask"). The tail is cut at the first text token of that segment
 * whose probability is under UNSURE_TAIL_PROBABILITY (its closing timestamp goes with it). A segment closed within
 * the audio is never cut; in a decode the loop rule stopped, the copies of a lone word the loop guard kept for the
 * audio's bursts of voice (trimLoopByBursts) stand (Whisper.run); a decode unsure from its first word is left whole.
 * `logprobs[i]` is the log-probability of `tokens[i]`.
 */
export function unsureTailStart(
  tokens: readonly number[],
  logprobs: readonly number[],
  timestampBegin: number,
  endOfText: number,
  audioSteps = Infinity,
): number {
  const n = tokens.length;
  if (n === 0 || logprobs.length < n) return -1;
  let end = n;
  if (tokens[n - 1] >= timestampBegin) {
    if (tokens[n - 1] - timestampBegin < audioSteps + PAST_AUDIO_STEPS) return -1;
    end = n - 1;
  }
  let start = 0;
  for (let i = 0; i < end; i++) if (tokens[i] >= timestampBegin) start = i + 1;
  const floor = Math.log(UNSURE_TAIL_PROBABILITY);
  // A cut must leave some text: where the decode is unsure from its first text token on, it is left whole (tiny's
  // "Go" at p 0.05 for "go go go"; nothing in it tells invention from a word heard faintly).
  let text = false;
  for (let i = 0; i < start; i++) text ||= tokens[i] < endOfText;
  for (let i = start; i < end; i++) {
    if (tokens[i] >= endOfText) continue;
    if (logprobs[i] < floor) return text ? i : -1;
    text = true;
  }
  return -1;
}

/** Words a tail must share with the head of the text to count as the window read again (rereadTailStart). */
export const MIN_REREAD_WORDS = 4;

/**
 * Where the decoder starts reading its window again: the text ends with the same MIN_REREAD_WORDS or more words it
 * began with, after other words ("8 of Spades, 4 of Clothes, 7 of Hearts, 7 of Hearts, 8 of Spades, 4 of Clothes,",
 * seen live on cards/005.wav): the index of the tail's first token, or -1. Speech that ends with the four words it
 * began with is not something people dictate; Whisper re-reading a padded window is a known failure.
 */
export function rereadTailStart(tokens: readonly number[], pieceOf: (token: number) => string | undefined): number {
  const words = tokenWords(tokens, pieceOf).filter((w) => w.word !== '');
  for (let n = Math.floor(words.length / 2); n >= MIN_REREAD_WORDS; n--) {
    let same = true;
    for (let k = 0; k < n && same; k++) same = words[k].word === words[words.length - n + k].word;
    if (same) return words[words.length - n].at;
  }
  return -1;
}

/**
 * Where a phrase (two words or more) that ends the text and is said twice or more in a row at its end starts being
 * repeated: "Login incorrect. Login incorrect." -> the index of the second "Login"; -1 when the tail does not repeat.
 * Words compare as plainWords (case and punctuation aside). A single word repeated ("five five") is left alone.
 * `pieceOf` gives a text token's text, undefined for a timestamp or special token.
 */
export function repeatedTailStart(tokens: readonly number[], pieceOf: (token: number) => string | undefined): number {
  const words = tokenWords(tokens, pieceOf);
  let end = words.length;
  for (let n = Math.floor(end / 2); n >= 2; n--) {
    let same = true;
    for (let k = 0; k < n && same; k++) same = words[end - 1 - k].word === words[end - 1 - k - n].word;
    if (!same) continue;
    // Keep cutting whole copies while the phrase before is the same one.
    while (end - 2 * n >= 0 && words.slice(end - 2 * n, end - n).every((w, k) => w.word === words[end - n + k].word)) end -= n;
    return words[end].at;
  }
  return -1;
}

/** A voice burst's frames are within this many dB of the loudest 20 ms frame; it ends at a frame this far under. */
export const BURST_DB = 15;
export const BURST_GAP_DB = 25;

/**
 * Bursts of voice in `samples` (16 kHz): stretches of 20 ms frames within BURST_DB of the loudest frame, each ended by
 * a frame at least BURST_GAP_DB under it. "five five" has 2, "go go go" 3 (each word a dip of ~30 dB from the next).
 */
export function voiceBursts(samples: Float32Array, frame = 320): number {
  const db: number[] = [];
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let e = 0;
    for (let j = i; j < i + frame; j++) e += samples[j] * samples[j];
    db.push(10 * Math.log10(e / frame + 1e-12));
  }
  const peak = Math.max(...db);
  let bursts = 0;
  let inBurst = false;
  for (const d of db) {
    if (!inBurst && d >= peak - BURST_DB) {
      bursts++;
      inBurst = true;
    } else if (inBurst && d <= peak - BURST_GAP_DB) inBurst = false;
  }
  return bursts;
}

/**
 * A text that is one word written three times or more and nothing else ("5, 5, 5." for a clear "five five"), when
 * the audio has fewer bursts of voice than copies (voiceBursts): the index of the first token of the copies beyond
 * the bursts (and of the punctuation before it), or -1. Whisper-tiny adds a copy to short repeated words; a copy with
 * no burst of voice under it was not said. Any other text, or as many bursts as copies, is left alone.
 */
export function excessRunStart(tokens: readonly number[], pieceOf: (token: number) => string | undefined, burstsOf: () => number): number {
  const words = tokenWords(tokens, pieceOf);
  if (words.length < 3 || !words.every((w) => w.word === words[0].word)) return -1;
  const bursts = burstsOf();
  if (bursts >= words.length) return -1;
  let at = words[Math.max(1, bursts)].at;
  while (at > 0 && /^[\s,;:]+$/.test(pieceOf(tokens[at - 1]) ?? 'x')) at--;
  return at;
}
