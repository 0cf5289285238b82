import * as assert from 'assert';
import { cheatSheet } from '../../../src/grammar/cheatSheet';
import { COMMANDS, FORMATTERS, PUNCTUATION, SYMBOLS } from '../../../src/grammar/tables';

describe('the voice commands cheat sheet', () => {
  const sheet = cheatSheet();

  it('lists every spelling, symbol, formatter and command of the tables', () => {
    for (const e of [...PUNCTUATION, ...SYMBOLS]) for (const s of e.spoken) assert.ok(sheet.includes(`"${s}"`), s);
    for (const e of [...PUNCTUATION, ...SYMBOLS])
      if (!e.symbol.includes('\n')) assert.ok(sheet.includes(`\`\` ${e.symbol.replace('|', '\\|')} \`\``), e.symbol);
    for (const f of FORMATTERS) assert.ok(sheet.includes(`\`${f.example}\``) && sheet.includes(`"${f.name}"`), f.name);
    for (const c of COMMANDS) assert.ok(sheet.includes(`| "${c.spoken[0]}" | ${c.description} |`), c.command);
  });

  it('every table row has its two cells (a "|" symbol is escaped)', () => {
    for (const row of sheet.split('\n').filter((l) => l.startsWith('| "'))) {
      assert.strictEqual(row.replace(/\\\|/g, '').split('|').length, 4, row);
    }
  });
});
