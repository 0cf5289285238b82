/** The pure stages on real recordings from the shared audio (the unit tier checks them on synthetic signals). */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ingest } from '../../../src/engine/audio/ingest';
import { parseWav } from '../../../src/engine/audio/wav';
import { levelChangeDb, STEADY_MAX_DB, UtteranceSegmenter } from '../../../src/engine/live/segmenter';
import { AUDIO_DIR, loadClip } from '../../audioFixtures';
import { rms } from '../../support/signal';

describe('WAV parsing and ingest on real speech', () => {
  it('parses jfk.wav: 16 kHz mono 16-bit, 176000 frames, past its LIST chunk', () => {
    const wav = parseWav(fs.readFileSync(path.join(AUDIO_DIR, 'jfk.wav')), 'jfk.wav');
    assert.strictEqual(wav.sampleRate, 16000);
    assert.strictEqual(wav.channels, 1);
    assert.strictEqual(wav.format, 'int16');
    assert.strictEqual(wav.frames, 176000);
    let peak = 0;
    for (const v of wav.samples) peak = Math.max(peak, Math.abs(v));
    assert.ok(peak > 0.1 && peak <= 1, `peak ${peak}`);
    assert.ok(rms(wav.samples) > 0.01, 'it holds audio, not zeros');
  });

  it('parses leak-test-8k.wav as 8 kHz mono', () => {
    const wav = parseWav(fs.readFileSync(path.join(AUDIO_DIR, 'leak-test-8k.wav')));
    assert.strictEqual(wav.sampleRate, 8000);
    assert.strictEqual(wav.channels, 1);
    assert.ok(Math.abs(wav.frames / 8000 - 9.38) < 0.01, `${wav.frames} frames`);
  });

  it('resamples real 8 kHz speech (leak-test-8k.wav) to 16 kHz with twice the samples and the same level', () => {
    const wav = parseWav(fs.readFileSync(path.join(AUDIO_DIR, 'leak-test-8k.wav')));
    const { samples, report } = ingest(wav);
    assert.strictEqual(samples.length, wav.frames * 2);
    assert.strictEqual(report.sourceRate, 8000);
    assert.strictEqual(report.format, 'int16');
    // Speech below 4 kHz passes the resampler untouched: the level stays within 2%.
    const ratio = rms(samples) / rms(wav.samples);
    assert.ok(Math.abs(ratio - 1) < 0.02, `level ratio ${ratio}`);
    // Every even output sample sits on an input sample: they should agree closely.
    let err = 0;
    for (let i = 100; i < wav.frames - 100; i++) err = Math.max(err, Math.abs(samples[2 * i] - wav.samples[i]));
    assert.ok(err < 0.05, `max deviation at shared instants ${err}`);
  });
});

describe('the segmenter on real speech', () => {
  it('speech moves its level from frame to frame far more than held tones may', () => {
    const speech = levelChangeDb(loadClip('jfk.wav'));
    assert.ok(speech > 2 * STEADY_MAX_DB, `speech ${speech}`);
  });

  it('keeps a spoken utterance the held-tone check could have dropped', () => {
    const samples = loadClip('cards/001.wav');
    const seg = new UtteranceSegmenter();
    let n = 0;
    for (let f = 0; (f + 1) * 512 <= samples.length; f++) if (seg.push(samples.subarray(f * 512, (f + 1) * 512), 0.9)) n++;
    if (seg.flush()) n++;
    assert.strictEqual(n, 1);
  });
});
