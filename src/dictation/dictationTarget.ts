/**
 * Which input dictated text goes into, following the focus. VS Code tells an extension nothing of where the focus is
 * (no "terminal has focus" API), but a keybinding's `when` clause sees the context keys: the toggle key is bound once
 * per input with `"args": { "target": ... }`, so the press says where the focus was. During a session the target
 * follows what the extension can see of the focus (the user clicking or typing in an editor, switching terminals).
 * Pure: no vscode here (unit-tested).
 */

/**
 * `editor`: the text editor (at the cursor); `terminal`: the active integrated terminal (never presses Enter);
 * `scm`: the Source Control commit message box (through the git extension); `search`: the Search view's query;
 * `debug`: the Debug Console's input; `input`: another focused editor widget that is no text editor (a comment being
 * written, the chat input).
 */
export type DictationTarget = 'editor' | 'terminal' | 'scm' | 'search' | 'debug' | 'input';

export const DICTATION_TARGETS: readonly DictationTarget[] = ['editor', 'terminal', 'scm', 'search', 'debug', 'input'];

/** How the user is told where the text went (or should have gone). */
export const TARGET_NAMES: Record<DictationTarget, string> = {
  editor: 'the editor',
  terminal: 'the terminal',
  scm: 'the commit message box',
  search: 'the search box',
  debug: 'the Debug Console',
  input: 'the focused input',
};

/** The target named by a keybinding's or a command's arguments (`{ "target": "terminal" }`), if any. */
export function targetFromArgs(args: unknown): DictationTarget | undefined {
  if (typeof args !== 'object' || args === null) return undefined;
  const target = (args as { target?: unknown }).target;
  return DICTATION_TARGETS.find((t) => t === target);
}

/** What the extension saw the focus do. */
export type FocusEvent =
  /** The user clicked or typed in a text editor (a selection change of kind keyboard or mouse, a new active editor). */
  | 'editor'
  /** Another terminal became the active one (switched to, or created and shown). */
  | 'terminal';

/**
 * The target of one dictation session: the one the key press named when it started (the editor when nothing was
 * named, as from the Command Palette), then wherever the user went since, as far as the extension sees it. Read at
 * each final, so every utterance goes where the user is when it is done.
 */
export class TargetFollower {
  private target: DictationTarget = 'editor';

  get current(): DictationTarget {
    return this.target;
  }

  /** A session starts: `named` is what the key press (or the command's arguments) said. */
  start(named: DictationTarget | undefined): void {
    this.target = named ?? 'editor';
  }

  /** The focus moved to a place the extension can see. */
  moved(to: FocusEvent): void {
    this.target = to;
  }
}
