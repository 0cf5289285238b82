/**
 * The microphone in the status bar: dictation state, the last utterance's latency, and a warning or error background
 * past the configured budgets (as vscode-eslint does with its time budget). Clicking toggles dictation.
 */
import * as vscode from 'vscode';
import { summarize } from '../percentiles';
import { DictationListener, DictationState, UtteranceRecord } from '../dictation/dictationController';

const RECENT = 50;

const ICONS: Record<DictationState, string> = {
  idle: '$(mic)',
  starting: '$(loading~spin)',
  loading: '$(loading~spin)',
  listening: '$(mic-filled)',
  speech: '$(record)',
  transcribing: '$(sync~spin)',
  error: '$(error)',
};

const LABELS: Record<DictationState, string> = {
  idle: 'idle',
  starting: 'starting',
  loading: 'loading model',
  listening: 'listening',
  speech: 'hearing speech',
  transcribing: 'transcribing',
  error: 'error',
};

export class DictationStatusBar implements DictationListener, vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private state: DictationState = 'idle';
  private detail?: string;
  private last?: UtteranceRecord;
  private readonly recent: number[] = [];

  constructor(private readonly budgets: () => { warningMs: number; errorMs: number }) {
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
    this.recent.push(u.latencyMs);
    if (this.recent.length > RECENT) this.recent.shift();
    this.render();
  }

  private render(): void {
    const latency = this.last ? ` ${Math.round(this.last.latencyMs)} ms` : '';
    this.item.text = `${ICONS[this.state]} VoiceFlow${latency}`;
    const { warningMs, errorMs } = this.budgets();
    const l = this.last?.latencyMs ?? 0;
    this.item.backgroundColor =
      this.state === 'error' || (errorMs > 0 && l > errorMs)
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : warningMs > 0 && l > warningMs
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**VoiceFlow Dictation**: ${LABELS[this.state]}${this.detail ? ` (${escape(this.detail)})` : ''}\n\n`);
    if (this.last) {
      const p = summarize(this.recent);
      md.appendMarkdown(`Last utterance: ${Math.round(this.last.latencyMs)} ms from end of utterance to text ` +
        `(${Math.round(this.last.endOfSpeechToTextMs)} ms after you stopped speaking)\n\n`);
      md.appendMarkdown(`Recent ${p.count}: p50 ${Math.round(p.p50)} ms, p95 ${Math.round(p.p95)} ms ` +
        `(budget: warning ${warningMs} ms, error ${errorMs} ms)\n\n`);
    }
    md.appendMarkdown(`Click to ${this.state === 'idle' || this.state === 'error' ? 'start' : 'stop'} dictation · [Performance](command:voiceflow.showPerformance)`);
    this.item.tooltip = md;
  }

  dispose(): void {
    this.item.dispose();
  }
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
