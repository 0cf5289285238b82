/**
 * What the whisper.cpp peer (`peer.mjs` of ../shared/peers/whispercpp) prints, read back, and its runs turned into
 * the figures the transformers.js peer gets. Pure: no process, no file.
 */
import { ModelName } from '../src/protocol';
import { ClipKind } from './clips';
import { Contention } from './contention';
import { ImplRuns, ImplSummary, implRuns, summarize } from './results';

/** One JSON line of peer.mjs: one file, its timed runs (ms), the text of the last run. */
export interface WhisperCppLine {
  file: string;
  sec: number;
  /** Median of `runs`. */
  ms: number;
  text: string;
  /** The encoder window used, in frames (1500 = Whisper's full 30 s). */
  audioCtx: number;
  runs: number[];
  /** Share of all cores (0..1) used by other processes during the file's runs. */
  busyOther: number;
}

export interface WhisperCppOutput {
  loadMs: number;
  /** The ggml file's name, as peer.mjs prints it after the load time. */
  model: string;
  lines: WhisperCppLine[];
  rssMb?: { now: number; peak: number };
}

/** Reads peer.mjs's stdout: `load ms N FILE`, one JSON line per file (lines starting with `{`), `rss MB now N peak N`. */
export function parseWhisperCppOutput(stdout: string): WhisperCppOutput {
  let load: { ms: number; model: string } | undefined;
  let rssMb: WhisperCppOutput['rssMb'];
  const lines: WhisperCppLine[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    const l = /^load ms (\d+(?:\.\d+)?)\s*(.*)$/.exec(line);
    const r = /^rss MB now (\d+(?:\.\d+)?) peak (\d+(?:\.\d+)?)$/.exec(line);
    if (l) load = { ms: Number(l[1]), model: l[2] };
    else if (r) rssMb = { now: Number(r[1]), peak: Number(r[2]) };
    else if (line.startsWith('{')) lines.push(parseLine(line));
  }
  if (!load) throw new Error('whisper.cpp peer printed no "load ms" line');
  return { loadMs: load.ms, model: load.model, lines, ...(rssMb ? { rssMb } : {}) };
}

function parseLine(line: string): WhisperCppLine {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`whisper.cpp peer printed a line that is not JSON: ${line.slice(0, 120)}`);
  }
  const num = (k: string) => {
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k]))
      throw new Error(`whisper.cpp peer line without a number "${k}": ${line.slice(0, 120)}`);
    return o[k] as number;
  };
  const runs = o.runs;
  if (
    typeof o.file !== 'string' ||
    typeof o.text !== 'string' ||
    !Array.isArray(runs) ||
    runs.length === 0 ||
    !runs.every((x) => typeof x === 'number')
  ) {
    throw new Error(`whisper.cpp peer line without file, text or runs: ${line.slice(0, 120)}`);
  }
  return {
    file: o.file,
    sec: num('sec'),
    ms: num('ms'),
    text: o.text,
    audioCtx: num('audio_ctx'),
    runs: runs as number[],
    busyOther: num('busy_other'),
  };
}

/** A clip of the bench as the whisper.cpp peer ran it. */
export interface WhisperCppClip {
  clip: string;
  kind: ClipKind;
  seconds: number;
  reference?: string;
  audioCtx: number;
  busyOther: number;
  runs: ImplRuns;
}

export interface WhisperCppMode {
  /** 'full' (AUDIO_CTX=0, Whisper's 30 s window) or the AUDIO_CTX value, e.g. 'auto+512'. */
  label: string;
  audioCtx: string;
  loadMs: number;
  rssPeakMb?: number;
  clips: WhisperCppClip[];
  summary: ImplSummary;
  /** busy_other over the clips (share of all cores, 0..1): the mean and the worst clip. */
  busyOther: { mean: number; max: number };
  /** CPU other processes used during this mode's child process (percent of one core, as the other sections). */
  contention?: Contention;
}

/**
 * The clips (in the order given to peer.mjs) with its lines. Each file ran `warmups + runs` times: the first
 * `warmups` of its runs are its untimed warm-up (as the engine and the transformers.js peer get), the rest are timed.
 */
export function whisperCppMode(
  label: string,
  audioCtx: string,
  clips: readonly { name: string; path: string; kind: ClipKind; seconds: number; reference?: string }[],
  out: WhisperCppOutput,
  warmups: number,
): WhisperCppMode {
  if (out.lines.length !== clips.length) throw new Error(`whisper.cpp peer gave ${out.lines.length} results for ${clips.length} files`);
  const rows = clips.map((c, i): WhisperCppClip => {
    const line = out.lines[i];
    if (!c.path.endsWith(line.file)) throw new Error(`whisper.cpp peer answered ${line.file} for ${c.path}`);
    if (line.runs.length <= warmups)
      throw new Error(`whisper.cpp peer ran ${line.file} ${line.runs.length} times, ${warmups} of them warm-ups`);
    const warm = line.runs.slice(0, warmups);
    const timed = line.runs.slice(warmups).map((ms) => ({ ms, text: line.text }));
    return {
      clip: c.name,
      kind: c.kind,
      seconds: c.seconds,
      reference: c.reference,
      audioCtx: line.audioCtx,
      busyOther: line.busyOther,
      runs: implRuns(warm.length ? Math.max(...warm) : NaN, timed),
    };
  });
  const busy = rows.map((r) => r.busyOther);
  return {
    label,
    audioCtx,
    loadMs: out.loadMs,
    ...(out.rssMb ? { rssPeakMb: out.rssMb.peak } : {}),
    clips: rows,
    summary: summarize(rows),
    busyOther: { mean: busy.length ? busy.reduce((a, b) => a + b, 0) / busy.length : NaN, max: busy.length ? Math.max(...busy) : NaN },
  };
}

export interface WhisperCppResult {
  model: ModelName;
  binding: string;
  ggml: string;
  threads: number;
  /** Timed runs per clip (after the warm-up). */
  runs: number;
  modes: WhisperCppMode[];
}
export type WhisperCppOutcome = WhisperCppResult | { skipped: string };
export const whisperCppSkipped = (o: WhisperCppOutcome): o is { skipped: string } => 'skipped' in o;
