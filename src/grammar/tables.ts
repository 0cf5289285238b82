/**
 * The spoken grammar's vocabulary: every word a user can say, in the spellings Whisper writes for it. The parser
 * (grammar.ts), the cheat sheet (cheatSheet.ts) and the tests read these tables, so they cannot drift apart.
 * Spellings are lowercase words; a hyphenated spelling ("semi-colon", "new-line") matches the spaced one.
 */

/**
 * How a symbol sits between its neighbours: `left` attaches to what is before it (",", ")"), `right` to what follows
 * ("(", "$"), `both` to both ("_", "."), `none` keeps a space on each side ("=", "+").
 */
export type Glue = 'left' | 'right' | 'both' | 'none';

export interface SymbolEntry {
  /** What is said, first the name the cheat sheet shows, then the other spellings Whisper writes. */
  readonly spoken: readonly string[];
  readonly symbol: string;
  readonly glue: Glue;
}

/** Safe in prose: replaced wherever they are said. */
export const PUNCTUATION: readonly SymbolEntry[] = [
  { spoken: ['comma'], symbol: ',', glue: 'left' },
  { spoken: ['period', 'full stop', 'fullstop'], symbol: '.', glue: 'left' },
  { spoken: ['question mark'], symbol: '?', glue: 'left' },
  { spoken: ['exclamation mark', 'exclamation point'], symbol: '!', glue: 'left' },
  { spoken: ['colon'], symbol: ':', glue: 'left' },
  { spoken: ['semicolon', 'semi colon'], symbol: ';', glue: 'left' },
  { spoken: ['hyphen', 'dash'], symbol: '-', glue: 'both' },
  { spoken: ['slash', 'forward slash'], symbol: '/', glue: 'both' },
  {
    spoken: ['open paren', 'open parenthesis', 'open parentheses', 'open parens', 'left paren', 'left parenthesis'],
    symbol: '(',
    glue: 'right',
  },
  {
    spoken: [
      'close paren',
      'close parenthesis',
      'close parentheses',
      'close parens',
      'closed paren',
      'closed parenthesis',
      'closed parentheses',
      'right paren',
      'right parenthesis',
    ],
    symbol: ')',
    glue: 'left',
  },
  { spoken: ['open quote', 'open quotes', 'begin quote'], symbol: '"', glue: 'right' },
  { spoken: ['close quote', 'close quotes', 'closed quote', 'closed quotes', 'end quote', 'unquote'], symbol: '"', glue: 'left' },
  { spoken: ['new line', 'newline'], symbol: '\n', glue: 'both' },
  { spoken: ['new paragraph'], symbol: '\n\n', glue: 'both' },
];

/** Short words that are also ordinary English: symbols only inside a formatter, after "symbol", or said alone. */
export const SYMBOLS: readonly SymbolEntry[] = [
  { spoken: ['dot'], symbol: '.', glue: 'both' },
  { spoken: ['bang'], symbol: '!', glue: 'right' },
  { spoken: ['star', 'asterisk', 'asterix', 'asturisk'], symbol: '*', glue: 'none' },
  { spoken: ['pipe'], symbol: '|', glue: 'none' },
  // Whisper tiny hears "brace" as "braze": not an English word, so the misspelling is safe to accept.
  {
    spoken: ['open brace', 'left brace', 'open curly brace', 'left curly brace', 'open curly', 'left curly', 'left braze', 'open braze'],
    symbol: '{',
    glue: 'right',
  },
  {
    spoken: [
      'close brace',
      'right brace',
      'closed brace',
      'close curly brace',
      'right curly brace',
      'close curly',
      'right curly',
      'right braze',
      'close braze',
    ],
    symbol: '}',
    glue: 'left',
  },
  { spoken: ['open bracket', 'left bracket', 'open square bracket', 'left square bracket'], symbol: '[', glue: 'right' },
  {
    spoken: ['close bracket', 'right bracket', 'closed bracket', 'close square bracket', 'right square bracket'],
    symbol: ']',
    glue: 'left',
  },
  { spoken: ['underscore', 'under score'], symbol: '_', glue: 'both' },
  { spoken: ['backtick', 'back tick', 'tick', 'backquote', 'back quote'], symbol: '`', glue: 'none' },
  { spoken: ['backslash', 'back slash'], symbol: '\\', glue: 'both' },
  { spoken: ['tilde'], symbol: '~', glue: 'right' },
  { spoken: ['caret', 'carrot', 'carat'], symbol: '^', glue: 'both' },
  { spoken: ['ampersand'], symbol: '&', glue: 'none' },
  { spoken: ['dollar', 'dollar sign'], symbol: '$', glue: 'right' },
  { spoken: ['hash', 'hash sign', 'hashtag', 'pound sign', 'number sign'], symbol: '#', glue: 'right' },
  { spoken: ['percent', 'percent sign', 'per cent'], symbol: '%', glue: 'none' },
  { spoken: ['at', 'at sign'], symbol: '@', glue: 'right' },
  { spoken: ['equals', 'equal', 'equals sign', 'equal sign'], symbol: '=', glue: 'none' },
  { spoken: ['plus', 'plus sign'], symbol: '+', glue: 'none' },
  { spoken: ['minus', 'minus sign'], symbol: '-', glue: 'none' },
  { spoken: ['less than', 'less than sign'], symbol: '<', glue: 'none' },
  { spoken: ['greater than', 'greater than sign'], symbol: '>', glue: 'none' },
  { spoken: ['arrow'], symbol: '->', glue: 'none' },
  { spoken: ['fat arrow'], symbol: '=>', glue: 'none' },
  { spoken: ['quote', 'double quote'], symbol: '"', glue: 'none' },
  { spoken: ['single quote', 'apostrophe'], symbol: "'", glue: 'none' },
];

