/**
 * The spoken grammar for programmers: one utterance's final text, as Whisper wrote it (its capitals, its punctuation),
 * in; what to do with it out: text to insert (with how it attaches to its neighbours) or a command. Pure: no editor,
 * no engine; the extension and the CLI both use it.
 *
 * Whisper punctuates on its own, so a spoken punctuation word would come out twice ("Hello, comma, world."). The rule:
 * spoken words win. Whisper's own sentence punctuation (. , ; : ! ?) right next to a spoken symbol is dropped, and so
 * is its sentence-final mark when anything was spoken in the utterance (the speaker is punctuating; "hello comma world"
 * gives "Hello, world"). An utterance with nothing spoken keeps Whisper's text exactly as it was.
 */
import {
  COMMANDS,
  FORMATTERS,
  FormatterName,
  Glue,
  LITERAL,
  PUNCTUATION,
  SYMBOL_PREFIX,
  SYMBOLS,
  SymbolEntry,
  VoiceCommand,
} from './tables';

export type GrammarResult =
  /**
   * `glueLeft`: no space before the text; `glueRight`: none before the next utterance; `autoPunctuated`: it ends with
   * Whisper's own punctuation, which a punctuation word said next, alone, replaces ("Hello." then "Comma." is "Hello,").
   */
  | { kind: 'insert'; text: string; glueLeft: boolean; glueRight: boolean; autoPunctuated: boolean }
  | { kind: 'command'; command: VoiceCommand };

interface Token {
  text: string;
  lower: string;
  word: boolean;
  /** White space before it in Whisper's text. */
  spaceBefore: boolean;
}

/** A run of output: Whisper's own text (kept with its own spacing) or something the grammar made. */
interface Piece {
  text: string;
  grammar: boolean;
  spaceBefore: boolean;
  glueLeft: boolean;
  glueRight: boolean;
}

/** Whisper's own punctuation that a spoken symbol next to it replaces. */
const WHISPER_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', '…']);
/** After these punctuation words (not the symbols "dot", "bang"), the next word starts a sentence. */
const SENTENCE_ENDS = new Set(['.', '?', '!', '\n\n']);

const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*|\S/gu;
const WORD_START = /^[\p{L}\p{N}]/u;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let end = 0;
  for (const m of text.matchAll(TOKEN)) {
    tokens.push({ text: m[0], lower: m[0].toLowerCase(), word: WORD_START.test(m[0]), spaceBefore: m.index > end });
    end = m.index + m[0].length;
  }
  return tokens;
}

type Phrase = { words: string[] };
const phrase = (spelling: string): Phrase => ({ words: spelling.split(' ') });

const SYMBOL_PHRASES = (entries: readonly SymbolEntry[]) => entries.flatMap((entry) => entry.spoken.map((s) => ({ ...phrase(s), entry })));
const PUNCTUATION_PHRASES = SYMBOL_PHRASES(PUNCTUATION);
const SHORT_SYMBOL_PHRASES = SYMBOL_PHRASES(SYMBOLS);
/** "back slash": a symbol's name that ends in a punctuation word is that symbol in prose too, not "back/". */
const PROSE_SYMBOL_PHRASES = SHORT_SYMBOL_PHRASES.filter(
  (p) => p.words.length > 1 && PUNCTUATION.some((e) => e.spoken.includes(p.words.slice(1).join(' '))),
);
const FORMATTER_PHRASES = FORMATTERS.flatMap((f) => f.spoken.map((s) => ({ ...phrase(s), name: f.name })));
const FORMATTER_NAMES = new Set<string>(FORMATTERS.map((f) => f.name));
const COMMAND_BY_SPOKEN = new Map(COMMANDS.flatMap((c) => c.spoken.map((s) => [s, c.command] as const)));

/**
 * How many tokens from `i` spell `p`, or 0. Whisper's hyphenated spellings match too: "new-line", "Semi-colon".
 */
function matchAt(tokens: Token[], i: number, p: Phrase): number {
  let j = i;
  for (let w = 0; w < p.words.length; w++) {
    if (w > 0 && tokens[j]?.text === '-' && !tokens[j].spaceBefore && tokens[j + 1] && !tokens[j + 1].spaceBefore) j++;
    const t = tokens[j];
    if (!t || !t.word || t.lower !== p.words[w]) return 0;
    j++;
  }
  return j - i;
}

/** The longest phrase spelled at `i`. */
function longest<P extends Phrase>(tokens: Token[], i: number, phrases: readonly P[]): { phrase: P; length: number } | undefined {
  let best: { phrase: P; length: number } | undefined;
  for (const p of phrases) {
    const length = matchAt(tokens, i, p);
    if (length > 0 && (!best || length > best.length)) best = { phrase: p, length };
  }
  return best;
}

