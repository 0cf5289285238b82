import * as assert from 'assert';
import {
  gateVocabulary,
  MAX_VOCABULARY_TOKENS,
  mayHoldTerm,
  promptTerms,
  vocabularyPrompt,
} from '../../../../src/engine/whisper/vocabularyPrompt';

/** One token per character: ',' is 44, ' ' 32, 'a' 97 ... */
const perChar = { encode: (text: string) => [...text].map((c) => c.charCodeAt(0)) };
const text = (ids: number[]) => String.fromCharCode(...ids);

describe('vocabularyPrompt (src/engine/whisper/vocabularyPrompt.ts)', () => {
  it('writes the terms in the order given, comma-separated and ended by a full stop, each after a space as Whisper writes a word', () => {
    assert.strictEqual(text(vocabularyPrompt(['userName', 'kubectl'], perChar)), ' userName, kubectl.');
  });

  it('skips blank and repeated terms and folds white space', () => {
    assert.strictEqual(text(vocabularyPrompt(['  ', 'a  b', 'a b', 'c'], perChar)), ' a b, c.');
    assert.deepStrictEqual(vocabularyPrompt([], perChar), []);
  });

  it('keeps whole terms only, up to the budget', () => {
    assert.strictEqual(text(vocabularyPrompt(['abcd', 'efgh', 'ij'], perChar, 12)), ' abcd, efgh.');
    assert.strictEqual(text(vocabularyPrompt(['abcdefghijkl'], perChar, 12)), '');
    const many = vocabularyPrompt(
      Array.from({ length: 100 }, (_, i) => `term${i}`),
      perChar,
    );
    assert.ok(many.length <= MAX_VOCABULARY_TOKENS && many.length > MAX_VOCABULARY_TOKENS - 8, `${many.length} tokens`);
  });

  it('reads the terms back from the prompt text', () => {
    const terms = ['userName', 'kube ctl', 'SileroVad'];
    assert.deepStrictEqual(promptTerms(text(vocabularyPrompt(terms, perChar))), terms);
    assert.deepStrictEqual(promptTerms(''), []);
  });
});

/**
 * Word-piece tokens: each piece one id (its index in PIECES); ids from TS on are timestamps, which have no text.
 * A piece with a leading space starts a word.
 */
const PIECES = [
  ' call',
  ' ring',
  ' buffer',
  ' write',
  ' ringBuffer',
  '.',
  ' pass',
  ' the',
  ' encoder',
  ' window',
  ' past',
  ' encoderWindow',
  ',',
  ' Ten',
  ' of',
  ' clubs',
  ' 10',
  'm',
  ' meters',
  ' Call',
];
const TS = 1000;
const pieces = {
  pieceText: (id: number) => (id < TS ? PIECES[id] : undefined),
  decode: (ids: ArrayLike<number>) =>
    Array.from(ids)
      .map((id) => (id < TS ? PIECES[id] : ''))
      .join('')
      .trim(),
};
const ids = (s: string) =>
  s.split('|').map((p) => {
    if (p.startsWith('<')) return TS + Number(p.slice(1, -1));
    const id = PIECES.indexOf(p);
    if (id < 0) throw new Error(`no piece ${p}`);
    return id;
  });
const words = (tokens: number[]) => tokens.map((t) => (t < TS ? PIECES[t] : `<${t - TS}>`)).join('|');

describe('gateVocabulary (src/engine/whisper/vocabularyPrompt.ts)', () => {
  it('takes the prompted spelling of a term heard as its words', () => {
    const out = gateVocabulary(ids(' call| ring| buffer| write|.'), ids(' Call| ringBuffer| write|.'), ['ringBuffer'], pieces);
    // Case and punctuation of the words both decodes agree on come from the decode without the prompt.
    assert.strictEqual(words(out), ' call| ringBuffer| write|.');
  });

  it('keeps the text without the prompt where the prompted one differs by anything but a term', () => {
    // Style copied from the prompt: "10m" for "10 meters", a list's commas, words run together that are no term.
    const without = ids(' Ten| of| clubs| 10| meters|.');
    assert.deepStrictEqual(gateVocabulary(without, ids(' Ten| of| clubs|,| 10|m|.'), ['ringBuffer'], pieces), without);
    // A term the prompted decode wrote for words that do not sound like it, or wrote twice (a loop).
    const pass = ids(' pass| the| encoder| window|.');
    assert.deepStrictEqual(gateVocabulary(pass, ids(' past| encoderWindow|,| past| encoderWindow|.'), ['encoderWindow'], pieces), pass);
    assert.strictEqual(
      words(gateVocabulary(pass, ids(' pass| the| encoderWindow|.'), ['encoderWindow'], pieces)),
      ' pass| the| encoderWindow|.',
    );
  });

  it('never adds or drops words', () => {
    const without = ids(' call| write|.');
    assert.deepStrictEqual(gateVocabulary(without, ids(' call| ringBuffer| write|.'), ['ringBuffer'], pieces), without);
    assert.deepStrictEqual(gateVocabulary([], ids(' ringBuffer|.'), ['ringBuffer'], pieces), []);
    const ring = ids(' call| ringBuffer|.');
    assert.deepStrictEqual(gateVocabulary(ring, ids(' call|.'), ['ringBuffer'], pieces), ring);
  });

  it('keeps the timestamps of the decode without the prompt where they were', () => {
    const out = gateVocabulary(
      ids('<0>| call| ring|<40>|<40>| buffer| write|.|<90>'),
      ids('<0>| call| ringBuffer| write|.|<85>'),
      ['ringBuffer'],
      pieces,
    );
    assert.strictEqual(words(out), '<0>| call| ringBuffer|<40>|<40>| write|.|<90>');
  });

  it('asks for the prompted decode only when some words sound like a term', () => {
    assert.ok(mayHoldTerm(ids(' call| ring| buffer| write|.'), ['ringBuffer'], pieces));
    assert.ok(mayHoldTerm(ids(' pass| the| encoder|<40>| window|.'), ['SileroVad', 'encoderWindow'], pieces));
    assert.ok(!mayHoldTerm(ids(' Ten| of| clubs| 10| meters|.'), ['ringBuffer', 'encoderWindow'], pieces));
    assert.ok(!mayHoldTerm([], ['ringBuffer'], pieces));
  });
});
