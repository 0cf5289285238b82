/**
 * The performance panel's page script (bundled by esbuild.mjs into dist/webview/panel.js, loaded by the page of
 * src/views/panelHtml.ts). It renders the extension's notifications and sends it commands, both typed by
 * src/views/panelProtocol.ts; what the figures read comes from panelFormat.ts and latencyChart.ts.
 */
import type { PanelCommand, PanelNotification, PanelSnapshot, PanelUtterance } from '../panelProtocol';
import { CHART_HEIGHT, CHART_WIDTH, latencyChart } from './latencyChart';
import {
  NO_VALUE,
  formatCpuPercent,
  formatMs,
  formatRealTimeFactor,
  formatRss,
  levelPercent,
  profileDetail,
  profileText,
  speechPercent,
  stageRows,
  stateText,
  toggleLabel,
  utteranceRows,
} from './panelFormat';

/** What the page keeps across being hidden and shown again (VS Code's webview state). */
interface PanelState {
  snapshot?: PanelSnapshot;
  utterances?: PanelUtterance[];
}

/** The part of VS Code's webview API this page uses; postMessage takes only the panel's commands. */
interface WebviewApi {
  postMessage(command: PanelCommand): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): WebviewApi;

const SVG_NS = 'http://www.w3.org/2000/svg';
const POINT_RADIUS = 3;

const vscode = acquireVsCodeApi();

function byId<T extends Element = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`performance panel: no element #${id} in the page (src/views/panelHtml.ts)`);
  return e as unknown as T;
}

const text = (id: string, value: string) => {
  byId(id).textContent = value;
};

function renderSnapshot(s: PanelSnapshot): void {
  text('state', stateText(s));
  byId('state-dot').className = `dot ${s.state}`;
  text('toggle', toggleLabel(s.state));
  text('rtf', formatRealTimeFactor(s.realTimeFactor));
  text('cpu', formatCpuPercent(s.cpuPercent));
  text('rss', formatRss(s.rssBytes));
  text('model', profileText(s));
  text('window', profileDetail(s));
  tbody('stages').replaceChildren(...stageRows(s.stages).map((cells) => row(cells)));
}

function renderUtterances(list: PanelUtterance[]): void {
  const last = list[list.length - 1];
  text('last-latency', last ? formatMs(last.latencyMs) : NO_VALUE);
  text('last-eos', last ? formatMs(last.endOfSpeechToTextMs) : NO_VALUE);
  tbody('utterances').replaceChildren(
    ...utteranceRows(list).map((u) => {
      const tr = row(u.cells);
      if (!u.inserted) tr.className = 'not-inserted';
      tr.title = u.title;
      return tr;
    }),
  );
  renderChart(list.map((u) => u.endOfSpeechToTextMs));
}

function tbody(tableId: string): HTMLTableSectionElement {
  const body = byId<HTMLTableElement>(tableId).tBodies[0];
  if (!body) throw new Error(`performance panel: table #${tableId} has no tbody`);
  return body;
}

function row(cells: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c;
    tr.appendChild(td);
  }
  return tr;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) e.setAttribute(name, String(value));
  return e;
}

function renderChart(valuesMs: number[]): void {
  const chart = latencyChart(valuesMs);
  const nodes: SVGElement[] = [svg('line', { class: 'axis', x1: chart.axisX1, x2: chart.axisX2, y1: chart.axisY, y2: chart.axisY })];
  const label = svg('text', { x: 2, y: 12 });
  label.textContent = chart.label;
  nodes.push(label);
  if (chart.points.length > 0) {
    nodes.push(svg('polyline', { class: 'line', points: chart.points.map((p) => `${p.x},${p.y}`).join(' ') }));
    for (const p of chart.points) nodes.push(svg('circle', { class: 'point', cx: p.x, cy: p.y, r: POINT_RADIUS }));
  }
  byId<SVGSVGElement>('chart').replaceChildren(...nodes);
}

function renderLevel(rms: number, speechProbability: number): void {
  byId('level').style.width = `${levelPercent(rms)}%`;
  byId('vad').style.width = `${speechPercent(speechProbability)}%`;
}

function onNotification(n: PanelNotification): void {
  switch (n.type) {
    case 'snapshot':
      renderSnapshot(n.snapshot);
      vscode.setState({ ...vscode.getState(), snapshot: n.snapshot });
      break;
    case 'utterances':
      renderUtterances(n.utterances);
      vscode.setState({ ...vscode.getState(), utterances: n.utterances });
      break;
    case 'level':
      renderLevel(n.rms, n.speechProbability);
      break;
  }
}

byId<SVGSVGElement>('chart').setAttribute('viewBox', `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`);
window.addEventListener('message', (event: MessageEvent<PanelNotification>) => onNotification(event.data));
byId('toggle').addEventListener('click', () => vscode.postMessage({ type: 'toggleDictation' }));

// Shown again after being hidden: draw what we had, then ask for the current state.
const saved = vscode.getState();
if (saved?.snapshot) renderSnapshot(saved.snapshot);
if (saved?.utterances) renderUtterances(saved.utterances);
vscode.postMessage({ type: 'ready' });
