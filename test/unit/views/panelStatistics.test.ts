import * as assert from 'assert';
import type { PanelUtterance } from '../../../src/views/panelProtocol';
import { modelKey, sinceModelChange, utteranceStatistics } from '../../../src/views/panelStatistics';

const u = (model: string, felt: number, extra: Partial<PanelUtterance> = {}): PanelUtterance => ({
  id: 1,
  text: 'x',
  at: 0,
  model,
  audioMs: 2000,
  feltMs: felt,
  processingMs: 10,
  speculative: true,
  vadMs: 3,
  melMs: 20,
  encoderMs: 60,
  decoderMs: 120,
  insertMs: 5,
  tokens: 5,
  inserted: true,
  ...extra,
});

describe('panel statistics (src/views/panelStatistics.ts)', () => {
  it('the model key names the model and its window', () => assert.strictEqual(modelKey('tiny', 'variable'), 'tiny, variable window'));

  it('statistics start again when the model changes: only the newest run of the current model counts', () => {
    const list = [u('tiny', 700), u('tiny', 710), u('base', 900), u('tiny', 720), u('tiny', 730)];
    assert.deepStrictEqual(
      sinceModelChange(list, 'tiny').map((x) => x.feltMs),
      [720, 730],
    );
    assert.deepStrictEqual(sinceModelChange(list, 'base'), [], 'just switched to base: nothing yet');
  });

  it('per-utterance stages, felt latency and the median real-time factor', () => {
    const s = utteranceStatistics([u('tiny', 700), u('tiny', 800, { firstPartialMs: 900 }), u('tiny', 900)]);
    assert.deepStrictEqual(Object.keys(s.stages), [
      'vad',
      'mel',
      'encoder',
      'decoder',
      'processing',
      'insert',
      'first partial',
      'felt latency',
    ]);
    assert.strictEqual(s.stages['felt latency'].p50, 800);
    assert.strictEqual(s.stages['felt latency'].count, 3);
    assert.strictEqual(s.stages['first partial'].count, 1);
    assert.strictEqual(s.realTimeFactor, 200 / 2000);
    assert.deepStrictEqual(utteranceStatistics([]), { stages: {} });
  });
});
