/** The benchmark's results: what each run records, and the per-model summaries computed from it. */
import { ModelName } from '../src/protocol';
import { ClipKind } from './clips';
import { ColdStartResult } from './coldStart';
import { Contention } from './contention';
import { DevSetResult } from './devset';
import { FastPathRow } from './fastPath';
import { IdleCpuResult } from './idleCpu';
import { LeverAbResult } from './levers';
import { LiveOutcome } from './live';
import { SoakResult } from './soak';
import { StreamingAbResult } from './streamingAb';
import { median, percentile } from './stats';
import { WerResult, normalizeWords, wordErrorRate } from '../eval/wer';
import type { WhisperCppOutcome } from './whispercppOutput';

/** Utterances and clips this long (seconds, inclusive) are the fast path's short-dictation figures. */
export const SHORT_SECONDS = { min: 1, max: 3 };
/** The whole-file figure's clip (11 s). */
export const WHOLE_FILE_CLIP = 'jfk.wav';

export interface ImplRuns {
  warmupMs: number;
  runsMs: number[];
  medianMs: number;
  /** Text of the first timed run. */
  text: string;
  /** Set when the timed runs did not all produce the same text. */
  otherTexts?: string[];
}

export interface ClipResult {
  clip: string;
  kind: ClipKind;
  seconds: number;
  reference?: string;
  engine: ImplRuns;
  peer: ImplRuns;
  /** peer median / engine median: how many times faster the engine is. */
  speedup: number;
}

/** One clip's timed runs by one implementation (or engine variant), with what a summary needs of the clip. */
export interface ClipRuns {
  clip: string;
  kind: ClipKind;
  seconds: number;
  reference?: string;
  runs: ImplRuns;
}

export interface ImplSummary {
  wer: WerResult;
  /** Over every timed run of every speech clip (silence and noise excluded). */
  p50Ms: number;
  p95Ms: number;
  /** Over every timed run of the speech clips of SHORT_SECONDS. */
  shortP50Ms: number;
  shortP95Ms: number;
  /** Median of WHOLE_FILE_CLIP; NaN when the manifest does not list it. */
  wholeFileMs: number;
  silenceWords: number;
  noiseWords: number;
}

export interface ModelResult {
  model: ModelName;
  engineInit: { loadMs: number; cachedEdits: boolean };
  peerLoadMs: number;
  clips: ClipResult[];
  engine: ImplSummary & { rssBytes: number };
  peer: ImplSummary;
  /** CPU other processes used while this model's engine and peer ran the clips (Linux). */
  contention?: Contention;
  /** The second peer, whisper.cpp, on the same clips right after (full and cut encoder window), or why it did not run. */
  whisperCpp?: WhisperCppOutcome;
  /** Tiny only: the engine listening to 30 s of silence from a file at real-time pace. */
  idleCpu?: IdleCpuResult;
  /** Fork to listening; absent when BENCH_COLD_RUNS is 0. */
  coldStart?: ColdStartResult;
  /** Tiny only: one engine per lever setting (the encoder window's included), run alternately; absent when BENCH_LEVERS is 0. */
  levers?: LeverAbResult;
  /** Live dictation from a fake microphone, or why it was skipped. */
  live?: LiveOutcome;
  /** Tiny only: speculation and partials on and off, on a file played at real-time pace. */
  streaming?: StreamingAbResult;
  /** Tiny only: engine memory over minutes of dictation; absent when BENCH_SOAK_MINUTES is 0. */
  soak?: SoakResult;
  /** The dev set (../shared/audio/dev) through the engine as shipped and the peer; absent when BENCH_DEV is 0. */
  devSet?: DevSetResult;
}

export interface BenchResults {
  date: string;
  machine: { cpus: number; cpuModel: string; platform: string; node: string; loadAvg1mBefore: number };
  runsPerClip: number;
  audioDir: string;
  /** The fast path's figures against their targets, from the sections below (printed first). */
  fastPath: FastPathRow[];
  models: ModelResult[];
  totalMs: number;
}

export function implRuns(warmupMs: number, runs: { ms: number; text: string }[]): ImplRuns {
  const text = runs[0]?.text ?? '';
  const others = [...new Set(runs.map((r) => r.text))].filter((t) => t !== text);
  return {
    warmupMs,
    runsMs: runs.map((r) => r.ms),
    medianMs: median(runs.map((r) => r.ms)),
    text,
    ...(others.length ? { otherTexts: others } : {}),
  };
}

export type TimedRun = () => Promise<{ ms: number; text: string }>;

/**
 * One untimed warm-up of each runner, then `runs` rounds in which each takes its turn (a, b, c, a, b, c ...), so
 * drift in the machine's speed hits them all alike. Results in the runners' order.
 */
export async function runAlternately(runners: readonly TimedRun[], runs: number): Promise<ImplRuns[]> {
  const warmupMs: number[] = [];
  for (const run of runners) warmupMs.push((await run()).ms);
  const timed: { ms: number; text: string }[][] = runners.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, run] of runners.entries()) timed[j].push(await run());
  }
  return timed.map((t, j) => implRuns(warmupMs[j], t));
}

export function isShort(seconds: number): boolean {
  return seconds >= SHORT_SECONDS.min && seconds <= SHORT_SECONDS.max;
}

export function summarize(clips: readonly ClipRuns[]): ImplSummary {
  const speech = clips.filter((c) => c.kind === 'speech');
  const latencies = speech.flatMap((c) => c.runs.runsMs);
  const short = speech.filter((c) => isShort(c.seconds)).flatMap((c) => c.runs.runsMs);
  const words = (kind: ClipKind) => normalizeWords(clips.find((c) => c.kind === kind)?.runs.text ?? '').length;
  return {
    wer: wordErrorRate(speech.filter((c) => c.reference !== undefined).map((c) => ({ reference: c.reference!, hypothesis: c.runs.text }))),
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    shortP50Ms: percentile(short, 50),
    shortP95Ms: percentile(short, 95),
    wholeFileMs: speech.find((c) => c.clip === WHOLE_FILE_CLIP)?.runs.medianMs ?? NaN,
    silenceWords: words('silence'),
    noiseWords: words('noise'),
  };
}
