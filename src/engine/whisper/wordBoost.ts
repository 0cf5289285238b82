/**
 * Word boosting: the words the client listens for (its spoken punctuation and commands: "comma", "new line") get a
 * bonus on their tokens' logits while the greedy decoder picks the next token. Whisper hears a lone "comma" as "come
 * on", "karma" or "comer": the right token is often its second or third choice, a logit or two behind. A bonus of a
 * few logits lets it win where it was nearly chosen, and changes nothing where it was far behind.
 *
 * Only where a word cannot be mistaken for the start of another one: a word said alone ("comma") is favoured where
 * it is one token (" comma"), anywhere but right after itself; a phrase ("question mark", "camel case") only after its
 * first word was heard on its own merits, because its first words are everyday English ("question", "open", "new",
 * "no") and favouring them wrote "Press forward" for "Press 4" (the dev set, measured: docs/decisions.md).
 */

/** What boosting needs of the tokenizer. */
export interface TextEncoder {
  encode(text: string): number[];
}

interface BoostPath {
  /** The tokens of one spelling (" question mark"), word by word as Whisper writes them. */
  readonly tokens: readonly number[];
  /** How many of `tokens` make its first word: none of those is favoured, unless the word is the whole path. */
  readonly firstWord: number;
  /** Written without a leading space: it may only begin the text or a timestamp segment. */
  readonly startOnly: boolean;
  /** For a one-token path: every one-token spelling of its word (not favoured again right after any of them). */
  readonly self?: readonly number[];
}

export interface WordBoost {
  readonly paths: readonly BoostPath[];
  /** Added to a favoured token's logit when choosing (never to the probability it is scored with). */
  readonly bonus: number;
}

/** A word said alone is not favoured again within this many tokens of itself ("slash. Slash."). */
const REPEAT_GUARD_TOKENS = 3;

/** The paths of `words`: each with and without a leading space, as said and capitalized (blank ones left out). */
export function wordBoost(words: readonly string[], tokenizer: TextEncoder, bonus: number): WordBoost | undefined {
  if (!(bonus > 0)) return undefined;
  const paths: BoostPath[] = [];
  const seen = new Set<string>();
  for (const raw of words) {
    const parts = raw.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
    if (parts.length === 0) continue;
    const spellings: BoostPath[] = [];
    const capitalized = [parts[0][0].toUpperCase() + parts[0].slice(1), ...parts.slice(1)];
    for (const spelled of [parts, capitalized]) {
      for (const startOnly of [false, true]) {
        const key = `${startOnly ? '' : ' '}${spelled.join(' ')}`;
        if (seen.has(key)) continue;
        seen.add(key);
        // Word by word: GPT-2's pre-tokenizer splits before each space, so this is the BPE of the whole spelling.
        const byWord = spelled.map((w, i) => tokenizer.encode(i === 0 && startOnly ? w : ` ${w}`));
        spellings.push({ tokens: byWord.flat(), firstWord: byWord[0].length, startOnly });
      }
    }
    const self = spellings.filter((p) => p.tokens.length === 1).map((p) => p.tokens[0]);
    paths.push(...spellings.map((p) => (p.tokens.length === 1 ? { ...p, self } : p)));
  }
  return paths.length > 0 ? { paths, bonus } : undefined;
}

/**
 * The tokens to favour next, after `text` (the text tokens decoded so far in this segment: no timestamps or special
 * tokens): a one-token word said alone (a start-only one only while `text` is empty, none right after itself), and
 * the next token of a phrase whose tokens `text` ends with, from its second word on.
 */
export function boostedTokens(boost: WordBoost, text: readonly number[]): number[] {
  const out: number[] = [];
  const n = text.length;
  const recent = text.slice(-REPEAT_GUARD_TOKENS);
  for (const p of boost.paths) {
    const t = p.tokens;
    if (p.self) {
      if ((n === 0 || !p.startOnly) && !p.self.some((id) => recent.includes(id))) out.push(t[0]);
      continue;
    }
    for (let k = Math.min(t.length - 1, n); k >= p.firstWord; k--) {
      if (p.startOnly && k !== n) continue;
      let match = true;
      for (let i = 0; i < k && match; i++) match = text[n - k + i] === t[i];
      if (match) out.push(t[k]);
    }
  }
  return out;
}
