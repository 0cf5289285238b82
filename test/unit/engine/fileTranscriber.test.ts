import * as assert from 'assert';
import { withContext } from '../../../src/engine/fileTranscriber';

const SR = 16000;
const s = (seconds: number) => seconds * SR;

describe('withContext (the real audio around a file-mode window)', () => {
  it('widens a lone window by the context on both sides, within the recording', () => {
    assert.deepStrictEqual(withContext([[s(2), s(3)]], s(10), s(1), s(10)), [[s(1), s(4)]]);
    assert.deepStrictEqual(withContext([[s(0.5), s(3)]], s(3.2), s(1), s(10)), [[0, s(3.2)]], 'clipped at the edges');
    assert.deepStrictEqual(withContext([[0, s(3)]], s(3), s(1), s(10)), [[0, s(3)]], 'the whole recording already');
  });

  it('never reaches into a neighbouring window', () => {
    assert.deepStrictEqual(
      withContext(
        [
          [s(1), s(4)],
          [s(4.5), s(8)],
          [s(12), s(13)],
        ],
        s(20),
        s(1),
        s(10),
      ),
      [
        [0, s(4.5)],
        [s(4), s(9)],
        [s(11), s(14)],
      ],
    );
  });

  it('keeps a widened window within the maximum, sharing what is left between the sides', () => {
    assert.deepStrictEqual(withContext([[s(5), s(14)]], s(30), s(2), s(10)), [[s(4.5), s(14.5)]], 'evenly');
    assert.deepStrictEqual(withContext([[s(0.25), s(9)]], s(30), s(2), s(10)), [[0, s(10)]], 'the rest to the side with room');
    assert.deepStrictEqual(withContext([[s(20), s(29)]], s(29.25), s(2), s(10)), [[s(19.25), s(29.25)]], 'the rest to the side with room');
    assert.deepStrictEqual(withContext([[s(5), s(17)]], s(30), s(2), s(10)), [[s(5), s(17)]], 'a longer window stays as it is');
  });

  it('changes nothing without context or windows', () => {
    assert.deepStrictEqual(withContext([[s(2), s(3)]], s(10), 0, s(10)), [[s(2), s(3)]]);
    assert.deepStrictEqual(withContext([], s(10), s(1), s(10)), []);
  });
});
