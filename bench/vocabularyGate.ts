/**
 * The vocabulary gate on texts, to try its variants on cached transcripts (bench/vocabularyFormats.ts); the engine's
 * own works on tokens (gateVocabulary, src/engine/whisper/vocabularyPrompt.ts). The text decoded without the prompt is the answer, except where the prompted
 * text differs from it by a vocabulary term. The two texts are aligned word by word (case and punctuation aside);
 * a changed span is taken from the prompted text only when that side holds a term as spelled and both sides say
 * nearly the same letters ("ring buffer right" -> "ringBuffer write"), so a prompt cannot add, drop or reword prose.
 */
import { GATE_MAX_LETTER_CHANGE, letterDistance } from '../src/engine/whisper/vocabularyPrompt';

const key = (w: string) => w.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** `whole`: the prompted text as it is when every changed span passes, else the text without the prompt. */
export function gateText(
  without: string,
  prompted: string,
  terms: readonly string[],
  maxChange = GATE_MAX_LETTER_CHANGE,
  whole = false,
): string {
  const w = without.split(/\s+/).filter(Boolean);
  const p = prompted.split(/\s+/).filter(Boolean);
  const wk = w.map(key);
  const pk = p.map(key);
  // LCS table over the word keys.
  const n = w.length;
  const m = p.length;
  const L = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) L[i][j] = wk[i] === pk[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const termSet = new Set(terms);
  const holdsTerm = (words: readonly string[]) => words.some((x) => termSet.has(x.replace(/^[^\p{L}\p{N}_]+|[^\p{L}\p{N}_]+$/gu, '')));
  const out: string[] = [];
  let allPass = true;
  let i = 0;
  let j = 0;
  let ws: string[] = [];
  let ps: string[] = [];
  const flush = () => {
    if (ws.length + ps.length === 0) return;
    const a = ws.map(key).join('');
    const b = ps.map(key).join('');
    const close = b.length > 0 && letterDistance(a, b) <= Math.max(1, Math.round(maxChange * Math.min(a.length, b.length)));
    const pass = holdsTerm(ps) && close;
    allPass &&= pass;
    out.push(...(pass ? ps : ws));
    ws = [];
    ps = [];
  };
  while (i < n || j < m) {
    if (i < n && j < m && wk[i] === pk[j]) {
      flush();
      out.push(w[i]);
      i++;
      j++;
    } else if (j < m && (i === n || L[i][j + 1] >= L[i + 1][j])) ps.push(p[j++]);
    else ws.push(w[i++]);
  }
  flush();
  if (whole) return allPass ? prompted : without;
  return out.join(' ');
}
