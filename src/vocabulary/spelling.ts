/**
 * After recognition: an utterance that is nothing but an identifier's words ("Ring buffer.") is written as that
 * identifier (`ringBuffer`) when it is among the identifiers in scope. Only the whole utterance: inside a sentence
 * the same words are prose ("the user name field" stays prose even with `userName` in the file), and a formatter
 * ("camel case user name") already says how to write them. Pure: no `vscode` here.
 */
import { identifierWords } from './identifiers';

/** The words of a text as Whisper writes them, lowercase, without punctuation. */
function spokenWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * Identifiers by the letters of their words run together ("ringbuffer"), for identifiers of two words or more; one
 * word alone is prose. Two identifiers with the same words (`userName`, `user_name`): the first given wins.
 */
export function spellingIndex(identifiers: Iterable<string>): Map<string, string> {
  const index = new Map<string, string>();
  for (const id of identifiers) {
    const words = identifierWords(id);
    if (words.length < 2) continue;
    const key = words.join('');
    if (!index.has(key)) index.set(key, id);
  }
  return index;
}

/** The identifier the whole utterance names, if any ("Ring buffer." -> `ringBuffer`); else undefined. */
export function identifierSaid(text: string, index: ReadonlyMap<string, string>): string | undefined {
  const words = spokenWords(text);
  if (words.length === 0) return undefined;
  return index.get(words.join(''));
}
