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

/**
 * Rewrites the text one insertion placed (`pieces`, at their offsets now) to `text`, spaced against the same
 * neighbours: provisional text revised by the final. An undo step of its own: VS Code puts a stop between two
 * extension edits once the cursor moved, whatever undoStopBefore says (microsoft/vscode#123485), so undo steps back
 * through the revisions the user saw. '' removes it (what the
 * pieces replaced comes back). Cursors at a piece's end stay at its end. Fails, changing nothing, when the document
 * no longer holds the pieces as they were placed.
 */
export async function reviseInsertion(
  doc: vscode.TextDocument,
  pieces: readonly InsertedPiece[],
  text: string,
  join: boolean,
): Promise<InsertOutcome> {
  if (doc.isClosed) return { inserted: false, reason: 'the document it went into is closed' };
  const all = doc.getText();
  const sorted = [...pieces].sort((a, b) => a.offset - b.offset);
  if (sorted.some((p) => all.slice(p.offset, p.offset + p.text.length) !== p.text)) {
    return { inserted: false, reason: 'the dictated text was changed since' };
  }
  const revised = sorted.map((p) => ({
    ...p,
    text: text === '' ? p.replaced : spaced(text, all.charAt(p.offset - 1), all.charAt(p.offset + p.text.length), join),
  }));
  const range = (p: InsertedPiece) => new vscode.Range(doc.positionAt(p.offset), doc.positionAt(p.offset + p.text.length));
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
  const ends = sorted.map((p) => p.offset + p.text.length);
  const following = editor?.selections.map((s) => (s.isEmpty ? ends.indexOf(doc.offsetAt(s.active)) : -1)) ?? [];
  let ok: boolean;
  try {
    if (editor) {
      ok = await editor.edit((e) => sorted.forEach((p, i) => e.replace(range(p), revised[i].text)));
    } else {
      const edit = new vscode.WorkspaceEdit();
      sorted.forEach((p, i) => edit.replace(doc.uri, range(p), revised[i].text));
      ok = await vscode.workspace.applyEdit(edit);
    }
  } catch (err) {
    return { inserted: false, reason: (err as Error).message };
  }
  if (!ok) return { inserted: false, reason: 'the editor did not accept the edit' };
  let shift = 0;
  const placed = revised.map((p, i) => {
    const moved = { ...p, offset: p.offset + shift };
    shift += p.text.length - sorted[i].text.length;
    return moved;
  });
  if (editor && following.some((i) => i >= 0)) {
    editor.selections = editor.selections.map((s, k) => {
      const i = following[k];
      if (i < 0) return s;
      const end = doc.positionAt(placed[i].offset + placed[i].text.length);
      return new vscode.Selection(end, end);
    });
  }
  return { inserted: true, pieces: placed };
}
