import * as assert from 'assert';
import { spaced } from '../../../src/dictation/spacing';

describe('spacing an utterance against the text around the cursor (src/dictation/spacing.ts)', () => {
  const table: [string, string, string, boolean, string, string][] = [
    ['Hello world.', '', '', false, 'Hello world.', 'at the start of a document: as it is'],
    ['world.', 'Hello', '', false, ' world.', 'after a word: one space before'],
    ['world.', 'Hello ', '', false, 'world.', 'after a space: none added'],
    [', and then', 'Hello', '', false, ', and then', 'punctuation attaches to the word before'],
    ['done', '(', '', false, 'done', 'after an opener: no space'],
    ['next', 'x', 'y', false, ' next ', 'between two words: a space on each side'],
    ['next', 'x', ')', false, ' next', 'before a closer: no space after'],
    ['  padded  ', 'a', '', false, ' padded', "Whisper's surrounding spaces are trimmed"],
    ['\nline', 'a', '', false, '\nline', 'a spoken new line stays, with no space left before it'],
    ['Name', 'user', '', true, 'Name', '"no space": joined to the word before'],
    ['   ', 'a', 'b', false, '', 'only spaces: nothing to insert'],
  ];
  for (const [text, before, after, join, expected, why] of table) {
    it(`${JSON.stringify(text)} between ${JSON.stringify(before)} and ${JSON.stringify(after)}${join ? ' (join)' : ''} -> ${JSON.stringify(expected)}: ${why}`, () => {
      assert.strictEqual(spaced(text, before, after, join), expected);
    });
  }
});
