import * as assert from 'assert';
import { MAX_VOCABULARY_TOKENS, vocabularyPrompt } from '../../../../src/engine/whisper/vocabularyPrompt';

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
});
