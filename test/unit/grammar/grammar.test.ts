import * as assert from 'assert';
import { GrammarResult, interpret, renderTranscript } from '../../../src/grammar/grammar';
import { COMMANDS, FORMATTERS, Glue, PUNCTUATION, SymbolEntry, SYMBOLS } from '../../../src/grammar/tables';

const text = (said: string): string => {
  const r = interpret(said);
  assert.strictEqual(r.kind, 'insert', `"${said}" is text, not ${JSON.stringify(r)}`);
  return (r as Extract<GrammarResult, { kind: 'insert' }>).text;
};
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const SENTENCE_ENDS = ['.', '?', '!', '\n\n'];

/** "a <symbol> b" as the glue puts it; after a spoken sentence end the next word starts with a capital. */
function between(symbol: string, glue: Glue, sentence = false): string {
  const b = sentence && SENTENCE_ENDS.includes(symbol) ? 'B' : 'b';
  const before = glue === 'left' || glue === 'both' ? '' : ' ';
  const after = glue === 'right' || glue === 'both' ? '' : ' ';
  return `a${before}${symbol}${after}${b}`;
}

/** Every spelling of every entry, with the hyphenated spelling Whisper writes for the multi-word ones. */
function spellings(entries: readonly SymbolEntry[]): { said: string; entry: SymbolEntry }[] {
  return entries.flatMap((entry) =>
    entry.spoken.flatMap((s) => [s, ...(s.includes(' ') ? [s.replace(/ /g, '-')] : [])].map((said) => ({ said, entry }))),
  );
}

describe('grammar: punctuation words, anywhere', () => {
  for (const { said, entry } of spellings(PUNCTUATION)) {
    it(`"${said}" gives ${JSON.stringify(entry.symbol)}`, () => {
      assert.strictEqual(text(`a ${said} b`), between(entry.symbol, entry.glue, true));
      // Whisper's capitals and its own punctuation around the spoken word: the spoken word wins, once.
      assert.strictEqual(text(`A, ${cap(said)}, b.`), between(entry.symbol, entry.glue, true).replace(/^a/, 'A'));
      const alone = interpret(`${cap(said)}.`);
      assert.deepStrictEqual(alone, {
        kind: 'insert',
        text: entry.symbol,
        glueLeft: entry.glue === 'left' || entry.glue === 'both',
        glueRight: entry.glue === 'right' || entry.glue === 'both',
        autoPunctuated: false,
      });
    });
  }
});

describe('grammar: short symbol words only after "symbol", alone, or in a formatter', () => {
  for (const { said, entry } of spellings(SYMBOLS)) {
    it(`"${said}" gives ${JSON.stringify(entry.symbol)}`, () => {
      if (said !== 'back slash' && said !== 'back-slash') assert.strictEqual(text(`a ${said} b`), `a ${said} b`, 'prose keeps the word');
      assert.strictEqual(text(`a symbol ${said} b`), between(entry.symbol, entry.glue));
      assert.strictEqual(text(`${cap(said)}.`), entry.symbol);
      const inFormatter = entry.glue === 'right' ? 'both' : entry.glue;
      assert.strictEqual(text(`snake case foo ${said} bar`), between(entry.symbol, inFormatter).replace(/^a/, 'foo').replace(/b$/, 'bar'));
    });
  }

  it('"back slash" is a backslash in prose too (else "slash" would leave "back/")', () => {
    assert.strictEqual(text('a back slash b'), 'a\\b');
  });

  it('an utterance of symbol words only gives every symbol', () => {
    assert.strictEqual(text('Less than, greater than.'), '< >');
    assert.strictEqual(text('Dot dot.'), '..');
    assert.strictEqual(text('Open bracket close bracket'), '[]');
    assert.strictEqual(text('Symbol at.'), '@');
  });

  it('one ordinary word among them keeps them words', () => {
    assert.strictEqual(text('Dot com.'), 'Dot com.');
    assert.strictEqual(text('Meet me at noon.'), 'Meet me at noon.');
    assert.strictEqual(text('One plus one equals two.'), 'One plus one equals two.');
  });

  it("Whisper's mishearings that are not English words still give the symbol", () => {
    assert.strictEqual(text('Left-braze.'), '{');
    assert.strictEqual(text('Right-braze.'), '}');
    assert.strictEqual(text('Asturisk'), '*');
  });
});

describe('grammar: formatters', () => {
  for (const f of FORMATTERS) {
    for (const spelling of [...f.spoken, f.spoken[0].replace(' ', '-')]) {
      it(`"${spelling} user name" gives ${f.example}`, () => {
        assert.strictEqual(text(`${cap(spelling)}, user name.`), f.example);
        assert.strictEqual(text(`${spelling} User Name`), f.example);
      });
    }
    it(`the bare "${f.name}" formats when it starts the utterance`, () => {
      assert.strictEqual(text(`${cap(f.name)} user name.`), f.example);
      assert.strictEqual(text(`${cap(f.name)}, user-name!`), f.example);
    });
  }

  it('a bare formatter name inside prose is a word', () => {
    assert.strictEqual(text('A camel walks to the title.'), 'A camel walks to the title.');
    assert.strictEqual(text('The constant value.'), 'The constant value.');
  });

  it('"... case" formats from the middle of an utterance to its end', () => {
    assert.strictEqual(text('Let camel case user name.'), 'Let userName');
    assert.strictEqual(text('const camel case user name equals 5'), 'const userName = 5');
  });

  it('symbols split the words into separately formatted names', () => {
    assert.strictEqual(text('Camel case this dot user name.'), 'this.userName');
    assert.strictEqual(text('Camel case get user open paren close paren'), 'getUser()');
    assert.strictEqual(text('Pascal case, user, underscore, name.'), 'User_Name');
    assert.strictEqual(text('Snake case, my var, comma, other var.'), 'my_var, other_var');
  });

  it("Whisper's capitals, punctuation, joined humps, apostrophes and digits", () => {
    assert.strictEqual(text('Camel case UserName.'), 'userName');
    assert.strictEqual(text('Camel case HTTPServer.'), 'httpServer');
    assert.strictEqual(text('Snake case version 2.'), 'version_2');
    assert.strictEqual(text("Pascal case user's name."), 'UsersName');
    assert.strictEqual(text('Constant case max, retry, count!'), 'MAX_RETRY_COUNT');
    assert.strictEqual(text('Title case the old man and the sea.'), 'The Old Man And The Sea');
  });

  it('a formatter with nothing after it is text as said', () => {
    assert.strictEqual(text('Camel case.'), 'Camel case.');
    assert.strictEqual(text('Snake.'), 'Snake.');
  });
});

