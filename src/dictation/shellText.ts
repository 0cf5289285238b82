/**
 * An utterance shaped for a command line (the integrated terminal; the search box takes the same): Whisper writes
 * sentences ("Git status."), a shell wants `git status`. Pure: no vscode here (unit-tested).
 *
 * - Nothing may press Enter: a line break (a spoken "new line" or "new paragraph") becomes one space, so the command is
 *   never run by dictation; the user presses Enter. A tab (completion) and every other control character go too.
 * - Whisper's closing mark (. ! ? and the like, which Whisper adds to every sentence) is dropped; a mark the grammar
 *   made from a spoken word ("question mark", "dot dot") stays.
 * - Whisper's capital on the first word goes ("Go forward" -> "go forward"), unless the word has other capitals
 *   ("README", "McFly") or the grammar made it (the "title" and "pascal" formatters).
 * - Spacing against what dictation last sent there, as in the editor (the shell's own line cannot be read).
 */
import { spaced } from './spacing';

/** Whisper's sentence punctuation at the end of an utterance. */
const CLOSING_MARK = /[.,;:!?…]+$/u;
const LINE_BREAKS = /[\r\n\t]+/gu;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/gu;
/** A word with one capital, at its start: Whisper's sentence case. */
const SENTENCE_CASE_WORD = /^\p{Lu}[\p{Ll}\p{N}'’]*(?![\p{L}\p{N}])/u;
const FIRST_WORD = /^[\p{L}\p{N}'’]+/u;

export interface ShellTextOptions {
  /** What Whisper wrote, before the grammar (the text itself when the grammar is off). */
  heard: string;
  /** The text ends with Whisper's own punctuation (the grammar says so; with the grammar off, any closing mark is). */
  autoPunctuated: boolean;
  /** The last character dictation sent to this input in this session ('' when none): spacing. */
  before: string;
  /** No space before it ("no space", or a symbol that attaches). */
  join?: boolean;
}

/** The text to send; '' when nothing is left (a lone "period" Whisper heard as the end of a sentence). */
export function shellText(text: string, options: ShellTextOptions): string {
  let t = text.replace(LINE_BREAKS, ' ').replace(CONTROL, '').replace(/ {2,}/gu, ' ');
  if (options.autoPunctuated) t = t.replace(CLOSING_MARK, '');
  t = t.trim();
  const first = FIRST_WORD.exec(t)?.[0];
  if (first && SENTENCE_CASE_WORD.test(t) && FIRST_WORD.exec(options.heard.trim())?.[0] === first) {
    t = first[0].toLowerCase() + t.slice(1);
  }
  return spaced(t, options.before, '', options.join);
}
