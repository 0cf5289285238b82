import * as ort from 'onnxruntime-node';
import { DEFAULT_LEVERS, EngineErrorCode, EngineLevers } from '../protocol';
import { EngineError } from './errors';
import { ModelEditor } from './modelCache';

/**
 * Session options, one place. Threads: this machine class has 2 cores; more threads than cores only adds
 * contention. The memory arena is per model (EngineLevers.memoryArena). (`session.disable_quant_qdq`, which an
 * earlier version set for the encoder, changes nothing here: the export quantizes dynamically, no QDQ pairs to fold.)
 */
export function sessionOptions(model: 'encoder' | 'decoder', leversIn: EngineLevers = {}): ort.InferenceSession.SessionOptions {
  const levers = { ...DEFAULT_LEVERS, ...leversIn };
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: levers.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: levers.memoryArena === 'all' || (levers.memoryArena === 'decoder' && model === 'decoder'),
  };
  if (!levers.spinning) options.extra = { session: { 'intra_op.allow_spinning': '0' } };
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

/**
 * Loads an edited model prepared by modelCache.ts: a cache entry (already optimized) loads with graph optimizations
 * off while its hash is checked, and a damaged one is dropped and prepared again; a fresh edit is optimized and
 * saved to the cache. `what` names the model in errors; failing to write the cache only warns.
 */
export async function loadEdited(
  editor: ModelEditor, file: string, edit: string, apply: (bytes: Uint8Array) => Uint8Array,
  options: ort.InferenceSession.SessionOptions, what: string, warn: (message: string) => void,
): Promise<ort.InferenceSession> {
  // What shapes the optimized graph (threads, spinning and the arena do not).
  const variant = JSON.stringify({ ort: ort.env.versions.common, level: options.graphOptimizationLevel });
  const load = async (rebuild: boolean) => {
    let prepared;
    try {
      prepared = await editor(file, edit, variant, apply, rebuild);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw new EngineError(EngineErrorCode.ModelLoadFailed, `Could not prepare the ${what} from ${file}: ${(err as Error).message}`);
    }
    const opts: ort.InferenceSession.SessionOptions = prepared.cached
      ? { ...options, graphOptimizationLevel: 'disabled' }
      : prepared.saveTo ? { ...options, optimizedModelFilePath: prepared.saveTo } : options;
    const session = await loadSession(prepared.model, opts);
    return { session, prepared };
  };
  let { session, prepared } = await load(false);
  try {
    await prepared.verified;
  } catch (err) {
    warn((err as Error).message);
    await session.release();
    ({ session, prepared } = await load(true));
  }
  await prepared.commit().catch((err: Error) => warn(`Could not cache the prepared ${what} (${err.message}); it is prepared again at each start.`));
  return session;
}
