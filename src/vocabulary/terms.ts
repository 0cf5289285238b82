/**
 * The terms sent to the engine as Whisper's prompt (EngineConfig.vocabulary): the user's own terms first (the setting,
 * then `.vscode/voiceflow-terms.txt`), then identifiers of the active file ranked by nearness to the cursor and
 * frequency. Pure: no `vscode` here.
 */
import { MAX_TERM_CHARS, MAX_VOCABULARY_TERMS } from '../settings';
import { identifierWords, Occurrence } from './identifiers';

/** The user's terms file, in the workspace folder. */
export const TERMS_FILE = '.vscode/voiceflow-terms.txt';
/**
 * Terms sent at most. The engine keeps whole terms up to Whisper's prompt budget (159 tokens), which ~40 identifiers
 * of 3-4 tokens fill; more would only be cut there.
 */
export const MAX_TERMS = 40;
/**
 * Identifiers from the editor sent at most: the handful nearest the cursor. Fewer terms spell more (5 near the cursor:
 * 12-18 of 60 identifier sentences right, 30: 8-10), and with the engine's gate none costs plain speech a word
 * (docs/decisions.md, "Vocabulary").
 */
export const MAX_EDITOR_TERMS = 5;
/** An occurrence this many lines from the cursor counts half as much as one on the cursor's line. */
export const HALF_WEIGHT_LINES = 20;

/**
 * Words Whisper writes right without help, and names every file has: in the prompt they would only take the place of
 * the ones it misspells. Keywords and common names of the usual languages.
 */
const COMMON = new Set(
  (
    'abstract and any args arguments array as assert async await boolean break byte case catch char class const constructor ' +
    'continue data debugger declare def default del delete do double elif else enum err error except export extends false ' +
    'final finally float for from func function get global if implements import in index instanceof int interface is key ' +
    'keys lambda length let long map module namespace new next nil none not null number object of options or package pass ' +
    'private protected public raise readonly require result return self set short static str string struct super switch ' +
    'this throw throws true try type typeof undefined unknown value values var void while with yield'
  ).split(' '),
);

/** A lowercase name of one word this long is more likely a tool's or library's name (`kubectl`) than an English word. */
const PLAIN_WORD_MIN_CHARS = 7;

/** An identifier Whisper would not write as such from the words alone, worth a place in the prompt. */
export function worthPrompting(name: string): boolean {
  if (COMMON.has(name.toLowerCase())) return false;
  const words = identifierWords(name);
  // A plain lowercase word ("buffer") Whisper spells itself; a compound, a capital inside, or a digit it does not.
  return words.length > 1 || name !== name.toLowerCase() || /\p{N}/u.test(name) || name.length >= PLAIN_WORD_MIN_CHARS;
}

/** The identifiers of a file, best first: each occurrence weighs 1 on the cursor's line, less with the distance. */
export function rankIdentifiers(occurrences: readonly Occurrence[], cursorLine: number): string[] {
  const score = new Map<string, number>();
  for (const o of occurrences) {
    if (!worthPrompting(o.name)) continue;
    const w = 1 / (1 + Math.abs(o.line - cursorLine) / HALF_WEIGHT_LINES);
    score.set(o.name, (score.get(o.name) ?? 0) + w);
  }
  return [...score.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name]) => name);
}

/** The terms of a terms file: one a line; blank lines and lines starting with # are skipped. */
export function parseTermsFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * The vocabulary to send: the user's terms, then the ranked identifiers (at most `maxIdentifiers` of them), without
 * repeats (the first place kept), each at most MAX_TERM_CHARS long, at most `max` in all.
 */
export function chooseTerms(
  userTerms: readonly string[],
  identifiers: readonly string[],
  max = MAX_TERMS,
  maxIdentifiers = MAX_EDITOR_TERMS,
): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const limit = Math.min(max, MAX_VOCABULARY_TERMS);
  const add = (terms: readonly string[], room: number) => {
    for (const raw of terms) {
      const term = raw.replace(/\s+/g, ' ').trim();
      if (room <= 0 || out.length >= limit) return;
      if (term === '' || term.length > MAX_TERM_CHARS || seen.has(term)) continue;
      seen.add(term);
      out.push(term);
      room--;
    }
  };
  add(userTerms, limit);
  add(identifiers, maxIdentifiers);
  return out;
}
