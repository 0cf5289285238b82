/**
 * The decoder's token embeddings read from the pinned decoder file, a row per token (decoderGraph.ts `tokenRows`):
 * d_model bytes from the OS page cache for each prompt token and each decoded one, instead of the 51865-row table in
 * memory (tiny: 20 MB; mapped, it came into memory in 64 KB pieces, 10 MB after a minute of dictation).
 */
import * as fs from 'fs';
import { TokenTable } from '../models/decoderGraph';

export class TokenRows {
  private constructor(
    private readonly fd: number,
    private readonly table: TokenTable,
    private readonly file: string,
  ) {}

  static open(file: string, table: TokenTable): TokenRows {
    const fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    if (table.offset + table.rows * table.cols > size) {
      fs.closeSync(fd);
      throw new Error(`${file} is ${size} bytes, too short for its token table (${table.rows} x ${table.cols} from ${table.offset})`);
    }
    return new TokenRows(fd, table, file);
  }

  /** Bytes per row (d_model). */
  get cols(): number {
    return this.table.cols;
  }

  /** Writes the row of token `id` into `into` at row `at`. */
  read(id: number, into: Uint8Array, at = 0): void {
    const { offset, rows, cols } = this.table;
    if (!(Number.isInteger(id) && id >= 0 && id < rows)) throw new RangeError(`token ${id} is outside the table (${rows} rows)`);
    const n = fs.readSync(this.fd, into, at * cols, cols, offset + id * cols);
    if (n !== cols) throw new Error(`${this.file}: read ${n} of ${cols} bytes of token ${id}`);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
