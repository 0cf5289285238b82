/**
 * How much interim text fits at the cursor: its tail, so the newest words stay in view and the line never grows past
 * the editor's width (a decoration is measured with its line, so a long one adds a horizontal scrollbar). No vscode
 * import, so the unit tests read it.
 */

/** The most characters of interim text shown. */
export const GHOST_MAX_CHARS = 60;
/** The fewest shown, however far right the cursor is. */
export const GHOST_MIN_CHARS = 20;
/** Columns assumed visible: an editor beside the performance panel on a laptop shows about this many. */
export const GHOST_LINE_COLUMNS = 90;
/** Marks the start of text cut off on the left. */
export const ELLIPSIS = '…';

/** The tail of `text` that fits after the cursor at `column` (0-based), with a leading "…" when cut, on a word boundary. */
export function ghostTail(text: string, column: number): string {
  const room = Math.max(GHOST_MIN_CHARS, Math.min(GHOST_MAX_CHARS, GHOST_LINE_COLUMNS - column));
  if (text.length <= room) return text;
  const tail = text.slice(text.length - (room - ELLIPSIS.length));
  // Start at a word when one starts within the tail's first third, so the first word shown is whole.
  const space = tail.indexOf(' ');
  const cut = space >= 0 && space < tail.length / 3 ? tail.slice(space + 1) : tail;
  return ELLIPSIS + cut;
}
