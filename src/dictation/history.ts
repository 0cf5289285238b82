/** Every dictated utterance, inserted or not, so that nothing said is ever lost. Kept per workspace. */
import * as vscode from 'vscode';

const KEY = 'voiceflow.history';
const MAX_ENTRIES = 200;

export interface HistoryEntry {
  text: string;
  /** Epoch ms. */
  at: number;
  /** Where it went: the document's URI, or why it could not be inserted. */
  insertedInto?: string;
  notInserted?: string;
}

export class DictationHistory {
  private entries: HistoryEntry[];

  constructor(private readonly state: vscode.Memento) {
    this.entries = state.get<HistoryEntry[]>(KEY, []);
  }

  get all(): readonly HistoryEntry[] {
    return this.entries;
  }

  add(entry: HistoryEntry): void {
    this.entries = [entry, ...this.entries].slice(0, MAX_ENTRIES);
    void this.state.update(KEY, this.entries);
  }
}
