/**
 * Inserting an utterance at the cursor: one edit per utterance with undo stops around it (one Ctrl+Z removes one
 * utterance), at every selection, with spacing that fits the text already there.
 */
import * as vscode from 'vscode';

const WORD = /[\p{L}\p{N}_]/u;
/** After these, a new word needs no space: openers and existing white space. */
const NO_SPACE_AFTER = /[\s([{"'`]/u;
/** Text starting with these attaches to what is before it. */
const ATTACHES_LEFT = /^[.,;:!?)\]}]/u;

/** The text to insert between `before` and `after` (the characters around the insertion point, '' at edges). */
export function spaced(text: string, before: string, after: string): string {
  let t = text.trim();
  if (t.length === 0) return '';
  if (before !== '' && !NO_SPACE_AFTER.test(before) && !ATTACHES_LEFT.test(t)) t = ' ' + t;
  if (after !== '' && WORD.test(after)) t = t + ' ';
  return t;
}

export type InsertOutcome = { inserted: true } | { inserted: false; reason: string };

/** Inserts `text` into `editor` at each selection (replacing selected text). */
export async function insertAtCursor(editor: vscode.TextEditor, text: string): Promise<InsertOutcome> {
  if (editor.document.isClosed) return { inserted: false, reason: 'the editor was closed' };
  const doc = editor.document;
  const charAt = (pos: vscode.Position, delta: -1 | 1): string => {
    const offset = doc.offsetAt(pos) + (delta === -1 ? -1 : 0);
    if (offset < 0 || offset >= doc.getText().length) return '';
    return doc.getText(new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + 1)));
  };
  const version = doc.version;
  let ok: boolean;
  try {
    ok = await editor.edit(
      (edit) => {
        for (const sel of editor.selections) {
          const piece = spaced(text, charAt(sel.start, -1), charAt(sel.end, 1));
          if (sel.isEmpty) edit.insert(sel.start, piece);
          else edit.replace(sel, piece);
        }
      },
      { undoStopBefore: true, undoStopAfter: true },
    );
  } catch (err) {
    return { inserted: false, reason: (err as Error).message };
  }
  if (!ok) return { inserted: false, reason: 'the editor did not accept the edit' };
  // A read-only editor (a read-only file system, a diff's left side) can report success and change nothing.
  if (doc.version === version) return { inserted: false, reason: 'the editor is read-only' };
  return { inserted: true };
}
