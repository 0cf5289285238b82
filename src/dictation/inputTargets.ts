/**
 * Dictation into the inputs that are not text editors, each through the way in VS Code gives an extension: the active
 * integrated terminal (`Terminal.sendText` without Enter), the commit message box (the built-in git extension's API),
 * the Search view's query (`workbench.action.findInFiles`), and a focused editor widget such as the Debug Console's
 * input or a comment being written (the `default:type` command, as if typed). Which one is current follows the focus
 * as far as the extension can see it (`TargetFollower`). When the input is gone the caller keeps the text on the
 * clipboard and in the history, with the reason returned here.
 */
import * as vscode from 'vscode';
import { GrammarResult } from '../grammar/grammar';
import { DictationTarget, FocusEvent, TargetFollower, TARGET_NAMES } from './dictationTarget';
import { shellText } from './shellText';
import { spaced } from './spacing';

export type TargetOutcome = { inserted: true; into: string } | { inserted: false; reason: string };
export type TargetCommandOutcome = { done: true } | { done: false; reason: string };

/** The parts of the git extension's API (extensions/git/src/api/git.d.ts, version 1) used here. */
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly inputBox: { value: string };
  readonly ui: { readonly selected: boolean };
}
interface GitApi {
  readonly repositories: GitRepository[];
}
interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

/** Document schemes of editor widgets that are not the user's text editors (the commit box, a comment). */
const WIDGET_SCHEMES = new Set(['vscode-scm', 'comment', 'output', 'debug']);

/** What dictation last put into one input this session: spacing for the next piece, and "scratch that". */
interface Sent {
  /** The last character dictation sent there ('' when nothing yet). */
  lastChar: string;
  /** The last piece sent, as sent, and the last character before it. */
  piece?: { text: string; before: string };
}

