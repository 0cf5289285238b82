/** The benchmark's results: what each run records, and the per-model summaries computed from it. */
import { ModelName } from '../src/protocol';
import { ClipKind } from './clips';
import { Contention } from './contention';
import { IdleCpuResult } from './idleCpu';
import { LiveOutcome } from './live';
import { median, percentile } from './stats';
import { WerResult, normalizeWords, wordErrorRate } from './wer';

export type Impl = 'engine' | 'peer';
export const IMPLS: readonly Impl[] = ['engine', 'peer'];
/** What a clip's runs are keyed by: the two implementations, and (tiny only) the engine with a 30 s encoder window. */
export type RunsKey = Impl | 'engineFull';

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
  /** Tiny only: a second engine initialized with encoderWindow 'full', run alternately with the two above. */
  engineFull?: ImplRuns;
}

export interface ImplSummary {
  wer: WerResult;
  /** Over every timed run of every speech clip (silence and noise excluded). */
  p50Ms: number;
  p95Ms: number;
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
  idleCpu?: IdleCpuResult;
  /** Tiny only: the engine with encoderWindow 'full' (the engine above runs the default 'variable'). */
  engineFull?: ImplSummary & { rssBytes: number; loadMs: number };
  /** Tiny only: live dictation from a fake microphone, or why it was skipped. */
  live?: LiveOutcome;
  /** CPU other processes used while this model was benchmarked (Linux). */
  contention?: Contention;
}

export interface BenchResults {
  date: string;
  machine: { cpus: number; cpuModel: string; platform: string; node: string; loadAvg1mBefore: number };
  runsPerClip: number;
  audioDir: string;
  models: ModelResult[];
  totalMs: number;
}

export function implRuns(warmupMs: number, runs: { ms: number; text: string }[]): ImplRuns {
  const text = runs[0]?.text ?? '';
  const others = [...new Set(runs.map((r) => r.text))].filter((t) => t !== text);
  return { warmupMs, runsMs: runs.map((r) => r.ms), medianMs: median(runs.map((r) => r.ms)), text, ...(others.length ? { otherTexts: others } : {}) };
}

export function summarize(clips: readonly ClipResult[], impl: RunsKey): ImplSummary {
  const speech = clips.filter((c) => c.kind === 'speech');
  const latencies = speech.flatMap((c) => c[impl]?.runsMs ?? []);
  const words = (kind: ClipKind) => normalizeWords(clips.find((c) => c.kind === kind)?.[impl]?.text ?? '').length;
  return {
    wer: wordErrorRate(speech.filter((c) => c.reference !== undefined).map((c) => ({ reference: c.reference!, hypothesis: c[impl]?.text ?? '' }))),
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    silenceWords: words('silence'),
    noiseWords: words('noise'),
  };
}
