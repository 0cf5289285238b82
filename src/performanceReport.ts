/**
 * The performance report people keep: the machine, the model, per-stage percentiles, the felt latency, real-time
 * factor, CPU and memory, as Markdown (VoiceFlow: Copy Performance Report), JSON and Prometheus text exposition
 * (`voiceflow metrics`). Pure formatting, no vscode: the extension and the CLI both use it, the unit tests read it.
 */
import * as os from 'os';
import type { MetricsResult, Percentiles } from './protocol';
import { formatDuration } from './views/duration';

export interface MachineInfo {
  cpu: string;
  cores: number;
  os: string;
  memoryBytes: number;
}

export interface PerformanceReport {
  /** Epoch ms. */
  generatedAt: number;
  machine: MachineInfo;
  model?: string;
  encoderWindow?: string;
  profile?: string;
  /** Where the figures come from, e.g. "16 utterances since 14:02:11 (Whisper tiny)" or "a fresh engine (CLI)". */
  scope: string;
  /** Per stage (capture, vad, mel, encoder, decoder, processing, insert, first partial), ms. */
  stages: Record<string, Percentiles>;
  /** End of speech to text in the editor, ms; absent where nothing was dictated live. */
  felt?: Percentiles;
  realTimeFactor?: number;
  /** Engine CPU, percent of one core. */
  cpuPercent?: number;
  rssBytes?: number;
}

/** The engine's `metrics` stage names and what the report calls them. */
export const ENGINE_STAGE_NAMES: ReadonlyArray<readonly [engine: string, report: string]> = [
  ['captureMs', 'capture'],
  ['vadMs', 'vad'],
  ['melMs', 'mel'],
  ['encoderMs', 'encoder'],
  ['decoderMs', 'decoder'],
  ['processingMs', 'processing'],
  ['firstPartialMs', 'first partial'],
];

/** The report's stages from the engine's `metrics`, in ENGINE_STAGE_NAMES order (a stage never timed is absent). */
export function engineStages(m: Pick<MetricsResult, 'stages'>): Record<string, Percentiles> {
  const out: Record<string, Percentiles> = {};
  for (const [from, to] of ENGINE_STAGE_NAMES) if (m.stages[from]?.count) out[to] = m.stages[from];
  return out;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() || os.arch(),
    cores: cpus.length,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    memoryBytes: os.totalmem(),
  };
}

const BYTES_PER_MB = 1048576;
const BYTES_PER_GB = 1073741824;

/** Markdown for a person: a summary line per figure and a table of the stages. */
export function reportMarkdown(r: PerformanceReport): string {
  const lines = [
    '## VoiceFlow performance report',
    '',
    `- **Machine:** ${r.machine.cpu}, ${r.machine.cores} cores, ${(r.machine.memoryBytes / BYTES_PER_GB).toFixed(1)} GB, ${r.machine.os}`,
    `- **Model:** ${r.model ? `Whisper ${r.model}` : 'not known'}${r.encoderWindow ? `, ${r.encoderWindow} window` : ''}${r.profile ? `, profile ${r.profile}` : ''}`,
    `- **Figures from:** ${r.scope}`,
    `- **Felt latency** (end of speech to text in the editor): ${r.felt ? `p50 ${formatDuration(r.felt.p50)}, p95 ${formatDuration(r.felt.p95)} (n=${r.felt.count})` : 'nothing dictated live'}`,
    `- **Real-time factor** (processing / audio, median): ${r.realTimeFactor === undefined ? 'not measured' : r.realTimeFactor.toFixed(3)}`,
    `- **Engine CPU:** ${r.cpuPercent === undefined ? 'not measured' : `${r.cpuPercent.toFixed(1)} % of one core`}; **memory (RSS):** ${r.rssBytes === undefined ? 'not measured' : `${Math.round(r.rssBytes / BYTES_PER_MB)} MB`}`,
    '',
  ];
  const names = Object.keys(r.stages);
  if (names.length === 0) lines.push('No stage has been timed yet.');
  else {
    lines.push('| stage | p50 | p95 | n |', '|---|---:|---:|---:|');
    for (const n of names)
      lines.push(`| ${n} | ${formatDuration(r.stages[n].p50)} | ${formatDuration(r.stages[n].p95)} | ${r.stages[n].count} |`);
  }
  lines.push('', `_${new Date(r.generatedAt).toISOString()}, VoiceFlow Dictation_`, '');
  return lines.join('\n');
}

