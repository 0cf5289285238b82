import * as assert from 'assert';
import { GHOST_LINE_COLUMNS, GHOST_MAX_CHARS, GHOST_MIN_CHARS, ghostTail } from '../../../src/views/ghostTail';

const long = 'and so my fellow Americans ask not what your country can do for you ask what you can do for your country';

describe('ghost text tail (src/views/ghostTail.ts)', () => {
  it('short text is shown whole', () => assert.strictEqual(ghostTail('ask not', 0), 'ask not'));

  it('long text shows its tail, at most GHOST_MAX_CHARS with a leading "…", starting on a word', () => {
    const t = ghostTail(long, 0);
    assert.ok(t.length <= GHOST_MAX_CHARS, `${t.length} chars`);
    assert.ok(t.startsWith('…') && long.endsWith(t.slice(1)), t);
    assert.ok(long.includes(` ${t.slice(1)}`), `starts on a word: ${t}`);
  });

  it('the further right the line ends, the less is shown, down to GHOST_MIN_CHARS', () => {
    assert.ok(ghostTail(long, GHOST_LINE_COLUMNS - 40).length <= 40);
    assert.ok(ghostTail(long, 500).length <= GHOST_MIN_CHARS);
    assert.ok(ghostTail(long, 500).length > 5);
  });

  it('one long word is cut inside the word', () => {
    const t = ghostTail('x'.repeat(200), 0);
    assert.strictEqual(t, '…' + 'x'.repeat(GHOST_MAX_CHARS - 1));
  });
});
