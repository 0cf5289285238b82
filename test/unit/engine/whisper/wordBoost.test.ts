import * as assert from 'assert';
import { argmax } from '../../../../src/engine/whisper/decoder';
import { boostedTokens, wordBoost } from '../../../../src/engine/whisper/wordBoost';

/** One token per character: ' ' is 32, 'c' 99, 'C' 67 ... */
const perChar = { encode: (text: string) => [...text].map((c) => c.charCodeAt(0)) };
const ids = (s: string) => perChar.encode(s);
const chars = (tokens: number[]) => [...new Set(tokens)].map((t) => String.fromCharCode(t)).sort();

describe('word boosting (src/engine/whisper/wordBoost.ts)', () => {
  /** One token per word: the words' own ids, and ' ' + word for the spelling after a space. */
  const vocab = new Map<string, number>();
  const perWord = {
    encode: (text: string) => {
      if (!vocab.has(text)) vocab.set(text, vocab.size + 1);
      return [vocab.get(text)!];
    },
  };
  const id = (piece: string) => perWord.encode(piece)[0];
  const names = (tokens: number[]) => [...new Set(tokens)].map((t) => [...vocab].find(([, v]) => v === t)![0]).sort();

  it('spells each word four ways: after a space or starting the text, as said and capitalized', () => {
    const b = wordBoost(['comma', ' new  line '], perChar, 2)!;
    assert.deepStrictEqual(
      b.paths.map((p) => String.fromCharCode(...p.tokens)),
      [' comma', 'comma', ' Comma', 'Comma', ' new line', 'new line', ' New line', 'New line'],
    );
    assert.deepStrictEqual(
      b.paths.map((p) => p.startOnly),
      [false, true, false, true, false, true, false, true],
    );
    assert.deepStrictEqual(
      b.paths.map((p) => p.firstWord),
      [6, 5, 6, 5, 4, 3, 4, 3],
      "the first word's tokens",
    );
    assert.strictEqual(b.bonus, 2);
  });

  it('is off without words or without a bonus', () => {
    assert.strictEqual(wordBoost([], perChar, 2), undefined);
    assert.strictEqual(wordBoost(['  '], perChar, 2), undefined);
    assert.strictEqual(wordBoost(['comma'], perChar, 0), undefined);
  });

  it('favours a one-token word anywhere, but not right after itself', () => {
    const b = wordBoost(['comma'], perWord, 2)!;
    assert.deepStrictEqual(names(boostedTokens(b, [])), [' Comma', ' comma', 'Comma', 'comma'], 'the text may start with it');
    assert.deepStrictEqual(
      names(boostedTokens(b, [id('Hello'), id(',')])),
      [' Comma', ' comma'],
      'after a word: the spellings after a space',
    );
    assert.deepStrictEqual(boostedTokens(b, [id('Hello'), id(' comma')]), [], 'not twice in a row');
    assert.deepStrictEqual(boostedTokens(b, [id('Comma'), id('.')]), [], 'nor after itself and a full stop');
    assert.deepStrictEqual(names(boostedTokens(b, [id(' comma'), id(' a'), id(' b'), id(' c')])), [' Comma', ' comma']);
  });

  it('favours a phrase only after its first word was heard, and a word of several tokens never by its first', () => {
    const b = wordBoost(['question mark', 'semicolon'], perChar, 2)!;
    assert.deepStrictEqual(boostedTokens(b, []), [], 'no first word is favoured: "question" is everyday English');
    assert.deepStrictEqual(chars(boostedTokens(b, ids('Is it done question'))), [' '], 'after " question": " mark" starts');
    assert.deepStrictEqual(chars(boostedTokens(b, ids('Is it done question m'))), ['a']);
    assert.deepStrictEqual(chars(boostedTokens(b, ids('Question m'))), ['a'], 'the spelling without a space, from the start');
    assert.deepStrictEqual(boostedTokens(b, ids('xQuestion m')), [], 'but not inside another word');
    assert.deepStrictEqual(boostedTokens(b, ids('it is semi')), [], 'nor inside the first word');
  });

  it('lets a boosted token win by its bonus, never a suppressed one, and leaves a far one behind', () => {
    const logits = Float32Array.from([5, 4, 1, 4.5]);
    const none = new Uint8Array(4);
    assert.strictEqual(argmax(logits, 0, 4, none), 0);
    assert.strictEqual(argmax(logits, 0, 4, none, undefined, [1], 2), 1, 'a second choice a logit behind wins with 2');
    assert.strictEqual(argmax(logits, 0, 4, none, undefined, [2], 2), 0, 'four logits behind stays behind');
    assert.strictEqual(argmax(logits, 0, 4, Uint8Array.from([0, 1, 0, 0]), undefined, [1], 2), 0, 'suppressed stays out');
    assert.strictEqual(argmax(logits, 0, 4, none, [1], [1], 2), 0, 'suppressed at the start stays out');
  });
});