const round = (v: number) => Math.round(v * 10) / 10;
const roundPercentiles = (p: Percentiles): Percentiles => ({ count: p.count, p50: round(p.p50), p95: round(p.p95), p99: round(p.p99) });

/** The same as plain JSON (durations in ms, rounded to 0.1). */
export function reportJson(r: PerformanceReport): object {
  return {
    generatedAt: new Date(r.generatedAt).toISOString(),
    machine: r.machine,
    model: r.model ?? null,
    encoderWindow: r.encoderWindow ?? null,
    profile: r.profile ?? null,
    scope: r.scope,
    stagesMs: Object.fromEntries(Object.entries(r.stages).map(([k, p]) => [k, roundPercentiles(p)])),
    feltLatencyMs: r.felt ? roundPercentiles(r.felt) : null,
    realTimeFactor: r.realTimeFactor ?? null,
    cpuPercent: r.cpuPercent === undefined ? null : round(r.cpuPercent),
    rssBytes: r.rssBytes ?? null,
  };
}

/** A label value in the exposition format: backslash, double quote and newline escaped. */
const labelValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${labelValue(v)}"`)
    .join(',')}}`;
const QUANTILES: ReadonlyArray<readonly [string, keyof Percentiles]> = [
  ['0.5', 'p50'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
];

/** Prometheus text exposition (version 0.0.4): summaries per stage and for the felt latency, gauges for the rest. */
export function reportPrometheus(r: PerformanceReport): string {
  const out: string[] = [];
  const summary = (name: string, help: string, rows: Array<[Record<string, string>, Percentiles]>) => {
    if (rows.length === 0) return;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} summary`);
    for (const [l, p] of rows) {
      for (const [q, key] of QUANTILES) out.push(`${name}${labels({ ...l, quantile: q })} ${round(p[key])}`);
      out.push(`${name}_count${Object.keys(l).length ? labels(l) : ''} ${p.count}`);
    }
  };
  const gauge = (name: string, help: string, value: number | undefined, l: Record<string, string> = {}) => {
    if (value === undefined) return;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name}${Object.keys(l).length ? labels(l) : ''} ${value}`);
  };
  gauge('voiceflow_info', 'The model and machine these figures come from.', 1, {
    model: r.model ?? '',
    encoder_window: r.encoderWindow ?? '',
    profile: r.profile ?? '',
    cpu: r.machine.cpu,
    cores: String(r.machine.cores),
    os: r.machine.os,
  });
  summary(
    'voiceflow_stage_latency_ms',
    'Time per pipeline stage, ms.',
    Object.entries(r.stages).map(([stage, p]) => [{ stage: stage.replace(/ /g, '_') }, p]),
  );
  summary('voiceflow_felt_latency_ms', 'End of speech to text in the editor, ms.', r.felt ? [[{}, r.felt]] : []);
  gauge(
    'voiceflow_real_time_factor',
    'Processing time over audio time, median.',
    r.realTimeFactor === undefined ? undefined : Math.round(r.realTimeFactor * 1000) / 1000,
  );
  gauge('voiceflow_engine_cpu_percent', 'Engine CPU, percent of one core.', r.cpuPercent === undefined ? undefined : round(r.cpuPercent));
  gauge('voiceflow_engine_resident_memory_bytes', 'Engine resident set size, bytes.', r.rssBytes);
  return out.join('\n') + '\n';
}
