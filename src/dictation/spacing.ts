/** Spacing an utterance against the text around the insertion point. Pure: no vscode here (unit-tested). */
const WORD = /[\p{L}\p{N}_]/u;
/** After these, a new word needs no space: openers and existing white space. */
const NO_SPACE_AFTER = /[\s([{"'`]/u;
/** Text starting with these attaches to what is before it (a new line needs no space before it either). */
const ATTACHES_LEFT = /^[.,;:!?)\]}\r\n]/u;

/**
 * The text to insert between `before` and `after` (the characters around the insertion point, '' at edges); `join`:
 * no space before it ("no space", a symbol that attaches). Only spaces are trimmed: a spoken new line stays.
 */
export function spaced(text: string, before: string, after: string, join = false): string {
  let t = text.replace(/^[ \t]+|[ \t]+$/g, '');
  if (t.length === 0) return '';
  if (!join && before !== '' && !NO_SPACE_AFTER.test(before) && !ATTACHES_LEFT.test(t)) t = ' ' + t;
  if (after !== '' && WORD.test(after) && !/\s$/u.test(t)) t = t + ' ';
  return t;
}
