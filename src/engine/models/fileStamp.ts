/**
 * What the engine remembers about a file it has hashed: its sha256 and the size, mtime and inode it had then. A file
 * whose stat still matches has not been rewritten since (a rewrite, even to the same size, changes mtime or inode),
 * so a start need not hash it again. Used for the pinned model files (models.ts) and the prepared-model cache
 * (modelCache.ts).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { threadId } from 'worker_threads';

export interface FileStamp {
  sha256: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export function stampOf(stat: fs.Stats, sha256: string): FileStamp {
  return { sha256, size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
}

/** True when the file is as it was when stamped. */
export function unchangedSince(stat: fs.Stats, stamp: FileStamp): boolean {
  return stat.size === stamp.size && stat.mtimeMs === stamp.mtimeMs && stat.ino === stamp.ino;
}

/** Streams the file through sha256. */
export function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  return new Promise((resolve, reject) => {
    fs.createReadStream(file, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/**
 * Writes to a temporary name beside `file` and renames: a reader sees the whole file or the previous one.
 * Synchronous, so that a read-modify-write around it is not interleaved with another in this process.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tmpName(file);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * A temporary name beside `file` that no other writer in this machine uses: the process and the thread (the engine
 * loads Whisper on a worker thread while the main thread loads the VAD, and both write the stamps file).
 */
export function tmpName(file: string): string {
  return `${file}.${process.pid}.${threadId}.tmp`;
}

/** Files this process trusted by their stamp without hashing them, to hash again in the background (reverifyTrusted). */
const trusted = new Map<string, { sha256: string; what: string; onDamaged?: () => void }>();

/**
 * Remembers that `file` was trusted by its stamp alone. `what` names it in a message; `onDamaged` runs if a later
 * hash differs (a cache entry removes itself).
 */
export function trustedByStamp(file: string, sha256: string, what: string, onDamaged?: () => void): void {
  trusted.set(file, { sha256, what, onDamaged });
}

/**
 * Hashes every file trusted by its stamp since the last call, one at a time, and gives a sentence for each that
 * is not what it was (damaged in place with its mtime restored, or unreadable). A file that passes is not hashed
 * again by this process.
 */
export async function reverifyTrusted(): Promise<string[]> {
  const problems: string[] = [];
  for (const [file, t] of [...trusted]) {
    trusted.delete(file);
    let digest: string;
    try {
      digest = await sha256File(file);
    } catch (err) {
      problems.push(`The ${t.what} ${file} can no longer be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
      t.onDamaged?.();
      continue;
    }
    if (digest !== t.sha256) {
      problems.push(
        `The ${t.what} ${file} changed on disk after it was verified (sha256 ${digest.slice(0, 12)}…, expected ${t.sha256.slice(0, 12)}…).`,
      );
      t.onDamaged?.();
    }
  }
  return problems;
}

/** Deepest folder chain ensureDir creates. */
const MAX_DIR_DEPTH = 64;

/**
 * `fs.mkdirSync(dir, { recursive: true })` without its endless loop where a parent cannot hold folders (Node's
 * recursive mkdir spins at 100% CPU under /proc): creates each missing folder from the top, and throws the first
 * error that is not "already exists".
 */
export function ensureDir(dir: string): void {
  const missing: string[] = [];
  let d = path.resolve(dir);
  for (let depth = 0; depth < MAX_DIR_DEPTH; depth++) {
    const stat = fs.statSync(d, { throwIfNoEntry: false });
    if (stat) {
      if (!stat.isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${d} is not a folder`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing.reverse()) {
    try {
      fs.mkdirSync(m);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
