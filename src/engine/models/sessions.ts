import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import { EngineErrorCode, EngineLevers } from '../../protocol';
import { DEFAULT_LEVERS } from '../../settings';
import { EngineError } from '../errors';
import { ModelEditor, PreparedModel } from './preparedCache';

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
 * off while its hash is checked, and a damaged one (or one onnxruntime cannot read) is dropped and prepared again; a
 * fresh edit is optimized and saved to the cache. `what` names the model in errors; failing to write the cache only
 * warns. Gives the session and the model it was loaded from (a cache entry's path, or the edited bytes).
 */
export async function loadEdited(
  editor: ModelEditor,
  file: string,
  edit: string,
  apply: (bytes: Uint8Array) => Uint8Array,
  options: ort.InferenceSession.SessionOptions,
  what: string,
  warn: (message: string) => void,
): Promise<{ session: ort.InferenceSession; model: string | Uint8Array }> {
  // What shapes the optimized graph (threads, spinning and the arena do not).
  const variant = JSON.stringify({ ort: ort.env.versions.common, level: options.graphOptimizationLevel });
  const load = async (rebuild: boolean): Promise<{ session: ort.InferenceSession; prepared: PreparedModel }> => {
    let prepared;
    try {
      prepared = await editor(file, edit, variant, apply, rebuild);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw new EngineError(EngineErrorCode.ModelLoadFailed, `Could not prepare the ${what} from ${file}: ${(err as Error).message}`);
    }
    if (prepared.cacheProblem)
      warn(`The model cache cannot be used: ${prepared.cacheProblem}. Models are prepared in memory at each start (slower starts).`);
    const opts: ort.InferenceSession.SessionOptions = prepared.cached
      ? { ...options, graphOptimizationLevel: 'disabled' }
      : prepared.saveTo
        ? { ...options, optimizedModelFilePath: prepared.saveTo }
        : options;
    if (!prepared.cached && prepared.saveTo) {
      try {
        return { session: await loadSession(prepared.model, opts), prepared };
      } catch (err) {
        // onnxruntime could not save the optimized model (a full disk, a folder gone read-only): run from memory.
        await fs.promises.rm(prepared.saveTo, { force: true }).catch(() => undefined);
        const session = await loadSession(prepared.model, options);
        warn(
          `Could not write the prepared ${what} to the model cache (${(err as Error).message}); it is prepared in memory at each start (slower starts).`,
        );
        return { session, prepared: { ...prepared, saveTo: undefined, commit: async () => undefined } };
      }
    }
    if (!prepared.cached) return { session: await loadSession(prepared.model, opts), prepared };
    // A cache entry loads while its hash is checked. A damaged one, or one onnxruntime cannot read, is prepared again
    // from the pinned file.
    const [loaded, checked] = await Promise.allSettled([loadSession(prepared.model, opts), prepared.verified]);
    if (loaded.status === 'fulfilled' && checked.status === 'fulfilled') return { session: loaded.value, prepared };
    if (loaded.status === 'fulfilled') await loaded.value.release();
    if (checked.status === 'rejected') warn((checked.reason as Error).message);
    else
      warn(
        `The cached ${what} could not be loaded (${((loaded as PromiseRejectedResult).reason as Error).message}); it is prepared again.`,
      );
    return load(true);
  };
  let { session, prepared } = await load(false);
  try {
    await prepared.commit();
  } catch (err) {
    warn(`Could not cache the prepared ${what} (${(err as Error).message}); it is prepared again at each start.`);
    return { session, model: prepared.model };
  }
  if (prepared.saveTo) {
    // A fresh edit ran from bytes in memory: the entry just written maps its large weights instead (modelCache.ts).
    const fresh = session;
    ({ session, prepared } = await load(false));
    await fresh.release();
  }
  return { session, model: prepared.model };
}
