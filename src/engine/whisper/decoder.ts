import * as ort from 'onnxruntime-node';
import { EngineErrorCode, EngineLevers } from '../../protocol';
import { EngineError } from '../errors';
import { ModelEditor } from '../models/preparedCache';
import { loadEdited, loadSession, sessionOptions } from '../models/sessions';
import { precomputedProjectionDecoder, TOKEN_EMBEDDINGS, tokenTableOf } from '../models/decoderGraph';
import { opensSegmentAt } from './guards';
import { TokenRows } from './tokenRows';
import { boostedTokens, WordBoost } from './wordBoost';

export interface DecoderShape {
  layers: number;
  heads: number;
  headDim: number;
  vocabSize: number;
}

export interface DecodeOptions {
  /**
   * Forced prompt: [<|startofprev|> earlier text] <|startoftranscript|>, language, task, <|notimestamps|>. The
   * no-speech probability is read at <|startoftranscript|>'s position.
   */
  prompt: number[];
  /** Index of <|startoftranscript|> in `prompt` (0 without earlier text). */
  startOfTranscriptAt?: number;
  maxTokens: number;
  /** 1 where a token may never be produced. */
  suppress: Uint8Array;
  /** Tokens suppressed only at the first generated position (space, end of text). */
  beginSuppress: number[];
  endOfText: number;
  noSpeech: number;
  /** Asked after each token: a reason to stop here (the loop guards, one composed rule), or undefined to go on. */
  stopRule?: (tokens: number[]) => DecodeStop | undefined;
  /** Decode with timestamp tokens, under Whisper's timestamp rules, and stop where the audio ends. */
  timestamps?: TimestampRules;
  /** Words the client listens for: their tokens get a bonus when chosen (wordBoost.ts), not when scored. */
  boost?: WordBoost;
}

/**
 * Timestamp mode: each segment is <|t_start|> text <|t_end|>; timestamps never go back; the first token is a
 * timestamp no later than `maxInitial`. Decoding stops at a segment that would start at or after `stopAt`: there is
 * no more audio there. With a short encoder window this is what ends decoding where the full window would have
 * emitted end-of-text, instead of reading the window again from the start.
 */
export interface TimestampRules {
  /** Token id of <|0.00|>; timestamp i (i x 20 ms) is begin + i. */
  begin: number;
  /** Largest timestamp index allowed (the window's end). */
  last: number;
  /** Largest index allowed as the first token (whisper: 1.0 s = 50). */
  maxInitial: number;
  /** A segment starting at or after this index ends decoding. */
  stopAt: number;
}

/** Why the stop rule ended decoding: the tail loops, and/or a segment from `repeatAt` repeats an earlier one. */
export interface DecodeStop {
  looped: boolean;
  /** Token index where a repeated segment starts, or -1. */
  repeatAt: number;
}

export interface DecodeResult {
  tokens: number[];
  /** Set when the stop rule ended decoding. */
  stoppedBy?: DecodeStop;
  /** Log-probability of the last text token (not a timestamp or special token); 0 when there is none. */
  lastTextLogprob: number;
  /** Sum of log-probabilities of the chosen tokens, end of text included. */
  sumLogprob: number;
  /** Log-probability of each token of `tokens`, in order. */
  logprobs: number[];
  /** Probability of <|nospeech|> at the start-of-transcript position. */
  noSpeechProb: number;
  endedWithEot: boolean;
}

/**
 * Greedy (temperature 0) decoding with the merged decoder's KV cache: the first step runs the whole prompt with
 * `use_cache_branch=false`, later steps feed one token and the self-attention cache back; the cross-attention
 * cache from the first step is reused as it is.
 */
export class WhisperDecoder {
  private readonly emptyPast: ort.Tensor;
  private readonly stepFetches: string[];
  private readonly firstFetches: string[];
  private readonly cacheFalse = new ort.Tensor('bool', [false], [1]);
  private readonly cacheTrue = new ort.Tensor('bool', [true], [1]);

