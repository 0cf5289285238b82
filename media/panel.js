// The performance panel's script. Messages follow src/views/panelProtocol.ts:
// from the extension: {type:'snapshot', snapshot} | {type:'utterances', utterances} | {type:'level', rms, speechProbability, speaking}
// to the extension:   {type:'ready'} | {type:'toggleDictation'}
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  const STAGES = ['capture', 'vad', 'mel', 'encoder', 'decoder', 'processing', 'insert', 'first partial'];
  const ms = (v) => (v === undefined || v === null ? '–' : `${Math.round(v)} ms`);

  function renderSnapshot(s) {
    $('state').textContent = s.detail ? `${s.state} (${s.detail})` : s.state;
    $('state-dot').className = `dot ${s.state}`;
    const active = s.state !== 'idle' && s.state !== 'error';
    $('toggle').textContent = active ? 'Stop dictation' : 'Start dictation';
    $('rtf').textContent = s.realTimeFactor === undefined ? '–' : `${s.realTimeFactor.toFixed(3)}x`;
    $('cpu').textContent = s.cpuPercent === undefined ? '–' : `${s.cpuPercent.toFixed(1)} %`;
    $('rss').textContent = s.rssBytes === undefined ? '–' : `${Math.round(s.rssBytes / 1048576)} MB`;
    $('model').textContent = s.profile ? `${s.profile}` : s.model || '–';
    $('window').textContent = [s.model, s.encoderWindow ? `${s.encoderWindow} window` : ''].filter(Boolean).join(', ');
    const body = $('stages').querySelector('tbody');
    body.replaceChildren(...STAGES.filter((n) => s.stages[n]).map((n) => {
      const p = s.stages[n];
      return row([n, ms(p.p50), ms(p.p95), ms(p.p99), String(p.count)]);
    }));
  }

  function renderUtterances(list) {
    const last = list[list.length - 1];
    $('last-latency').textContent = last ? ms(last.latencyMs) : '–';
    $('last-eos').textContent = last ? ms(last.endOfSpeechToTextMs) : '–';
    const body = $('utterances').querySelector('tbody');
    body.replaceChildren(...list.slice(-20).reverse().map((u) => {
      const tr = row([u.text, ms(u.audioMs), ms(u.melMs), ms(u.encoderMs), ms(u.decoderMs), ms(u.insertMs), ms(u.latencyMs)]);
      if (!u.inserted) tr.className = 'not-inserted';
      tr.title = u.inserted ? u.text : `${u.text} (not inserted: kept on the clipboard and in the history)`;
      return tr;
    }));
    renderChart(list.map((u) => u.endOfSpeechToTextMs));
  }

  function row(cells) {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.appendChild(td);
    }
    return tr;
  }

  const SVG = 'http://www.w3.org/2000/svg';
  function renderChart(values) {
    const svg = $('chart');
    const W = 600, H = 160, PAD = 24;
    const max = Math.max(100, ...values) * 1.1;
    const x = (i) => PAD + (values.length < 2 ? 0 : (i * (W - 2 * PAD)) / (values.length - 1));
    const y = (v) => H - PAD - (v / max) * (H - 2 * PAD);
    const nodes = [];
    const axis = document.createElementNS(SVG, 'line');
    axis.setAttribute('class', 'axis');
    axis.setAttribute('x1', String(PAD)); axis.setAttribute('x2', String(W - PAD));
    axis.setAttribute('y1', String(H - PAD)); axis.setAttribute('y2', String(H - PAD));
    nodes.push(axis);
    const label = document.createElementNS(SVG, 'text');
    label.setAttribute('x', '2'); label.setAttribute('y', '12');
    label.textContent = `${Math.round(max)} ms`;
    nodes.push(label);
    if (values.length > 0) {
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('class', 'line');
      line.setAttribute('points', values.map((v, i) => `${x(i)},${y(v)}`).join(' '));
      nodes.push(line);
      values.forEach((v, i) => {
        const c = document.createElementNS(SVG, 'circle');
        c.setAttribute('class', 'point');
        c.setAttribute('cx', String(x(i))); c.setAttribute('cy', String(y(v))); c.setAttribute('r', '3');
        nodes.push(c);
      });
    }
    svg.replaceChildren(...nodes);
  }

  function renderLevel(m) {
    // RMS on a dB scale from -60 dBFS (empty) to 0 dBFS (full).
    const db = 20 * Math.log10(Math.max(m.rms, 1e-6));
    $('level').style.width = `${Math.max(0, Math.min(100, ((db + 60) / 60) * 100))}%`;
    $('vad').style.width = `${Math.round(m.speechProbability * 100)}%`;
  }

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (m.type === 'snapshot') { renderSnapshot(m.snapshot); vscode.setState({ ...vscode.getState(), snapshot: m.snapshot }); }
    else if (m.type === 'utterances') { renderUtterances(m.utterances); vscode.setState({ ...vscode.getState(), utterances: m.utterances }); }
    else if (m.type === 'level') renderLevel(m);
  });
  $('toggle').addEventListener('click', () => vscode.postMessage({ type: 'toggleDictation' }));

  // Shown again after being hidden: draw what we had, then ask for the current state.
  const saved = vscode.getState();
  if (saved && saved.snapshot) renderSnapshot(saved.snapshot);
  if (saved && saved.utterances) renderUtterances(saved.utterances);
  vscode.postMessage({ type: 'ready' });
})();
