import * as ort from 'onnxruntime-node';
import { loadSession, sessionOptions } from '../onnx';

export interface DecoderShape {
  layers: number;
  heads: number;
  headDim: number;
  vocabSize: number;
}

export interface DecodeOptions {
  /** Forced prefix: <|startoftranscript|>, language, task, <|notimestamps|>. */
  prompt: number[];
  maxTokens: number;
  /** 1 where a token may never be produced. */
  suppress: Uint8Array;
  /** Tokens suppressed only at the first generated position (space, end of text). */
  beginSuppress: number[];
  endOfText: number;
  noSpeech: number;
  /** Called after each token; return true to stop (loop guard). */
  shouldStop?: (tokens: number[]) => boolean;
}

export interface DecodeResult {
  tokens: number[];
  /** Sum of log-probabilities of the chosen tokens, end of text included. */
  sumLogprob: number;
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

  private constructor(private readonly session: ort.InferenceSession, readonly shape: DecoderShape) {
    this.emptyPast = new ort.Tensor('float32', new Float32Array(0), [1, shape.heads, 0, shape.headDim]);
    this.stepFetches = ['logits'];
    this.firstFetches = ['logits'];
    for (let i = 0; i < shape.layers; i++) {
      this.stepFetches.push(`present.${i}.decoder.key`, `present.${i}.decoder.value`);
      this.firstFetches.push(
        `present.${i}.decoder.key`, `present.${i}.decoder.value`,
        `present.${i}.encoder.key`, `present.${i}.encoder.value`,
      );
    }
  }

  static async load(file: string, shape: DecoderShape): Promise<WhisperDecoder> {
    return new WhisperDecoder(await loadSession(file, sessionOptions({ foldQuantizedWeights: true })), shape);
  }

  /** Logits over the vocabulary for each prompt position, and the caches: the first step. */
  private async first(hidden: ort.Tensor, prompt: number[]): Promise<ort.InferenceSession.OnnxValueMapType> {
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(prompt.map(BigInt)), [1, prompt.length]),
      encoder_hidden_states: hidden,
      use_cache_branch: this.cacheFalse,
    };
    for (let i = 0; i < this.shape.layers; i++) {
      for (const part of ['decoder', 'encoder']) {
        feeds[`past_key_values.${i}.${part}.key`] = this.emptyPast;
        feeds[`past_key_values.${i}.${part}.value`] = this.emptyPast;
      }
    }
    return this.session.run(feeds, this.firstFetches);
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
    let sumLogprob = 0;
    let endedWithEot = false;
    let out = await this.first(hidden, opts.prompt);
    const encoderCache: Record<string, ort.Tensor> = {};
    for (let i = 0; i < this.shape.layers; i++) {
      encoderCache[`past_key_values.${i}.encoder.key`] = out[`present.${i}.encoder.key`];
      encoderCache[`past_key_values.${i}.encoder.value`] = out[`present.${i}.encoder.value`];
    }
    const firstLogits = out.logits.data as Float32Array;
    const noSpeechProb = softmaxAt(firstLogits, 0, V, opts.noSpeech);
    let logits = firstLogits;
    let row = opts.prompt.length - 1;
    const stepIds = new BigInt64Array(1);
    const stepInput = new ort.Tensor('int64', stepIds, [1, 1]);
    for (let step = 0; step < opts.maxTokens; step++) {
      const offset = row * V;
      const next = argmax(logits, offset, V, opts.suppress, step === 0 ? opts.beginSuppress : undefined);
      sumLogprob += logits[offset + next] - logSumExp(logits, offset, V);
      if (next === opts.endOfText) {
        endedWithEot = true;
        break;
      }
      tokens.push(next);
      if (opts.shouldStop?.(tokens)) break;
      if (step === opts.maxTokens - 1) break;
      stepIds[0] = BigInt(next);
      const feeds: Record<string, ort.Tensor> = {
        input_ids: stepInput,
        encoder_hidden_states: hidden,
        use_cache_branch: this.cacheTrue,
        ...encoderCache,
      };
      for (let i = 0; i < this.shape.layers; i++) {
        feeds[`past_key_values.${i}.decoder.key`] = out[`present.${i}.decoder.key`];
        feeds[`past_key_values.${i}.decoder.value`] = out[`present.${i}.decoder.value`];
      }
      out = await this.session.run(feeds, this.stepFetches);
      logits = out.logits.data as Float32Array;
      row = 0;
    }
    return { tokens, sumLogprob, noSpeechProb, endedWithEot };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function argmax(logits: Float32Array, offset: number, n: number, suppress: Uint8Array, extra?: number[]): number {
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
  return best;
}

function logSumExp(logits: Float32Array, offset: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[offset + i] > max) max = logits[offset + i];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logits[offset + i] - max);
  return max + Math.log(sum);
}

function softmaxAt(logits: Float32Array, offset: number, n: number, index: number): number {
  return Math.exp(logits[offset + index] - logSumExp(logits, offset, n));
}
