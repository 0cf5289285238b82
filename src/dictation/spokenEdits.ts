/**
 * The spoken grammar in the editor: inserts what an utterance means (spacing across utterances: a "comma" said alone
 * attaches to the text before it, "no space" joins the next one) and carries out the voice commands on the
 * utterances it placed, wherever the focus went since.
 */
import * as vscode from 'vscode';
import { GrammarResult, LEFT_PUNCTUATION, TRAILING_PUNCTUATION } from '../grammar/grammar';
import { VoiceCommand } from '../grammar/tables';
import { insertAtCursor, InsertOutcome, reviseInsertion } from './insertion';
import { capitalizeWords, InsertionTrail, TrailEntry } from './insertionTrail';

type Insertion = Extract<GrammarResult, { kind: 'insert' }>;

export type CommandOutcome = { done: true } | { done: false; reason: string };

/** Text inserted before its utterance was final (provisional): where it is, and the spacing it went in with. */
export interface OpenInsertion {
  entry: TrailEntry;
  join: boolean;
}

export class SpokenEdits implements vscode.Disposable {
  private readonly trail = new InsertionTrail();
  /** The next utterance attaches without a space ("no space", or one that ended with "(" or "_"). */
  private joinNext = false;
  /** The last utterance ended with Whisper's own punctuation ("Hello."), which a "comma" said next replaces. */
  private autoPunctuated = false;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly stopDictation: () => void) {
    this.subscription = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return;
      this.trail.change(
        e.document.uri.toString(),
        e.document.version,
        e.contentChanges.map((c) => ({ offset: c.rangeOffset, length: c.rangeLength, textLength: c.text.length })),
      );
    });
  }

  /**
   * Inserts an utterance's text (`meaning` from the grammar; undefined when the grammar is off); `open` is where it
   * went, for `revise` when it was provisional.
   */
  async insert(editor: vscode.TextEditor, text: string, meaning?: Insertion): Promise<InsertOutcome & { open?: OpenInsertion }> {
    if (meaning?.glueLeft && LEFT_PUNCTUATION.test(text)) this.selectWhisperPunctuation(editor);
    const join = this.joinNext || !!meaning?.glueLeft;
    const outcome = await insertAtCursor(editor, text, { join });
    if (!outcome.inserted) return outcome;
    const entry = this.trail.push({ uri: editor.document.uri.toString(), version: editor.document.version, pieces: outcome.pieces });
    this.joinNext = !!meaning?.glueRight;
    this.autoPunctuated = !!meaning?.autoPunctuated;
    return { ...outcome, open: { entry, join } };
  }

  /**
   * Rewrites provisional text to its utterance's final text ('' removes it). Fails, leaving it
   * as it is, when it was edited since or another utterance came after it.
   */
  async revise(open: OpenInsertion, text: string, meaning?: Insertion): Promise<InsertOutcome & { open?: OpenInsertion }> {
    if (this.trail.last !== open.entry) return { inserted: false, reason: 'the dictated text was changed since' };
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === open.entry.uri);
    if (!doc) return { inserted: false, reason: 'the document it went into is closed' };
    this.trail.pop();
    const outcome = await reviseInsertion(doc, open.entry.pieces, text, open.join);
    if (!outcome.inserted) {
      this.trail.push(open.entry);
      return outcome;
    }
    this.joinNext = !!meaning?.glueRight;
    this.autoPunctuated = !!meaning?.autoPunctuated;
    if (text === '') return outcome;
    const entry = this.trail.push({ uri: open.entry.uri, version: doc.version, pieces: outcome.pieces });
    return { ...outcome, open: { entry, join: open.join } };
  }

  /**
   * When the cursor sits right after the last utterance and that ended with Whisper's own punctuation, selects it, so
   * the spoken mark replaces it: "Hello." then "Comma." gives "Hello,". "scratch that" puts it back.
   */
  private selectWhisperPunctuation(editor: vscode.TextEditor): void {
    const last = this.trail.last;
    const sel = editor.selection;
    if (!this.autoPunctuated || !last || editor.selections.length !== 1 || !sel.isEmpty) return;
    if (last.uri !== editor.document.uri.toString() || last.pieces.length !== 1) return;
    const piece = last.pieces[0];
    const end = piece.offset + piece.text.length;
    const mark = TRAILING_PUNCTUATION.exec(piece.text)?.[0];
    if (!mark || editor.document.offsetAt(sel.active) !== end) return;
    editor.selection = new vscode.Selection(editor.document.positionAt(end - mark.length), sel.active);
  }

  /** Carries out a voice command; `editor` is where dictation would insert now (undefined: none). */
  async run(command: VoiceCommand, editor: vscode.TextEditor | undefined): Promise<CommandOutcome> {
    switch (command) {
      case 'no space':
        this.joinNext = true;
        this.autoPunctuated = false;
        return { done: true };
      case 'stop dictation':
        this.stopDictation();
        return { done: true };
      case 'undo that':
      case 'redo that':
        if (!editor) return { done: false, reason: 'no text editor is active' };
        // The built-in commands act on the focused editor: focus the one dictation writes into first.
        await vscode.window.showTextDocument(editor.document, editor.viewColumn);
        await vscode.commands.executeCommand(command === 'undo that' ? 'undo' : 'redo');
        return { done: true };
      case 'scratch that':
        return this.scratch();
      case 'cap that':
        return this.capitalize();
    }
  }

  /** Removes the last utterance from its document (the selection it replaced comes back), as one undo step. */
  private async scratch(): Promise<CommandOutcome> {
    const entry = this.trail.pop();
    if (!entry) return { done: false, reason: 'there is no dictated text left to scratch (or it was edited since)' };
    this.joinNext = false;
    this.autoPunctuated = false;
    return this.rewrite(entry, (p) => p.replaced);
  }

  private async capitalize(): Promise<CommandOutcome> {
    const entry = this.trail.pop();
    if (!entry) return { done: false, reason: 'there is no dictated text to capitalize (or it was edited since)' };
    const outcome = await this.rewrite(entry, (p) => capitalizeWords(p.text));
    if (outcome.done) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === entry.uri);
      let shift = 0;
      const pieces = entry.pieces.map((p) => {
        const text = capitalizeWords(p.text);
        const placed = { ...p, offset: p.offset + shift, text };
        shift += text.length - p.text.length;
        return placed;
      });
      this.trail.push({ uri: entry.uri, version: doc?.version ?? entry.version, pieces });
    } else {
      this.trail.push(entry);
    }
    return outcome;
  }

  /** Replaces each piece of `entry` in its document, open in an editor or not. */
  private async rewrite(entry: TrailEntry, replacement: (p: TrailEntry['pieces'][number]) => string): Promise<CommandOutcome> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === entry.uri);
    if (!doc || doc.isClosed) return { done: false, reason: 'the document it went into is closed' };
    const edit = new vscode.WorkspaceEdit();
    for (const p of entry.pieces) {
      const range = new vscode.Range(doc.positionAt(p.offset), doc.positionAt(p.offset + p.text.length));
      if (doc.getText(range) !== p.text) return { done: false, reason: 'the dictated text was changed since' };
      edit.replace(doc.uri, range, replacement(p));
    }
    return (await vscode.workspace.applyEdit(edit)) ? { done: true } : { done: false, reason: 'the editor did not accept the edit' };
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
