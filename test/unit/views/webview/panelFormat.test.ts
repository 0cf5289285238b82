import * as assert from 'assert';
import { PANEL_STAGES, type PanelSnapshot, type PanelUtterance } from '../../../../src/views/panelProtocol';
import {
  NO_VALUE,
  SHOWN_UTTERANCES,
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
} from '../../../../src/views/webview/panelFormat';

const snapshot = (s: Partial<PanelSnapshot>): PanelSnapshot => ({ state: 'idle', stages: {}, ...s });
const utterance = (id: number, u: Partial<PanelUtterance> = {}): PanelUtterance => ({
  id,
  text: `utterance ${id}`,
  at: 0,
  audioMs: 2000,
  endOfSpeechToTextMs: 700,
  latencyMs: 280,
  melMs: 22.4,
  encoderMs: 85.5,
  decoderMs: 242,
  insertMs: 39,
  tokens: 12,
  inserted: true,
  ...u,
});
const p = (p50: number, count = 1) => ({ p50, p95: p50 * 2, p99: p50 * 3, count });

describe('performance panel figures (src/views/webview/panelFormat.ts)', () => {
  it('milliseconds are rounded, a missing value is a dash', () => {
    assert.strictEqual(formatMs(241.5), '242 ms');
    assert.strictEqual(formatMs(0), '0 ms');
    assert.strictEqual(formatMs(undefined), NO_VALUE);
    assert.strictEqual(formatMs(null), NO_VALUE);
  });

  it('real-time factor, CPU and memory carry their units and precision', () => {
    assert.strictEqual(formatRealTimeFactor(0.03214), '0.032x');
    assert.strictEqual(formatCpuPercent(66.14), '66.1 %');
    assert.strictEqual(formatRss(578 * 1048576 + 1000), '578 MB');
    for (const f of [formatRealTimeFactor, formatCpuPercent, formatRss]) assert.strictEqual(f(undefined), NO_VALUE);
  });

  it('the state shows its detail; the button stops a running session and starts otherwise', () => {
    assert.strictEqual(stateText(snapshot({ state: 'error', detail: 'engine exited' })), 'error (engine exited)');
    assert.strictEqual(stateText(snapshot({ state: 'listening' })), 'listening');
    for (const s of ['starting', 'listening', 'speech', 'transcribing']) assert.strictEqual(toggleLabel(s), 'Stop dictation', s);
    for (const s of ['idle', 'error']) assert.strictEqual(toggleLabel(s), 'Start dictation', s);
  });

  it('the Profile card shows the profile, else the model, and the model with its window below', () => {
    assert.strictEqual(profileText(snapshot({ profile: 'fast', model: 'tiny' })), 'fast');
    assert.strictEqual(profileText(snapshot({ model: 'tiny' })), 'tiny');
    assert.strictEqual(profileText(snapshot({})), NO_VALUE);
    assert.strictEqual(profileDetail(snapshot({ model: 'tiny', encoderWindow: 'variable' })), 'tiny, variable window');
    assert.strictEqual(profileDetail(snapshot({ encoderWindow: 'full' })), 'full window');
    assert.strictEqual(profileDetail(snapshot({})), '');
  });

  it('the stages table follows PANEL_STAGES order and leaves out stages without timings', () => {
    const rows = stageRows({ 'first partial': p(494), insert: p(39), capture: p(20, 348), unknown: p(1) });
    assert.deepStrictEqual(rows, [
      ['capture', '20 ms', '40 ms', '60 ms', '348'],
      ['insert', '39 ms', '78 ms', '117 ms', '1'],
      ['first partial', '494 ms', '988 ms', '1482 ms', '1'],
    ]);
    const all = Object.fromEntries(PANEL_STAGES.map((n) => [n, p(1)]));
    assert.deepStrictEqual(
      stageRows(all).map((r) => r[0]),
      [...PANEL_STAGES],
    );
  });

  it('the utterances table shows the newest first, at most SHOWN_UTTERANCES, and marks text not inserted', () => {
    const list = Array.from({ length: SHOWN_UTTERANCES + 5 }, (_, i) => utterance(i + 1, { inserted: i + 1 !== SHOWN_UTTERANCES + 5 }));
    const rows = utteranceRows(list);
    assert.strictEqual(rows.length, SHOWN_UTTERANCES);
    assert.strictEqual(rows[0].cells[0], `utterance ${SHOWN_UTTERANCES + 5}`);
    assert.strictEqual(rows[rows.length - 1].cells[0], 'utterance 6');
    assert.deepStrictEqual(rows[1].cells, [`utterance ${SHOWN_UTTERANCES + 4}`, '2000 ms', '22 ms', '86 ms', '242 ms', '39 ms', '280 ms']);
    assert.strictEqual(rows[0].inserted, false);
    assert.match(rows[0].title, /\(not inserted: kept on the clipboard and in the history\)$/);
    assert.strictEqual(rows[1].title, rows[1].cells[0]);
    assert.deepStrictEqual(utteranceRows([]), []);
  });

  it('the level meter spans -60 dBFS (empty) to 0 dBFS (full); the VAD meter is the probability in percent', () => {
    assert.strictEqual(levelPercent(1), 100);
    assert.strictEqual(levelPercent(2), 100);
    assert.ok(Math.abs(levelPercent(0.001) - 0) < 1e-9);
    assert.strictEqual(levelPercent(0), 0);
    assert.ok(Math.abs(levelPercent(Math.pow(10, -30 / 20)) - 50) < 1e-9, '-30 dBFS is half');
    assert.strictEqual(speechPercent(0.876), 88);
    assert.strictEqual(speechPercent(0), 0);
  });
});
