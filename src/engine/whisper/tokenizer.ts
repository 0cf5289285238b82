import * as fs from 'fs';
import * as path from 'path';

/** GPT-2 byte-level BPE: the printable stand-in character for each byte. */
function bytesToUnicode(): Map<string, number> {
  const bs: number[] = [];
  for (let b = '!'.charCodeAt(0); b <= '~'.charCodeAt(0); b++) bs.push(b);
  for (let b = '¡'.charCodeAt(0); b <= '¬'.charCodeAt(0); b++) bs.push(b);
  for (let b = '®'.charCodeAt(0); b <= 'ÿ'.charCodeAt(0); b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const map = new Map<string, number>();
  bs.forEach((b, i) => map.set(String.fromCharCode(cs[i]), b));
  return map;
}

export interface SpecialTokens {
  endOfText: number;
  startOfTranscript: number;
  transcribe: number;
  translate: number;
  noTimestamps: number;
  noSpeech: number;
  /** <|startofprev|>: what follows it, up to <|startoftranscript|>, is earlier text the decoder continues from. */
  startOfPrev: number;
  /** First timestamp token (<|0.00|>); everything from here up is a timestamp. */
  timestampBegin: number;
}

/** GPT-2's pre-tokenizer: BPE merges never cross these pieces (a word with its leading space, digits, punctuation). */
const PRE_TOKEN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Decodes Whisper token ids to text, and encodes text (byte-level BPE); knows the special and language tokens. */
export class WhisperTokenizer {
  readonly special: SpecialTokens;
  /** Language code ('en') to its token id. */
  readonly languages = new Map<string, number>();
  private readonly pieces: string[] = [];
  private readonly byteOf = bytesToUnicode();
  private readonly ids = new Map<string, number>();
  private charOf?: string[];
  /** Merge ("Ġ t") to its rank, read on the first encode: decoding never needs it. */
  private ranks?: Map<string, number>;

  constructor(
    vocab: Record<string, number>,
    addedTokens: Record<string, number>,
    /** merges.txt's lines, or how to read them; without it `encode` throws. */
    private readonly merges?: () => string,
  ) {
    for (const [piece, id] of Object.entries(vocab)) {
      this.pieces[id] = piece;
      this.ids.set(piece, id);
    }
    const named = new Map<string, number>();
    for (const [piece, id] of Object.entries(addedTokens)) {
      this.pieces[id] = piece;
      named.set(piece, id);
      const lang = /^<\|([a-z]{2,3}|haw|yue)\|>$/.exec(piece);
      if (lang && id > 50258 && id < 50359) this.languages.set(lang[1], id);
    }
    const need = (name: string): number => {
      const id = named.get(name) ?? vocab[name];
      if (id === undefined) throw new Error(`tokenizer lacks ${name}`);
      return id;
    };
    this.special = {
      endOfText: need('<|endoftext|>'),
      startOfTranscript: need('<|startoftranscript|>'),
      transcribe: need('<|transcribe|>'),
      translate: need('<|translate|>'),
      noTimestamps: need('<|notimestamps|>'),
      noSpeech: named.get('<|nospeech|>') ?? need('<|nocaptions|>'),
      startOfPrev: need('<|startofprev|>'),
      // Timestamp tokens are not listed in the tokenizer files: they follow <|notimestamps|>.
      timestampBegin: need('<|notimestamps|>') + 1,
    };
  }

  static fromDir(dir: string): WhisperTokenizer {
    const vocab = JSON.parse(fs.readFileSync(path.join(dir, 'vocab.json'), 'utf8')) as Record<string, number>;
    const added = JSON.parse(fs.readFileSync(path.join(dir, 'added_tokens.json'), 'utf8')) as Record<string, number>;
    return new WhisperTokenizer(vocab, added, () => fs.readFileSync(path.join(dir, 'merges.txt'), 'utf8'));
  }

  /** Token ids of plain text (no special tokens), as Whisper's own tokenizer writes it: byte-level BPE. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const m of text.matchAll(PRE_TOKEN)) for (const piece of this.bpe(this.byteChars(m[0]))) out.push(this.ids.get(piece)!);
    return out;
  }

  /** The printable stand-ins of the text's UTF-8 bytes, one a character. */
  private byteChars(text: string): string[] {
    if (!this.charOf) {
      this.charOf = [];
      for (const [ch, b] of this.byteOf) this.charOf[b] = ch;
    }
    return [...Buffer.from(text, 'utf8')].map((b) => this.charOf![b]);
  }

  /** Merges the lowest-ranked adjacent pair until none is in the merge list. */
  private bpe(parts: string[]): string[] {
    const ranks = this.mergeRanks();
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = ranks.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) return parts;
      const [a, b] = [parts[best], parts[best + 1]];
      const next: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (i + 1 < parts.length && parts[i] === a && parts[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(parts[i]);
      }
      parts = next;
    }
  }

  private mergeRanks(): Map<string, number> {
    if (this.ranks) return this.ranks;
    if (!this.merges) throw new Error('this tokenizer was built without merges.txt: it cannot encode');
    const ranks = new Map<string, number>();
    let rank = 0;
    for (const line of this.merges().split('\n')) {
      if (line === '' || line.startsWith('#version')) continue;
      ranks.set(line, rank++);
    }
    return (this.ranks = ranks);
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  isSpecial(id: number): boolean {
    return id >= this.special.endOfText;
  }

  /** Text of the ids, special tokens left out, surrounding white space trimmed. */
  decode(ids: ArrayLike<number>): string {
    const bytes: number[] = [];
    for (let i = 0; i < ids.length; i++) this.appendBytes(ids[i], bytes);
    return Buffer.from(bytes).toString('utf8').trim();
  }

  /** Text of one token with its leading space kept (" login"); undefined for a special token. */
  pieceText(id: number): string | undefined {
    const bytes: number[] = [];
    return this.appendBytes(id, bytes) ? Buffer.from(bytes).toString('utf8') : undefined;
  }

  /** Appends the UTF-8 bytes of a text token; false (nothing appended) for a special or unknown one. */
  private appendBytes(id: number, bytes: number[]): boolean {
    if (this.isSpecial(id)) return false;
    const piece = this.pieces[id];
    if (piece === undefined) return false;
    for (const ch of piece) {
      const b = this.byteOf.get(ch);
      if (b !== undefined) bytes.push(b);
    }
    return true;
  }

  languageCode(id: number): string | undefined {
    for (const [code, tid] of this.languages) if (tid === id) return code;
    return undefined;
  }
}
