import * as fs from 'fs';
import { EngineErrorCode, SegmentResult, TranscribeFileResult } from '../protocol';
import { ingest } from './audio/ingest';
import { parseWav } from './audio/wav';
import { EngineError } from './errors';
import { SegmenterOptions, Utterance, UtteranceSegmenter } from './segmenter';
import { SileroVad, VAD_FRAME } from './vad';
import { Whisper } from './whisper/whisper';

/** Speech regions closer together than this window are transcribed in one Whisper pass (Whisper sees 30 s). */
const MAX_WINDOW_SAMPLES = 28 * 16000;

/**
 * Audio files read at most: 256 MiB and 60 minutes of audio (16 kHz float samples of an hour are 230 MB in the
 * engine). Only regular files are read: a device (/dev/zero), a FIFO or a socket would block the engine or grow it
 * without bound.
 */
export const MAX_AUDIO_FILE_BYTES = 256 * 1024 * 1024;
export const MAX_AUDIO_SECONDS = 60 * 60;

/** Reads and validates a WAV file into 16 kHz mono, with errors a user can act on. */
export function readAudioFile(file: string): ReturnType<typeof ingest> {
  const name = file.length > 200 ? `${file.slice(0, 100)}…${file.slice(-60)}` : file;
  let buf: Buffer;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw new EngineError(EngineErrorCode.FileNotFound, `${name} is a folder, not an audio file.`);
    if (!stat.isFile()) {
      throw new EngineError(EngineErrorCode.UnsupportedWav, `${name} is not a regular file (a device, pipe or socket); only WAV files are read.`);
    }
    if (stat.size > MAX_AUDIO_FILE_BYTES) {
      throw new EngineError(
        EngineErrorCode.UnsupportedWav,
        `${name} is ${Math.round(stat.size / 1048576)} MiB; audio files of up to ${MAX_AUDIO_FILE_BYTES / 1048576} MiB (and ${MAX_AUDIO_SECONDS / 60} minutes) are read: split it.`,
      );
    }
    buf = fs.readFileSync(file);
  } catch (err) {
    if (err instanceof EngineError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EngineError(EngineErrorCode.FileNotFound, `Audio file not found: ${name}`);
    throw new EngineError(EngineErrorCode.FileNotFound, `Cannot read audio file ${name}: ${code ?? (err as Error).message}`);
  }
  const wav = parseWav(buf, name);
  if (wav.frames / wav.sampleRate > MAX_AUDIO_SECONDS) {
    throw new EngineError(
      EngineErrorCode.UnsupportedWav,
      `${name} holds ${Math.round(wav.frames / wav.sampleRate / 60)} minutes of audio; up to ${MAX_AUDIO_SECONDS / 60} minutes are read: split it.`,
    );
  }
  return ingest(wav, name);
}

/** Speech regions of a whole recording, found by the same VAD and segmenter as the live path. */
export async function findSpeech(samples: Float32Array, vad: SileroVad, opts: SegmenterOptions): Promise<Utterance[]> {
  const segmenter = new UtteranceSegmenter(opts);
  const probabilities = await vad.probabilities(samples);
  const found: Utterance[] = [];
  for (let f = 0; f < probabilities.length; f++) {
    const u = segmenter.push(samples.subarray(f * VAD_FRAME, (f + 1) * VAD_FRAME), probabilities[f]);
    if (u) found.push(u);
  }
  const last = segmenter.flush();
  if (last) found.push(last);
  return found;
}

/** Groups neighbouring speech regions into windows of at most MAX_WINDOW_SAMPLES: [start, end) in samples. */
export function speechWindows(regions: Utterance[]): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  for (const r of regions) {
    const last = windows[windows.length - 1];
    if (last && r.endSample - last[0] <= MAX_WINDOW_SAMPLES) last[1] = r.endSample;
    else windows.push([r.startSample, r.endSample]);
  }
  return windows;
}

/** Whole-file transcription: validate, find speech, transcribe each window, join the texts. */
export async function transcribeFile(
  file: string,
  whisper: Whisper,
  vad: SileroVad,
  language: string,
  opts: SegmenterOptions,
): Promise<TranscribeFileResult> {
  const t0 = performance.now();
  whisper.checkLanguage(language);
  const audio = readAudioFile(file);
  const regions = await findSpeech(audio.samples, vad, opts);
  const vadMs = performance.now() - t0;
  const segments: SegmentResult[] = [];
  let detected = language;
  for (const [start, end] of speechWindows(regions)) {
    const r = await whisper.transcribe(audio.samples.subarray(start, end), language);
    detected = r.language;
    segments.push({ startMs: start / 16, endMs: end / 16, text: r.text, timings: r.timings, rejected: r.rejected });
  }
  return {
    file,
    text: segments.map((s) => s.text).filter((t) => t.length > 0).join(' '),
    audioMs: audio.samples.length / 16,
    engineMs: performance.now() - t0,
    vadMs,
    segments,
    language: detected,
    ingest: audio.report,
  };
}
