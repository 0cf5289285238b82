/**
 * The performance panel: per-stage percentiles, end-of-speech-to-text latency over time, real-time factor, engine
 * CPU and RSS, a live input level and VAD meter, and the last utterances with their timings. Strict CSP with a
 * nonce, theme colours, no remote resources. It is rebuilt from the extension's state whenever it is shown again.
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { summarize } from '../percentiles';
import { LevelNotification, MetricsResult, Percentiles } from '../protocol';
import { DictationListener, DictationState, UtteranceRecord } from '../dictation/dictationController';
import { PanelCommand, PanelNotification, PanelSnapshot, PanelUtterance } from './panelProtocol';

const KEEP_UTTERANCES = 100;
const POLL_MS = 1000;
/** Engine stage names in `metrics` -> the panel's stage names. */
const ENGINE_STAGES: Array<[string, string]> = [
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
    this.panel = vscode.window.createWebviewPanel('voiceflow.performance', 'VoiceFlow Performance', vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: [media],
    });
    this.panel.iconPath = vscode.Uri.joinPath(media, 'microphone.svg');
    this.panel.webview.html = this.html(this.panel.webview, media);
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

  private html(webview: vscode.Webview, media: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
      `img-src ${webview.cspSource} data:`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>VoiceFlow Performance</title>
</head>
<body>
<header>
  <h1>VoiceFlow Performance</h1>
  <div class="state"><span id="state-dot" class="dot"></span><span id="state">idle</span></div>
  <button id="toggle" type="button">Start dictation</button>
</header>
<section class="cards">
  <div class="card"><div class="label">Last latency</div><div class="value" id="last-latency">–</div><div class="sub">end of utterance to text</div></div>
  <div class="card"><div class="label">End of speech to text</div><div class="value" id="last-eos">–</div><div class="sub">includes the hangover</div></div>
  <div class="card"><div class="label">Real-time factor</div><div class="value" id="rtf">–</div><div class="sub">processing / audio, median</div></div>
  <div class="card"><div class="label">Engine CPU</div><div class="value" id="cpu">–</div><div class="sub">of one core</div></div>
  <div class="card"><div class="label">Engine memory</div><div class="value" id="rss">–</div><div class="sub">resident</div></div>
  <div class="card"><div class="label">Profile</div><div class="value" id="model">–</div><div class="sub" id="window">–</div></div>
</section>
<section>
  <h2>Input</h2>
  <div class="meter"><div class="meter-label">Level</div><div class="bar"><div id="level" class="fill"></div></div></div>
  <div class="meter"><div class="meter-label">Speech (VAD)</div><div class="bar"><div id="vad" class="fill vad"></div></div></div>
</section>
<section>
  <h2>End of speech to text</h2>
  <svg id="chart" viewBox="0 0 600 160" preserveAspectRatio="none" role="img" aria-label="latency over time"></svg>
</section>
<section>
  <h2>Stages (ms)</h2>
  <table id="stages"><thead><tr><th>stage</th><th>p50</th><th>p95</th><th>p99</th><th>n</th></tr></thead><tbody></tbody></table>
</section>
<section>
  <h2>Last utterances</h2>
  <table id="utterances"><thead><tr><th>text</th><th>audio</th><th>mel</th><th>encoder</th><th>decoder</th><th>insert</th><th>latency</th></tr></thead><tbody></tbody></table>
</section>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
