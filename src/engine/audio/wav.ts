import { EngineErrorCode } from '../../protocol';
import { EngineError } from '../errors';

export type WavSampleFormat = 'int16' | 'float32' | 'int24' | 'int32' | 'uint8';

/** A decoded WAV: interleaved samples as float32 in [-1, 1] (float files keep their values as they are). */
export interface WavAudio {
  sampleRate: number;
  channels: number;
  format: WavSampleFormat;
  /** Interleaved, `frames * channels` long. */
  samples: Float32Array;
  frames: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const MAX_CHANNELS = 8;

/** Parses a RIFF/WAVE buffer: PCM 8/16/24/32-bit or IEEE float 32-bit, any rate, any channel count up to 8. */
export function parseWav(buf: Buffer, name = 'audio'): WavAudio {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new EngineError(EngineErrorCode.NotWav, `${name} is not a WAV file (no RIFF/WAVE header).`);
  }
  let fmt: { formatTag: number; channels: number; sampleRate: number; bits: number; blockAlign: number } | undefined;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) {
        throw new EngineError(EngineErrorCode.TruncatedWav, `${name} is truncated: its fmt chunk is incomplete.`);
      }
      let formatTag = buf.readUInt16LE(body);
      const channels = buf.readUInt16LE(body + 2);
      const sampleRate = buf.readUInt32LE(body + 4);
      const blockAlign = buf.readUInt16LE(body + 12);
      const bits = buf.readUInt16LE(body + 14);
      if (formatTag === WAVE_FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= buf.length) {
        formatTag = buf.readUInt16LE(body + 24); // first two bytes of the SubFormat GUID
      }
      fmt = { formatTag, channels, sampleRate, bits, blockAlign };
    } else if (id === 'data') {
      if (!fmt) throw new EngineError(EngineErrorCode.NotWav, `${name} has a data chunk before its fmt chunk.`);
      const available = buf.length - body;
      // Streaming writers leave 0xFFFFFFFF, or 0 in both the RIFF and data sizes: take what is there.
      const riffSize = buf.readUInt32LE(4);
      const streamed = size === 0xffffffff || (size === 0 && (riffSize === 0 || riffSize === 0xffffffff));
      if (!streamed && size > available) {
        throw new EngineError(
          EngineErrorCode.TruncatedWav,
          `${name} is truncated: its data chunk declares ${size} bytes but only ${available} are present.`,
        );
      }
      return decodeSamples(buf.subarray(body, body + (streamed ? available : size)), fmt, name);
    }
    pos = body + size + (size & 1);
  }
  if (!fmt) throw new EngineError(EngineErrorCode.TruncatedWav, `${name} is truncated: it has no fmt chunk.`);
  throw new EngineError(EngineErrorCode.TruncatedWav, `${name} is truncated: it has no data chunk.`);
}

function decodeSamples(
  data: Buffer,
  fmt: { formatTag: number; channels: number; sampleRate: number; bits: number; blockAlign: number },
  name: string,
): WavAudio {
  const { formatTag, channels, sampleRate, bits } = fmt;
  if (channels < 1 || channels > MAX_CHANNELS) {
    throw new EngineError(EngineErrorCode.UnsupportedWav, `${name} has ${channels} channels; 1 to ${MAX_CHANNELS} are supported.`);
  }
  if (sampleRate < 1000 || sampleRate > 384000) {
    throw new EngineError(EngineErrorCode.UnsupportedWav, `${name} has an unusable sample rate of ${sampleRate} Hz.`);
  }
  let format: WavSampleFormat;
  if (formatTag === WAVE_FORMAT_IEEE_FLOAT && bits === 32) format = 'float32';
  else if (formatTag === WAVE_FORMAT_PCM && bits === 16) format = 'int16';
  else if (formatTag === WAVE_FORMAT_PCM && bits === 24) format = 'int24';
  else if (formatTag === WAVE_FORMAT_PCM && bits === 32) format = 'int32';
  else if (formatTag === WAVE_FORMAT_PCM && bits === 8) format = 'uint8';
  else {
    throw new EngineError(
      EngineErrorCode.UnsupportedWav,
      `${name} uses WAV format ${formatTag} with ${bits}-bit samples; PCM 8/16/24/32-bit and 32-bit float are supported.`,
    );
  }
  const bytesPerSample = bits / 8;
  const frameBytes = bytesPerSample * channels;
  const frames = Math.floor(data.length / frameBytes);
  const n = frames * channels;
  const samples = new Float32Array(n);
  switch (format) {
    case 'float32':
      for (let i = 0; i < n; i++) samples[i] = data.readFloatLE(i * 4);
      break;
    case 'int16':
      for (let i = 0; i < n; i++) samples[i] = data.readInt16LE(i * 2) / 32768;
      break;
    case 'int24':
      for (let i = 0; i < n; i++) samples[i] = data.readIntLE(i * 3, 3) / 8388608;
      break;
    case 'int32':
      for (let i = 0; i < n; i++) samples[i] = data.readInt32LE(i * 4) / 2147483648;
      break;
    case 'uint8':
      for (let i = 0; i < n; i++) samples[i] = (data[i] - 128) / 128;
      break;
  }
  return { sampleRate, channels, format, samples, frames };
}

/** Encodes mono float samples as a 16-bit PCM WAV (used by tests and the benchmark to make audio). */
export function encodeWav16(samples: Float32Array, sampleRate: number, channels = 1): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]));
    data.writeInt16LE(Math.round(v < 0 ? v * 32768 : v * 32767), i * 2);
  }
  return Buffer.concat([wavHeader(data.length, sampleRate, channels, 16, WAVE_FORMAT_PCM), data]);
}

/** Encodes interleaved float samples as a 32-bit IEEE float WAV, values written as they are (NaN included). */
export function encodeWavFloat32(samples: Float32Array, sampleRate: number, channels = 1): Buffer {
  const data = Buffer.alloc(samples.length * 4);
  for (let i = 0; i < samples.length; i++) data.writeFloatLE(samples[i], i * 4);
  return Buffer.concat([wavHeader(data.length, sampleRate, channels, 32, WAVE_FORMAT_IEEE_FLOAT), data]);
}

function wavHeader(dataBytes: number, sampleRate: number, channels: number, bits: number, formatTag: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(formatTag, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE((sampleRate * channels * bits) / 8, 28);
  h.writeUInt16LE((channels * bits) / 8, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}
