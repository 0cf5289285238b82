/**
 * The performance panel's page: the skeleton that src/views/webview/panel.ts fills in (the element ids are shared
 * with it; it also sets the chart's viewBox, from latencyChart.ts). Strict CSP: nothing loads but the extension's own stylesheet and images, and the one script carrying
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
  <svg id="chart" preserveAspectRatio="none" role="img" aria-label="latency over time"></svg>
</section>
<section>
  <h2>Stages (ms)</h2>
  <table id="stages"><thead><tr><th>stage</th><th>p50</th><th>p95</th><th>p99</th><th>n</th></tr></thead><tbody></tbody></table>
</section>
<section>
  <h2>Last utterances</h2>
  <table id="utterances"><thead><tr><th>text</th><th>audio</th><th>mel</th><th>encoder</th><th>decoder</th><th>insert</th><th>latency</th></tr></thead><tbody></tbody></table>
</section>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}
