import * as assert from 'assert';
import { preparingText, readyText } from '../../../src/views/preparingText';

describe('model progress text (src/views/preparingText.ts)', () => {
  it('counts whole seconds and says when it is the first use', () => {
    assert.strictEqual(preparingText('base', true, 3400), 'Preparing Whisper base (first use): 3 s');
    assert.strictEqual(preparingText('tiny', false, 900), 'Loading Whisper tiny: 0 s');
  });
  it('ends with the time it took', () => {
    assert.strictEqual(readyText('base', 3120, false), 'Whisper base ready in 3.1 s.');
    assert.match(readyText('tiny', 4600, true), /^Whisper tiny ready in 4\.6 s \(prepared once and cached/);
  });
});
