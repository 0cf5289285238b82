/**
 * Identifiers in source text, and the words Whisper hears in them: `userName` is said "user name", `MAX_TOKENS`
 * "max tokens", `mulberry32` "mulberry 32". Pure: no `vscode` here.
 */

/** An identifier of a source text and the line it is on (0-based). */
export interface Occurrence {
  name: string;
  line: number;
}

/** A name as most languages write one: a letter, `_` or `$` first, then those and digits. */
const IDENTIFIER = /[\p{L}_$][\p{L}\p{N}_$]*/gu;
/** Shorter names say nothing Whisper would misspell (`i`, `el`). */
export const MIN_IDENTIFIER_CHARS = 3;
/** Longer names are not said aloud (hashes, generated names). */
export const MAX_IDENTIFIER_CHARS = 48;
/** Lines read around the cursor at most (a huge file is read near the cursor only), each way. */
export const MAX_LINES_EACH_WAY = 2000;

/** The words of an identifier, lowercase: camelCase, PascalCase, snake_case, kebab-case, digits apart. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2') // userName -> user Name
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2') // HTTPServer -> HTTP Server
    .replace(/(\p{L})(\p{N})/gu, '$1 $2') // mulberry32 -> mulberry 32
    .replace(/(\p{N})(\p{L})/gu, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** The identifiers of `text`, each with its line; strings and comments are read too (names are quoted there). */
export function identifiersIn(text: string, aroundLine = 0, eachWay = MAX_LINES_EACH_WAY): Occurrence[] {
  const lines = text.split(/\r?\n/);
  const from = Math.max(0, aroundLine - eachWay);
  const to = Math.min(lines.length, aroundLine + eachWay + 1);
  const out: Occurrence[] = [];
  for (let line = from; line < to; line++) {
    for (const m of lines[line].matchAll(IDENTIFIER)) {
      const name = m[0];
      if (name.length >= MIN_IDENTIFIER_CHARS && name.length <= MAX_IDENTIFIER_CHARS && /\p{L}/u.test(name)) out.push({ name, line });
    }
  }
  return out;
}
