import * as assert from 'assert';
import { EngineErrorCode } from '../../../../src/protocol';
import { EngineError } from '../../../../src/engine/errors';
import { encodeWav16, encodeWavFloat32, parseWav } from '../../../../src/engine/audio/wav';

const PCM = 1;
const IEEE_FLOAT = 3;
const EXTENSIBLE = 0xfffe;

interface Chunk {
  id: string;
  body: Buffer;
  /** Size written in the chunk header, when it should lie about the body. */
  declaredSize?: number;
}

/** A RIFF/WAVE file from chunks, each padded to an even length as RIFF requires. */
function riff(chunks: Chunk[]): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) {
    const head = Buffer.alloc(8);
    head.write(c.id, 0, 'ascii');
    head.writeUInt32LE(c.declaredSize ?? c.body.length, 4);
    parts.push(head, c.body);
    if (c.body.length & 1 && c.declaredSize === undefined) parts.push(Buffer.alloc(1));
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(4 + body.length, 4);
  head.write('WAVE', 8, 'ascii');
  return Buffer.concat([head, body]);
}

function fmtChunk(formatTag: number, channels: number, sampleRate: number, bits: number): Chunk {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(formatTag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(sampleRate, 4);
  b.writeUInt32LE((sampleRate * channels * bits) / 8, 8);
  b.writeUInt16LE((channels * bits) / 8, 12);
  b.writeUInt16LE(bits, 14);
  return { id: 'fmt ', body: b };
}

/** WAVE_FORMAT_EXTENSIBLE fmt chunk (40 bytes) whose SubFormat GUID starts with `subFormat`. */
function extensibleFmtChunk(subFormat: number, channels: number, sampleRate: number, bits: number): Chunk {
  const b = Buffer.alloc(40);
  fmtChunk(EXTENSIBLE, channels, sampleRate, bits).body.copy(b);
  b.writeUInt16LE(22, 16); // cbSize
  b.writeUInt16LE(bits, 18); // valid bits
  b.writeUInt32LE(channels === 2 ? 3 : 4, 20); // channel mask
  b.writeUInt16LE(subFormat, 24);
  Buffer.from('000000001000800000aa00389b71', 'hex').copy(b, 26); // rest of KSDATAFORMAT_SUBTYPE_*
  return { id: 'fmt ', body: b };
}

function expectEngineError(fn: () => unknown, code: EngineErrorCode, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof EngineError, `expected an EngineError, got ${String(err)}`);
    assert.strictEqual(err.code, code, `expected code ${EngineErrorCode[code]}, got ${EngineErrorCode[err.code]}: ${err.message}`);
    if (message) assert.match(err.message, message);
    return true;
  });
}

function sine(n: number, freq: number, rate: number, amp: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return a;
}

