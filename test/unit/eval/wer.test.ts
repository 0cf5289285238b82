import * as assert from 'assert';
import { alignWords, normalizeWords, spellNumber, wordEditDistance, wordErrorRate } from '../../../eval/wer';

describe('bench/wer', () => {
  it('spells numbers out', () => {
    assert.deepStrictEqual(spellNumber('0'), ['zero']);
    assert.deepStrictEqual(spellNumber('7'), ['seven']);
    assert.deepStrictEqual(spellNumber('10'), ['ten']);
    assert.deepStrictEqual(spellNumber('40'), ['forty']);
    assert.deepStrictEqual(spellNumber('25'), ['twenty', 'five']);
    assert.deepStrictEqual(spellNumber('105'), ['one', 'hundred', 'five']);
    assert.deepStrictEqual(spellNumber('2026'), ['2026']);
  });

  it('normalizes case, punctuation and digits', () => {
    assert.deepStrictEqual(normalizeWords('10 of Clubs.'), ['ten', 'of', 'clubs']);
    assert.deepStrictEqual(normalizeWords('Go forward, 10 meters!'), ['go', 'forward', 'ten', 'meters']);
    assert.deepStrictEqual(normalizeWords("Twenty-five; don't"), ['twenty', 'five', 'dont']);
    assert.deepStrictEqual(normalizeWords('  '), []);
  });

  it('counts word edits', () => {
    assert.strictEqual(wordEditDistance(['a', 'b', 'c'], ['a', 'b', 'c']), 0);
    assert.strictEqual(wordEditDistance(['a', 'b', 'c'], ['a', 'x', 'c']), 1);
    assert.strictEqual(wordEditDistance(['a', 'b', 'c'], ['a', 'c']), 1);
    assert.strictEqual(wordEditDistance(['a', 'b'], ['a', 'b', 'c', 'd']), 2);
    assert.strictEqual(wordEditDistance([], ['a']), 1);
  });

  it('computes WER over all clips together', () => {
    const r = wordErrorRate([
      { reference: 'ten of clubs', hypothesis: '10 of clubs.' },
      { reference: 'five five', hypothesis: '5, 5, 5.' },
    ]);
    assert.deepStrictEqual(r, { wer: 1 / 5, errors: 1, referenceWords: 5 });
  });

  it('counts words lost, misheard and invented', () => {
    const w = (t: string) => t.split(' ').filter(Boolean);
    assert.deepStrictEqual(alignWords(w('ten of clubs four queen of clubs'), w('ten of clubs')), {
      referenceWords: 7,
      hits: 3,
      substitutions: 0,
      deletions: 4,
      insertions: 0,
    });
    assert.deepStrictEqual(alignWords(w('five five'), w('five five five')), {
      referenceWords: 2,
      hits: 2,
      substitutions: 0,
      deletions: 0,
      insertions: 1,
    });
    assert.deepStrictEqual(alignWords(w('seven of clubs'), w('seven of clothes')), {
      referenceWords: 3,
      hits: 2,
      substitutions: 1,
      deletions: 0,
      insertions: 0,
    });
    assert.deepStrictEqual(alignWords([], w('thank you')), { referenceWords: 0, hits: 0, substitutions: 0, deletions: 0, insertions: 2 });
    // The counts always add up: hits + substitutions + deletions = reference words.
    const a = alignWords(w('a b c d e f'), w('a x c e f g h'));
    assert.strictEqual(a.hits + a.substitutions + a.deletions, a.referenceWords);
  });
});
