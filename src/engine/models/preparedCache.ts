/**
 * Prepared models kept on disk: the graph edits of the pinned files (whisper/encoderGraph.ts, decoderGraph.ts) as
 * onnxruntime saved them after its own graph optimizations. A cold start loads that file with optimizations off
 * instead of decoding, editing and encoding ~60 MB of protobuf and optimizing ~2000 decoder nodes again (about half
 * the load time: docs/decisions.md).
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
import { onnx } from 'onnx-proto';
import { ensureDir, FileStamp, sha256File, stampOf, tmpName, trustedByStamp, unchangedSince, writeFileAtomic } from './fileStamp';

/** Bump when an edit's output changes, so that older entries are not used. (3: initializers in a data file.) */
export const EDIT_VERSION = 3;

/**
 * Initializers of at least this many bytes go to the entry's data file, each at a multiple of this alignment:
 * onnxruntime maps such external data instead of copying it, so a weight it only reads in part stays on disk, and
 * weights it pre-packs are unmapped once packed (tiny: 2.8 MB less for the encoder, 0.7 MB for the decoder). The
 * decoder's 20 MB token-embedding table took 19.5 MB less this way, but a page came in for each new token, 64 KB at
 * a time (10 MB after a minute of dictation): it is now read by row instead (whisper/tokenRows.ts).
 */
const EXTERNAL_MIN_BYTES = 64 * 1024;
const EXTERNAL_ALIGN = 64 * 1024;

/** The sidecar of an entry: the model file's stamp, and its data file's when it has one. */
interface EntryStamp extends FileStamp {
  data?: FileStamp;
}

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
  /** Why the cache could not be used (the model was prepared in memory), for one warning. */
  cacheProblem?: string;
}

/**
 * Gives a verified model file prepared by an edit: `edit` names the edit and its options, `variant` what else
 * shapes the optimized graph. `rebuild` skips the cache.
 */
export type ModelEditor = (
  file: string,
  edit: string,
  variant: string,
  apply: (bytes: Uint8Array) => Uint8Array,
  rebuild?: boolean,
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
  /** Large initializers in a data file onnxruntime maps (default true); false keeps them in the model (own entry). */
  mappedWeights?: boolean;
}

export function cacheEntryPath(cacheDir: string, sourceSha256: string, edit: string, variant: string): string {
  const key = createHash('sha256')
    .update(`${EDIT_VERSION}\n${variant}\n${os.cpus()[0]?.model ?? ''}`)
    .digest('hex')
    .slice(0, 12);
  return path.join(cacheDir, 'models', `${sourceSha256.slice(0, 24)}-${edit}-${key}.onnx`);
}

export async function prepareModel(req: PrepareRequest): Promise<PreparedModel> {
  const mapped = req.mappedWeights ?? true;
  const entry = req.cacheDir
    ? cacheEntryPath(req.cacheDir, req.sourceSha256, mapped ? req.edit : `${req.edit}-inline`, req.variant)
    : undefined;
  if (entry && !req.rebuild) {
    const sidecar = readSidecar(entry);
    const files: { file: string; stamp: FileStamp }[] = sidecar ? [{ file: entry, stamp: sidecar }] : [];
    if (sidecar?.data) files.push({ file: dataFileOf(entry), stamp: sidecar.data });
    const stats = files.map((f) => fs.statSync(f.file, { throwIfNoEntry: false }));
    if (sidecar && stats.every(Boolean)) {
      const verified = Promise.all(
        files.map(async ({ file, stamp }, i) => {
          if (unchangedSince(stats[i]!, stamp)) {
            trustedByStamp(file, stamp.sha256, 'prepared model in the cache', () => removeEntry(entry));
            return;
          }
          const digest = await sha256File(file);
          if (digest === stamp.sha256) return;
          removeEntry(entry);
          throw new Error(`the cached model ${file} was damaged (sha256 ${digest.slice(0, 12)}…); it has been removed`);
        }),
      ).then(() => undefined);
      verified.catch(() => undefined);
      return { model: entry, cached: true, verified, commit: async () => undefined };
    }
  }
  // Nothing is edited, let alone cached, from a file that is not the pinned one.
  const [source] = await Promise.all([fs.promises.readFile(req.source), req.sourceVerified]);
  const bytes = req.apply(source);
  const inMemory: PreparedModel = { model: bytes, cached: false, verified: Promise.resolve(), commit: async () => undefined };
  if (!entry) return inMemory;
  const unwritable = cacheFolderProblem(path.dirname(entry));
  if (unwritable) return { ...inMemory, cacheProblem: unwritable };
  const saveTo = tmpName(entry);
  return {
    model: bytes,
    cached: false,
    verified: Promise.resolve(),
    saveTo,
    // Large initializers moved to a data file, both renamed into place, then the sidecar: a reader sees a whole
    // entry or none.
    commit: async () => {
      const dataTmp = tmpName(dataFileOf(entry));
      try {
        const split = mapped
          ? externalizeInitializers(await fs.promises.readFile(saveTo), dataTmp, path.basename(dataFileOf(entry)))
          : undefined;
        let data: FileStamp | undefined;
        if (split) {
          await fs.promises.writeFile(saveTo, split.model);
          await fs.promises.rename(dataTmp, dataFileOf(entry));
          data = stampOf(fs.statSync(dataFileOf(entry)), split.dataSha256);
        }
        const sha256 = await sha256File(saveTo);
        await fs.promises.rename(saveTo, entry);
        const stamp: EntryStamp = { ...stampOf(fs.statSync(entry), sha256), data };
        writeFileAtomic(`${entry}.json`, JSON.stringify(stamp));
      } finally {
        await fs.promises.rm(saveTo, { force: true });
        await fs.promises.rm(dataTmp, { force: true });
      }
    },
  };
}

