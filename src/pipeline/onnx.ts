import * as ort from 'onnxruntime-node';
import { EngineErrorCode } from '../protocol';
import { EngineError } from './errors';

/** Threads for inference: this machine class has 2 cores; more threads than cores only adds contention. */
const INTRA_OP_THREADS = 2;

/**
 * Session options, one place. `session.disable_quant_qdq` lets constant folding dequantize constant int8 weights
 * once at load (the merged decoder otherwise re-dequantizes and transposes its 51865x384 output projection on every
 * step): a decoder step drops from ~14 ms to ~4 ms on tiny for ~80 MB more memory.
 */
export function sessionOptions(opts: { foldQuantizedWeights: boolean; threads?: number }): ort.InferenceSession.SessionOptions {
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: opts.threads ?? INTRA_OP_THREADS,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
  if (opts.foldQuantizedWeights) options.extra = { session: { disable_quant_qdq: '1' } };
  return options;
}

/** Loads a model from its file, or from bytes already read (and edited). */
export async function loadSession(model: string | Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  try {
    return typeof model === 'string'
      ? await ort.InferenceSession.create(model, options)
      : await ort.InferenceSession.create(model, options);
  } catch (err) {
    const what = typeof model === 'string' ? model : 'an edited model';
    throw new EngineError(EngineErrorCode.ModelLoadFailed, `Could not load ${what}: ${(err as Error).message}`);
  }
}
