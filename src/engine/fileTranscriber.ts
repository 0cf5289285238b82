import * as fs from 'fs';
import { EngineErrorCode, SegmentResult, TranscribeFileResult } from '../protocol';
import { ingest } from './audio/ingest';
import { parseWav } from './audio/wav';
import { EngineError } from './errors';
import { SegmenterOptions, Utterance, UtteranceSegmenter } from './live/segmenter';
import { SileroVad, VAD_FRAME } from './live/vad';
import { speechEvidenceOf } from './whisper/guards';
import { SpeechModel } from './whisper/whisperThread';

/** A recording whose speech fits in this is read as one window: one encoder run, the whole context (Whisper sees 30 s). */
const ONE_WINDOW_SAMPLES = 28 * 16000;
/**
 * Longer recordings are cut at pauses into windows of at most this: in windows near 30 s Whisper skips whole sentences
 * between pauses (issue 11; bench/longAudio.ts). 10 s is also tiny's shortest encoder window.
 */
const MAX_WINDOW_SAMPLES = 10 * 16000;

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
      throw new EngineError(
        EngineErrorCode.UnsupportedWav,
        `${name} is not a regular file (a device, pipe or socket); only WAV files are read.`,
      );
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
export async function findSpeech(
  samples: Float32Array,
  vad: SileroVad,
  opts: SegmenterOptions,
  probabilities?: Float32Array,
): Promise<Utterance[]> {
  const segmenter = new UtteranceSegmenter(opts);
  probabilities ??= await vad.probabilities(samples);
  const found: Utterance[] = [];
  for (let f = 0; f < probabilities.length; f++) {
    const u = segmenter.push(samples.subarray(f * VAD_FRAME, (f + 1) * VAD_FRAME), probabilities[f]);
    if (u) found.push(u);
  }
  const last = segmenter.flush();
  if (last) found.push(last);
  return found;
}

/**
 * Speech regions as windows to transcribe, [start, end) in samples: all in one if they fit in `oneWindowSamples`, else
 * neighbouring regions grouped into windows of at most `maxSamples`.
 */
export function speechWindows(
  regions: readonly Utterance[],
  maxSamples = MAX_WINDOW_SAMPLES,
  oneWindowSamples = ONE_WINDOW_SAMPLES,
): Array<[number, number]> {
  if (regions.length > 0 && regions[regions.length - 1].endSample - regions[0].startSample <= oneWindowSamples) {
    return [[regions[0].startSample, regions[regions.length - 1].endSample]];
  }
  const windows: Array<[number, number]> = [];
  for (const r of regions) {
    const last = windows[windows.length - 1];
    if (last && r.endSample - last[0] <= maxSamples) last[1] = r.endSample;
    else windows.push([r.startSample, r.endSample]);
  }
  return windows;
}

/**
 * Windows widened with the real audio around them, as the whole clip gives Whisper its context: each side by up to
 * `context` samples, never past the recording's edges (0, `total`) nor into a neighbouring window, and the window at most
 * `maxSamples` long (a window already longer stays as it is). The VAD's edges cut words it half heard (a clipped
 * "Ready?" of a band-limited voice); the audio beyond them is what the transformers.js peer reads too.
 */
export function withContext(
  windows: ReadonlyArray<readonly [number, number]>,
  total: number,
  context: number,
  maxSamples: number,
): Array<[number, number]> {
  return windows.map(([start, end], i) => {
    const lo = i > 0 ? windows[i - 1][1] : 0;
    const hi = i + 1 < windows.length ? windows[i + 1][0] : total;
    let before = Math.max(0, Math.min(context, start - lo));
    let after = Math.max(0, Math.min(context, hi - end));
    const budget = Math.max(0, maxSamples - (end - start));
    if (before + after > budget) {
      // Share the budget evenly; a side with less room leaves the rest to the other.
      const half = Math.floor(budget / 2);
      if (before < half) after = budget - before;
      else if (after < half) before = budget - after;
      else [before, after] = [half, budget - half];
    }
    return [start - before, end + after];
  });
}

/**
 * The real audio each side of a recording's speech read as one window that goes with it (withContext): 1 s took
 * base's dev-set errors from 148 to 143 and its half-lost files from 4 to 1, as the whole clip did (docs/decisions.md,
 * 2026-12-01).
 */
const CONTEXT_SAMPLES = 1 * 16000;

/** Samples per Whisper timestamp step (20 ms). */
const TIMESTAMP_STEP_SAMPLES = 320;
/** Voiced audio (VAD) left after the decoder's last timestamp that is worth another pass: a short word. */
const MIN_UNREAD_SPEECH_SAMPLES = 0.5 * 16000;

/** Index of the decoder's last timestamp token; -1 when it emitted none (no timestamps, or nothing decoded). */
export function lastTimestampIndex(tokens: readonly number[], timestampBegin: number): number {
  for (let i = tokens.length - 1; i >= 0; i--) if (tokens[i] >= timestampBegin) return i;
  return -1;
}

/**
 * Where voiced audio the decoder did not reach starts: at `reached`, or at the next speech region if `reached` lies
 * in a pause. Undefined when no region has more than MIN_UNREAD_SPEECH_SAMPLES of voiced audio in [reached, end).
 */
export function unreadSpeechStart(regions: readonly Utterance[], reached: number, end: number): number | undefined {
  for (const r of regions) {
    if (r.startSample >= end) break;
    if (Math.min(r.lastVoicedSample, end) - Math.max(r.startSample, reached) > MIN_UNREAD_SPEECH_SAMPLES)
      return Math.max(reached, r.startSample);
  }
  return undefined;
}

