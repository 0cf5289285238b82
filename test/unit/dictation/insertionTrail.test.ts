import * as assert from 'assert';
import { capitalizeWords, InsertionTrail } from '../../../src/dictation/insertionTrail';

const URI = 'file:///a.txt';

/** A trail holding " world" inserted at offset 5 of "hello world!" (version 2). */
function trail(): InsertionTrail {
  const t = new InsertionTrail();
  t.push({ uri: URI, version: 2, pieces: [{ offset: 5, text: ' world', replaced: '' }] });
  return t;
}

describe('InsertionTrail: where the last utterances are while the document changes', () => {
  it('typing before an utterance moves it; typing after it does not', () => {
    const t = trail();
    t.change(URI, 3, [{ offset: 0, length: 0, textLength: 4 }]);
    assert.strictEqual(t.last?.pieces[0].offset, 9);
    t.change(URI, 4, [{ offset: 15, length: 0, textLength: 3 }]);
    assert.strictEqual(t.last?.pieces[0].offset, 9);
    t.change(URI, 5, [{ offset: 0, length: 2, textLength: 0 }]);
    assert.strictEqual(t.last?.pieces[0].offset, 7);
  });

  it('text typed right at its start or end leaves it whole', () => {
    const t = trail();
    t.change(URI, 3, [{ offset: 5, length: 0, textLength: 1 }]);
    assert.strictEqual(t.last?.pieces[0].offset, 6);
    t.change(URI, 4, [{ offset: 12, length: 0, textLength: 1 }]);
    assert.strictEqual(t.size, 1);
  });

  it('a change inside an utterance (an undo, an edit) forgets it', () => {
    const t = trail();
    t.change(URI, 3, [{ offset: 7, length: 1, textLength: 0 }]);
    assert.strictEqual(t.size, 0);
  });

  it('its own edit (up to its version) and other documents leave it alone', () => {
    const t = trail();
    t.change(URI, 2, [{ offset: 5, length: 0, textLength: 6 }]);
    t.change('file:///b.txt', 9, [{ offset: 0, length: 100, textLength: 0 }]);
    assert.deepStrictEqual(t.last?.pieces, [{ offset: 5, text: ' world', replaced: '' }]);
  });

  it('several changes of one event (multiple cursors) apply against the document before it', () => {
    const t = new InsertionTrail();
    t.push({
      uri: URI,
      version: 1,
      pieces: [
        { offset: 10, text: 'x', replaced: '' },
        { offset: 20, text: 'y', replaced: '' },
      ],
    });
    t.change(URI, 2, [
      { offset: 0, length: 0, textLength: 2 },
      { offset: 15, length: 0, textLength: 3 },
    ]);
    assert.deepStrictEqual(
      t.last?.pieces.map((p) => p.offset),
      [12, 25],
    );
  });

  it('pop gives the utterances latest first', () => {
    const t = trail();
    t.push({ uri: URI, version: 3, pieces: [{ offset: 11, text: ' again', replaced: '' }] });
    assert.strictEqual(t.pop()?.pieces[0].text, ' again');
    assert.strictEqual(t.pop()?.pieces[0].text, ' world');
    assert.strictEqual(t.pop(), undefined);
  });
});

describe('capitalizeWords ("cap that")', () => {
  it('capitalizes the first letter of each word, nothing else', () => {
    assert.strictEqual(capitalizeWords(' the old man, and the sea.'), ' The Old Man, And The Sea.');
    assert.strictEqual(capitalizeWords("it's userName"), "It's UserName");
    assert.strictEqual(capitalizeWords('ÉCOLE école 42abc'), 'ÉCOLE École 42abc');
  });
});
