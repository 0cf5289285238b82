/**
 * The vocabulary prompt: terms the client wants spelled as given ("userName", "kubectl"), written as Whisper's
 * <|startofprev|> text, so the decoder continues from a context where they were already written.
 */

/** What the prompt needs of the tokenizer. */
export interface TextEncoder {
  encode(text: string): number[];
}

/**
 * Whisper's limit for the <|startofprev|> text is 223 tokens (half its 448 positions, less the marker). Continuity
 * keeps its MAX_PREVIOUS_TOKENS (64) after the vocabulary; the vocabulary gets the rest.
 */
export const MAX_PROMPT_TOKENS = 223;
export const MAX_VOCABULARY_TOKENS = 159;

/**
 * The tokens of " term1, term2, term3.": the terms in the order given (the client ranks them), each whole or not at
 * all, cut where the next would pass `budget` tokens. Blank and repeated terms are left out. The full stop ends the
 * list as a sentence: after an open list Whisper went on writing one (terms run together, comma after comma, loops).
 */
export function vocabularyPrompt(terms: readonly string[], tokenizer: TextEncoder, budget = MAX_VOCABULARY_TOKENS): number[] {
  const out: number[] = [];
  const seen = new Set<string>();
  const comma = tokenizer.encode(',');
  const stop = tokenizer.encode('.');
  for (const raw of terms) {
    const term = raw.replace(/\s+/g, ' ').trim();
    if (!term || seen.has(term)) continue;
    seen.add(term);
    // Written after a space, as every word but the first of a sentence is: the pieces Whisper itself would write.
    const tokens = [...(out.length > 0 ? comma : []), ...tokenizer.encode(` ${term}`)];
    if (out.length + tokens.length + stop.length > budget) break;
    out.push(...tokens);
  }
  return out.length > 0 ? [...out, ...stop] : out;
}

/** The terms of a prompt's text (" term1, term2, term3." decoded): vocabularyPrompt's format read back. */
export function promptTerms(text: string): string[] {
  return text
    .trim()
    .replace(/\.$/, '')
    .split(', ')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** What the vocabulary gate needs of the tokenizer. */
export interface TextPieces {
  /** Text of one token with its leading space kept; undefined for a special or timestamp token. */
  pieceText(id: number): string | undefined;
  decode(ids: ArrayLike<number>): string;
}

/** Share of a changed span's letters (of the shorter side) the prompted side may change ("ring buffer right" -> "ringBuffer write"). */
export const GATE_MAX_LETTER_CHANGE = 0.5;

interface Word {
  /** Index of its first token in the decoded tokens. */
  at: number;
  tokens: number[];
  /** Its letters and digits, lower case: what two decodes are compared by. */
  key: string;
  text: string;
}

/**
 * The vocabulary gate: a prompt makes Whisper spell its terms, and also copy the prompt's style into plain speech
 * (camelCase words run together, "10m", lists, loops). So every transcription with a prompt is decoded without it
 * too, and the text without the prompt is the answer, except where the prompted text differs from it by a
 * vocabulary term: the two are aligned word by word (case and punctuation aside), and a changed span is taken from
 * the prompted decode only when that side holds a term as spelled and both sides say nearly the same letters
 * ("call ring buffer write" -> "call ringBuffer write"; not "pass the encoder window" -> "past encoderWindow, past
 * encoderWindow"). Words are never added or dropped by the prompt. Returns the tokens without the prompt (its
 * timestamps and special tokens in place) with the accepted spans' text tokens swapped in.
 */
export function gateVocabulary(
  without: readonly number[],
  prompted: readonly number[],
  terms: readonly string[],
  pieces: TextPieces,
): number[] {
  const w = wordsOf(without, pieces);
  const p = wordsOf(prompted, pieces);
  const n = w.length;
  const m = p.length;
  // Longest common subsequence of the word keys, from the ends.
  const lcs = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = w[i].key === p[j].key ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  /** Prompted words that replace the words without the prompt starting at the key's index (a span's first word). */
  const swaps = new Map<number, { words: Word[]; until: number }>();
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && w[i].key === p[j].key) {
      i++;
      j++;
      continue;
    }
    const [i0, j0] = [i, j];
    while ((i < n || j < m) && !(i < n && j < m && w[i].key === p[j].key)) {
      if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) j++;
      else i++;
    }
    const ws = w.slice(i0, i);
    const ps = p.slice(j0, j);
    if (ws.length > 0 && ps.length > 0 && holdsTerm(ps.map((x) => x.text).join(''), terms) && close(ws, ps)) {
      swaps.set(i0, { words: ps, until: i });
    }
  }
  if (swaps.size === 0) return [...without];
  const out: number[] = [];
  const wordAt = new Map(w.map((x, k) => [x.at, k]));
  for (let t = 0; t < without.length;) {
    const k = wordAt.get(t);
    const swap = k === undefined ? undefined : swaps.get(k);
    if (swap) {
      for (const x of swap.words) out.push(...x.tokens);
      // The replaced words' timestamps stay where they were (after the swapped-in text).
      const end = swap.until < n ? w[swap.until].at : without.length;
      for (; t < end; t++) if (pieces.pieceText(without[t]) === undefined) out.push(without[t]);
      continue;
    }
    out.push(without[t++]);
  }
  return out;
}

