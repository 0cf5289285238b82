/**
 * Prepared models kept on disk: the graph edits of the pinned files (whisper/encoderGraph.ts, decoderGraph.ts) as
 * onnxruntime saved them after its own graph optimizations. A cold start loads that file with optimizations off
 * instead of decoding, editing and encoding ~60 MB of protobuf and optimizing ~2000 decoder nodes again (tiny:
 * ~650 ms -> ~350 ms of load here, measured by bench "cold start").
 *
 * An entry is named after the source file's pinned sha256, the edit, and a key of what shaped the optimized graph
 * (onnxruntime version, CPU model, session options): onnxruntime's 'all' level may use CPU-specific layouts. Each
 * entry has a sidecar with its sha256 and the size, mtime and inode it was written with: an entry that is not as it
 * was written is hashed while the session loads, and if the hash differs it is removed and the model prepared again,
 * never run. A cache that cannot be written costs time only (a warning is logged).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FileStamp, sha256File, stampOf, unchangedSince, writeFileAtomic } from './fileStamp';

/** Bump when an edit's output changes, so that older entries are not used. */
export const EDIT_VERSION = 2;

/** `VOICEFLOW_CACHE_DIR`, else `$XDG_CACHE_HOME/voiceflow`, else `~/.cache/voiceflow`. */
export function defaultCacheDir(): string {
  if (process.env.VOICEFLOW_CACHE_DIR) return process.env.VOICEFLOW_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'voiceflow');
}

/** A model for onnxruntime: a cache entry's path, or freshly edited bytes that onnxruntime should save to `saveTo`. */
export interface PreparedModel {
  model: string | Uint8Array;
  /** True for a cache entry: already optimized, load it with graph optimizations off. */
  cached: boolean;
  /** Resolves once a cache entry's sha256 matched (at once for a fresh edit); rejects for a damaged entry. */
  verified: Promise<void>;
  /** For a fresh edit with a cache: where onnxruntime should write its optimized model (then `commit`). */
  saveTo?: string;
  /** Moves what onnxruntime wrote to `saveTo` into the cache, with its sidecar hash. */
  commit(): Promise<void>;
}

/**
 * Gives a verified model file prepared by an edit: `edit` names the edit and its options, `variant` what else
 * shapes the optimized graph. `rebuild` skips the cache.
 */
export type ModelEditor = (
  file: string, edit: string, variant: string, apply: (bytes: Uint8Array) => Uint8Array, rebuild?: boolean,
) => Promise<PreparedModel>;

export interface PrepareRequest {
  /** The source model file, pinned to `sourceSha256`; `sourceVerified` settles once the caller has checked it. */
  source: string;
  sourceSha256: string;
  sourceVerified: Promise<void>;
  edit: string;
  variant: string;
  apply: (bytes: Uint8Array) => Uint8Array;
  /** Where entries live; undefined: no cache (edit in memory). */
  cacheDir?: string;
  /** Ignore an existing entry and write a new one. */
  rebuild?: boolean;
}

export function cacheEntryPath(cacheDir: string, sourceSha256: string, edit: string, variant: string): string {
  const key = createHash('sha256').update(`${EDIT_VERSION}\n${variant}\n${os.cpus()[0]?.model ?? ''}`).digest('hex').slice(0, 12);
  return path.join(cacheDir, 'models', `${sourceSha256.slice(0, 24)}-${edit}-${key}.onnx`);
}

export async function prepareModel(req: PrepareRequest): Promise<PreparedModel> {
  const entry = req.cacheDir ? cacheEntryPath(req.cacheDir, req.sourceSha256, req.edit, req.variant) : undefined;
  if (entry && !req.rebuild) {
    const sidecar = readSidecar(entry);
    const stat = sidecar && fs.statSync(entry, { throwIfNoEntry: false });
    if (sidecar && stat) {
      const verified = unchangedSince(stat, sidecar) ? Promise.resolve() : sha256File(entry).then((digest) => {
        if (digest === sidecar.sha256) return;
        removeEntry(entry);
        throw new Error(`the cached model ${entry} was damaged (sha256 ${digest.slice(0, 12)}…); it has been removed`);
      });
      verified.catch(() => undefined);
      return { model: entry, cached: true, verified, commit: async () => undefined };
    }
  }
  // Nothing is edited, let alone cached, from a file that is not the pinned one.
  const [source] = await Promise.all([fs.promises.readFile(req.source), req.sourceVerified]);
  const bytes = req.apply(source);
  if (!entry) return { model: bytes, cached: false, verified: Promise.resolve(), commit: async () => undefined };
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  const saveTo = `${entry}.${process.pid}.tmp`;
  return {
    model: bytes,
    cached: false,
    verified: Promise.resolve(),
    saveTo,
    // Renamed into place, then the sidecar: a reader sees a whole entry or none.
    commit: async () => {
      try {
        const sha256 = await sha256File(saveTo);
        await fs.promises.rename(saveTo, entry);
        writeFileAtomic(`${entry}.json`, JSON.stringify(stampOf(await fs.promises.stat(entry), sha256)));
      } finally {
        await fs.promises.rm(saveTo, { force: true });
      }
    },
  };
}

function readSidecar(entry: string): FileStamp | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(`${entry}.json`, 'utf8')) as FileStamp;
    return typeof s.sha256 === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

function removeEntry(entry: string): void {
  fs.rmSync(entry, { force: true });
  fs.rmSync(`${entry}.json`, { force: true });
}
