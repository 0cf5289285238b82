/** The voice commands' cheat sheet, in Markdown, written from the grammar's own tables so it never drifts. */
import { COMMANDS, FORMATTERS, LITERAL, PUNCTUATION, SYMBOL_PREFIX, SYMBOLS, SymbolEntry } from './tables';

/** How a symbol looks in a table cell: white space named, Markdown's own characters escaped. */
function shown(symbol: string): string {
  if (symbol === '\n') return 'line break';
  if (symbol === '\n\n') return 'blank line';
  return '`` ' + symbol.replace(/\|/g, '\\|') + ' ``';
}

function symbolRows(entries: readonly SymbolEntry[]): string[] {
  return entries.map((e) => `| ${e.spoken.map((s) => `"${s}"`).join(', ')} | ${shown(e.symbol)} |`);
}

export function cheatSheet(): string {
  return [
    '# VoiceFlow: voice commands',
    '',
    'Say these while dictating. The setting `voiceflow.grammar` turns them off for plain prose.',
    '',
    '## Commands (said alone, as the whole utterance)',
    '',
    '| Say | What it does |',
    '|---|---|',
    ...COMMANDS.map((c) => `| "${c.spoken[0]}" | ${c.description} |`),
    '',
    '## Punctuation (anywhere in what you say)',
    '',
    'The word you say wins over the punctuation Whisper adds on its own: "hello comma world" gives `Hello, world`.',
    '',
    '| Say | Writes |',
    '|---|---|',
    ...symbolRows(PUNCTUATION),
    '',
    `## Symbols (said alone, after "${SYMBOL_PREFIX}", or inside a formatter)`,
    '',
    `These are ordinary words too, so "x equals y" stays words; say "x ${SYMBOL_PREFIX} equals y", or "equals" alone.`,
    '',
    '| Say | Writes |',
    '|---|---|',
    ...symbolRows(SYMBOLS),
    '',
    '## Formatters (the words after them, to the end of the utterance)',
    '',
    'Start what you say with the name ("camel user name"), or say "... case" anywhere ("let camel case user name").',
    '',
    '| Say | "... user name" gives |',
    '|---|---|',
    ...FORMATTERS.map((f) => `| "${f.name}", ${f.spoken.map((s) => `"${s}"`).join(', ')} | \`${f.example}\` |`),
    '',
    '## Escape',
    '',
    `"${LITERAL} ..." at the start writes the rest as said: "${LITERAL} new line" writes \`new line\`.`,
    '',
  ].join('\n');
}