/**
 * True when some words in a row of the decoded text have nearly a term's letters (as gateVocabulary's changed spans
 * must): only then can the prompted decode change anything the gate keeps, so only then is it run.
 */
export function mayHoldTerm(tokens: readonly number[], terms: readonly string[], pieces: TextPieces): boolean {
  const keys = wordsOf(tokens, pieces)
    .map((w) => w.key)
    .filter((k) => k.length > 0);
  for (const term of terms) {
    const t = term.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
    if (!t) continue;
    for (let i = 0; i < keys.length; i++) {
      let x = '';
      for (let j = i; j < keys.length && x.length < 2 * t.length; j++) {
        x += keys[j];
        if (closeLetters(x, t)) return true;
      }
    }
  }
  return false;
}

/** The text tokens grouped into words: a word starts at a token with a leading space, or after a special token. */
function wordsOf(tokens: readonly number[], pieces: TextPieces): Word[] {
  const words: Word[] = [];
  let current: Word | undefined;
  for (const [at, id] of tokens.entries()) {
    const piece = pieces.pieceText(id);
    if (piece === undefined) {
      current = undefined;
      continue;
    }
    if (!current || piece.startsWith(' ')) {
      current = { at, tokens: [], key: '', text: '' };
      words.push(current);
    }
    current.tokens.push(id);
  }
  for (const x of words) {
    x.text = ` ${pieces.decode(x.tokens)}`;
    x.key = x.text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  }
  return words;
}

/** True when the text holds one of the terms as spelled, as words of their own. */
function holdsTerm(text: string, terms: readonly string[]): boolean {
  const wordChar = /[\p{L}\p{N}_]/u;
  for (const term of terms) {
    for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + 1)) {
      const before = text[at - 1];
      const after = text[at + term.length];
      if ((before === undefined || !wordChar.test(before)) && (after === undefined || !wordChar.test(after))) return true;
    }
  }
  return false;
}

/** True when the letters of two runs of words are close (closeLetters). */
function close(a: readonly Word[], b: readonly Word[]): boolean {
  return closeLetters(a.map((w) => w.key).join(''), b.map((w) => w.key).join(''));
}

/** Edit distance between two strings, in characters (insertions, deletions, substitutions). */
export function letterDistance(x: string, y: string): number {
  let prev = Array.from({ length: y.length + 1 }, (_, k) => k);
  for (let r = 1; r <= x.length; r++) {
    const cur = [r];
    for (let c = 1; c <= y.length; c++) cur[c] = Math.min(prev[c] + 1, cur[c - 1] + 1, prev[c - 1] + (x[r - 1] === y[c - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}

/**
 * True when two strings of letters differ by at most GATE_MAX_LETTER_CHANGE of the shorter one's length (edit
 * distance): a loop or an added phrase makes one side much longer.
 */
function closeLetters(x: string, y: string): boolean {
  return letterDistance(x, y) <= Math.max(1, Math.round(GATE_MAX_LETTER_CHANGE * Math.min(x.length, y.length)));
}
