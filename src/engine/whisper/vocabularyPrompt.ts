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
