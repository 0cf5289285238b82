/**
 * Inserting an utterance at the cursor: one edit per utterance with undo stops around it (one Ctrl+Z removes one
 * utterance), at every selection, with spacing that fits the text already there.
 */
import * as vscode from 'vscode';
import { spaced } from './spacing';

/** Where an utterance went at one cursor: its offset once inserted, the text, and the selection it replaced. */
export interface InsertedPiece {
  offset: number;
  text: string;
  replaced: string;
}

export type InsertOutcome = { inserted: true; pieces: InsertedPiece[] } | { inserted: false; reason: string };

/** Inserts `text` into `editor` at each selection (replacing selected text). */
export async function insertAtCursor(editor: vscode.TextEditor, text: string, options: { join?: boolean } = {}): Promise<InsertOutcome> {
  if (editor.document.isClosed) return { inserted: false, reason: 'the editor was closed' };
  const doc = editor.document;
  const charAt = (pos: vscode.Position, delta: -1 | 1): string => {
    const offset = doc.offsetAt(pos) + (delta === -1 ? -1 : 0);
    if (offset < 0 || offset >= doc.getText().length) return '';
    return doc.getText(new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + 1)));
  };
  const version = doc.version;
  const planned: InsertedPiece[] = [];
  let ok: boolean;
  try {
    ok = await editor.edit(
      (edit) => {
        for (const sel of editor.selections) {
          const piece = spaced(text, charAt(sel.start, -1), charAt(sel.end, 1), options.join);
          planned.push({ offset: doc.offsetAt(sel.start), text: piece, replaced: doc.getText(sel) });
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
  // Offsets after the edit: each piece moves by what the pieces before it added.
  let shift = 0;
  const pieces = planned
    .sort((a, b) => a.offset - b.offset)
    .map((p) => {
      const placed = { ...p, offset: p.offset + shift };
      shift += p.text.length - p.replaced.length;
      return placed;
    });
  return { inserted: true, pieces };
}
