import * as assert from 'assert';
import { formatDuration } from '../../../src/views/duration';

describe('durations (src/views/duration.ts)', () => {
  it('whole milliseconds under a second, seconds with one decimal from a second up', () => {
    assert.deepStrictEqual([0, 15.4, 712.6, 999.4].map(formatDuration), ['0 ms', '15 ms', '713 ms', '999 ms']);
    assert.deepStrictEqual([999.6, 1000, 3636, 59_940].map(formatDuration), ['1.0 s', '1.0 s', '3.6 s', '59.9 s']);
  });
  it('whole seconds from 100 s', () => assert.strictEqual(formatDuration(123_456), '123 s'));
});
