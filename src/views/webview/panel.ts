/**
 * The performance panel's page script (bundled by esbuild.mjs into dist/webview/panel.js, loaded by the page of
 * src/views/panelHtml.ts). It renders the extension's notifications and sends it commands, both typed by
 * src/views/panelProtocol.ts; what the figures read comes from panelFormat.ts and latencyChart.ts.
 */
import type { PanelCommand, PanelNotification, PanelSnapshot, PanelUtterance } from '../panelProtocol';
import { latencyChart } from './latencyChart';
import {
  detailText,
  emptyText,
  feltSub,
  formatCpuPercent,
  formatMs,
  formatRealTimeFactor,
  formatRss,
  levelPercent,
  modelLine,
  NO_VALUE,
  processingSub,
  speechPercent,
  stageRows,
  stagesTitle,
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
let snapshot: PanelSnapshot | undefined;
let utterances: PanelUtterance[] = [];

function byId<T extends Element = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`performance panel: no element #${id} in the page (src/views/panelHtml.ts)`);
  return e as unknown as T;
}

const text = (id: string, value: string) => {
  byId(id).textContent = value;
};

/** Fills a paragraph, hidden when it has nothing to say. */
const show = (id: string, value: string) => {
  const e = byId(id);
  e.textContent = value;
  e.hidden = value === '';
};

function renderSnapshot(s: PanelSnapshot): void {
  const state = stateText(s);
  text('state', state);
  byId('state-box').title = s.detail ? `${state}: ${s.detail}` : state;
  byId('state-dot').className = `dot ${s.state}`;
  text('toggle', toggleLabel(s.state));
  show('model-line', modelLine(s));
  show('detail', detailText(s));
  byId('detail').className = s.state === 'error' ? 'detail error' : 'detail';
  text('rtf', formatRealTimeFactor(s.realTimeFactor));
  text('cpu', formatCpuPercent(s.cpuPercent));
  text('rss', formatRss(s.rssBytes));
  text('felt-sub', feltSub(s));
  text('processing-sub', processingSub(s));
  text('stages-title', stagesTitle(s));
  tbody('stages').replaceChildren(
    ...stageRows(s.stages).map((r) => {
      const tr = row([r.name, ...r.cells]);
      tr.cells[0].title = r.title;
      tr.cells[0].className = 'explained';
      return tr;
    }),
  );
  renderEmpty();
  renderChart();
}

/** The current model's utterances (those the statistics are from). */
const current = (): PanelUtterance[] =>
  snapshot ? utterances.slice(utterances.length - Math.min(snapshot.utterances, utterances.length)) : [];

function renderEmpty(): void {
  if (!snapshot) return;
  const empty = snapshot.utterances === 0;
  document.body.classList.toggle('empty', empty);
  show('empty', empty ? emptyText(snapshot, utterances.length > 0) : '');
}

function renderUtterances(list: PanelUtterance[]): void {
  const last = list[list.length - 1];
  text('felt', last ? formatMs(last.feltMs) : NO_VALUE);
  text('processing', last ? formatMs(last.processingMs) : NO_VALUE);
  tbody('utterances').replaceChildren(
    ...utteranceRows(list).map((u) => {
      const tr = row(u.cells);
      if (!u.inserted) tr.className = 'not-inserted';
      tr.title = u.title;
      return tr;
    }),
  );
  renderEmpty();
  renderChart();
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

/** Draws the chart at the size the page gives it (in its own pixels, so labels are never stretched). */
function renderChart(): void {
  const element = byId<SVGSVGElement>('chart');
  const { width, height } = element.getBoundingClientRect();
  if (width === 0) return; // hidden (empty state): drawn when shown
  element.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const c = latencyChart(
    current().map((u) => ({ at: u.at, ms: u.feltMs })),
    width,
    height,
    snapshot?.warningMs,
  );
  const nodes: SVGElement[] = [
    svg('line', { class: 'axis', x1: c.left, x2: c.right, y1: c.bottom, y2: c.bottom }),
    svg('line', { class: 'axis', x1: c.left, x2: c.left, y1: c.top, y2: c.bottom }),
  ];
  if (c.budgetY !== undefined) {
    const budget = svg('line', { class: 'budget', x1: c.left, x2: c.right, y1: c.budgetY, y2: c.budgetY });
    const title = svg('title', {});
    title.textContent = `Warning budget (voiceflow.latencyWarningMs): ${formatMs(snapshot?.warningMs)}`;
    budget.appendChild(title);
    nodes.push(budget);
  }
  for (const l of c.labels) {
    const t = svg('text', { x: l.x, y: l.y, 'text-anchor': l.anchor });
    t.textContent = l.text;
    nodes.push(t);
  }
  if (c.points.length > 1) nodes.push(svg('polyline', { class: 'line', points: c.points.map((p) => `${p.x},${p.y}`).join(' ') }));
  for (const p of c.points) nodes.push(svg('circle', { class: 'point', cx: p.x, cy: p.y, r: POINT_RADIUS }));
  element.replaceChildren(...nodes);
}

function renderLevel(rms: number, speechProbability: number): void {
  byId('level').style.width = `${levelPercent(rms)}%`;
  byId('vad').style.width = `${speechPercent(speechProbability)}%`;
}

function onNotification(n: PanelNotification): void {
  switch (n.type) {
    case 'snapshot':
      snapshot = n.snapshot;
      renderSnapshot(n.snapshot);
      vscode.setState({ ...vscode.getState(), snapshot: n.snapshot });
      break;
    case 'utterances':
      utterances = n.utterances;
      renderUtterances(n.utterances);
      vscode.setState({ ...vscode.getState(), utterances: n.utterances });
      break;
    case 'level':
      renderLevel(n.rms, n.speechProbability);
      break;
  }
}

window.addEventListener('message', (event: MessageEvent<PanelNotification>) => onNotification(event.data));
byId('toggle').addEventListener('click', () => vscode.postMessage({ type: 'toggleDictation' }));
byId('copy-report').addEventListener('click', () => vscode.postMessage({ type: 'copyReport' }));
new ResizeObserver(() => renderChart()).observe(byId('chart'));

// Shown again after being hidden: draw what we had, then ask for the current state.
const saved = vscode.getState();
if (saved?.utterances) {
  utterances = saved.utterances;
  renderUtterances(saved.utterances);
}
if (saved?.snapshot) {
  snapshot = saved.snapshot;
  renderSnapshot(saved.snapshot);
}
vscode.postMessage({ type: 'ready' });
