import * as assert from 'assert';
import { identifiersIn, identifierWords } from '../../../src/vocabulary/identifiers';

describe('identifiers (src/vocabulary/identifiers.ts)', () => {
  it('splits an identifier into the words Whisper hears', () => {
    const cases: [string, string[]][] = [
      ['userName', ['user', 'name']],
      ['UtteranceSegmenter', ['utterance', 'segmenter']],
      ['MAX_PREVIOUS_TOKENS', ['max', 'previous', 'tokens']],
      ['hangover_ms', ['hangover', 'ms']],
      ['font-size', ['font', 'size']],
      ['HTTPServer', ['http', 'server']],
      ['parseJSON', ['parse', 'json']],
      ['mulberry32', ['mulberry', '32']],
      ['utf8Decode', ['utf', '8', 'decode']],
      ['onnxruntime', ['onnxruntime']],
      ['$scope', ['scope']],
      ['_private', ['private']],
      ['ÉtatCivil', ['état', 'civil']],
    ];
    for (const [name, words] of cases) assert.deepStrictEqual(identifierWords(name), words, name);
  });

  it('finds the identifiers of a text with their lines, skipping short names, numbers and overlong names', () => {
    const text =
      'const ringBuffer = new RingBuffer(4096);\nfor (let i = 0; i < n; i++) ok(x1);\n' + `h = "${'a'.repeat(49)}"; mulberry32(7)`;
    assert.deepStrictEqual(identifiersIn(text), [
      { name: 'const', line: 0 },
      { name: 'ringBuffer', line: 0 },
      { name: 'new', line: 0 },
      { name: 'RingBuffer', line: 0 },
      { name: 'for', line: 1 },
      { name: 'let', line: 1 },
      { name: 'mulberry32', line: 2 },
    ]);
  });

  it('reads only the lines around the cursor in a long text', () => {
    const text = Array.from({ length: 100 }, (_, i) => `name${i}x`).join('\n');
    assert.deepStrictEqual(
      identifiersIn(text, 50, 2).map((o) => o.name),
      ['name48x', 'name49x', 'name50x', 'name51x', 'name52x'],
    );
  });
});
