import * as assert from 'assert';
import { shellText, ShellTextOptions } from '../../../src/dictation/shellText';

describe('an utterance shaped for a command line (src/dictation/shellText.ts)', () => {
  const whisper = (heard: string, before = ''): ShellTextOptions => ({ heard, autoPunctuated: true, before });
  const table: [string, ShellTextOptions, string, string][] = [
    ['Go forward ten meters.', whisper('Go forward ten meters.'), 'go forward ten meters', "Whisper's capital and full stop go"],
    ['Git status?', whisper('Git status?'), 'git status', 'a question mark Whisper added goes too'],
    ['README.', whisper('README.'), 'README', 'a word with other capitals keeps them'],
    ['McFly', whisper('McFly'), 'McFly', 'an inner capital: not sentence case'],
    ['Foo Bar', whisper('Title case foo bar.'), 'Foo Bar', 'a capital the grammar made (title case) stays'],
    [
      'Is it done?',
      { heard: 'Is it done question mark', autoPunctuated: false, before: '' },
      'is it done?',
      'a spoken "question mark" stays',
    ],
    ['cd ..', { heard: 'cd dot dot', autoPunctuated: false, before: '' }, 'cd ..', 'symbols the grammar made stay'],
    [
      'first\nsecond',
      { heard: 'first new line second', autoPunctuated: false, before: '' },
      'first second',
      'a spoken new line never presses Enter: a space',
    ],
    ['a\n\nb', { heard: 'a new paragraph b', autoPunctuated: false, before: '' }, 'a b', 'nor does a new paragraph'],
    ['ls\t-l\r\n', whisper('ls -l'), 'ls -l', 'tabs (completion) and carriage returns go'],
    ['echo \u001b[31m\u0003x', whisper('echo x'), 'echo [31mx', 'no control characters reach the shell'],
    ['Then stop.', whisper('Then stop.', 'd'), ' then stop', 'after what dictation sent before: one space'],
    ['Then stop.', whisper('Then stop.', ' '), 'then stop', 'after a space: none added'],
    ['-la', { heard: 'dash la', autoPunctuated: false, before: 's', join: true }, '-la', '"no space" joins it'],
    ['Period.', whisper('Period.'), 'period', 'a lone word is still shaped'],
    ['.', whisper('.'), '', 'nothing left: nothing sent'],
  ];
  for (const [text, options, expected, why] of table) {
    it(`${JSON.stringify(text)} -> ${JSON.stringify(expected)}: ${why}`, () => {
      assert.strictEqual(shellText(text, options), expected);
    });
  }
});
