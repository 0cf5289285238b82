import * as assert from 'assert';
import { identifierSaid, spellingIndex } from '../../../src/vocabulary/spelling';

describe('spelling identifiers said alone (src/vocabulary/spelling.ts)', () => {
  const index = spellingIndex(['userName', 'user_name', 'ringBuffer', 'SileroVad', 'result', 'MAX_TOKENS']);

  it('writes a whole utterance that is an identifier in scope as the identifier, however Whisper spelled the words', () => {
    assert.strictEqual(identifierSaid('Ring buffer.', index), 'ringBuffer');
    assert.strictEqual(identifierSaid('ringbuffer', index), 'ringBuffer');
    assert.strictEqual(identifierSaid('Silero VAD!', index), 'SileroVad');
    assert.strictEqual(identifierSaid('Max tokens', index), 'MAX_TOKENS');
    // Two identifiers with the same words: the first given (the better ranked).
    assert.strictEqual(identifierSaid('User name.', index), 'userName');
  });

  it('leaves prose alone: the words inside a sentence, one-word identifiers, identifiers not in scope', () => {
    assert.strictEqual(identifierSaid('The user name field is empty.', index), undefined);
    assert.strictEqual(identifierSaid('call ring buffer write', index), undefined);
    assert.strictEqual(identifierSaid('Result.', index), undefined);
    assert.strictEqual(identifierSaid('Token rows.', index), undefined);
    assert.strictEqual(identifierSaid('', index), undefined);
  });
});
