/**
 * Text normalization and word error rate for the benchmark. Normalized words are lowercase, without punctuation,
 * and numbers are spelled out ("10" and "ten" compare equal, "25" and "twenty-five" too).
 */

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** Spells 0..999 as words ("25" -> ["twenty", "five"]); larger numbers stay as digits. */
export function spellNumber(digits: string): string[] {
  const n = Number(digits);
  if (!/^\d+$/.test(digits) || n > 999) return [digits];
  const words: string[] = [];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds > 0) words.push(ONES[hundreds], 'hundred');
  if (rest > 0 || n === 0) {
    if (rest < 20) words.push(ONES[rest]);
    else {
      words.push(TENS[Math.floor(rest / 10)]);
      if (rest % 10) words.push(ONES[rest % 10]);
    }
  }
  return words;
}

/** Lowercase words without punctuation, digits spelled out. */
export function normalizeWords(text: string): string[] {
  const cleaned = text
    .toLowerCase()
    .replace(/(\d),(?=\d{3}\b)/g, '$1') // 1,000 -> 1000
    .replace(/['\u2019]/g, '') // don't -> dont
    .replace(/(\d)(?=\p{L})|(\p{L})(?=\d)/gu, '$1$2 ') // 10th -> 10 th, keeps digits separable
    .replace(/[^\p{L}\p{N}]+/gu, ' ');
  return cleaned
    .split(' ')
    .filter(Boolean)
    .flatMap((w) => (/^\d+$/.test(w) ? spellNumber(w) : [w]));
}

/** Word-level Levenshtein distance (substitutions + deletions + insertions). */
export function wordEditDistance(reference: readonly string[], hypothesis: readonly string[]): number {
  let prev = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hypothesis.length; j++) {
      const sub = prev[j - 1] + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, prev[j] + 1, cur[j - 1] + 1));
    }
    prev = cur;
  }
  return prev[hypothesis.length];
}

export interface WerResult {
  /** errors / referenceWords; 0 when there is no reference. */
  wer: number;
  errors: number;
  referenceWords: number;
}

/** WER over the concatenation of all pairs, after normalization. */
export function wordErrorRate(pairs: readonly { reference: string; hypothesis: string }[]): WerResult {
  const ref = pairs.flatMap((p) => normalizeWords(p.reference));
  const hyp = pairs.flatMap((p) => normalizeWords(p.hypothesis));
  const errors = wordEditDistance(ref, hyp);
  return { wer: ref.length ? errors / ref.length : 0, errors, referenceWords: ref.length };
}

/** A minimum-edit alignment of normalized words, counted: words lost are deletions, words invented insertions. */
export interface WordAlignment {
  referenceWords: number;
  hits: number;
  substitutions: number;
  /** Reference words with nothing in the hypothesis: words lost. */
  deletions: number;
  /** Hypothesis words with nothing in the reference: words invented. */
  insertions: number;
}

/** Levenshtein alignment with its backtrace; ties prefer a match or substitution, then a deletion. */
export function alignWords(reference: readonly string[], hypothesis: readonly string[]): WordAlignment {
  const cols = hypothesis.length + 1;
  const cost = new Uint32Array((reference.length + 1) * cols);
  for (let j = 0; j < cols; j++) cost[j] = j;
  for (let i = 1; i <= reference.length; i++) {
    cost[i * cols] = i;
    for (let j = 1; j < cols; j++) {
      const sub = cost[(i - 1) * cols + j - 1] + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      cost[i * cols + j] = Math.min(sub, cost[(i - 1) * cols + j] + 1, cost[i * cols + j - 1] + 1);
    }
  }
  const a: WordAlignment = { referenceWords: reference.length, hits: 0, substitutions: 0, deletions: 0, insertions: 0 };
  for (let i = reference.length, j = hypothesis.length; i > 0 || j > 0;) {
    const here = cost[i * cols + j];
    if (i > 0 && j > 0 && here === cost[(i - 1) * cols + j - 1] + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1)) {
      if (reference[i - 1] === hypothesis[j - 1]) a.hits++;
      else a.substitutions++;
      i--;
      j--;
    } else if (i > 0 && here === cost[(i - 1) * cols + j] + 1) {
      a.deletions++;
      i--;
    } else {
      a.insertions++;
      j--;
    }
  }
  return a;
}

/** Words lost, misheard and invented of `hypothesis` against `reference`, after normalization. */
export type WordErrors = Omit<WordAlignment, 'hits'>;

export function wordErrors(reference: string, hypothesis: string): WordErrors {
  const { referenceWords, substitutions, deletions, insertions } = alignWords(normalizeWords(reference), normalizeWords(hypothesis));
  return { referenceWords, substitutions, deletions, insertions };
}