  /** The step's token as its embedding row, when the graph takes rows (EngineLevers.mappedWeights). */
  private readonly stepRow?: Uint8Array;
  private readonly stepRowInput?: ort.Tensor;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly shape: DecoderShape,
    private readonly rows?: TokenRows,
  ) {
    if (rows) {
      this.stepRow = new Uint8Array(rows.cols);
      this.stepRowInput = new ort.Tensor('uint8', this.stepRow, [1, 1, rows.cols]);
    }
    this.emptyPast = new ort.Tensor('float32', new Float32Array(0), [1, shape.heads, 0, shape.headDim]);
    this.stepFetches = ['logits'];
    this.firstFetches = ['logits'];
    for (let i = 0; i < shape.layers; i++) {
      this.stepFetches.push(`present.${i}.decoder.key`, `present.${i}.decoder.value`);
      this.firstFetches.push(
        `present.${i}.decoder.key`,
        `present.${i}.decoder.value`,
        `present.${i}.encoder.key`,
        `present.${i}.encoder.value`,
      );
    }
  }

  static async load(
    file: string,
    shape: DecoderShape,
    levers: Required<EngineLevers>,
    editor: ModelEditor,
    warn: (message: string) => void,
  ): Promise<WhisperDecoder> {
    const options = sessionOptions('decoder', levers);
    if (levers.projection === 'export') return new WhisperDecoder(await loadSession(file, options), shape);
    const mode = levers.projection;
    const byRow = levers.mappedWeights;
    const apply = (bytes: Uint8Array) => precomputedProjectionDecoder(bytes, mode, byRow);
    const { session, model } = await loadEdited(
      editor,
      file,
      `decoder-projection-${mode}${byRow ? '-rows' : ''}`,
      apply,
      options,
      'decoder',
      warn,
    );
    if (!byRow) return new WhisperDecoder(session, shape);
    try {
      const table = session.inputNames.includes(TOKEN_EMBEDDINGS) ? tokenTableOf(model) : undefined;
      if (!table) throw new Error(`the edited decoder has no ${TOKEN_EMBEDDINGS} input with its table's place`);
      return new WhisperDecoder(session, shape, TokenRows.open(file, table));
    } catch (err) {
      await session.release();
      throw new EngineError(EngineErrorCode.ModelLoadFailed, `Could not read the token table of ${file}: ${(err as Error).message}`);
    }
  }

  /** The feed for `ids`' embedding rows (the whole prompt at the first step). */
  private rowsOf(ids: number[]): ort.Tensor {
    const rows = this.rows!;
    const data = new Uint8Array(ids.length * rows.cols);
    ids.forEach((id, i) => rows.read(id, data, i));
    return new ort.Tensor('uint8', data, [1, ids.length, rows.cols]);
  }

  /** Logits over the vocabulary for each prompt position, and the caches: the first step. */
  private async first(hidden: ort.Tensor, prompt: number[]): Promise<ort.InferenceSession.OnnxValueMapType> {
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(prompt.map(BigInt)), [1, prompt.length]),
      encoder_hidden_states: hidden,
      use_cache_branch: this.cacheFalse,
    };
    if (this.rows) feeds[TOKEN_EMBEDDINGS] = this.rowsOf(prompt);
    for (let i = 0; i < this.shape.layers; i++) {
      for (const part of ['decoder', 'encoder']) {
        feeds[`past_key_values.${i}.${part}.key`] = this.emptyPast;
        feeds[`past_key_values.${i}.${part}.value`] = this.emptyPast;
      }
    }
    return this.session.run(feeds, this.firstFetches);
  }

  /** The probability of <|nospeech|> after <|startoftranscript|> alone: is there speech, whatever the prompt. */
  async noSpeechProbability(hidden: ort.Tensor, startOfTranscript: number, noSpeech: number): Promise<number> {
    const out = await this.first(hidden, [startOfTranscript]);
    return softmaxAt(out.logits.data as Float32Array, 0, this.shape.vocabSize, noSpeech);
  }

  /** Probabilities over `candidates` after <|startoftranscript|> alone: language identification. */
  async detectLanguage(hidden: ort.Tensor, startOfTranscript: number, candidates: number[]): Promise<number> {
    const out = await this.first(hidden, [startOfTranscript]);
    const logits = out.logits.data as Float32Array;
    let best = candidates[0];
    for (const id of candidates) if (logits[id] > logits[best]) best = id;
    return best;
  }

  async decode(hidden: ort.Tensor, opts: DecodeOptions): Promise<DecodeResult> {
    const V = this.shape.vocabSize;
    const tokens: number[] = [];
    const logprobs: number[] = [];
    let sumLogprob = 0;
    let endedWithEot = false;
    let stoppedBy: DecodeStop | undefined;
    let lastTextLogprob = 0;
    let out = await this.first(hidden, opts.prompt);
    const encoderCache: Record<string, ort.Tensor> = {};
    for (let i = 0; i < this.shape.layers; i++) {
      encoderCache[`past_key_values.${i}.encoder.key`] = out[`present.${i}.encoder.key`];
      encoderCache[`past_key_values.${i}.encoder.value`] = out[`present.${i}.encoder.value`];
    }
    const firstLogits = out.logits.data as Float32Array;
    const noSpeechProb = softmaxAt(firstLogits, (opts.startOfTranscriptAt ?? 0) * V, V, opts.noSpeech);
    let logits = firstLogits;
    let row = opts.prompt.length - 1;
    const stepIds = new BigInt64Array(1);
    const stepInput = new ort.Tensor('int64', stepIds, [1, 1]);
    for (let step = 0; step < opts.maxTokens; step++) {
      const offset = row * V;
      const boosted = opts.boost ? boostedTokens(opts.boost, segmentText(tokens, opts.endOfText)) : NO_TOKENS;
      const bonus = opts.boost?.bonus ?? 0;
      const next = opts.timestamps
        ? this.nextWithTimestamps(logits, offset, tokens, opts, boosted)
        : argmax(logits, offset, V, opts.suppress, step === 0 ? opts.beginSuppress : undefined, boosted, bonus);
      const logprob = logits[offset + next] - logSumExp(logits, offset, V);
      sumLogprob += logprob;
      if (next < opts.endOfText) lastTextLogprob = logprob;
      if (next === opts.endOfText) {
        endedWithEot = true;
        break;
      }
      const ts = opts.timestamps;
      if (ts && next >= ts.begin && opensSegmentAt(tokens, tokens.length, ts.begin) && next - ts.begin >= ts.stopAt) {
        endedWithEot = true; // no audio left for another segment
        break;
      }
      tokens.push(next);
      logprobs.push(logprob);
      stoppedBy = opts.stopRule?.(tokens);
      if (stoppedBy) break;
      if (step === opts.maxTokens - 1) break;
      stepIds[0] = BigInt(next);
      const feeds: Record<string, ort.Tensor> = {
        input_ids: stepInput,
        encoder_hidden_states: hidden,
        use_cache_branch: this.cacheTrue,
        ...encoderCache,
      };
      if (this.rows) {
        this.rows.read(next, this.stepRow!);
        feeds[TOKEN_EMBEDDINGS] = this.stepRowInput!;
      }
      for (let i = 0; i < this.shape.layers; i++) {
        feeds[`past_key_values.${i}.decoder.key`] = out[`present.${i}.decoder.key`];
        feeds[`past_key_values.${i}.decoder.value`] = out[`present.${i}.decoder.value`];
      }
      out = await this.session.run(feeds, this.stepFetches);
      logits = out.logits.data as Float32Array;
      row = 0;
    }
    return { tokens, logprobs, sumLogprob, noSpeechProb, endedWithEot, stoppedBy, lastTextLogprob };
  }

  /** Greedy choice under Whisper's timestamp rules (openai/whisper decoding.py ApplyTimestampRules). */
  private nextWithTimestamps(logits: Float32Array, offset: number, tokens: number[], opts: DecodeOptions, boosted: number[]): number {
    const ts = opts.timestamps!;
    const n = tokens.length;
    const lastWasTs = n >= 1 && tokens[n - 1] >= ts.begin;
    const penultimateWasTs = n < 2 || tokens[n - 2] >= ts.begin;
    let allowText = true;
    let allowTs = true;
    let allowEot = true;
    if (lastWasTs) {
      if (penultimateWasTs) allowTs = false;
      else allowText = false;
    }
    let tsFrom = 0;
    let tsTo = ts.last;
    if (n === 0) {
      allowText = false;
      allowEot = false;
      tsTo = Math.min(tsTo, ts.maxInitial);
    }
    for (let i = n - 1; i >= 0; i--) {
      if (tokens[i] >= ts.begin) {
        const lastTs = tokens[i] - ts.begin;
        // Never back in time; a segment has a non-zero length.
        tsFrom = lastWasTs && !penultimateWasTs ? lastTs : lastTs + 1;
        break;
      }
    }
    // Best text token, best timestamp, and whether timestamps together outweigh the best text token.
    let bestText = -1;
    let bestTextValue = -Infinity;
    if (allowText) {
      for (let i = 0; i < ts.begin; i++) {
        if (opts.suppress[i] || (n === 0 && opts.beginSuppress.includes(i))) continue;
        const v = logits[offset + i];
        if (v > bestTextValue) {
          bestTextValue = v;
          bestText = i;
        }
      }
      const bonus = opts.boost?.bonus ?? 0;
      for (const i of boosted) {
        if (i >= ts.begin || opts.suppress[i] || (n === 0 && opts.beginSuppress.includes(i))) continue;
        if (logits[offset + i] + bonus > bestTextValue) {
          bestTextValue = logits[offset + i] + bonus;
          bestText = i;
        }
      }
    }
    const eotValue = allowEot ? logits[offset + opts.endOfText] : -Infinity;
    let bestTs = -1;
    let bestTsValue = -Infinity;
    let tsMax = -Infinity;
    if (allowTs) {
      for (let i = tsFrom; i <= tsTo; i++) if (logits[offset + ts.begin + i] > tsMax) tsMax = logits[offset + ts.begin + i];
      let tsSum = 0;
      for (let i = tsFrom; i <= tsTo; i++) {
        const v = logits[offset + ts.begin + i];
        tsSum += Math.exp(v - tsMax);
        if (v > bestTsValue) {
          bestTsValue = v;
          bestTs = ts.begin + i;
        }
      }
      const tsLogSum = tsMax + Math.log(tsSum);
      if (bestTs >= 0 && tsLogSum > Math.max(bestTextValue, eotValue)) return bestTs;
    }
    let best = opts.endOfText;
    let bestValue = eotValue;
    if (bestTextValue > bestValue) {
      best = bestText;
      bestValue = bestTextValue;
    }
    if (bestTsValue > bestValue) best = bestTs;
    return best;
  }

  async release(): Promise<void> {
    this.rows?.close();
    await this.session.release();
  }
}

