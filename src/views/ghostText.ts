/**
 * Interim text as ghost text at the cursor: a decoration, never an edit, so partials never enter the document or
 * its undo history. The final insertion replaces it.
 */
import * as vscode from 'vscode';

export class GhostText implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: {
      color: new vscode.ThemeColor('editorGhostText.foreground'),
      fontStyle: 'italic',
      margin: '0 0 0 0.25em',
    },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private editor?: vscode.TextEditor;
  private shown = '';

  /** What is shown now ('' when nothing), for tests. */
  get text(): string {
    return this.shown;
  }

  show(committed: string, tentative: string): void {
    const editor = vscode.window.activeTextEditor;
    const text = [committed, tentative].filter((t) => t.length > 0).join(' ');
    if (!editor || text.length === 0) {
      this.clear();
      return;
    }
    if (this.editor && this.editor !== editor) this.editor.setDecorations(this.decoration, []);
    this.editor = editor;
    this.shown = text;
    const at = editor.selection.active;
    editor.setDecorations(this.decoration, [{ range: new vscode.Range(at, at), renderOptions: { after: { contentText: `${text} …` } } }]);
  }

  clear(): void {
    this.editor?.setDecorations(this.decoration, []);
    this.editor = undefined;
    this.shown = '';
  }

  dispose(): void {
    this.decoration.dispose();
  }
}
