import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EngineErrorCode } from '../../../src/protocol';
import { encodeWav16 } from '../../../src/engine/audio/wav';
import { EngineError } from '../../../src/engine/errors';
import {
  findSpeech,
  lastTimestampIndex,
  middleGap,
  readAudioFile,
  speechWindows,
  transcribeSpeech,
  unreadSpeechStart,
} from '../../../src/engine/fileTranscriber';
import { Utterance } from '../../../src/engine/live/segmenter';
import { SileroVad, VAD_FRAME } from '../../../src/engine/live/vad';
import { Whisper, WhisperResult } from '../../../src/engine/whisper/whisper';
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

function region(startSample: number, endSample: number, lastVoicedSample = endSample): Utterance {
  return { id: 0, samples: new Float32Array(0), startSample, endSample, lastVoicedSample, reason: 'silence', closedAt: 0 };
}

/** Fake timestamp tokens: <|0.00|> is token TS, a timestamp at `s` seconds is TS + s / 0.02. */
const TS = 1000;
const ts = (seconds: number) => TS + Math.round(seconds / 0.02);

/** One scripted decoder pass: what the fake Whisper answers for audio starting at `fromS` seconds. */
interface ScriptedPass {
  fromS: number;
  toS: number;
  tokens: number[];
  rejected?: string;
}

/**
 * A Whisper that answers from a script and records the [from, to) of each pass. The audio's samples are their own
 * positions, so a pass knows where its audio starts. Text is the text tokens as words ("w7"), as decode gives it.
 */
function scriptedWhisper(script: ScriptedPass[], variableWindow = true): { whisper: Whisper; calls: Array<[number, number]> } {
  const calls: Array<[number, number]> = [];
  const decode = (ids: ArrayLike<number>) =>
    Array.from(ids)
      .filter((t) => t < TS)
      .map((t) => `w${t}`)
      .join(' ');
  const fake = {
    window: { variable: variableWindow },
    tokenizer: { special: { timestampBegin: TS }, decode },
    transcribe: async (audio: Float32Array, language: string): Promise<WhisperResult> => {
      const from = audio[0] / SR;
      const to = (audio[0] + audio.length) / SR;
      calls.push([from, to]);
      const pass = script.find((p) => p.fromS === from && p.toS === to);
      if (!pass) throw new Error(`unscripted pass ${from}-${to} s`);
      return {
        text: pass.rejected ? '' : decode(pass.tokens),
        tokens: pass.tokens,
        lastTokenLogprob: 0,
        language,
        avgLogprob: -0.2,
        noSpeechProb: 0.01,
        rejected: pass.rejected,
        timings: { melMs: 0, encoderMs: 0, decoderMs: 0, tokens: pass.tokens.length, totalMs: 0 },
      };
    },
  };
  return { whisper: fake as unknown as Whisper, calls };
}

/** Audio whose every sample holds its own index (exact in float32 up to 2^24 samples, over 17 minutes). */
function positions(seconds: number): Float32Array {
  const a = new Float32Array(seconds * SR);
  for (let i = 0; i < a.length; i++) a[i] = i;
  return a;
}