const NO_TOKENS: number[] = [];

/** The text tokens of the segment being decoded: those after the last timestamp (all of them without timestamps). */
function segmentText(tokens: readonly number[], endOfText: number): number[] {
  let i = tokens.length;
  while (i > 0 && tokens[i - 1] < endOfText) i--;
  return tokens.slice(i);
}

/** The best token; `boosted` ones compete with `bonus` added. */
export function argmax(
  logits: Float32Array,
  offset: number,
  n: number,
  suppress: Uint8Array,
  extra?: number[],
  boosted: readonly number[] = NO_TOKENS,
  bonus = 0,
): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < n; i++) {
    if (suppress[i]) continue;
    const v = logits[offset + i];
    if (v > bestValue) {
      if (extra && extra.includes(i)) continue;
      bestValue = v;
      best = i;
    }
  }
  for (const i of boosted) {
    if (suppress[i] || (extra && extra.includes(i))) continue;
    if (logits[offset + i] + bonus > bestValue) {
      bestValue = logits[offset + i] + bonus;
      best = i;
    }
  }
  return best;
}

/** 2^-i for the integer part of the exponent in logSumExp. */
const POW2_NEG = Float64Array.from({ length: 128 }, (_, i) => 2 ** -i);
/** Taylor coefficients of 2^f = e^(f ln 2) on [0, 1) to degree 7: relative error under 1e-7. */
const C1 = Math.LN2;
const C2 = (C1 * C1) / 2;
const C3 = (C2 * C1) / 3;
const C4 = (C3 * C1) / 4;
const C5 = (C4 * C1) / 5;
const C6 = (C5 * C1) / 6;
const C7 = (C6 * C1) / 7;

/**
 * log(sum(exp(logits[offset .. offset + n)))). Once per decoded token over the whole vocabulary: with Math.exp that
 * was ~0.6 ms a token here; exp(x) as 2^k x 2^f (a table and a polynomial) is ~0.25 ms, within 1e-7 of it. Terms
 * more than 2^-127 below the largest are left out (they cannot move a double sum).
 */
export function logSumExp(logits: Float32Array, offset: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[offset + i] > max) max = logits[offset + i];
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const y = (logits[offset + i] - max) * Math.LOG2E;
    if (!(y > -127)) continue;
    const k = Math.floor(y);
    const f = y - k;
    sum += (1 + f * (C1 + f * (C2 + f * (C3 + f * (C4 + f * (C5 + f * (C6 + f * C7))))))) * POW2_NEG[-k];
  }
  return max + Math.log(sum);
}

function softmaxAt(logits: Float32Array, offset: number, n: number, index: number): number {
  return Math.exp(logits[offset + index] - logSumExp(logits, offset, n));
}