/** The start of the speech region nearest the middle of [from, to), other than the first: where to halve a window. */
export function middleGap(regions: readonly Utterance[], from: number, to: number): number | undefined {
  let best: number | undefined;
  for (const r of regions) {
    if (r.startSample <= from || r.startSample >= to) continue;
    if (best === undefined || Math.abs(r.startSample - (from + to) / 2) < Math.abs(best - (from + to) / 2)) best = r.startSample;
  }
  return best;
}

interface WindowContext {
  samples: Float32Array;
  regions: readonly Utterance[];
  whisper: SpeechModel;
  language: string;
  segments: SegmentResult[];
  detected: string;
  /** The VAD's probability of each frame of `samples` (none: the guards get no VAD evidence). */
  probabilities?: Float32Array;
  /** The vocabulary prompt's tokens, and whether the passes are finals. */
  decode: FileDecodeOptions;
}

/** How file mode decodes, besides the model: its text is final at once. */
export interface FileDecodeOptions {
  /** The vocabulary prompt's tokens (vocabularyPrompt.ts). */
  vocabulary?: readonly number[];
  /** Decode as finals, on the model's final window (EngineLevers.secondLook). */
  final?: boolean;
}

/**
 * Transcribes [start, end) in as many passes as it takes to read all of its speech, as Whisper's own seek loop does:
 * when the decoder stops (end of text, a guard's cut, the token budget) before the VAD's speech is over, the next
 * pass starts at its last timestamp, and the words of a segment it left open are read again there. A pass that gets
 * no further than its first timestamp, or whose text a guard dropped, gets the window halved at a pause instead.
 */
async function transcribeWindow(ctx: WindowContext, start: number, end: number): Promise<void> {
  const timestampBegin = ctx.whisper.tokenizer.special.timestampBegin;
  for (let from = start; from < end;) {
    // The VAD's evidence goes with the audio: the guards never drop what Silero clearly called speech.
    const r = await ctx.whisper.transcribe(ctx.samples.subarray(from, end), ctx.language, {
      speech: ctx.probabilities && speechEvidenceOf(ctx.probabilities, from, end),
      vocabulary: ctx.decode.vocabulary,
      final: ctx.decode.final,
    });
    ctx.detected = r.language;
    const segment: SegmentResult = { startMs: from / 16, endMs: end / 16, text: r.text, timings: r.timings, rejected: r.rejected };
    const last = lastTimestampIndex(r.tokens, timestampBegin);
    const next =
      last < 0 ? undefined : unreadSpeechStart(ctx.regions, from + (r.tokens[last] - timestampBegin) * TIMESTAMP_STEP_SAMPLES, end);
    if (!r.rejected && next === undefined) {
      ctx.segments.push(segment);
      return;
    }
    if (!r.rejected && next !== undefined && next > from) {
      segment.text = ctx.whisper.tokenizer.decode(r.tokens.slice(0, last));
      segment.endMs = next / 16;
      ctx.segments.push(segment);
      from = next;
      continue;
    }
    const middle = middleGap(ctx.regions, from, end);
    if (middle === undefined) {
      ctx.segments.push(segment);
      return;
    }
    await transcribeWindow(ctx, from, middle);
    from = middle;
  }
}

/**
 * Transcribes the speech regions of a recording, window by window; the segments in order and the language detected.
 * With the full encoder window every pass costs a 30 s encoder run and decodes without timestamps (no seek), so it
 * keeps windows of up to 28 s: shorter ones cost time without reading every word either.
 */
export async function transcribeSpeech(
  samples: Float32Array,
  regions: readonly Utterance[],
  whisper: SpeechModel,
  language: string,
  probabilities?: Float32Array,
  decode: FileDecodeOptions = {},
): Promise<{ segments: SegmentResult[]; language: string }> {
  const ctx: WindowContext = { samples, regions, whisper, language, segments: [], detected: language, probabilities, decode };
  const maxSamples = whisper.window.variable ? MAX_WINDOW_SAMPLES : ONE_WINDOW_SAMPLES;
  let windows = speechWindows(regions, maxSamples);
  // One window only: with several, the context cost ten minutes of speech with pauses words (13 lost, 70 invented by
  // tiny; test/integration/longAudio.test.ts).
  if (windows.length === 1) windows = withContext(windows, samples.length, CONTEXT_SAMPLES, maxSamples);
  for (const [start, end] of windows) await transcribeWindow(ctx, start, end);
  return { segments: ctx.segments, language: ctx.detected };
}

/** Whole-file transcription: validate, find speech, transcribe each window, join the texts. */
export async function transcribeFile(
  file: string,
  whisper: SpeechModel,
  vad: SileroVad,
  language: string,
  opts: SegmenterOptions,
  decode: FileDecodeOptions = {},
): Promise<TranscribeFileResult> {
  const t0 = performance.now();
  whisper.checkLanguage(language);
  const audio = readAudioFile(file);
  const probabilities = await vad.probabilities(audio.samples);
  const regions = await findSpeech(audio.samples, vad, opts, probabilities);
  const vadMs = performance.now() - t0;
  const { segments, language: detected } = await transcribeSpeech(audio.samples, regions, whisper, language, probabilities, decode);
  return {
    file,
    text: segments
      .map((s) => s.text)
      .filter((t) => t.length > 0)
      .join(' '),
    audioMs: audio.samples.length / 16,
    engineMs: performance.now() - t0,
    vadMs,
    segments,
    language: detected,
    ingest: audio.report,
  };
}