/** The data file beside an entry; the entry names it by its base name (onnxruntime reads it from the entry's folder). */
export function dataFileOf(entry: string): string {
  return `${entry}.data`;
}

/**
 * Moves every initializer of at least EXTERNAL_MIN_BYTES (in subgraphs too) into `dataFile`, aligned to
 * EXTERNAL_ALIGN, and returns the model that refers to it as `dataName` with the data file's sha256; undefined when
 * no initializer is that large (no data file is written).
 */
export function externalizeInitializers(
  bytes: Uint8Array,
  dataFile: string,
  dataName: string,
): { model: Uint8Array; dataSha256: string } | undefined {
  const model = onnx.ModelProto.decode(bytes);
  const large: onnx.ITensorProto[] = [];
  const visit = (g: onnx.IGraphProto | null | undefined) => {
    if (!g) return;
    for (const t of g.initializer ?? []) if (t.rawData && t.rawData.length >= EXTERNAL_MIN_BYTES) large.push(t);
    for (const n of g.node ?? []) for (const a of n.attribute ?? []) [a.g, ...(a.graphs ?? [])].forEach(visit);
  };
  visit(model.graph);
  if (large.length === 0) return undefined;
  const hash = createHash('sha256');
  const fd = fs.openSync(dataFile, 'w');
  try {
    let offset = 0;
    const write = (chunk: Uint8Array) => {
      fs.writeSync(fd, chunk);
      hash.update(chunk);
      offset += chunk.length;
    };
    for (const t of large) {
      const pad = (EXTERNAL_ALIGN - (offset % EXTERNAL_ALIGN)) % EXTERNAL_ALIGN;
      if (pad) write(new Uint8Array(pad));
      const at = offset;
      write(t.rawData!);
      t.externalData = [
        { key: 'location', value: dataName },
        { key: 'offset', value: String(at) },
        { key: 'length', value: String(t.rawData!.length) },
      ];
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      t.rawData = null;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { model: onnx.ModelProto.encode(model).finish(), dataSha256: hash.digest('hex') };
}

/**
 * Why `dir` cannot hold cache entries (not creatable, not a folder, not writable, a pseudo-filesystem), or undefined
 * when a probe file could be written and removed there. Checked before onnxruntime is asked to save into it: a cache
 * that cannot be written costs only time.
 */
export function cacheFolderProblem(dir: string): string | undefined {
  const resolved = path.resolve(dir);
  if (/^\/(proc|sys|dev)(\/|$)/.test(resolved)) return `${shortPath(resolved)} is on a system pseudo-filesystem`;
  const probe = tmpName(path.join(resolved, '.probe'));
  try {
    ensureDir(resolved);
    fs.writeFileSync(probe, 'x');
    return undefined;
  } catch (err) {
    return `${shortPath(resolved)} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  } finally {
    try {
      fs.rmSync(probe, { force: true });
    } catch {
      /* nothing was written */
    }
  }
}

/** A path for a message: long ones keep their start and end. */
function shortPath(p: string): string {
  return p.length <= 120 ? p : `${p.slice(0, 60)}…${p.slice(-50)}`;
}

function readSidecar(entry: string): EntryStamp | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(`${entry}.json`, 'utf8')) as EntryStamp;
    return typeof s.sha256 === 'string' && (s.data === undefined || typeof s.data.sha256 === 'string') ? s : undefined;
  } catch {
    return undefined;
  }
}

function removeEntry(entry: string): void {
  fs.rmSync(entry, { force: true });
  fs.rmSync(dataFileOf(entry), { force: true });
  fs.rmSync(`${entry}.json`, { force: true });
}
