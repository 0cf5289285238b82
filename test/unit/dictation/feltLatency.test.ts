import * as assert from 'assert';
import { feltLatencyMs } from '../../../src/dictation/feltLatency';

describe('felt latency (src/dictation/feltLatency.ts)', () => {
  it('is the wall-clock time from the end of speech to the text in the editor, the hop between processes included', () => {
    // Speech ended at 1000; the engine sent the final 680 ms later; it arrived 5 ms after that; inserted 30 ms later.
    assert.strictEqual(feltLatencyMs({ speechEndedAt: 1000, endOfSpeechToTextMs: 680, receivedAt: 1685, doneAt: 1715 }), 715);
  });

  it('falls back to the sum of the measured parts when the clock went backwards between the stamps', () => {
    assert.strictEqual(feltLatencyMs({ speechEndedAt: 5000, endOfSpeechToTextMs: 680, receivedAt: 1685, doneAt: 1715 }), 710);
  });

  it('falls back when the clock jumped forward (the result would include the jump)', () => {
    assert.strictEqual(feltLatencyMs({ speechEndedAt: 1000, endOfSpeechToTextMs: 680, receivedAt: 3_600_000, doneAt: 3_600_040 }), 720);
  });

  it('a missing stamp (an older engine) gives the sum of the parts', () => {
    assert.strictEqual(feltLatencyMs({ speechEndedAt: NaN, endOfSpeechToTextMs: 650, receivedAt: 10, doneAt: 25 }), 665);
  });
});
