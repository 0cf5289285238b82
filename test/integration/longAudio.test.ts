/**
 * Issue 11, "Every word heard": file transcription reads every sentence of a long recording. The shared clips with a
 * reference, concatenated with 0.6-2 s pauses into ten minutes (test/support/longAudio.ts), go through `transcribeFile`
 * of the real engine; the words lost (deletions against the concatenated references) stay at 2 or fewer, with tiny
 * and with base. Before the seek loop, grouping into 28 s windows and early stops lost a sentence here and there.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { EngineClient } from '../../src/engineClient';
import { encodeWav16 } from '../../src/engine/audio/wav';
import { ModelName } from '../../src/protocol';
import { LONG_AUDIO_SECONDS, LongAudio, sharedLongAudio, wordErrors } from '../support/longAudio';
import { startEngine, tempDir } from './engineHarness';

const MAX_WORDS_LOST = 2;

describe('the long recording (test/support/longAudio.ts)', () => {
  it('is ten minutes of the shared clips, the same at every build, each clip whole and apart from the next', () => {
    const a = sharedLongAudio();
    const b = sharedLongAudio();
    assert.strictEqual(a.samples.length, LONG_AUDIO_SECONDS * 16000);
    assert.deepStrictEqual(a.spans, b.spans);
    assert.ok(a.spans.length > 100, `${a.spans.length} clips`);
    for (let i = 1; i < a.spans.length; i++) {
      const pause = (a.spans[i].startSample - a.spans[i - 1].endSample) / 16000;
      assert.ok(pause >= 0.6 && pause <= 2, `pause ${i}: ${pause} s`);
    }
    assert.strictEqual(a.reference, a.spans.map((s) => s.reference).join(' '));
  });

  it('counts words lost, misheard and invented apart', () => {
    assert.deepStrictEqual(wordErrors('ten of clubs. four queen of clubs', '10 of clubs'), {
      referenceWords: 7,
      substitutions: 0,
      deletions: 4,
      insertions: 0,
    });
    assert.deepStrictEqual(wordErrors('go forward ten meters', 'Go forward, 10 meters, go!'), {
      referenceWords: 4,
      substitutions: 0,
      deletions: 0,
      insertions: 1,
    });
    assert.deepStrictEqual(wordErrors('seven of clubs', 'seven of clothes'), {
      referenceWords: 3,
      substitutions: 1,
      deletions: 0,
      insertions: 0,
    });
  });
});

describe('transcribe: every word of ten minutes of speech with pauses (real engine)', function () {
  this.timeout(600000);
  let long: LongAudio;
  let dir: string;
  let file: string;
  let engine: EngineClient | undefined;

  before(() => {
    long = sharedLongAudio();
    dir = tempDir('long');
    file = path.join(dir, 'long-audio-10min.wav');
    fs.writeFileSync(file, encodeWav16(long.samples, 16000));
  });

  afterEach(async () => {
    await engine?.shutdown();
    engine = undefined;
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const model of ['tiny', 'base'] as ModelName[]) {
    it(`${model}: loses at most ${MAX_WORDS_LOST} of the words`, async () => {
      engine = startEngine();
      await engine.initialize({ model });
      const r = await engine.transcribeFile({ path: file });
      const e = wordErrors(long.reference, r.text);
      assert.ok(
        e.deletions <= MAX_WORDS_LOST,
        `${e.deletions} of ${e.referenceWords} words lost (${e.substitutions} misheard, ${e.insertions} invented)`,
      );
      assert.ok(
        e.substitutions + e.insertions < 0.1 * e.referenceWords,
        `${e.substitutions} misheard, ${e.insertions} invented of ${e.referenceWords}`,
      );
    });
  }
});
