/**
 * The microphone in the status bar, visible from VS Code's start: the dictation state in a word ("Listening" on a
 * coloured background while the microphone is open) and the latency the user felt for the last utterance (end of
 * speech to text in the editor), with a warning or error background past the configured budgets (as vscode-eslint
 * does with its time budget). The tooltip splits it into the pause, processing and insertion. Clicking toggles
 * dictation. The words are in statusText.ts.
 */
import * as vscode from 'vscode';
import { summarize } from '../percentiles';
import { DictationListener, DictationState, UtteranceRecord } from '../dictation/dictationController';
import { formatDuration } from './duration';
import { LatencyBudgets, STATE_WORDS, budgetLevel, isListening, statusText } from './statusText';

const RECENT = 50;
/** The toggle's default key (package.json keybindings). */
const TOGGLE_KEY = process.platform === 'darwin' ? 'Ctrl+Cmd+D' : 'Ctrl+Alt+D';

export interface StatusBarSettings extends LatencyBudgets {
  /** The pause that ends an utterance, ms: part of what the user feels. */
  hangoverMs: number;
}

export class DictationStatusBar implements DictationListener, vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private state: DictationState = 'idle';
  private detail?: string;
  private last?: UtteranceRecord;
  private readonly recent: number[] = [];

  constructor(private readonly settings: () => StatusBarSettings) {
    this.item = vscode.window.createStatusBarItem('voiceflow.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'VoiceFlow Dictation';
    this.item.command = 'voiceflow.toggleDictation';
    this.render();
    this.item.show();
  }

  /** What the item shows now (for tests and the panel). */
  get text(): string {
    return this.item.text;
  }

  onDictationState(state: DictationState, detail?: string): void {
    this.state = state;
    this.detail = detail;
    this.render();
  }

  onUtterance(u: UtteranceRecord): void {
    this.last = u;
    this.recent.push(u.feltMs);
    if (this.recent.length > RECENT) this.recent.shift();
    this.render();
  }

  /** Re-reads the budgets (after a settings change). */
  refresh(): void {
    this.render();
  }

  private render(): void {
    const settings = this.settings();
    const felt = this.last?.feltMs;
    // Text that waited for its utterance to be final (no provisional text: terminal, commands) waited the pause too.
    const pause = this.last && !this.last.provisional ? settings.hangoverMs : 0;
    this.item.text = statusText(this.state, felt, settings, pause);
    const level = budgetLevel(felt, settings, pause);
    // Only these two colours are allowed for an item's background: red for an open microphone, as a recording lamp
    // (the word says it is not an error), and past a budget, amber or red while idle.
    this.item.backgroundColor =
      isListening(this.state) || this.state === 'error' || level === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : level === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.accessibilityInformation = {
      label: `VoiceFlow dictation: ${STATE_WORDS[this.state]}${felt === undefined ? '' : `, last latency ${formatDuration(felt)}`}`,
    };
    this.item.tooltip = this.tooltip(settings);
  }

  private tooltip({ warningMs, errorMs, hangoverMs }: StatusBarSettings): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**VoiceFlow Dictation**: ${STATE_WORDS[this.state]}${this.detail ? ` (${escape(this.detail)})` : ''}\n\n`);
    const u = this.last;
    if (u) {
      const processing = u.timings.processingMs;
      if (u.provisional) {
        md.appendMarkdown(
          `Last utterance: **${formatDuration(u.feltMs)}** from the end of your speech to the text in the editor: it was written ` +
            `as soon as you paused (Whisper ran on it then: encoder ${formatDuration(u.timings.encoderMs)}, decoder ` +
            `${formatDuration(u.timings.decoderMs)}), and would have been rewritten in place had you gone on; after the ` +
            `${formatDuration(hangoverMs)} pause (voiceflow.hangoverMs) it was final.\n\n`,
        );
      } else
        md.appendMarkdown(
          `Last utterance: **${formatDuration(u.feltMs)}** from the end of your speech to the text ${u.inserted ? 'in the editor' : 'on the clipboard'}: ` +
            `the ${formatDuration(hangoverMs)} pause that tells the end of speech (voiceflow.hangoverMs), ` +
            `${formatDuration(processing)} of processing after it, ${formatDuration(u.insertMs)} to insert.\n\n`,
        );
      if (u.timings.speculative && !u.provisional) {
        md.appendMarkdown(
          `Processing is short because Whisper already ran during the pause (the speculative pass: ` +
            `encoder ${formatDuration(u.timings.encoderMs)}, decoder ${formatDuration(u.timings.decoderMs)}); its text was ready when the pause ended.\n\n`,
        );
      }
      const p = summarize(this.recent);
      md.appendMarkdown(
        `Recent ${p.count}: p50 ${formatDuration(p.p50)}, p95 ${formatDuration(p.p95)} ` +
          `(budgets: warning ${formatDuration(warningMs)}, error ${formatDuration(errorMs)}; voiceflow.latencyWarningMs, latencyErrorMs)\n\n`,
      );
    } else {
      md.appendMarkdown('Speak after starting dictation; the text appears at your cursor.\n\n');
    }
    md.appendMarkdown(
      `Click to ${isListening(this.state) || this.state === 'starting' || this.state === 'loading' ? 'stop' : 'start'} dictation (${TOGGLE_KEY}) · ` +
        '[Performance](command:voiceflow.showPerformance)',
    );
    return md;
  }

  dispose(): void {
    this.item.dispose();
  }
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
