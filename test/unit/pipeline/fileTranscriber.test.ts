import * as assert from 'assert';
import * as path from 'path';
import { EngineErrorCode } from '../../../src/protocol';
import { EngineError } from '../../../src/pipeline/errors';
import { findSpeech, readAudioFile, speechWindows } from '../../../src/pipeline/fileTranscriber';
import { Utterance } from '../../../src/pipeline/segmenter';
import { SileroVad, VAD_FRAME } from '../../../src/pipeline/vad';
import { AUDIO_DIR, loadClip, readManifest } from '../../audioFixtures';

const SR = 16000;

/** Deterministic white noise, uniform in [-amp, amp]. */
function whiteNoise(n: number, amp: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296) * 2 * amp - amp;
  }
  return out;
}

function region(startSample: number, endSample: number): Utterance {
  return { id: 0, samples: new Float32Array(0), startSample, endSample, lastVoicedSample: endSample, reason: 'silence', closedAt: 0 };
}

describe('readAudioFile', () => {
  it('reads and validates a WAV into 16 kHz mono with its ingest report', () => {
    const { samples, report } = readAudioFile(path.join(AUDIO_DIR, 'jfk.wav'));
    assert.strictEqual(samples.length, 176000);
    assert.deepStrictEqual(report, { sourceRate: 16000, channels: 1, format: 'int16', clippedSamples: report.clippedSamples });
  });

  it('reports a missing file with FileNotFound', () => {
    assert.throws(
      () => readAudioFile(path.join(AUDIO_DIR, 'no-such-file.wav')),
      (err: unknown) => err instanceof EngineError && err.code === EngineErrorCode.FileNotFound && /not found/.test(err.message),
    );
  });

  it('reports a folder with FileNotFound too', () => {
    assert.throws(() => readAudioFile(AUDIO_DIR), (err: unknown) => err instanceof EngineError && err.code === EngineErrorCode.FileNotFound);
  });
});

describe('speechWindows', () => {
  it('groups regions that fit in one 28 s window and starts a new window after', () => {
    const regions = [region(0, 2 * SR), region(5 * SR, 9 * SR), region(20 * SR, 28 * SR), region(29 * SR, 31 * SR), region(60 * SR, 61 * SR)];
    assert.deepStrictEqual(speechWindows(regions), [
      [0, 28 * SR],
      [29 * SR, 31 * SR],
      [60 * SR, 61 * SR],
    ]);
    assert.deepStrictEqual(speechWindows([]), []);
  });
});

describe('findSpeech (Silero VAD + segmenter over a whole recording)', function () {
  this.timeout(60000);
  let vad: SileroVad;

  before(async () => {
    vad = await SileroVad.load();
  });

  after(async () => {
    await vad?.release();
  });

  it('finds the speech in jfk.wav: starting before 0.6 s and ending after 10 s', async () => {
    const samples = loadClip('jfk.wav');
    const found = await findSpeech(samples, vad.clone(), {});
    assert.ok(found.length >= 1, 'at least one utterance');
    assert.ok(found[0].startSample < 0.6 * SR, `first starts at ${found[0].startSample / SR} s`);
    const last = found[found.length - 1];
    assert.ok(last.endSample > 10 * SR, `last ends at ${last.endSample / SR} s`);
    assert.ok(last.endSample <= samples.length);
    for (let i = 0; i < found.length; i++) {
      const u = found[i];
      assert.strictEqual(u.id, i + 1);
      assert.ok(u.endSample > u.startSample);
      assert.deepStrictEqual(u.samples, samples.subarray(u.startSample, u.endSample), `utterance ${u.id} holds its own stretch of audio`);
      if (i > 0) assert.ok(u.startSample >= found[i - 1].endSample, 'utterances do not overlap');
    }
    // The pauses in the speech are short: together the utterances cover most of the 11 s.
    const covered = found.reduce((acc, u) => acc + u.endSample - u.startSample, 0);
    assert.ok(covered > 8 * SR, `${covered / SR} s covered`);
  });

  it('finds nothing in 5 s of digital silence, and the energy gate skips the model for every frame', async () => {
    const v = vad.clone();
    const found = await findSpeech(new Float32Array(5 * SR), v, {});
    assert.strictEqual(found.length, 0);
    assert.strictEqual(v.gatedFrames, Math.floor((5 * SR) / VAD_FRAME));
    assert.strictEqual(v.modelFrames, 0);
  });

  it('finds nothing in 5 s of white noise at amplitude 0.3', async () => {
    const v = vad.clone();
    const found = await findSpeech(whiteNoise(5 * SR, 0.3), v, {});
    assert.strictEqual(found.length, 0, found.map((u) => `${u.startSample / SR}-${u.endSample / SR} s`).join(', '));
    assert.strictEqual(v.modelFrames, Math.floor((5 * SR) / VAD_FRAME), 'noise passes the gate: Silero decided');
  });

  it('finds speech between stretches of silence where it was put', async () => {
    const speech = loadClip('cards/001.wav');
    const samples = new Float32Array(3 * SR + speech.length + 3 * SR);
    samples.set(speech, 3 * SR);
    const found = await findSpeech(samples, vad.clone(), {});
    assert.strictEqual(found.length, 1);
    assert.ok(found[0].startSample >= 3 * SR - 0.3 * SR - VAD_FRAME && found[0].startSample < 3 * SR + speech.length);
    assert.ok(found[0].endSample <= 3 * SR + speech.length + 0.3 * SR);
    assert.strictEqual(found[0].reason, 'silence');
  });

  for (const entry of readManifest().filter((e) => e.file.startsWith('cards/'))) {
    it(`finds exactly one utterance in ${entry.file} ("${entry.transcript}")`, async () => {
      const found = await findSpeech(loadClip(entry.file), vad.clone(), {});
      assert.strictEqual(found.length, 1, found.map((u) => `${u.startSample / SR}-${u.endSample / SR} s`).join(', '));
    });
  }

  it('finds speech in 8 kHz speech resampled to 16 kHz (leak-test-8k.wav)', async () => {
    const found = await findSpeech(loadClip('leak-test-8k.wav'), vad.clone(), {});
    assert.ok(found.length >= 1);
  });
});
