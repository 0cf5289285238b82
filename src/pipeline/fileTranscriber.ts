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

/** Reads and validates a WAV file into 16 kHz mono, with errors a user can act on. */
export function readAudioFile(file: string): ReturnType<typeof ingest> {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EngineError(EngineErrorCode.FileNotFound, `Audio file not found: ${file}`);
    throw new EngineError(EngineErrorCode.FileNotFound, `Cannot read audio file ${file}: ${(err as Error).message}`);
  }
  return ingest(parseWav(buf, file), file);
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
