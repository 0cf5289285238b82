/**
 * What dictation shows at the cursor: a microphone while dictation is on, and the interim text as ghost text after
 * it. A decoration, never an edit, so partials never enter the document or its undo history; the final insertion
 * replaces the interim text. Only the tail that fits is shown (ghostTail.ts), so it never adds a horizontal scrollbar.
 */
import * as vscode from 'vscode';
import { DictationListener, DictationState } from '../dictation/dictationController';
import { ghostTail } from './ghostTail';

/** Shown at the cursor while dictation is on. */
export const CURSOR_INDICATOR = '🎙';

export class GhostText implements DictationListener, vscode.Disposable {
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
  private dictating = false;
  private readonly subscriptions: vscode.Disposable[];
  /** The editor dictation writes into (the controller's choice); the active one until it is set. */
  target: () => vscode.TextEditor | undefined = () => vscode.window.activeTextEditor;

  constructor() {
    const follow = () => this.dictating && this.render();
    this.subscriptions = [vscode.window.onDidChangeTextEditorSelection(follow), vscode.window.onDidChangeActiveTextEditor(follow)];
  }

  /** The interim text shown now, whole ('' when none), for tests. */
  get text(): string {
    return this.shown;
  }

  /** Whether the microphone is shown at the cursor, for tests. */
  get indicatorShown(): boolean {
    return this.dictating && this.editor !== undefined;
  }

  onDictationState(state: DictationState): void {
    const dictating = state !== 'idle' && state !== 'error';
    if (dictating === this.dictating) return;
    this.dictating = dictating;
    if (!dictating) this.shown = '';
    this.render();
  }

  onUtterance(): void {
    /* the controller clears the interim text before it inserts */
  }

  show(committed: string, tentative: string): void {
    this.shown = [committed, tentative].filter((t) => t.length > 0).join(' ');
    this.render();
  }

  clear(): void {
    this.shown = '';
    this.render();
  }

  private render(): void {
    const editor = this.dictating || this.shown ? this.target() : undefined;
    if (this.editor && this.editor !== editor) this.editor.setDecorations(this.decoration, []);
    this.editor = editor;
    if (!editor) return;
    const at = editor.selection.active;
    // What fits depends on the whole line the decoration extends, not only on the cursor's column.
    const lineLength = editor.document.lineAt(at.line).text.length;
    const parts = [this.dictating ? CURSOR_INDICATOR : '', this.shown ? `${ghostTail(this.shown, lineLength)} …` : ''].filter(Boolean);
    if (parts.length === 0) {
      editor.setDecorations(this.decoration, []);
      return;
    }
    editor.setDecorations(this.decoration, [
      { range: new vscode.Range(at, at), renderOptions: { after: { contentText: parts.join(' ') } } },
    ]);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.decoration.dispose();
  }
}