/** The word that makes the next short symbol word a symbol anywhere: "symbol dot". */
export const SYMBOL_PREFIX = 'symbol';

export type FormatterName = 'camel' | 'pascal' | 'snake' | 'constant' | 'kebab' | 'title' | 'smash';

export interface FormatterEntry {
  readonly name: FormatterName;
  /**
   * Spellings that start the formatter anywhere in an utterance ("camel case"). The bare name ("camel") also starts
   * it, but only as the utterance's first word: "a camel walks" stays prose.
   */
  readonly spoken: readonly string[];
  /** "user name" formatted, for the cheat sheet and the tests. */
  readonly example: string;
}

export const FORMATTERS: readonly FormatterEntry[] = [
  { name: 'camel', spoken: ['camel case', 'camelcase'], example: 'userName' },
  { name: 'pascal', spoken: ['pascal case', 'pascalcase'], example: 'UserName' },
  { name: 'snake', spoken: ['snake case', 'snakecase'], example: 'user_name' },
  { name: 'constant', spoken: ['constant case', 'constantcase'], example: 'USER_NAME' },
  { name: 'kebab', spoken: ['kebab case', 'kebabcase', 'kebob case', 'kabob case'], example: 'user-name' },
  { name: 'title', spoken: ['title case', 'titlecase'], example: 'User Name' },
  { name: 'smash', spoken: ['smash case', 'smashcase'], example: 'username' },
];

export type VoiceCommand = 'scratch that' | 'undo that' | 'redo that' | 'cap that' | 'no space' | 'stop dictation';

export interface CommandEntry {
  readonly command: VoiceCommand;
  readonly spoken: readonly string[];
  readonly description: string;
}

/** Commands, recognized only when they are the whole utterance. */
export const COMMANDS: readonly CommandEntry[] = [
  { command: 'scratch that', spoken: ['scratch that'], description: 'removes the last dictated utterance, in one step' },
  { command: 'undo that', spoken: ['undo that'], description: "runs the editor's Undo" },
  { command: 'redo that', spoken: ['redo that', 're do that'], description: "runs the editor's Redo" },
  { command: 'cap that', spoken: ['cap that', 'caps that', 'capitalize that'], description: 'capitalizes each word of the last utterance' },
  { command: 'no space', spoken: ['no space', 'nospace'], description: 'joins the next utterance without a space' },
  { command: 'stop dictation', spoken: ['stop dictation', 'stop dictating'], description: 'stops dictation' },
];

/** The first word of an utterance that inserts the rest as said: "literal new line" writes "new line". */
export const LITERAL = 'literal';

/**
 * The words the engine listens for when the grammar is on (EngineConfig.boostWords): the decoder favours them, so a
 * "comma" that Whisper nearly heard as "karma" comes out as "comma". The spellings of punctuation, formatters and
 * commands with a space (Whisper's run-together spellings are caught by the parser anyway); not the short symbol
 * words, which are ordinary English ("at", "star", "dot") and are said alone or after "symbol".
 */
export const BOOST_WORDS: readonly string[] = [...PUNCTUATION, ...FORMATTERS, ...COMMANDS].flatMap((e) =>
  e.spoken.filter((s, i) => i === 0 || s.includes(' ')),
);
