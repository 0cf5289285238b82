import * as assert from 'assert';
import { PANEL_STAGES, STAGE_EXPLANATIONS, type PanelSnapshot, type PanelUtterance } from '../../../../src/views/panelProtocol';
import {
  NO_VALUE,
  SHOWN_UTTERANCES,
  detailText,
  emptyText,
  feltSub,
  formatCpuPercent,
  formatMs,
  formatRealTimeFactor,
  formatRss,
  levelPercent,
  modelLine,
  processingSub,
  speechPercent,
  stageRows,
  stagesTitle,
  stateText,
  toggleLabel,
  utteranceRows,
} from '../../../../src/views/webview/panelFormat';

const snapshot = (s: Partial<PanelSnapshot>): PanelSnapshot => ({
  state: 'idle',
  stages: {},
  toggleKey: 'Ctrl+Alt+D',
  utterances: 0,
  ...s,
});
const utterance = (id: number, u: Partial<PanelUtterance> = {}): PanelUtterance => ({
  id,
  text: `utterance ${id}`,
  at: 0,
  model: 'tiny, variable window',
  audioMs: 2000,
  feltMs: 712,
  processingMs: 15,
  speculative: true,
  vadMs: 4,
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
  it('durations in units a person reads: ms under a second, s above; a missing value is a dash', () => {
    assert.strictEqual(formatMs(241.5), '242 ms');
    assert.strictEqual(formatMs(0), '0 ms');
    assert.strictEqual(formatMs(3636), '3.6 s');
    assert.strictEqual(formatMs(undefined), NO_VALUE);
    assert.strictEqual(formatMs(null), NO_VALUE);
  });

  it('real-time factor, CPU and memory carry their units and precision', () => {
    assert.strictEqual(formatRealTimeFactor(0.03214), '0.032x');
    assert.strictEqual(formatCpuPercent(66.14), '66.1 %');
    assert.strictEqual(formatRss(578 * 1048576 + 1000), '578 MB');
    for (const f of [formatRealTimeFactor, formatCpuPercent, formatRss]) assert.strictEqual(f(undefined), NO_VALUE);
  });

  it('the header says the state in a word; its detail (a device, an error sentence) goes on a line of its own', () => {
    assert.strictEqual(stateText(snapshot({ state: 'error', detail: 'The speech engine stopped unexpectedly (exit code 1).' })), 'Error');
    assert.strictEqual(detailText(snapshot({ state: 'error', detail: 'engine exited' })), 'engine exited');
    assert.strictEqual(stateText(snapshot({ state: 'listening', detail: 'fakemic' })), 'Listening');
    assert.strictEqual(detailText(snapshot({ state: 'listening', detail: 'fakemic' })), 'Listening on fakemic');
    assert.strictEqual(detailText(snapshot({ state: 'idle' })), '');
    for (const s of ['starting', 'listening', 'speech', 'transcribing']) assert.strictEqual(toggleLabel(s), 'Stop dictation', s);
    for (const s of ['idle', 'error']) assert.strictEqual(toggleLabel(s), 'Start dictation', s);
  });

  it('the model line names the model, window and profile as they are now', () => {
    assert.strictEqual(
      modelLine(snapshot({ model: 'base', encoderWindow: 'variable', profile: 'accurate' })),
      'Whisper base · variable window · profile accurate',
    );
    assert.strictEqual(modelLine(snapshot({})), '');
  });

  it('the empty state says what to do, and names the model when others were used before', () => {
    assert.strictEqual(emptyText(snapshot({}), false), 'Start dictation (Ctrl+Alt+D) and speak: figures appear here.');
    assert.strictEqual(
      emptyText(snapshot({ model: 'base' }), true),
      'No utterance with Whisper base yet. Start dictation (Ctrl+Alt+D) and speak: figures appear here.',
    );
  });

  it('the stages heading names the model and how many utterances the figures are from', () => {
    assert.strictEqual(stagesTitle(snapshot({ model: 'tiny', utterances: 1 })), 'Stages with Whisper tiny: 1 utterance');
    assert.match(
      stagesTitle(snapshot({ model: 'tiny', utterances: 16, since: Date.now() })),
      /^Stages with Whisper tiny: 16 utterances since \d\d:\d\d:\d\d$/,
    );
  });

  it('the cards: felt latency with its percentiles, processing after the pause', () => {
    assert.strictEqual(feltSub(snapshot({ stages: { 'felt latency': p(712) } })), 'end of speech to text · p50 712 ms, p95 1.4 s');
    assert.strictEqual(processingSub(snapshot({ hangoverMs: 600 })), 'after the 600 ms pause that ends speech');
  });

  it('the stages table follows PANEL_STAGES order, leaves out stages without timings, and explains each on hover', () => {
    const rows = stageRows({ 'first partial': p(494), insert: p(39), capture: p(20, 348), unknown: p(1) });
    assert.deepStrictEqual(
      rows.map((r) => [r.name, ...r.cells]),
      [
        ['capture', '20 ms', '40 ms', '60 ms', '348'],
        ['insert', '39 ms', '78 ms', '117 ms', '1'],
        ['first partial', '494 ms', '988 ms', '1.5 s', '1'],
      ],
    );
    const all = Object.fromEntries(PANEL_STAGES.map((n) => [n, p(1)]));
    assert.deepStrictEqual(
      stageRows(all).map((r) => r.name),
      [...PANEL_STAGES],
    );
    for (const r of stageRows(all))
      assert.ok(r.title.length > 30 && r.title === STAGE_EXPLANATIONS[r.name as keyof typeof STAGE_EXPLANATIONS], r.name);
    assert.match(STAGE_EXPLANATIONS.processing, /speculative pass/);
  });

  it('the utterances table shows the newest first, at most SHOWN_UTTERANCES, and marks text not inserted', () => {
    const list = Array.from({ length: SHOWN_UTTERANCES + 5 }, (_, i) => utterance(i + 1, { inserted: i + 1 !== SHOWN_UTTERANCES + 5 }));
    const rows = utteranceRows(list);
    assert.strictEqual(rows.length, SHOWN_UTTERANCES);
    assert.strictEqual(rows[0].cells[0], `utterance ${SHOWN_UTTERANCES + 5}`);
    assert.strictEqual(rows[rows.length - 1].cells[0], 'utterance 6');
    assert.deepStrictEqual(rows[1].cells, [`utterance ${SHOWN_UTTERANCES + 4}`, '2.0 s', '86 ms', '242 ms', '15 ms', '712 ms']);
    assert.strictEqual(rows[0].inserted, false);
    assert.match(rows[0].title, /Not inserted: kept on the clipboard and in the history\.$/);
    assert.match(rows[1].title, /^utterance \d+\nWhisper tiny, variable window; ready when the pause ended \(speculative pass\)$/);
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