describe('readAudioFile', () => {
  it('reads and validates a WAV into 16 kHz mono with its ingest report', () => {
    const { samples, report } = readAudioFile(path.join(AUDIO_DIR, 'jfk.wav'));
    assert.strictEqual(samples.length, 176000);
    assert.deepStrictEqual(report, { sourceRate: 16000, channels: 1, format: 'int16', clippedSamples: 0 });
  });

  it('counts the clipped samples of a recording', () => {
    const samples = new Float32Array(SR);
    for (let i = 0; i < 7; i++) samples[1000 + i * 100] = i % 2 ? 1 : -1;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-clipped-'));
    try {
      const file = path.join(dir, 'clipped.wav');
      fs.writeFileSync(file, encodeWav16(samples, SR));
      assert.strictEqual(readAudioFile(file).report.clippedSamples, 7);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing file with FileNotFound', () => {
    assert.throws(
      () => readAudioFile(path.join(AUDIO_DIR, 'no-such-file.wav')),
      (err: unknown) => err instanceof EngineError && err.code === EngineErrorCode.FileNotFound && /not found/.test(err.message),
    );
  });

  it('reports a folder with FileNotFound too', () => {
    assert.throws(
      () => readAudioFile(AUDIO_DIR),
      (err: unknown) => err instanceof EngineError && err.code === EngineErrorCode.FileNotFound,
    );
  });
});

describe('speechWindows', () => {
  const regions = [region(0, 2 * SR), region(5 * SR, 9 * SR), region(12 * SR, 15 * SR), region(16 * SR, 20 * SR), region(29 * SR, 31 * SR)];

  it('reads a recording whose speech fits in 28 s as one window', () => {
    assert.deepStrictEqual(speechWindows(regions.slice(0, 4)), [[0, 20 * SR]]);
    assert.deepStrictEqual(speechWindows([region(3 * SR, 31 * SR)]), [[3 * SR, 31 * SR]]);
    assert.deepStrictEqual(speechWindows([]), []);
  });

  it('cuts longer speech at pauses into windows of at most 10 s: long windows lose sentences (issue 11)', () => {
    assert.deepStrictEqual(speechWindows(regions), [
      [0, 9 * SR],
      [12 * SR, 20 * SR],
      [29 * SR, 31 * SR],
    ]);
  });

  it('groups regions that fit in the window given and starts a new window after', () => {
    const r = [region(0, 2 * SR), region(5 * SR, 9 * SR), region(20 * SR, 28 * SR), region(29 * SR, 31 * SR), region(60 * SR, 61 * SR)];
    assert.deepStrictEqual(speechWindows(r, 28 * SR), [
      [0, 28 * SR],
      [29 * SR, 31 * SR],
      [60 * SR, 61 * SR],
    ]);
  });

  it('gives a region longer than the window a window of its own', () => {
    assert.deepStrictEqual(
      speechWindows([region(0, 1 * SR), region(2 * SR, 22 * SR), region(23 * SR, 24 * SR), region(40 * SR, 41 * SR)]),
      [
        [0, 1 * SR],
        [2 * SR, 22 * SR],
        [23 * SR, 24 * SR],
        [40 * SR, 41 * SR],
      ],
    );
  });
});

describe('the seek loop helpers', () => {
  it('lastTimestampIndex finds the last timestamp token, or -1', () => {
    assert.strictEqual(lastTimestampIndex([ts(0), 5, 6, ts(2), ts(2), 7], TS), 4);
    assert.strictEqual(lastTimestampIndex([ts(0), 5, ts(1)], TS), 2);
    assert.strictEqual(lastTimestampIndex([5, 6], TS), -1);
    assert.strictEqual(lastTimestampIndex([], TS), -1);
  });

  it('unreadSpeechStart: where voiced audio after the last timestamp starts, if there is more than a short word of it', () => {
    const regions = [region(0, 3 * SR, 2.8 * SR), region(4 * SR, 7 * SR, 6.8 * SR)];
    assert.strictEqual(unreadSpeechStart(regions, 3.5 * SR, 7 * SR), 4 * SR, 'reached in a pause: the next region');
    assert.strictEqual(unreadSpeechStart(regions, 2 * SR, 7 * SR), 2 * SR, 'reached inside a region: from there');
    assert.strictEqual(unreadSpeechStart(regions, 6.5 * SR, 7 * SR), undefined, '0.3 s left: the tail of a word');
    assert.strictEqual(unreadSpeechStart(regions, 3.5 * SR, 4 * SR), undefined, 'speech after the window is not its own');
  });

  it('middleGap: the region start nearest the middle, never the first', () => {
    const regions = [region(0, 3 * SR), region(4 * SR, 7 * SR), region(8 * SR, 11 * SR)];
    assert.strictEqual(middleGap(regions, 0, 11 * SR), 4 * SR);
    assert.strictEqual(middleGap(regions, 4 * SR, 11 * SR), 8 * SR);
    assert.strictEqual(middleGap(regions, 8 * SR, 11 * SR), undefined);
  });
});

describe('transcribeSpeech (the seek loop, with a scripted Whisper)', () => {
  const regions = [region(0, 3 * SR, 2.8 * SR), region(4 * SR, 7 * SR, 6.8 * SR), region(8 * SR, 11 * SR, 10.8 * SR)];

  it('reads a window in one pass when the decoder reaches the end of its speech', async () => {
    const { whisper, calls } = scriptedWhisper([{ fromS: 0, toS: 11, tokens: [ts(0), 1, 2, ts(3), ts(4), 3, ts(7), ts(8), 4, ts(11)] }]);
    const r = await transcribeSpeech(positions(11), regions, whisper, 'en');
    assert.deepStrictEqual(calls, [[0, 11]]);
    assert.deepStrictEqual(
      r.segments.map((s) => s.text),
      ['w1 w2 w3 w4'],
    );
  });

  it('decodes again after the last timestamp when the decoder stopped before the speech was over', async () => {
    const { whisper, calls } = scriptedWhisper([
      { fromS: 0, toS: 11, tokens: [ts(0), 1, 2, ts(3.5)] },
      { fromS: 4, toS: 11, tokens: [ts(0), 3, ts(3.2)] },
      { fromS: 8, toS: 11, tokens: [ts(0), 4, ts(3)] },
    ]);
    const r = await transcribeSpeech(positions(11), regions, whisper, 'en');
    assert.deepStrictEqual(calls, [
      [0, 11],
      [4, 11],
      [8, 11],
    ]);
    assert.deepStrictEqual(
      r.segments.map((s) => [s.startMs, s.endMs, s.text]),
      [
        [0, 4000, 'w1 w2'],
        [4000, 8000, 'w3'],
        [8000, 11000, 'w4'],
      ],
    );
  });

  it('reads the words of a segment left open again in the next pass, once', async () => {
    const { whisper, calls } = scriptedWhisper([
      { fromS: 0, toS: 11, tokens: [ts(0), 1, ts(2), ts(2), 2, 3] },
      { fromS: 2, toS: 11, tokens: [ts(0), 2, 3, ts(5), ts(6), 4, ts(9)] },
    ]);
    const r = await transcribeSpeech(positions(11), regions, whisper, 'en');
    assert.deepStrictEqual(calls, [
      [0, 11],
      [2, 11],
    ]);
    assert.deepStrictEqual(
      r.segments.map((s) => s.text),
      ['w1', 'w2 w3 w4'],
    );
  });

  it('halves a window at a pause when a guard dropped its text, and reads each half', async () => {
    const { whisper, calls } = scriptedWhisper([
      { fromS: 0, toS: 11, tokens: [ts(0), 1, 1, 1, ts(11)], rejected: 'repetitive' },
      { fromS: 0, toS: 4, tokens: [ts(0), 1, ts(3)] },
      { fromS: 4, toS: 11, tokens: [ts(0), 2, ts(3), ts(4), 3, ts(7)] },
    ]);
    const r = await transcribeSpeech(positions(11), regions, whisper, 'en');
    assert.deepStrictEqual(calls, [
      [0, 11],
      [0, 4],
      [4, 11],
    ]);
    assert.deepStrictEqual(
      r.segments.map((s) => [s.startMs, s.endMs, s.text]),
      [
        [0, 4000, 'w1'],
        [4000, 11000, 'w2 w3'],
      ],
    );
  });

  it('halves a window when the decoder gets no further than its first timestamp', async () => {
    const { whisper, calls } = scriptedWhisper([
      { fromS: 0, toS: 11, tokens: [ts(0), 7, 7, 7] },
      { fromS: 0, toS: 4, tokens: [ts(0), 1, ts(3)] },
      { fromS: 4, toS: 11, tokens: [ts(0), 2, ts(3), ts(4), 3, ts(7)] },
    ]);
    const r = await transcribeSpeech(positions(11), regions, whisper, 'en');
    assert.deepStrictEqual(calls, [
      [0, 11],
      [0, 4],
      [4, 11],
    ]);
    assert.deepStrictEqual(
      r.segments.map((s) => s.text),
      ['w1', 'w2 w3'],
    );
  });

  it('keeps a single region a guard found silent as one rejected segment', async () => {
    const { whisper, calls } = scriptedWhisper([{ fromS: 0, toS: 3, tokens: [ts(0), 1, ts(2)], rejected: 'no speech' }]);
    const r = await transcribeSpeech(positions(3), [region(0, 3 * SR, 2.8 * SR)], whisper, 'en');
    assert.deepStrictEqual(calls, [[0, 3]]);
    assert.deepStrictEqual(
      r.segments.map((s) => [s.text, s.rejected]),
      [['', 'no speech']],
    );
  });

  it('reads a recording whose speech is one window with up to 1 s of the audio around it', async () => {
    const { whisper, calls } = scriptedWhisper([{ fromS: 1, toS: 6, tokens: [ts(0), 1, ts(4)] }]);
    const r = await transcribeSpeech(positions(10), [region(2 * SR, 5 * SR, 4.8 * SR)], whisper, 'en');
    assert.deepStrictEqual(calls, [[1, 6]]);
    assert.deepStrictEqual(
      r.segments.map((s) => s.text),
      ['w1'],
    );
  });

  it('without timestamps (the full window) reads each window once', async () => {
    const { whisper, calls } = scriptedWhisper([{ fromS: 0, toS: 11, tokens: [1, 2] }], false);
    const r = await transcribeSpeech(positions(11), regions, whisper, 'en');
    assert.deepStrictEqual(calls, [[0, 11]]);
    assert.deepStrictEqual(
      r.segments.map((s) => s.text),
      ['w1 w2'],
    );
  });

  it('keeps windows of up to 28 s with the full encoder window, 10 s with the variable one', async () => {
    const long = [
      region(0, 3 * SR, 2.8 * SR),
      region(8 * SR, 12 * SR, 11.8 * SR),
      region(25 * SR, 28 * SR, 27.8 * SR),
      region(31 * SR, 33 * SR, 32.8 * SR),
    ];
    const full = scriptedWhisper(
      [
        { fromS: 0, toS: 28, tokens: [1] },
        { fromS: 31, toS: 33, tokens: [2] },
      ],
      false,
    );
    await transcribeSpeech(positions(34), long, full.whisper, 'en');
    assert.deepStrictEqual(full.calls, [
      [0, 28],
      [31, 33],
    ]);
    const variable = scriptedWhisper([
      { fromS: 0, toS: 3, tokens: [ts(0), 1, ts(3)] },
      { fromS: 8, toS: 12, tokens: [ts(0), 2, ts(4)] },
      { fromS: 25, toS: 33, tokens: [ts(0), 3, ts(3), ts(6), 4, ts(8)] },
    ]);
    await transcribeSpeech(positions(34), long, variable.whisper, 'en');
    assert.deepStrictEqual(variable.calls, [
      [0, 3],
      [8, 12],
      [25, 33],
    ]);
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
