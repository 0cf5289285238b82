import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { EngineClient } from '../../src/engineClient';
import { resample } from '../../src/engine/audio/resample';
import { encodeWav16, encodeWavFloat32 } from '../../src/engine/audio/wav';
import { WHISPER_MODELS, whisperFiles } from '../../src/engine/models/pins';
import { EngineErrorCode, FinalNotification, SessionEndNotification } from '../../src/protocol';
import { AUDIO_DIR, loadClip, readManifest } from '../audioFixtures';
import { assertHeard, rejects, startEngine, tempDir, whiteNoise, words, writeWav } from './engineHarness';

const clip = (name: string) => path.join(AUDIO_DIR, name);

const referenced = readManifest().filter((m) => m.transcript !== null);

describe('engine over JSON-RPC (real models, real speech)', function () {
  let engine: EngineClient;
  let tmp: string;

  before(async function () {
    tmp = tempDir('engine');
    engine = startEngine();
    const init = await engine.initialize({ model: 'tiny', language: 'en' });
    assert.strictEqual(init.model, 'tiny');
    assert.ok(init.loadMs > 0, 'the load is timed');
    assert.strictEqual(typeof init.cachedEdits, 'boolean');
  });
  after(async function () {
    await engine?.shutdown();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('transcribes jfk.wav exactly (case and punctuation aside)', async function () {
    const r = await engine.transcribeFile({ path: clip('jfk.wav') });
    assert.strictEqual(
      words(r.text),
      words('And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.'),
    );
    assert.ok(Math.abs(r.audioMs - 11000) < 1);
    assert.ok(r.segments.length >= 1);
    for (const s of r.segments) {
      assert.ok(s.timings.encoderMs > 0 && s.timings.decoderMs > 0 && s.timings.melMs > 0 && s.timings.tokens > 0);
      assert.ok(s.timings.totalMs >= s.timings.encoderMs + s.timings.decoderMs);
    }
  });

  for (const m of referenced.filter((m) => m.file !== 'jfk.wav')) {
    it(`transcribes ${m.file} right (numbers as digits or words)`, async function () {
      const r = await engine.transcribeFile({ path: clip(m.file) });
      assertHeard(m.file, r.text, m.transcript!);
    });
  }

  it('with the full 30 s encoder window, hears every clip right, the edge clips included', async function () {
    await engine.configure({ encoderWindow: 'full' });
    try {
      for (const m of referenced) {
        const r = await engine.transcribeFile({ path: clip(m.file) });
        assertHeard(m.file, r.text, m.transcript!, false);
      }
    } finally {
      await engine.configure({ encoderWindow: 'variable' });
    }
  });

  it('transcribes the same speech from 8 kHz 16-bit and 44.1 kHz stereo float WAVs (resampled, downmixed)', async function () {
    const speech = loadClip('goforward.wav');
    const at8k = path.join(tmp, 'goforward-8k.wav');
    fs.writeFileSync(at8k, encodeWav16(resample(speech, 16000, 8000), 8000));
    const mono44 = resample(speech, 16000, 44100);
    const stereo = new Float32Array(mono44.length * 2);
    for (let i = 0; i < mono44.length; i++) {
      stereo[2 * i] = mono44[i];
      stereo[2 * i + 1] = mono44[i] * 0.5;
    }
    const at44 = path.join(tmp, 'goforward-44k-stereo.wav');
    fs.writeFileSync(at44, encodeWavFloat32(stereo, 44100, 2));
    for (const [file, rate, channels] of [
      [at8k, 8000, 1],
      [at44, 44100, 2],
    ] as const) {
      const r = await engine.transcribeFile({ path: file });
      assert.strictEqual(r.ingest.sourceRate, rate);
      assert.strictEqual(r.ingest.channels, channels);
      assert.strictEqual(words(r.text), words('go forward ten meters'), path.basename(file));
    }
  });

  it('gives no words for 30 s of digital silence and 30 s of white noise', async function () {
    const silence = writeWav(tmp, 'silence.wav', 30, () => 0);
    const noise = writeWav(tmp, 'noise.wav', 30, whiteNoise(0.3));
    for (const file of [silence, noise]) {
      const r = await engine.transcribeFile({ path: file });
      assert.strictEqual(r.text, '', `${path.basename(file)} gave "${r.text}"`);
    }
  });

  it('answers bad input with a coded error and keeps serving', async function () {
    const notWav = path.join(tmp, 'notes.wav');
    fs.writeFileSync(notWav, 'this is text, not audio');
    const truncated = path.join(tmp, 'truncated.wav');
    const jfk = fs.readFileSync(clip('jfk.wav'));
    fs.writeFileSync(truncated, jfk.subarray(0, 20000));
    const nan = path.join(tmp, 'nan.wav');
    const samples = new Float32Array(16000).fill(0.1);
    samples[8000] = NaN;
    fs.writeFileSync(nan, encodeWavFloat32(samples, 16000));

    await rejects(engine.transcribeFile({ path: path.join(tmp, 'missing.wav') }), EngineErrorCode.FileNotFound, /not found/);
    await rejects(engine.transcribeFile({ path: notWav }), EngineErrorCode.NotWav, /not a WAV/);
    await rejects(engine.transcribeFile({ path: truncated }), EngineErrorCode.TruncatedWav, /truncated/);
    await rejects(engine.transcribeFile({ path: nan }), EngineErrorCode.InvalidSamples, /non-finite sample .* 0\.500 s/);
    await rejects(
      engine.transcribeFile({ path: clip('cards/001.wav'), model: 'huge' as 'tiny' }),
      EngineErrorCode.UnknownModel,
      /Unknown model "huge"/,
    );
    await rejects(
      engine.transcribeFile({ path: clip('cards/001.wav'), language: 'xx' }),
      EngineErrorCode.InvalidParams,
      /Unknown language/,
    );
    await rejects(engine.configure({ levers: { projection: 'fp16' as 'int8' } }), EngineErrorCode.InvalidParams, /levers.projection/);
    await rejects(engine.configure({ levers: { threads: 0 } }), EngineErrorCode.InvalidParams, /levers.threads/);
    await rejects(
      engine.configure({ levers: { spinning: 'yes' as unknown as boolean } }),
      EngineErrorCode.InvalidParams,
      /levers.spinning/,
    );
    await rejects(engine.configure({ levers: { reclaim: 1 as unknown as boolean } }), EngineErrorCode.InvalidParams, /levers.reclaim/);

    const r = await engine.transcribeFile({ path: clip('cards/003.wav') });
    assert.strictEqual(words(r.text), words('seven of clubs'));
  });

  it('runs the live path from a file and reports each utterance with its timings', async function () {
    // jfk.wav pauses for 1.0-1.3 s twice: a hangover longer than that keeps it one utterance.
    await engine.configure({ hangoverMs: 1500 });
    const finals: FinalNotification[] = [];
    engine.onFinal((n) => finals.push(n));
    const ended = new Promise<SessionEndNotification>((resolve) => engine.onSessionEnd(resolve));
    const { sessionId } = await engine.start({ source: { kind: 'file', path: clip('jfk.wav'), realtime: false } });
    await rejects(
      engine.start({ source: { kind: 'file', path: clip('jfk.wav'), realtime: false } }),
      EngineErrorCode.Busy,
      /Already listening/,
    );
    const end = await ended;
    assert.strictEqual(end.sessionId, sessionId);
    assert.strictEqual(end.reason, 'eof');
    assert.strictEqual(end.overruns, 0);
    const mine = finals.filter((f) => f.sessionId === sessionId && f.text !== '');
    assert.ok(mine.length >= 1);
    assert.strictEqual(
      words(mine.map((f) => f.text).join(' ')),
      words('And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.'),
    );
    for (let i = 0; i < mine.length; i++) {
      assert.ok(mine[i].endMs > mine[i].startMs);
      if (i > 0) assert.ok(mine[i].startMs >= mine[i - 1].endMs - 1, 'utterances come in order and do not overlap');
      assert.ok(mine[i].processingMs > 0 && mine[i].timings.encoderMs > 0);
    }
  });

  /** Polls `ok` every 50 ms until it holds, failing after `ms`. */
  async function until(ok: () => boolean, ms: number): Promise<void> {
    const t0 = Date.now();
    while (!ok()) {
      if (Date.now() - t0 > ms) throw new Error(`waited ${ms} ms in vain`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('starts again while the stopped session still transcribes, and both sessions keep their words', async function () {
    // Dictation stopped and started again at once (a hold that goes on after a stalled release): the new session
    // opens the source once the old one's audio is through the VAD, not after its last transcription.
    await engine.configure({ hangoverMs: 600 });
    const finals: FinalNotification[] = [];
    engine.onFinal((n) => finals.push(n));
    const ends: SessionEndNotification[] = [];
    engine.onSessionEnd((n) => ends.push(n));
    const first = await engine.start({ source: { kind: 'file', path: clip('jfk.wav'), realtime: true } });
    await until(() => finals.some((f) => f.sessionId === first.sessionId && f.text !== ''), 20000);
    // Mid-sentence: "ask not what your country can do for you" (3.3-6.5 s) is being said.
    await new Promise((r) => setTimeout(r, 1500));
    const stopping = engine.stop();
    const second = await engine.start({ source: { kind: 'file', path: clip('cards/003.wav'), realtime: false } });
    assert.notStrictEqual(second.sessionId, first.sessionId);
    const firstEnd = await stopping;
    assert.strictEqual(firstEnd?.sessionId, first.sessionId);
    assert.strictEqual(firstEnd?.reason, 'stopped');
    await until(() => ends.some((e) => e.sessionId === second.sessionId), 20000);
    const heard = (id: number) =>
      words(
        finals
          .filter((f) => f.sessionId === id)
          .map((f) => f.text)
          .join(' '),
      );
    assert.match(
      heard(first.sessionId),
      /^and so my fellow americans,?( \w+)+/,
      `the stopped session transcribed what was said before the stop: "${heard(first.sessionId)}"`,
    );
    assert.strictEqual(heard(second.sessionId), words('seven of clubs'));
  });

  it('closes an utterance after the hangover: jfk.wav splits at its pauses with a 600 ms hangover', async function () {
    await engine.configure({ hangoverMs: 600 });
    const finals: FinalNotification[] = [];
    engine.onFinal((n) => finals.push(n));
    const ended = new Promise<SessionEndNotification>((resolve) => engine.onSessionEnd(resolve));
    const { sessionId } = await engine.start({ source: { kind: 'file', path: clip('jfk.wav'), realtime: false } });
    await ended;
    const mine = finals.filter((f) => f.sessionId === sessionId);
    assert.strictEqual(mine.length, 3, mine.map((f) => f.text).join(' | '));
    assert.strictEqual(words(mine[0].text), words('And so my fellow Americans'));
    assert.ok(mine[0].endMs < 3000 && mine[1].startMs > 2500 && mine[2].startMs > 4500);
    // The last one is the longest part of the sentence; tiny hears it in isolation nearly right.
    assert.match(words(mine[2].text), /can do for you .* can do for your country$/);
  });

  it('reports p50/p95/p99 per stage, RSS and CPU', async function () {
    const m = await engine.metrics();
    for (const stage of ['melMs', 'encoderMs', 'decoderMs', 'totalMs', 'processingMs', 'vadMs']) {
      const p = m.stages[stage];
      assert.ok(p && p.count > 0, `stage ${stage} has samples`);
      assert.ok(p.p50 <= p.p95 && p.p95 <= p.p99);
    }
    assert.ok(m.rssBytes > 50e6);
    assert.ok(m.cpuPercent >= 0);
  });
});

describe('engine warm-up (tiny, real speech)', function () {
  this.timeout(120_000);

  it("warms a model once, when its first live session starts, and file transcriptions don't wait for it", async function () {
    const engine = startEngine();
    const logs: string[] = [];
    engine.onLog((n) => logs.push(n.message));
    const warmed = () => logs.filter((m) => /^Whisper tiny warmed up in \d+ ms$/.test(m)).length;
    try {
      await engine.initialize({ model: 'tiny', language: 'en' });
      assert.match((await engine.transcribeFile({ path: clip('cards/001.wav') })).text, /10 of clubs|ten of clubs/i);
      assert.strictEqual(warmed(), 0, 'a file transcription does not warm the model up');
      for (let session = 0; session < 2; session++) {
        const finals: FinalNotification[] = [];
        const sub = engine.onFinal((n) => finals.push(n));
        const ended = new Promise<SessionEndNotification>((resolve) => engine.onSessionEnd(resolve));
        // At real-time pace, as a microphone: the warm-up starts before the first words are heard.
        await engine.start({ source: { kind: 'file', path: clip('goforward.wav'), realtime: true } });
        await ended;
        sub.dispose();
        assert.match(finals.map((f) => f.text).join(' '), /go forward/i, 'the session keeps its words');
      }
      assert.strictEqual(warmed(), 1, `one warm-up for two sessions: ${JSON.stringify(logs)}`);
      assert.ok(!logs.some((m) => /Warming up .* failed/.test(m)), JSON.stringify(logs));
    } finally {
      await engine.shutdown();
    }
  });
});

describe('engine model checks', function () {
  let tmp: string;
  before(() => (tmp = tempDir('models')));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('refuses a model file whose sha256 does not match, then loads a good one', async function () {
    // A model folder laid out like the package's, with one byte of the encoder changed.
    const real = whisperFiles('tiny');
    const dir = path.join(tmp, 'tiny');
    fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    for (const f of fs.readdirSync(real.dir))
      if (f.endsWith('.json') || f.endsWith('.txt')) fs.symlinkSync(path.join(real.dir, f), path.join(dir, f));
    fs.symlinkSync(real.decoder, path.join(dir, WHISPER_MODELS.tiny.decoder.file));
    const encoder = fs.readFileSync(real.encoder);
    encoder[encoder.length >> 1] ^= 0xff;
    fs.writeFileSync(path.join(dir, WHISPER_MODELS.tiny.encoder.file), encoder);

    const engine = startEngine();
    try {
      await rejects(
        engine.initialize({ model: 'tiny', modelDir: tmp }),
        EngineErrorCode.ModelChecksumMismatch,
        /corrupt or not the pinned one/,
      );
      await rejects(engine.initialize({ model: 'huge' as 'tiny' }), EngineErrorCode.UnknownModel, /Unknown model/);
      // The engine still serves: pointing back at the packaged models works.
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.mkdirSync(tmp);
      fs.symlinkSync(real.dir, path.join(tmp, 'tiny'));
      const init = await engine.initialize({ model: 'tiny', modelDir: tmp });
      assert.strictEqual(init.model, 'tiny');
      const r = await engine.transcribeFile({ path: clip('cards/001.wav') });
      assert.strictEqual(words(r.text), words('ten of clubs'));
    } finally {
      await engine.shutdown();
    }
  });

  it('base model: jfk.wav exactly, and no words for silence and noise', async function () {
    const engine = startEngine();
    try {
      await engine.initialize({ model: 'base' });
      const r = await engine.transcribeFile({ path: clip('jfk.wav') });
      assert.strictEqual(
        words(r.text),
        words('And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.'),
      );
      const silence = writeWav(tmp, 'silence-base.wav', 30, () => 0);
      const noise = writeWav(tmp, 'noise-base.wav', 30, whiteNoise(0.3, 777));
      for (const file of [silence, noise]) assert.strictEqual((await engine.transcribeFile({ path: file })).text, '');
    } finally {
      await engine.shutdown();
    }
  });

  it('a crashed engine is seen by the client: pending requests fail with a sentence', async function () {
    const engine = startEngine();
    await engine.initialize({ model: 'tiny' });
    const pending = engine.transcribeFile({ path: clip('jfk.wav') });
    engine.child.kill('SIGKILL');
    await rejects(pending, EngineErrorCode.Internal, /engine exited/);
    assert.strictEqual(engine.running, false);
    await rejects(engine.metrics(), EngineErrorCode.Internal, /not running/);
  });
});
