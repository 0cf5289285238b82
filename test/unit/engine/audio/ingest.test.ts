import * as assert from 'assert';
import { EngineErrorCode } from '../../../../src/protocol';
import { EngineError } from '../../../../src/engine/errors';
import { ingest, SAMPLE_RATE } from '../../../../src/engine/audio/ingest';
import { encodeWav16, encodeWavFloat32, parseWav, WavAudio } from '../../../../src/engine/audio/wav';
import { rms } from '../../../support/signal';

function floatWav(samples: number[], sampleRate = SAMPLE_RATE, channels = 1): WavAudio {
  return parseWav(encodeWavFloat32(Float32Array.from(samples), sampleRate, channels));
}

function expectInvalidSamples(wav: WavAudio, at: RegExp): void {
  assert.throws(
    () => ingest(wav, 'bad.wav'),
    (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.strictEqual(err.code, EngineErrorCode.InvalidSamples);
      assert.match(err.message, /bad\.wav/);
      assert.match(err.message, at);
      return true;
    },
  );
}

describe('ingest', () => {
  it('rejects NaN with InvalidSamples, saying where it is', () => {
    const samples = new Array(16000).fill(0.1);
    samples[8000] = NaN;
    expectInvalidSamples(floatWav(samples), /NaN.*0\.500 s/);
  });

  it('rejects +Infinity and -Infinity with InvalidSamples', () => {
    expectInvalidSamples(floatWav([0, 0, Infinity, 0]), /Infinity/);
    expectInvalidSamples(floatWav([-Infinity]), /-Infinity/);
  });

  it('reports the time of a bad sample in a stereo file by frame, not by interleaved index', () => {
    const samples = new Array(2 * 48000).fill(0);
    samples[2 * 24000 + 1] = NaN; // right channel, frame 24000 = 0.5 s at 48 kHz
    expectInvalidSamples(floatWav(samples, 48000, 2), /0\.500 s/);
  });

  it('counts clipped samples at or beyond full scale, in every channel', () => {
    // encodeWav16 writes +1 as 32767 (0.99997) and -1 as -32768: both count; 0.99 does not.
    const wav = parseWav(encodeWav16(Float32Array.of(1, -1, 0.5, 0.99, 1.2, -3, 0), 16000));
    assert.strictEqual(ingest(wav).report.clippedSamples, 4);
    const stereo = floatWav([1, 0, 0, -1, 1, 1], 16000, 2);
    assert.strictEqual(ingest(stereo).report.clippedSamples, 4);
    assert.strictEqual(ingest(floatWav([0.1, -0.2, 0.3])).report.clippedSamples, 0);
  });

  it('clamps float samples beyond [-1, 1] without touching the parsed input', () => {
    const wav = floatWav([1.5, -2, 0.25]);
    const out = ingest(wav).samples;
    assert.deepStrictEqual(Array.from(out), [1, -1, 0.25]);
    assert.deepStrictEqual(Array.from(wav.samples), [1.5, -2, 0.25], 'the WavAudio is not modified');
  });

  it('downmixes stereo to mono by averaging the channels', () => {
    const wav = floatWav([0.5, 0.1, -0.4, 0.2, 1, -1, 0.3, 0.3], 16000, 2);
    const { samples, report } = ingest(wav);
    assert.strictEqual(samples.length, 4);
    const expected = [0.3, -0.1, 0, 0.3];
    samples.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `frame ${i}: ${v}`));
    assert.strictEqual(report.channels, 2);
  });

  it('cancels opposite channels and downmixes 4 channels', () => {
    const n = 1000;
    const inter: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = 0.5 * Math.sin(i / 10);
      inter.push(v, -v, 0.2, 0.6);
    }
    const { samples } = ingest(floatWav(inter, 16000, 4));
    assert.strictEqual(samples.length, n);
    for (const v of samples) assert.ok(Math.abs(v - 0.2) < 1e-6);
  });

  it('passes 16 kHz mono through at the same length and values', () => {
    const src = Float32Array.from({ length: 3200 }, (_, i) => 0.3 * Math.sin(i / 7));
    const { samples, report } = ingest(parseWav(encodeWavFloat32(src, 16000)));
    assert.deepStrictEqual(Array.from(samples), Array.from(src));
    assert.deepStrictEqual(report, { sourceRate: 16000, channels: 1, format: 'float32', clippedSamples: 0 });
  });

  it('converts 44.1 kHz stereo to 16 kHz mono of the same duration', () => {
    const frames = 44100 * 2;
    const inter = new Float32Array(frames * 2);
    for (let i = 0; i < frames; i++) inter[2 * i] = inter[2 * i + 1] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / 44100);
    const { samples, report } = ingest(parseWav(encodeWav16(inter, 44100, 2)));
    assert.strictEqual(samples.length, 32000);
    assert.strictEqual(report.sourceRate, 44100);
    assert.ok(Math.abs(rms(samples, 1000, 31000) - 0.5 / Math.SQRT2) < 0.005);
  });
});
