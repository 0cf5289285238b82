/** Whisper on a worker thread of its own (src/engine/whisper/whisperThread.ts), against Whisper on this thread. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { EngineErrorCode } from '../../../src/protocol';
import { EngineError } from '../../../src/engine/errors';
import { defaultCacheDir } from '../../../src/engine/models/preparedCache';
import { ModelRegistry } from '../../../src/engine/models/registry';
import { encoderWindow, Whisper } from '../../../src/engine/whisper/whisper';
import { WhisperThread } from '../../../src/engine/whisper/whisperThread';
import { readAudioFile } from '../../../src/engine/fileTranscriber';
import { AUDIO_DIR, loadClip } from '../../audioFixtures';

const WINDOW = encoderWindow('tiny', 'variable');
const CACHE = { cacheDir: defaultCacheDir() };

describe('Whisper on its own thread (tiny, real speech)', function () {
  this.timeout(120_000);
  let local: Whisper;
  let thread: WhisperThread;

  before(async () => {
    [local, thread] = await Promise.all([
      Whisper.load('tiny', undefined, WINDOW, {}, CACHE),
      WhisperThread.load('tiny', undefined, WINDOW, {}, CACHE),
    ]);
  });
  after(async () => {
    await Promise.all([local?.release(), thread?.release()]);
  });

  it('gives the same tokens and text as Whisper on this thread, with the same options', async () => {
    for (const clip of ['jfk.wav', 'cards/001.wav', 'goforward.wav']) {
      const audio = loadClip(clip);
      const options = { speech: { maxProbability: 0.99, speechMs: 900 }, previous: local.tokenizer.encode(' Hello.') };
      const [a, b] = await Promise.all([local.transcribe(audio, 'en', options), thread.transcribe(audio, 'en', options)]);
      assert.deepStrictEqual(b.tokens, a.tokens, clip);
      assert.strictEqual(b.text, a.text, clip);
      assert.ok(b.text.length > 0, clip);
      assert.ok(b.timings.encoderMs > 0, 'the stage timings come back');
    }
  });

  it('is busy while a pass runs or waits, and takes passes in order', async () => {
    const audio = loadClip('cards/001.wav');
    assert.strictEqual(thread.busy, false);
    const first = thread.transcribe(audio, 'en');
    const second = thread.transcribe(loadClip('goforward.wav'), 'en');
    assert.strictEqual(thread.busy, true);
    audio.fill(0); // the caller's buffer is its own again at once: the thread has a copy
    const [a, b] = await Promise.all([first, second]);
    assert.match(a.text, /10 of clubs|ten of clubs/i);
    assert.match(b.text, /go forward/i);
    assert.strictEqual(thread.busy, false);
  });

  it("passes the words listened for on to the model (word boost), and the tokenizer is the model's", async () => {
    // With the boost at its strongest, listening for words changes what tiny writes for some clips: the thread must
    // change it the same way as Whisper here, and for at least one clip it must change at all.
    const [strongHere, strongThread] = await Promise.all([
      Whisper.load('tiny', undefined, WINDOW, { wordBoost: 10 }, CACHE),
      WhisperThread.load('tiny', undefined, WINDOW, { wordBoost: 10 }, CACHE),
    ]);
    try {
      const cases: Array<[Float32Array, string[]]> = [
        [loadClip('cards/001.wav'), ['clubs', 'spades']],
        [loadClip('goforward.wav'), ['forward', 'meters']],
        [readAudioFile(path.join(AUDIO_DIR, 'dev', 'ast__letters__ascii123.wav')).samples, ['left', 'brace']],
      ];
      let changed = 0;
      for (const [audio, words] of cases) {
        const texts = async (m: Whisper | WhisperThread) => {
          m.listenFor([]);
          const plain = (await m.transcribe(audio, 'en')).text;
          m.listenFor(words);
          return [plain, (await m.transcribe(audio, 'en')).text];
        };
        const [onThread, here] = await Promise.all([texts(strongThread), texts(strongHere)]);
        assert.deepStrictEqual(onThread, here, words.join(' '));
        if (onThread[0] !== onThread[1]) changed++;
      }
      assert.ok(changed > 0, 'listening for words changed no text: the boost cannot be told to have reached the model');
    } finally {
      await Promise.all([strongHere.release(), strongThread.release()]);
    }
    assert.strictEqual(thread.tokenizer.decode(thread.tokenizer.encode(' Go forward')).trim(), 'Go forward');
  });

  it('sends errors back with their code', async () => {
    assert.throws(
      () => thread.checkLanguage('xx'),
      (e: unknown) => e instanceof EngineError && e.code === EngineErrorCode.InvalidParams,
    );
    await assert.rejects(
      thread.transcribe(loadClip('cards/001.wav'), 'xx'),
      (e: unknown) => e instanceof EngineError && e.code === EngineErrorCode.InvalidParams && /Unknown language "xx"/.test(e.message),
    );
  });
});

describe('Whisper on its own thread: faults', function () {
  this.timeout(120_000);

  it("a model that is not there fails the load with the engine's error, and the thread ends", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-nomodel-'));
    try {
      await assert.rejects(
        WhisperThread.load('tiny', empty, WINDOW, {}, CACHE),
        (e: unknown) => e instanceof EngineError && e.code === EngineErrorCode.ModelMissing,
      );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a thread that dies fails the pass waiting on it and every later one, saying why; the engine loads it again', async () => {
    const logged: string[] = [];
    const registry = new ModelRegistry<WhisperThread>(
      'Whisper',
      () => undefined,
      (m) => logged.push(m),
    );
    let loads = 0;
    const load = () => (loads++, WhisperThread.load('tiny', undefined, WINDOW, {}, CACHE));
    const thread = await registry.get('tiny:variable', load);
    const pass = thread.transcribe(loadClip('jfk.wav'), 'en');
    // Nothing in the product ends the thread but release(): a crash of the native code or an out-of-memory abort
    // would. terminate() stands in for them (the only way to stop a thread from outside).
    await (thread as unknown as { worker: Worker }).worker.terminate();
    await assert.rejects(pass, /The speech model's thread stopped/);
    await assert.rejects(thread.transcribe(loadClip('cards/001.wav'), 'en'), /The speech model's thread stopped/);
    assert.strictEqual(thread.usable, false);
    const again = await registry.get('tiny:variable', load);
    assert.notStrictEqual(again, thread);
    assert.strictEqual(loads, 2);
    assert.match(logged.join('\n'), /Whisper tiny stopped working: loading it again/);
    assert.match((await again.transcribe(loadClip('cards/001.wav'), 'en')).text, /10 of clubs|ten of clubs/i);
    await Promise.all([thread.release(), again.release()]);
  });

  it('a pass asked for before the release finishes with its words, on either thread', async () => {
    // A model is released when the profile changes, and a warm-up pass (whisper.ts, warmUp) may still be running.
    const [here, there] = await Promise.all([
      Whisper.load('tiny', undefined, WINDOW, {}, CACHE),
      WhisperThread.load('tiny', undefined, WINDOW, {}, CACHE),
    ]);
    for (const model of [here, there]) {
      const pass = model.transcribe(loadClip('cards/001.wav'), 'en');
      await model.release();
      assert.match((await pass).text, /10 of clubs|ten of clubs/i);
    }
  });

  it('a released model refuses passes', async () => {
    const thread = await WhisperThread.load('tiny', undefined, WINDOW, {}, CACHE);
    await thread.release();
    await assert.rejects(thread.transcribe(loadClip('cards/001.wav'), 'en'), /released/);
  });
});
