/**
 * The performance panel's page: the skeleton that src/views/webview/panel.ts fills in (the element ids are shared
 * with it; it draws the chart at its measured size, from latencyChart.ts). Strict CSP: nothing loads but the extension's own stylesheet and images, and the one script carrying
 * the nonce. No vscode import, so the unit tests can read it.
 */

export interface PanelPage {
  /** The webview's `cspSource` (who may serve its local resources). */
  cspSource: string;
  /** A fresh random nonce per page, base64. */
  nonce: string;
  /** Webview URIs (`asWebviewUri`) of the bundled script and of media/panel.css. */
  scriptUri: string;
  styleUri: string;
}

export function panelHtml({ cspSource, nonce, scriptUri, styleUri }: PanelPage): string {
  const csp = ["default-src 'none'", `style-src ${cspSource}`, `script-src 'nonce-${nonce}'`, `img-src ${cspSource} data:`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri}">
<title>VoiceFlow Performance</title>
</head>
<body>
<header>
  <h1>VoiceFlow Performance</h1>
  <div class="state" id="state-box"><span id="state-dot" class="dot"></span><span id="state">Idle</span></div>
  <button id="toggle" type="button" title="Dictates into the text editor you last used">Start dictation</button>
  <button id="copy-report" type="button" class="secondary" title="Copies a Markdown summary: machine, model, stages, felt latency, RTF, CPU, memory">Copy report</button>
</header>
<p id="model-line" class="subtitle"></p>
<p id="detail" class="detail" hidden></p>
<p id="empty" class="empty" hidden></p>
<section class="cards data">
  <div class="card" title="What you wait: from the end of your speech to the text in the editor, the pause that tells the end of speech included"><div class="label">Felt latency</div><div class="value" id="felt">–</div><div class="sub" id="felt-sub">end of speech to text in the editor</div></div>
  <div class="card" title="From the end of the pause to the final text. Near 0 ms when Whisper already ran during the pause (the speculative pass)"><div class="label">Processing</div><div class="value" id="processing">–</div><div class="sub" id="processing-sub">after the pause that ends speech</div></div>
  <div class="card" title="Whisper's time over the audio's length, median: below 1 is faster than real time"><div class="label">Real-time factor</div><div class="value" id="rtf">–</div><div class="sub">processing / audio, median</div></div>
  <div class="card" title="The speech engine's process, over the last second"><div class="label">Engine CPU</div><div class="value" id="cpu">–</div><div class="sub">of one core</div></div>
  <div class="card" title="The speech engine's resident memory"><div class="label">Engine memory</div><div class="value" id="rss">–</div><div class="sub">resident</div></div>
</section>
<section>
  <h2>Input</h2>
  <div class="meter"><div class="meter-label" title="The microphone's level (RMS, -60 to 0 dBFS)">Level</div><div class="bar"><div id="level" class="fill"></div></div></div>
  <div class="meter"><div class="meter-label" title="How sure the speech detector (Silero VAD) is that you are speaking">Speech (VAD)</div><div class="bar"><div id="vad" class="fill vad"></div></div></div>
</section>
<section class="data">
  <h2>Felt latency over time</h2>
  <svg id="chart" role="img" aria-label="felt latency of each utterance over time"></svg>
</section>
<section class="data">
  <h2 id="stages-title">Stages</h2>
  <table id="stages"><thead><tr><th title="Hover a stage for what it is">stage</th><th title="Median">p50</th><th title="95th percentile">p95</th><th title="99th percentile">p99</th><th title="How many timings">n</th></tr></thead><tbody></tbody></table>
</section>
<section class="data">
  <h2>Last utterances</h2>
  <table id="utterances"><colgroup><col class="text"><col><col><col><col><col></colgroup><thead><tr><th>text</th><th title="Length of the speech">audio</th><th title="Whisper's encoder">encoder</th><th title="Whisper's decoder">decoder</th><th title="From the end of the pause to the text">processing</th><th title="From the end of speech to the text in the editor">felt</th></tr></thead><tbody></tbody></table>
</section>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}
