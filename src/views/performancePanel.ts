/**
 * The performance panel: per-stage percentiles, end-of-speech-to-text latency over time, real-time factor, engine
 * CPU and RSS, a live input level and VAD meter, and the last utterances with their timings. Strict CSP with a
 * nonce, theme colours, no remote resources. It is rebuilt from the extension's state whenever it is shown again.
 * The page is src/views/panelHtml.ts, its script src/views/webview/ (bundled to dist/webview/panel.js).
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { summarize } from '../percentiles';
import { LevelNotification, MetricsResult, Percentiles } from '../protocol';
import { DictationListener, DictationState, UtteranceRecord } from '../dictation/dictationController';
import { panelHtml } from './panelHtml';
import { PanelCommand, PanelNotification, PanelSnapshot, PanelStage, PanelUtterance } from './panelProtocol';

const KEEP_UTTERANCES = 100;
const POLL_MS = 1000;
/** Engine stage names in `metrics` -> the panel's stage names. */
const ENGINE_STAGES: Array<[string, PanelStage]> = [
  ['captureMs', 'capture'], ['vadMs', 'vad'], ['melMs', 'mel'], ['encoderMs', 'encoder'], ['decoderMs', 'decoder'], ['processingMs', 'processing'],
  ['firstPartialMs', 'first partial'],
];

export interface PanelSources {
  metrics(): Promise<MetricsResult | undefined>;
  toggleDictation(): void;
  model(): string | undefined;
  encoderWindow(): string;
  profile(): string;
  enginePid(): number | undefined;
}

export class PerformancePanel implements DictationListener, vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private readonly utterances: PanelUtterance[] = [];
  private state: DictationState = 'idle';
  private detail?: string;
  private lastMetrics?: MetricsResult;
  private timer?: NodeJS.Timeout;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly sources: PanelSources) {}

  get visible(): boolean {
    return this.panel?.visible ?? false;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    // The page's script, bundled from src/views/webview/ by esbuild.mjs.
    const script = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    this.panel = vscode.window.createWebviewPanel('voiceflow.performance', 'VoiceFlow Performance', vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: [media, script],
    });
    this.panel.iconPath = vscode.Uri.joinPath(media, 'microphone.svg');
    this.panel.webview.html = this.html(this.panel.webview, media, script);
    this.panel.webview.onDidReceiveMessage((m: PanelCommand) => this.onCommand(m), undefined, this.disposables);
    this.panel.onDidChangeViewState(() => this.panel?.visible && this.sendAll(), undefined, this.disposables);
    this.panel.onDidDispose(() => {
      this.panel = undefined;
      clearInterval(this.timer);
      this.timer = undefined;
    }, undefined, this.disposables);
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  onDictationState(state: DictationState, detail?: string): void {
    this.state = state;
    this.detail = detail;
    this.sendSnapshot();
  }

  onUtterance(u: UtteranceRecord): void {
    this.utterances.push({
      id: u.utteranceId,
      text: u.text,
      at: Date.now(),
      audioMs: u.endMs - u.startMs,
      endOfSpeechToTextMs: u.endOfSpeechToTextMs + u.insertMs,
      latencyMs: u.latencyMs,
      melMs: u.timings.melMs,
      encoderMs: u.timings.encoderMs,
      decoderMs: u.timings.decoderMs,
      insertMs: u.insertMs,
      tokens: u.timings.tokens,
      inserted: u.inserted,
    });
    if (this.utterances.length > KEEP_UTTERANCES) this.utterances.shift();
    this.post({ type: 'utterances', utterances: this.utterances });
    void this.poll();
  }

  level(n: LevelNotification): void {
    if (this.panel?.visible) this.post({ type: 'level', rms: n.rms, speechProbability: n.speechProbability, speaking: n.speaking });
  }

  /** What the panel shows now, also for tests. */
  snapshot(): PanelSnapshot {
    const stages: Record<string, Percentiles> = {};
    for (const [from, to] of ENGINE_STAGES) {
      const p = this.lastMetrics?.stages[from];
      if (p) stages[to] = p;
    }
    if (this.utterances.length > 0) stages.insert = summarize(this.utterances.map((u) => u.insertMs));
    const rtf = this.utterances.filter((u) => u.audioMs > 0).map((u) => (u.melMs + u.encoderMs + u.decoderMs) / u.audioMs);
    return {
      state: this.state,
      detail: this.detail,
      model: this.sources.model(),
      encoderWindow: this.sources.encoderWindow(),
      profile: this.sources.profile(),
      stages,
      realTimeFactor: rtf.length ? summarize(rtf).p50 : undefined,
      cpuPercent: this.lastMetrics?.recentCpuPercent,
      rssBytes: this.lastMetrics?.rssBytes,
      enginePid: this.sources.enginePid(),
    };
  }

  private async poll(): Promise<void> {
    if (!this.panel) return;
    try {
      const m = await this.sources.metrics();
      if (m) this.lastMetrics = m;
    } catch {
      /* the engine may be restarting; the next poll catches up */
    }
    this.sendSnapshot();
  }

  private onCommand(m: PanelCommand): void {
    if (m.type === 'ready') this.sendAll();
    else if (m.type === 'toggleDictation') this.sources.toggleDictation();
  }

  private sendAll(): void {
    this.sendSnapshot();
    this.post({ type: 'utterances', utterances: this.utterances });
  }

  private sendSnapshot(): void {
    this.post({ type: 'snapshot', snapshot: this.snapshot() });
  }

  private post(n: PanelNotification): void {
    void this.panel?.webview.postMessage(n);
  }

  private html(webview: vscode.Webview, media: vscode.Uri, script: vscode.Uri): string {
    return panelHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(script, 'panel.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css')).toString(),
    });
  }

  dispose(): void {
    clearInterval(this.timer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
