/**
 * The performance panel: what the user waits (felt latency) and where the time goes (per-stage percentiles over the
 * utterances since the model was last chosen), real-time factor, engine CPU and RSS, a live input level and VAD meter,
 * and the last utterances. Strict CSP with a nonce, theme colours, no remote resources. It is rebuilt from the
 * extension's state whenever it is shown again. The page is src/views/panelHtml.ts, its script src/views/webview/
 * (bundled to dist/webview/panel.js); the statistics are panelStatistics.ts.
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { LevelNotification, MetricsResult, PartialNotification, Percentiles } from '../protocol';
import { DictationListener, DictationState, UtteranceRecord } from '../dictation/dictationController';
import { machineInfo, type PerformanceReport } from '../performanceReport';
import { panelHtml } from './panelHtml';
import { PanelCommand, PanelNotification, PanelSnapshot, PanelUtterance } from './panelProtocol';
import { modelKey, sinceModelChange, utteranceStatistics } from './panelStatistics';

/** Utterances kept for the statistics (the table shows the newest few). */
const KEEP_UTTERANCES = 500;
/** Utterances sent to the page (table and chart). */
const SENT_UTTERANCES = 100;
const POLL_MS = 1000;

export interface PanelSources {
  metrics(): Promise<MetricsResult | undefined>;
  /** Starts or stops dictation, into the text editor the user last used. */
  toggleDictation(): void;
  copyReport(): void;
  model(): string | undefined;
  encoderWindow(): string;
  profile(): string;
  hangoverMs(): number;
  warningMs(): number;
  enginePid(): number | undefined;
}

export class PerformancePanel implements DictationListener, vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private readonly utterances: PanelUtterance[] = [];
  /** The first partial of the utterance being spoken (session and utterance id). */
  private firstPartial?: { sessionId: number; utteranceId: number; ms: number };
  private state: DictationState = 'idle';
  private detail?: string;
  private lastMetrics?: MetricsResult;
  private timer?: NodeJS.Timeout;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sources: PanelSources,
  ) {}

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
    this.panel.onDidDispose(
      () => {
        this.panel = undefined;
        clearInterval(this.timer);
        this.timer = undefined;
      },
      undefined,
      this.disposables,
    );
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  onDictationState(state: DictationState, detail?: string): void {
    this.state = state;
    this.detail = detail;
    this.sendSnapshot();
  }

  partial(n: PartialNotification): void {
    const f = this.firstPartial;
    if (f && f.sessionId === n.sessionId && f.utteranceId === n.utteranceId) return;
    this.firstPartial = { sessionId: n.sessionId, utteranceId: n.utteranceId, ms: n.sinceSpeechStartMs };
  }

  onUtterance(u: UtteranceRecord): void {
    const f = this.firstPartial;
    this.utterances.push({
      id: u.utteranceId,
      text: u.text,
      at: Date.now(),
      model: this.currentModel(),
      audioMs: u.endMs - u.startMs,
      feltMs: u.feltMs,
      processingMs: u.timings.processingMs,
      speculative: u.timings.speculative === 1,
      vadMs: u.timings.vadMs,
      melMs: u.timings.melMs,
      encoderMs: u.timings.encoderMs,
      decoderMs: u.timings.decoderMs,
      insertMs: u.insertMs,
      firstPartialMs: f && f.sessionId === u.sessionId && f.utteranceId === u.utteranceId ? f.ms : undefined,
      tokens: u.timings.tokens,
      inserted: u.inserted,
    });
    if (this.utterances.length > KEEP_UTTERANCES) this.utterances.shift();
    this.sendUtterances();
    void this.poll();
  }

  level(n: LevelNotification): void {
    if (this.panel?.visible) this.post({ type: 'level', rms: n.rms, speechProbability: n.speechProbability, speaking: n.speaking });
  }

  private currentModel(): string {
    return modelKey(this.sources.model(), this.sources.encoderWindow());
  }

  /** What the panel shows now, also for tests. */
  snapshot(): PanelSnapshot {
    const current = sinceModelChange(this.utterances, this.currentModel());
    const { stages, realTimeFactor } = utteranceStatistics(current);
    // The capture wait is timed per frame in the engine, whatever the model.
    const capture: Percentiles | undefined = this.lastMetrics?.stages.captureMs;
    return {
      state: this.state,
      detail: this.detail,
      model: this.sources.model(),
      encoderWindow: this.sources.encoderWindow(),
      profile: this.sources.profile(),
      toggleKey: process.platform === 'darwin' ? 'Ctrl+Cmd+D' : 'Ctrl+Alt+D',
      hangoverMs: this.sources.hangoverMs(),
      warningMs: this.sources.warningMs(),
      utterances: current.length,
      since: current[0]?.at,
      stages: capture?.count ? { capture, ...stages } : stages,
      realTimeFactor,
      cpuPercent: this.lastMetrics?.recentCpuPercent,
      rssBytes: this.lastMetrics?.rssBytes,
      enginePid: this.sources.enginePid(),
    };
  }

  /** The figures for VoiceFlow: Copy Performance Report. */
  async report(): Promise<PerformanceReport> {
    await this.refreshMetrics();
    const s = this.snapshot();
    const { 'felt latency': felt, ...stages } = s.stages;
    return {
      generatedAt: Date.now(),
      machine: machineInfo(),
      model: s.model,
      encoderWindow: s.encoderWindow,
      profile: s.profile,
      scope: s.utterances
        ? `${s.utterances} utterance${s.utterances === 1 ? '' : 's'} dictated with this model since ${new Date(s.since!).toLocaleString()}`
        : 'no utterance dictated with this model yet',
      stages,
      felt,
      realTimeFactor: s.realTimeFactor,
      cpuPercent: s.cpuPercent,
      rssBytes: s.rssBytes,
    };
  }

  private async refreshMetrics(): Promise<void> {
    try {
      const m = await this.sources.metrics();
      if (m) this.lastMetrics = m;
    } catch {
      /* the engine may be restarting; the next poll catches up */
    }
  }

  private async poll(): Promise<void> {
    if (!this.panel) return;
    await this.refreshMetrics();
    this.sendSnapshot();
  }

  /** A message from the panel's page (also the test API's way to press its buttons). */
  receive(m: PanelCommand): void {
    this.onCommand(m);
  }

  private onCommand(m: PanelCommand): void {
    if (m.type === 'ready') this.sendAll();
    else if (m.type === 'toggleDictation') this.sources.toggleDictation();
    else if (m.type === 'copyReport') this.sources.copyReport();
  }

  private sendAll(): void {
    this.sendSnapshot();
    this.sendUtterances();
  }

  private sendUtterances(): void {
    this.post({ type: 'utterances', utterances: this.utterances.slice(-SENT_UTTERANCES) });
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