describe('grammar: commands, only as the whole utterance', () => {
  for (const c of COMMANDS) {
    for (const spelling of c.spoken) {
      it(`"${spelling}"`, () => {
        for (const said of [
          spelling,
          `${cap(spelling)}.`,
          `${cap(spelling)}!`,
          `  ${spelling.toUpperCase()}?  `,
          cap(spelling).replace(' ', '-'),
        ]) {
          assert.deepStrictEqual(interpret(said), { kind: 'command', command: c.command }, said);
        }
        assert.strictEqual(interpret(`Please ${spelling} now.`).kind, 'insert');
        assert.strictEqual(text(`I said ${spelling}.`), `I said ${spelling}.`);
      });
    }
  }
});

describe('grammar: literal', () => {
  it('writes the rest as said', () => {
    assert.strictEqual(text('Literal new line.'), 'new line');
    assert.strictEqual(text('Literal, comma.'), 'comma');
    assert.strictEqual(text('literal camel case user name'), 'camel case user name');
    assert.strictEqual(text('Literal scratch that.'), 'scratch that');
    assert.strictEqual(text('Literal: question mark?'), 'question mark');
  });

  it('only as the first word, and only with words after it', () => {
    assert.strictEqual(text('A literal translation, comma, please.'), 'A literal translation, please');
    assert.strictEqual(text('Literal.'), 'Literal.');
  });
});

describe("grammar: Whisper's own punctuation", () => {
  const cases: [string, string][] = [
    ['Hello comma world', 'Hello, world'],
    ['Hello, comma, world.', 'Hello, world'],
    ['Hello, comma world.', 'Hello, world'],
    ['hello comma world period', 'hello, world.'],
    ['Hello, comma, world, period.', 'Hello, world.'],
    ['Is it done question mark?', 'Is it done?'],
    ['Hello period how are you', 'Hello. How are you'],
    ['Wow, exclamation mark! That is it.', 'Wow! That is it'],
    ['Open paren, hello, close paren.', '(hello)'],
    ['She said, open quote, hi, close quote.', 'She said "hi"'],
    ['First line, new line, second line.', 'First line\nsecond line'],
    ['End, new paragraph, next one.', 'End\n\nNext one'],
    ['Yes, I think so, comma, okay.', 'Yes, I think so, okay'],
    ['Semi-colon', ';'],
    ['Full stop.', '.'],
    ['New-line.', '\n'],
    ['and slash or', 'and/or'],
    ['well hyphen known', 'well-known'],
  ];
  for (const [said, expected] of cases) {
    it(`${JSON.stringify(said)} -> ${JSON.stringify(expected)}`, () => assert.strictEqual(text(said), expected));
  }

  it("says when the text ends with Whisper's own punctuation (a punctuation word said next replaces it)", () => {
    assert.strictEqual((interpret('Hello.') as { autoPunctuated: boolean }).autoPunctuated, true);
    assert.strictEqual((interpret('Hello') as { autoPunctuated: boolean }).autoPunctuated, false);
    assert.strictEqual((interpret('Hello period') as { autoPunctuated: boolean }).autoPunctuated, false);
  });

  it('text with nothing spoken comes out exactly as Whisper wrote it', () => {
    for (const said of [
      'Hello, world.',
      "It's well-known, isn't it?",
      'Pi is 3.14; e is 2.72!',
      'He said "go" (twice)...',
      'Go forward 10 meters.',
      '',
    ]) {
      assert.strictEqual(text(said), said);
    }
  });
});

describe('grammar: how utterances join (the CLI transcript)', () => {
  const join = (...said: string[]) => renderTranscript(said.map(interpret));

  it('punctuation said alone attaches to the utterance before it', () => {
    assert.strictEqual(join('Hello', 'Comma.', 'world'), 'Hello, world');
    assert.strictEqual(join('Hello.', 'Comma.', 'world.'), 'Hello, world.', "it replaces Whisper's period");
    assert.strictEqual(join('Hello period', 'Comma.'), 'Hello.,', 'a spoken period stays');
    assert.strictEqual(join('user', 'Underscore.', 'name'), 'user_name');
    assert.strictEqual(join('call', 'Open paren.', 'x', 'Close paren.'), 'call (x)');
  });

  it('commands show in braces; no space joins the next utterance', () => {
    assert.strictEqual(join('Hello.', 'Scratch that.', 'Bye.'), 'Hello. {scratch that} Bye.');
    assert.strictEqual(join('Java', 'No space.', 'script'), 'Java {no space}script');
  });

  it('a new line needs no space after it', () => {
    assert.strictEqual(join('one', 'New line.', 'two'), 'one\ntwo');
  });
});
