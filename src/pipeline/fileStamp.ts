/**
 * What the engine remembers about a file it has hashed: its sha256 and the size, mtime and inode it had then. A file
 * whose stat still matches has not been rewritten since (a rewrite, even to the same size, changes mtime or inode),
 * so a start need not hash it again. Used for the pinned model files (models.ts) and the prepared-model cache
 * (modelCache.ts).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';

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
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