describe('parseWav', () => {
  describe('formats', () => {
    it('reads 16-bit PCM mono written by encodeWav16', () => {
      const src = sine(1600, 440, 16000, 0.8);
      const wav = parseWav(encodeWav16(src, 16000));
      assert.strictEqual(wav.sampleRate, 16000);
      assert.strictEqual(wav.channels, 1);
      assert.strictEqual(wav.format, 'int16');
      assert.strictEqual(wav.frames, 1600);
      assert.strictEqual(wav.samples.length, 1600);
      // encodeWav16 scales positive values by 32767 and parseWav divides by 32768: within 1.5 LSB.
      for (let i = 0; i < src.length; i++) assert.ok(Math.abs(wav.samples[i] - src[i]) <= 1.5 / 32768, `sample ${i}`);
    });

    it('maps int16 full scale to -1 and just under 1', () => {
      const wav = parseWav(encodeWav16(Float32Array.of(-1, 1, 0, -0.5), 16000));
      assert.deepStrictEqual(Array.from(wav.samples), [-1, Math.fround(32767 / 32768), 0, -0.5]);
    });

    it('reads 32-bit float exactly, values beyond [-1, 1] kept as they are', () => {
      const src = Float32Array.of(0, 0.25, -0.75, 1.5, -2, 1e-7);
      const wav = parseWav(encodeWavFloat32(src, 48000));
      assert.strictEqual(wav.format, 'float32');
      assert.strictEqual(wav.sampleRate, 48000);
      assert.deepStrictEqual(Array.from(wav.samples), Array.from(src));
    });

    it('reads stereo as interleaved frames', () => {
      const interleaved = Float32Array.of(0.5, -0.5, 0.25, -0.25, 0, 1 / 1024);
      const wav = parseWav(encodeWav16(interleaved, 44100, 2));
      assert.strictEqual(wav.channels, 2);
      assert.strictEqual(wav.frames, 3);
      assert.strictEqual(wav.samples.length, 6);
      assert.deepStrictEqual(Array.from(wav.samples), Array.from(interleaved));
      const f = parseWav(encodeWavFloat32(interleaved, 22050, 2));
      assert.strictEqual(f.frames, 3);
      assert.deepStrictEqual(Array.from(f.samples), Array.from(interleaved));
    });

    it('reads 8-bit unsigned PCM (128 is silence)', () => {
      const wav = parseWav(riff([fmtChunk(PCM, 1, 8000, 8), { id: 'data', body: Buffer.from([128, 0, 255, 192, 64]) }]));
      assert.strictEqual(wav.format, 'uint8');
      assert.strictEqual(wav.frames, 5);
      assert.deepStrictEqual(Array.from(wav.samples), [0, -1, 127 / 128, 0.5, -0.5]);
    });

    it('reads 24-bit PCM (little-endian, sign-extended)', () => {
      const data = Buffer.alloc(5 * 3);
      [0x7fffff, -0x800000, 1, -1, 0x400000].forEach((v, i) => data.writeIntLE(v, i * 3, 3));
      const wav = parseWav(riff([fmtChunk(PCM, 1, 96000, 24), { id: 'data', body: data }]));
      assert.strictEqual(wav.format, 'int24');
      assert.strictEqual(wav.sampleRate, 96000);
      assert.strictEqual(wav.frames, 5);
      const expected = [8388607 / 8388608, -1, 1 / 8388608, -1 / 8388608, 0.5].map(Math.fround);
      assert.deepStrictEqual(Array.from(wav.samples), expected);
    });

    it('reads 24-bit stereo (6-byte frames)', () => {
      const data = Buffer.alloc(2 * 2 * 3);
      [0x400000, -0x400000, 0x200000, -0x200000].forEach((v, i) => data.writeIntLE(v, i * 3, 3));
      const wav = parseWav(riff([fmtChunk(PCM, 2, 48000, 24), { id: 'data', body: data }]));
      assert.strictEqual(wav.frames, 2);
      assert.deepStrictEqual(Array.from(wav.samples), [0.5, -0.5, 0.25, -0.25]);
    });

    it('reads 32-bit integer PCM', () => {
      const data = Buffer.alloc(12);
      [-2147483648, 1073741824, 0].forEach((v, i) => data.writeInt32LE(v, i * 4));
      const wav = parseWav(riff([fmtChunk(PCM, 1, 16000, 32), { id: 'data', body: data }]));
      assert.strictEqual(wav.format, 'int32');
      assert.deepStrictEqual(Array.from(wav.samples), [-1, 0.5, 0]);
    });

    it('reads WAVE_FORMAT_EXTENSIBLE by its SubFormat (PCM and float)', () => {
      const pcm = Buffer.alloc(4);
      pcm.writeInt16LE(16384, 0);
      pcm.writeInt16LE(-16384, 2);
      const a = parseWav(riff([extensibleFmtChunk(PCM, 2, 44100, 16), { id: 'data', body: pcm }]));
      assert.strictEqual(a.format, 'int16');
      assert.deepStrictEqual(Array.from(a.samples), [0.5, -0.5]);
      const flt = Buffer.alloc(8);
      flt.writeFloatLE(0.125, 0);
      flt.writeFloatLE(-0.375, 4);
      const b = parseWav(riff([extensibleFmtChunk(IEEE_FLOAT, 1, 32000, 32), { id: 'data', body: flt }]));
      assert.strictEqual(b.format, 'float32');
      assert.deepStrictEqual(Array.from(b.samples), [0.125, -0.375]);
    });

    for (const rate of [8000, 11025, 22050, 44100, 7350, 12345, 192000]) {
      it(`keeps the sample rate of a ${rate} Hz file`, () => {
        const frames = Math.round(rate / 10);
        const wav = parseWav(encodeWav16(sine(frames, 100, rate, 0.5), rate));
        assert.strictEqual(wav.sampleRate, rate);
        assert.strictEqual(wav.frames, frames);
      });
    }

    it('skips unknown chunks (odd-sized ones with their pad byte) before the data', () => {
      const data = Buffer.alloc(4);
      data.writeInt16LE(8192, 0);
      data.writeInt16LE(-8192, 2);
      const wav = parseWav(
        riff([
          { id: 'JUNK', body: Buffer.alloc(3, 0x55) },
          fmtChunk(PCM, 1, 16000, 16),
          { id: 'LIST', body: Buffer.from('INFOISFT\x05\x00\x00\x00test\x00', 'binary') },
          { id: 'data', body: data },
        ]),
      );
      assert.deepStrictEqual(Array.from(wav.samples), [0.25, -0.25]);
    });

    it('ignores chunks after the data chunk', () => {
      const data = Buffer.alloc(2);
      data.writeInt16LE(-16384, 0);
      const wav = parseWav(riff([fmtChunk(PCM, 1, 16000, 16), { id: 'data', body: data }, { id: 'LIST', body: Buffer.alloc(10, 7) }]));
      assert.deepStrictEqual(Array.from(wav.samples), [-0.5]);
    });

    it('takes the rest of the file when a streaming writer left the data size as 0xFFFFFFFF', () => {
      const data = Buffer.alloc(6);
      [100, 200, 300].forEach((v, i) => data.writeInt16LE(v, i * 2));
      const wav = parseWav(riff([fmtChunk(PCM, 1, 16000, 16), { id: 'data', body: data, declaredSize: 0xffffffff }]));
      assert.strictEqual(wav.frames, 3);
      assert.strictEqual(wav.samples[2], 300 / 32768);
    });

    it('reads an empty data chunk as no samples, not the chunks that follow it', () => {
      const wav = parseWav(
        riff([fmtChunk(PCM, 1, 16000, 16), { id: 'data', body: Buffer.alloc(0) }, { id: 'LIST', body: Buffer.alloc(16, 7) }]),
      );
      assert.strictEqual(wav.frames, 0);
      assert.strictEqual(wav.samples.length, 0);
    });

    it('drops a trailing partial frame', () => {
      const data = Buffer.alloc(7); // 16-bit stereo: one whole 4-byte frame and 3 stray bytes
      const wav = parseWav(riff([fmtChunk(PCM, 2, 16000, 16), { id: 'data', body: data }]));
      assert.strictEqual(wav.frames, 1);
      assert.strictEqual(wav.samples.length, 2);
    });
  });

  describe('malformed files', () => {
    const goodFmt = fmtChunk(PCM, 1, 16000, 16);
    const someData: Chunk = { id: 'data', body: Buffer.alloc(32) };

    it('rejects a file that is not RIFF/WAVE with NotWav', () => {
      expectEngineError(() => parseWav(Buffer.from('ID3\x03\x00 this is an mp3, honestly')), EngineErrorCode.NotWav, /not a WAV/);
      const rifx = riff([goodFmt, someData]);
      rifx.write('RIFX', 0, 'ascii');
      expectEngineError(() => parseWav(rifx), EngineErrorCode.NotWav);
      const avi = riff([goodFmt, someData]);
      avi.write('AVI ', 8, 'ascii');
      expectEngineError(() => parseWav(avi), EngineErrorCode.NotWav);
      expectEngineError(() => parseWav(Buffer.from('RIFF')), EngineErrorCode.NotWav);
      expectEngineError(() => parseWav(Buffer.alloc(0)), EngineErrorCode.NotWav);
    });

    it('names the file in the message', () => {
      expectEngineError(() => parseWav(Buffer.from('nope nope nope'), 'memo.wav'), EngineErrorCode.NotWav, /memo\.wav/);
    });

    it('rejects a data chunk declaring more bytes than present with TruncatedWav', () => {
      const full = encodeWav16(sine(1000, 440, 16000, 0.5), 16000);
      const cut = full.subarray(0, full.length - 100);
      expectEngineError(() => parseWav(cut), EngineErrorCode.TruncatedWav, /declares 2000 bytes but only 1900/);
    });

    it('rejects a file with no fmt chunk with TruncatedWav', () => {
      expectEngineError(() => parseWav(riff([])), EngineErrorCode.TruncatedWav, /no fmt chunk/);
      expectEngineError(() => parseWav(riff([{ id: 'LIST', body: Buffer.alloc(8) }])), EngineErrorCode.TruncatedWav, /no fmt chunk/);
    });

    it('rejects a data chunk with no fmt chunk before it with NotWav', () => {
      expectEngineError(() => parseWav(riff([someData])), EngineErrorCode.NotWav, /before its fmt/);
      expectEngineError(() => parseWav(riff([someData, goodFmt])), EngineErrorCode.NotWav, /before its fmt/);
    });

    it('rejects a file whose data chunk is missing or whose fmt chunk is cut short with TruncatedWav', () => {
      expectEngineError(() => parseWav(riff([goodFmt])), EngineErrorCode.TruncatedWav, /no data chunk/);
      expectEngineError(
        () => parseWav(riff([{ id: 'fmt ', body: goodFmt.body.subarray(0, 14) }, someData])),
        EngineErrorCode.TruncatedWav,
        /fmt/,
      );
      const header = encodeWav16(new Float32Array(10), 16000).subarray(0, 30); // ends inside the fmt chunk
      expectEngineError(() => parseWav(header), EngineErrorCode.TruncatedWav);
    });

    it('rejects unsupported format tags and sample sizes with UnsupportedWav', () => {
      const adpcm = fmtChunk(2, 1, 16000, 4);
      expectEngineError(() => parseWav(riff([adpcm, someData])), EngineErrorCode.UnsupportedWav, /format 2/);
      const alaw = fmtChunk(6, 1, 8000, 8);
      expectEngineError(() => parseWav(riff([alaw, someData])), EngineErrorCode.UnsupportedWav, /format 6/);
      const float64 = fmtChunk(IEEE_FLOAT, 1, 16000, 64);
      expectEngineError(() => parseWav(riff([float64, someData])), EngineErrorCode.UnsupportedWav, /64-bit/);
      const pcm12 = fmtChunk(PCM, 1, 16000, 12);
      expectEngineError(() => parseWav(riff([pcm12, someData])), EngineErrorCode.UnsupportedWav);
      const extMp3 = extensibleFmtChunk(0x55, 1, 16000, 16);
      expectEngineError(() => parseWav(riff([extMp3, someData])), EngineErrorCode.UnsupportedWav);
    });

    it('rejects unusable channel counts and sample rates with UnsupportedWav', () => {
      expectEngineError(() => parseWav(riff([fmtChunk(PCM, 0, 16000, 16), someData])), EngineErrorCode.UnsupportedWav, /channels/);
      expectEngineError(() => parseWav(riff([fmtChunk(PCM, 9, 16000, 16), someData])), EngineErrorCode.UnsupportedWav, /channels/);
      expectEngineError(() => parseWav(riff([fmtChunk(PCM, 1, 0, 16), someData])), EngineErrorCode.UnsupportedWav, /sample rate/);
      expectEngineError(() => parseWav(riff([fmtChunk(PCM, 1, 500, 16), someData])), EngineErrorCode.UnsupportedWav, /sample rate/);
    });
  });
});
