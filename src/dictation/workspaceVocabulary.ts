/**
 * The vocabulary prompt from the editor's side: the terms for the cursor's context (src/vocabulary/) sent to the
 * engine when dictation starts and again, debounced, when the editor or the cursor moves; and the identifiers in
 * scope, to write one said alone as it is spelled.
 */
import * as vscode from 'vscode';
import { readSettings } from '../config';
import { EngineClient } from '../engineClient';
import { identifiersIn } from '../vocabulary/identifiers';
import { identifierSaid, spellingIndex } from '../vocabulary/spelling';
import { chooseTerms, parseTermsFile, rankIdentifiers, TERMS_FILE } from '../vocabulary/terms';

/** Wait after the last editor or cursor change before the terms are chosen and sent again, ms. */
export const VOCABULARY_DEBOUNCE_MS = 1000;

export class WorkspaceVocabulary implements vscode.Disposable {
  /** The terms last sent, and to which engine (a restarted engine has none). */
  private sent?: { key: string; to: EngineClient };
  private spelling = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    /** The engine while dictating, else undefined (nothing is sent). */
    private readonly engine: () => Promise<EngineClient> | undefined,
    private readonly editor: () => vscode.TextEditor | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const later = () => this.schedule();
    this.subscriptions = [vscode.window.onDidChangeActiveTextEditor(later), vscode.window.onDidChangeTextEditorSelection(later)];
  }

  /** Chooses the terms for the editor now and sends them if they changed; never throws (dictation goes on without). */
  async send(engine: EngineClient): Promise<void> {
    try {
      const terms = await this.choose();
      const key = terms.join('\n');
      if (this.sent?.key === key && this.sent.to === engine) return;
      await engine.configure({ vocabulary: terms });
      this.sent = { key, to: engine };
      this.log.debug(`Vocabulary prompt: ${terms.length} terms (${terms.slice(0, 8).join(', ')}${terms.length > 8 ? ', ...' : ''}).`);
    } catch (err) {
      this.log.warn(`Vocabulary not sent: ${(err as Error).message}`);
    }
  }

  /** The text as it will be inserted: an in-scope identifier when the whole utterance is its words. */
  spell(text: string): string {
    return identifierSaid(text, this.spelling) ?? text;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const engine = this.engine();
      if (engine)
        void engine.then(
          (e) => this.send(e),
          () => undefined,
        );
    }, VOCABULARY_DEBOUNCE_MS);
  }

  private async choose(): Promise<string[]> {
    const editor = this.editor();
    const settings = readSettings();
    const userTerms = [...settings.vocabulary, ...(await this.termsFile(editor?.document.uri))];
    let identifiers: string[] = [];
    if (editor) {
      const line = editor.selection.active.line;
      identifiers = rankIdentifiers(identifiersIn(editor.document.getText(), line), line);
    }
    // Identifiers said alone are spelled whatever the prompt holds: that costs prose nothing.
    this.spelling = spellingIndex(identifiers);
    return chooseTerms(userTerms, settings.vocabularyFromEditor ? identifiers : []);
  }

  /** The lines of .vscode/voiceflow-terms.txt in the document's workspace folder (else the first folder); none if absent. */
  private async termsFile(uri: vscode.Uri | undefined): Promise<string[]> {
    const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) return [];
    try {
      return parseTermsFile(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, TERMS_FILE))));
    } catch {
      return [];
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}