export class InputTargets implements vscode.Disposable {
  private readonly follower = new TargetFollower();
  /** What the last key press (or command) named. */
  private named?: DictationTarget;
  private readonly sent = new Map<object | string, Sent>();
  /** The query dictation built in the search box this session (the box itself cannot be read). */
  private searchQuery = '';
  /** "no space" was said: the next piece attaches. */
  private joinNext = false;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    const moved = (to: FocusEvent) => this.follower.moved(to);
    this.subscriptions = [
      vscode.window.onDidChangeActiveTerminal((t) => t && moved('terminal')),
      vscode.window.onDidChangeActiveTextEditor((e) => e && isTextEditor(e) && moved('editor')),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        const byUser = e.kind === vscode.TextEditorSelectionChangeKind.Keyboard || e.kind === vscode.TextEditorSelectionChangeKind.Mouse;
        if (byUser && isTextEditor(e.textEditor)) moved('editor');
      }),
    ];
  }

  /** Where the next final goes. */
  get current(): DictationTarget {
    return this.follower.current;
  }

  /** The key press or command that starts dictation said where the focus was (undefined: it did not say). */
  name(target: DictationTarget | undefined): void {
    this.named = target;
  }

  /** A session starts: at the named target, with nothing sent yet. */
  begin(): void {
    this.follower.start(this.named);
    this.sent.clear();
    this.searchQuery = '';
    this.joinNext = false;
  }

  /** Sends an utterance to `target` (not the editor); `heard` is Whisper's text, `meaning` the grammar's (if on). */
  async insert(
    target: Exclude<DictationTarget, 'editor'>,
    text: string,
    heard: string,
    meaning?: Extract<GrammarResult, { kind: 'insert' }>,
  ): Promise<TargetOutcome> {
    const join = this.joinNext || !!meaning?.glueLeft;
    // With the grammar off there is no spoken punctuation: any closing mark is Whisper's.
    const autoPunctuated = meaning ? meaning.autoPunctuated : true;
    const outcome = await this.deliver(target, text, { heard, autoPunctuated, join });
    if (outcome.inserted) this.joinNext = !!meaning?.glueRight;
    return outcome;
  }

  private async deliver(
    target: Exclude<DictationTarget, 'editor'>,
    text: string,
    o: { heard: string; autoPunctuated: boolean; join: boolean },
  ): Promise<TargetOutcome> {
    switch (target) {
      case 'terminal': {
        const terminal = vscode.window.activeTerminal;
        if (!terminal || terminal.exitStatus !== undefined || !vscode.window.terminals.includes(terminal)) {
          return { inserted: false, reason: 'no terminal is open (it was closed)' };
        }
        const piece = this.track(terminal, (before) => shellText(text, { ...o, before }));
        if (piece) terminal.sendText(piece, false);
        return { inserted: true, into: `terminal:${terminal.name}` };
      }
      case 'scm': {
        const found = await gitRepository();
        if ('reason' in found) return { inserted: false, reason: found.reason };
        const box = found.repository.inputBox;
        const piece = this.track(found.repository, () => spaced(text, box.value.slice(-1), '', o.join));
        box.value += piece;
        return { inserted: true, into: `scm:${found.repository.rootUri.toString()}` };
      }
      case 'search': {
        const piece = shellText(text, { ...o, before: this.searchQuery.slice(-1) });
        this.searchQuery += piece;
        await vscode.commands.executeCommand('workbench.action.findInFiles', { query: this.searchQuery, triggerSearch: true });
        return { inserted: true, into: 'search' };
      }
      case 'debug':
      case 'input': {
        // The Debug Console evaluates expressions: shaped as for a shell. A comment is prose.
        const piece = this.track(target, (before) =>
          target === 'debug' ? shellText(text, { ...o, before }) : spaced(text, before, '', o.join),
        );
        // `default:type` types into the focused editor widget (past any extension that took over `type`, like Vim).
        await vscode.commands.executeCommand('default:type', { text: piece });
        return { inserted: true, into: target };
      }
    }
  }

  /** Shapes the next piece for `input` against what was sent there before, and remembers it. */
  private track(input: object | string, shape: (before: string) => string): string {
    const sent = this.sent.get(input) ?? { lastChar: '' };
    const piece = shape(sent.lastChar);
    if (piece) this.sent.set(input, { lastChar: piece.slice(-1), piece: { text: piece, before: sent.lastChar } });
    return piece;
  }

  /** A voice command at a target that is not the editor. "scratch that" removes the last piece sent there. */
  async run(command: 'no space' | 'scratch that', target: Exclude<DictationTarget, 'editor'>): Promise<TargetCommandOutcome> {
    if (command === 'no space') {
      this.joinNext = true;
      return { done: true };
    }
    this.joinNext = false;
    if (target === 'terminal') {
      const terminal = vscode.window.activeTerminal;
      const sent = terminal && this.sent.get(terminal);
      if (!terminal || !sent?.piece) return { done: false, reason: 'nothing was dictated into this terminal to scratch' };
      // Backspaces (DEL), one per character sent: the shell's line editor rubs them out; nothing runs.
      terminal.sendText('\x7f'.repeat([...sent.piece.text].length), false);
      this.sent.set(terminal, { lastChar: sent.piece.before });
      return { done: true };
    }
    if (target === 'scm') {
      const found = await gitRepository();
      const sent = 'repository' in found ? this.sent.get(found.repository) : undefined;
      if (!('repository' in found) || !sent?.piece)
        return { done: false, reason: 'nothing was dictated into the commit message to scratch' };
      const box = found.repository.inputBox;
      if (!box.value.endsWith(sent.piece.text)) return { done: false, reason: 'the commit message was changed since' };
      box.value = box.value.slice(0, box.value.length - sent.piece.text.length);
      this.sent.set(found.repository, { lastChar: sent.piece.before });
      return { done: true };
    }
    return {
      done: false,
      reason: `"scratch that" works in the editor, the terminal and the commit message box, not in ${TARGET_NAMES[target]}`,
    };
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

function isTextEditor(editor: vscode.TextEditor): boolean {
  return !WIDGET_SCHEMES.has(editor.document.uri.scheme);
}

/** The repository whose commit message box dictation writes into: the one selected in Source Control. */
async function gitRepository(): Promise<{ repository: GitRepository } | { reason: string }> {
  const extension = vscode.extensions.getExtension<GitExtension>('vscode.git');
  if (!extension) return { reason: 'the built-in Git extension is disabled' };
  const git = extension.isActive ? extension.exports : await extension.activate();
  if (!git.enabled) return { reason: 'Git is turned off (git.enabled)' };
  const repositories = git.getAPI(1).repositories;
  if (repositories.length === 0) return { reason: 'no Git repository is open' };
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  const repository =
    repositories.find((r) => r.ui.selected) ??
    (active ? repositories.find((r) => active.startsWith(r.rootUri.fsPath)) : undefined) ??
    repositories[0];
  return { repository };
}