/** A spoken symbol at `i` (a short symbol word only where `symbols` allows it, or after "symbol"). */
function symbolAt(tokens: Token[], i: number, symbols: boolean): { entry: SymbolEntry; length: number } | undefined {
  if (tokens[i].lower === SYMBOL_PREFIX && tokens[i + 1]?.word) {
    const after = longest(tokens, i + 1, [...SHORT_SYMBOL_PHRASES, ...PUNCTUATION_PHRASES]);
    if (after) return { entry: after.phrase.entry, length: after.length + 1 };
  }
  const m = longest(
    tokens,
    i,
    symbols ? [...PUNCTUATION_PHRASES, ...SHORT_SYMBOL_PHRASES] : [...PUNCTUATION_PHRASES, ...PROSE_SYMBOL_PHRASES],
  );
  return m && { entry: m.phrase.entry, length: m.length };
}

/** A command said as the whole utterance, ignoring Whisper's capitals and punctuation ("Scratch that."). */
export function commandOf(text: string): VoiceCommand | undefined {
  const said = text
    .toLowerCase()
    .replace(/-/g, ' ')
    .replace(/[^\p{L}\p{N}\s]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  return COMMAND_BY_SPOKEN.get(said);
}

/** True when every word of the utterance names a symbol: then the short symbol words count ("Dot." gives "."). */
function onlySymbols(tokens: Token[]): boolean {
  let words = 0;
  for (let i = 0; i < tokens.length;) {
    if (!tokens[i].word) {
      i++;
      continue;
    }
    const m = symbolAt(tokens, i, true);
    if (!m) return false;
    words++;
    i += m.length;
  }
  return words > 0;
}

function symbolPiece(entry: SymbolEntry, inFormatter: boolean): Piece {
  // Inside a formatter an opener hugs the name before it: "camel get user open paren" gives "getUser(".
  const glue: Glue = inFormatter && entry.glue === 'right' ? 'both' : entry.glue;
  return {
    text: entry.symbol,
    grammar: true,
    spaceBefore: false,
    glueLeft: glue === 'left' || glue === 'both',
    glueRight: glue === 'right' || glue === 'both',
  };
}

const capitalize = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/** Words as the formatter writes them: "user name" -> userName, UserName, user_name... */
export function formatWords(name: FormatterName, words: readonly string[]): string {
  const lower = words.map((w) => w.toLowerCase());
  switch (name) {
    case 'camel':
      return lower.map((w, i) => (i === 0 ? w : capitalize(w))).join('');
    case 'pascal':
      return lower.map(capitalize).join('');
    case 'snake':
      return lower.join('_');
    case 'constant':
      return lower.map((w) => w.toUpperCase()).join('_');
    case 'kebab':
      return lower.join('-');
    case 'title':
      return lower.map(capitalize).join(' ');
    case 'smash':
      return lower.join('');
  }
}

/** Whisper sometimes joins what was said as words ("UserName"): split at its humps. Apostrophes go. */
function wordsOf(token: string): string[] {
  return token.replace(/['’]/g, '').split(/(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u);
}

/** The words after a formatter, to the end of the utterance; symbols split them into separately formatted names. */
function formatted(tokens: Token[], start: number, name: FormatterName): Piece[] {
  const pieces: Piece[] = [];
  let group: string[] = [];
  const flush = () => {
    if (group.length) pieces.push({ text: formatWords(name, group), grammar: true, spaceBefore: false, glueLeft: false, glueRight: false });
    group = [];
  };
  for (let i = start; i < tokens.length;) {
    if (!tokens[i].word) {
      i++; // Whisper's punctuation and hyphens inside the formatted words are dropped
      continue;
    }
    const m = symbolAt(tokens, i, true);
    if (m) {
      flush();
      pieces.push(symbolPiece(m.entry, true));
      i += m.length;
      continue;
    }
    group.push(...wordsOf(tokens[i].text));
    i++;
  }
  flush();
  return pieces;
}

/** A formatter starting at `i` that has words to format: "camel case ..." anywhere, the bare "camel ..." first. */
function formatterAt(tokens: Token[], i: number, first: boolean): { name: FormatterName; length: number } | undefined {
  const m = longest(tokens, i, FORMATTER_PHRASES);
  const found = m
    ? { name: m.phrase.name, length: m.length }
    : first && FORMATTER_NAMES.has(tokens[i].lower)
      ? { name: tokens[i].lower as FormatterName, length: 1 }
      : undefined;
  if (!found) return undefined;
  return tokens.slice(i + found.length).some((t) => t.word) ? found : undefined;
}

function render(pieces: Piece[]): string {
  let out = '';
  pieces.forEach((p, k) => {
    const prev = pieces[k - 1];
    if (prev) {
      const space = p.grammar || prev.grammar ? !(prev.glueRight || p.glueLeft) : p.spaceBefore;
      if (space) out += ' ';
    }
    out += p.text;
  });
  return out;
}

/** "literal ..." writes the rest as said, without Whisper's comma after "literal" nor its sentence-final mark. */
function literal(text: string, tokens: Token[]): GrammarResult | undefined {
  if (tokens[0]?.lower !== LITERAL || !tokens.slice(1).some((t) => t.word)) return undefined;
  const rest = text
    .trim()
    .slice(tokens[0].text.length)
    .replace(/^[\s,;:.!?-]+/u, '')
    .replace(/[\s.,;:!?]+$/u, '');
  return { kind: 'insert', text: rest, glueLeft: false, glueRight: false, autoPunctuated: false };
}

/** What one utterance means: the grammar applied to Whisper's final text. */
export function interpret(text: string): GrammarResult {
  const command = commandOf(text);
  if (command) return { kind: 'command', command };
  const tokens = tokenize(text);
  const lit = literal(text, tokens);
  if (lit) return lit;
  const symbols = onlySymbols(tokens);
  const pieces: Piece[] = [];
  let spoken = false;
  let sentenceStart = false;
  let firstWord = true;
  for (let i = 0; i < tokens.length;) {
    const t = tokens[i];
    if (!t.word) {
      pieces.push({ text: t.text, grammar: false, spaceBefore: t.spaceBefore, glueLeft: false, glueRight: false });
      i++;
      continue;
    }
    const f = formatterAt(tokens, i, firstWord);
    if (f) {
      dropWhisperPunctuation(pieces);
      pieces.push(...formatted(tokens, i + f.length, f.name));
      spoken = true;
      break;
    }
    firstWord = false;
    const m = symbolAt(tokens, i, symbols);
    if (m) {
      dropWhisperPunctuation(pieces);
      pieces.push(symbolPiece(m.entry, false));
      spoken = true;
      sentenceStart = PUNCTUATION.includes(m.entry) && SENTENCE_ENDS.has(m.entry.symbol);
      i += m.length;
      while (tokens[i] && WHISPER_PUNCTUATION.has(tokens[i].text)) i++;
      continue;
    }
    pieces.push({
      text: sentenceStart ? capitalize(t.text) : t.text,
      grammar: false,
      spaceBefore: t.spaceBefore,
      glueLeft: false,
      glueRight: false,
    });
    sentenceStart = false;
    i++;
  }
  if (spoken) dropWhisperPunctuation(pieces);
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  return {
    kind: 'insert',
    text: render(pieces),
    glueLeft: !!first?.grammar && first.glueLeft,
    glueRight: !!last?.grammar && last.glueRight,
    autoPunctuated: !!last && !last.grammar && WHISPER_PUNCTUATION.has(last.text),
  };
}

/** Removes Whisper's own punctuation at the end of `pieces` (where a spoken symbol or the utterance's end follows). */
function dropWhisperPunctuation(pieces: Piece[]): void {
  while (pieces.length && !pieces[pieces.length - 1].grammar && WHISPER_PUNCTUATION.has(pieces[pieces.length - 1].text)) pieces.pop();
}

/** Where a character before the insertion point already separates: no space is added after it. */
const SEPARATED = /[\s([{"'`]$/u;
/** A spoken punctuation mark that replaces Whisper's own at the end of the utterance before. */
export const LEFT_PUNCTUATION = /^[.,;:!?]/u;
/** Whisper's own punctuation at the end of an utterance. */
export const TRAILING_PUNCTUATION = /[.,;:!?…]+$/u;
/** Text that attaches to what is before it without a space. */
const ATTACHES = /^[.,;:!?)\]}]/u;

/**
 * Utterances one after another as the editor would get them, commands shown as `{scratch that}`: what
 * `voiceflow transcribe --grammar` prints.
 */
export function renderTranscript(results: readonly GrammarResult[]): string {
  let out = '';
  let glueNext = false;
  let autoPunctuated = false;
  for (const r of results) {
    if (r.kind === 'command') {
      out += (out && !SEPARATED.test(out) ? ' ' : '') + `{${r.command}}`;
      glueNext = r.command === 'no space';
      continue;
    }
    if (r.text === '') continue;
    if (autoPunctuated && r.glueLeft && LEFT_PUNCTUATION.test(r.text)) out = out.replace(TRAILING_PUNCTUATION, '');
    const space = out !== '' && !glueNext && !r.glueLeft && !SEPARATED.test(out) && !ATTACHES.test(r.text);
    out += (space ? ' ' : '') + r.text;
    glueNext = r.glueRight;
    autoPunctuated = r.autoPunctuated;
  }
  return out;
}
