/** The benchmark's printed report: one table of clips and one summary table per model. */
import { BenchResults, ModelResult } from './results';

/** A 1-minute load average above this per core, before the run, means something else competed for the CPU. */
const BUSY_LOAD_PER_CPU = 0.25;
/** Other processes using more than this (percent of one core) during a model's runs distort its latencies. */
const BUSY_OTHER_CPU_PERCENT = 10;

const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)}` : '-');
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;
const quote = (t: string) => (t ? `"${t}"` : '(empty)');

/** A markdown table with columns padded to their widest cell; `right` marks right-aligned columns. */
export function table(header: string[], rows: string[][], right: boolean[] = []): string {
  const cells = [header, ...rows].map((r) => r.map((c) => c.replace(/\|/g, '\\|')));
  const widths = header.map((_, i) => Math.max(3, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}

function clipTable(m: ModelResult): string {
  const rows = m.clips.map((c) => [
    c.clip,
    c.seconds.toFixed(1),
    ms(c.engine.medianMs),
    ms(c.peer.medianMs),
    `${c.speedup.toFixed(2)}x`,
    quote(c.engine.text) + (c.engine.otherTexts ? ' (varied)' : ''),
    quote(c.peer.text) + (c.peer.otherTexts ? ' (varied)' : ''),
  ]);
  return table(['clip', 's', 'engine ms', 'peer ms', 'faster', 'engine text', 'peer text'], rows, [false, true, true, true, true]);
}

function summaryTable(m: ModelResult): string {
  const e = m.engine;
  const p = m.peer;
  const rows = [
    ['WER (speech clips with a reference)', `${pct(e.wer.wer)} (${e.wer.errors}/${e.wer.referenceWords})`, `${pct(p.wer.wer)} (${p.wer.errors}/${p.wer.referenceWords})`],
    ['latency p50, speech clips, all timed runs', `${ms(e.p50Ms)} ms`, `${ms(p.p50Ms)} ms`],
    ['latency p95, speech clips, all timed runs', `${ms(e.p95Ms)} ms`, `${ms(p.p95Ms)} ms`],
    ['words for 30 s of silence', `${e.silenceWords}`, `${p.silenceWords}`],
    ['words for 30 s of white noise', `${e.noiseWords}`, `${p.noiseWords}`],
    ['model load (+ engine warm-up)', `${ms(m.engineInit.loadMs)} + ${ms(m.engineInit.warmupMs)} ms`, `${ms(m.peerLoadMs)} ms`],
    ['engine process RSS after the runs', mb(e.rssBytes), '-'],
  ];
  if (m.idleCpu) {
    const heard = m.idleCpu.finals.length ? `, heard ${m.idleCpu.finals.map(quote).join(' ')}` : '';
    rows.push(['engine idle CPU while listening to 30 s of silence', `${m.idleCpu.cpuPercent.toFixed(1)}% of one core${heard}`, '-']);
  }
  if (m.contention) {
    const { otherCpuPercent, stealPercent } = m.contention;
    const warn = otherCpuPercent > BUSY_OTHER_CPU_PERCENT ? ' (WARNING: contention, latencies inflated)' : '';
    rows.push(['CPU used by other processes during these runs', `${otherCpuPercent.toFixed(1)}% of one core, steal ${stealPercent.toFixed(1)}%${warn}`, '(same machine)']);
  }
  return table(['', 'engine', 'peer (transformers.js)'], rows);
}

export function formatModel(m: ModelResult, runs: number): string {
  return [
    `## whisper-${m.model} (median of ${runs} timed runs per clip; "faster" = peer ms / engine ms)`,
    '',
    clipTable(m),
    '',
    summaryTable(m),
    '',
  ].join('\n');
}

export function formatHeader(r: Pick<BenchResults, 'machine' | 'audioDir' | 'runsPerClip'>): string {
  const { cpus, cpuModel, platform, node, loadAvg1mBefore } = r.machine;
  const busy = loadAvg1mBefore > BUSY_LOAD_PER_CPU * cpus
    ? `\nWARNING: the machine was busy before the run (1-min load ${loadAvg1mBefore.toFixed(2)} on ${cpus} cores): latencies are inflated.`
    : '';
  return [
    '# VoiceFlow benchmark: engine vs transformers.js 4.3.1',
    `${cpus} x ${cpuModel}, ${platform}, Node ${node}; 1-min load before the run ${loadAvg1mBefore.toFixed(2)}; audio from ${r.audioDir}${busy}`,
    '',
  ].join('\n');
}
