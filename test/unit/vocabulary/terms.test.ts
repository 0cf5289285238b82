import * as assert from 'assert';
import { MAX_TERM_CHARS } from '../../../src/settings';
import { identifiersIn } from '../../../src/vocabulary/identifiers';
import { chooseTerms, MAX_EDITOR_TERMS, parseTermsFile, rankIdentifiers, worthPrompting } from '../../../src/vocabulary/terms';

describe('vocabulary terms (src/vocabulary/terms.ts)', () => {
  it('prompts identifiers Whisper would not write from the words alone, not keywords or plain short words', () => {
    for (const name of ['userName', 'SileroVad', 'MAX_TOKENS', 'mulberry32', 'kubectl', 'onnxruntime', 'URL'])
      assert.ok(worthPrompting(name), name);
    for (const name of ['const', 'return', 'Function', 'self', 'index', 'value', 'push', 'buffer']) assert.ok(!worthPrompting(name), name);
  });

  it('ranks by nearness to the cursor and by frequency', () => {
    const text = [
      'function farAwayHelper() {}', // line 0
      ...Array.from({ length: 60 }, () => ''),
      'const nearCursor = 1;', // 61
      'let cursorLine = nearCursor + oftenUsed + oftenUsed;', // 62: the cursor
      '',
      ...Array.from({ length: 30 }, () => 'oftenUsed();'), // 64..93
    ].join('\n');
    const ranked = rankIdentifiers(identifiersIn(text), 62);
    // oftenUsed: 32 occurrences, most of them some lines away, beats the two near ones; the far one is last.
    assert.deepStrictEqual(ranked, ['oftenUsed', 'nearCursor', 'cursorLine', 'farAwayHelper']);
    // Seen from line 0, the far helper comes before the names 61 lines down.
    assert.strictEqual(
      rankIdentifiers(identifiersIn(text), 0).indexOf('farAwayHelper') < rankIdentifiers(identifiersIn(text), 0).indexOf('nearCursor'),
      true,
    );
  });

  it('reads a terms file: one term a line, blank lines and # comments skipped', () => {
    assert.deepStrictEqual(parseTermsFile('# our names\r\nkubectl\n\n  useState  \n#skip\nVoiceFlow Dictation\n'), [
      'kubectl',
      'useState',
      'VoiceFlow Dictation',
    ]);
  });

  it("puts the user's terms first, drops repeats, blanks and overlong terms, and stops at the budget", () => {
    const long = 'x'.repeat(MAX_TERM_CHARS + 1);
    assert.deepStrictEqual(chooseTerms(['kubectl', ' ', 'useState', long], ['ringBuffer', 'kubectl', 'SileroVad']), [
      'kubectl',
      'useState',
      'ringBuffer',
      'SileroVad',
    ]);
    assert.deepStrictEqual(chooseTerms(['a b', 'c  d'], ['e', 'f'], 3), ['a b', 'c d', 'e']);
  });

  it('sends the five identifiers nearest the cursor, after every user term', () => {
    const ids = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7'];
    assert.strictEqual(MAX_EDITOR_TERMS, 5);
    assert.deepStrictEqual(chooseTerms([], ids), ids.slice(0, 5));
    assert.deepStrictEqual(chooseTerms(['u1', 'i1'], ids), ['u1', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6'], 'a repeat takes no place');
    const many = Array.from({ length: 12 }, (_, i) => `u${i}`);
    assert.strictEqual(chooseTerms(many, ids).length, 17, 'user terms are not counted against the identifiers');
  });
});
