/** The benchmark's printed report: one table of clips and one summary table per model. */
import { LiveResult, liveSkipped } from './live';
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
    ['model load', `${ms(m.engineInit.loadMs)} ms${m.engineInit.cachedEdits ? ' (prepared models from the cache)' : ''}`, `${ms(m.peerLoadMs)} ms`],
    ['engine process RSS after the runs', mb(e.rssBytes), '-'],
  ];
  if (m.idleCpu) {
    const heard = m.idleCpu.finals.length ? `, heard ${m.idleCpu.finals.map(quote).join(' ')}` : '';
    rows.push(['engine idle CPU while listening to 30 s of silence', `${m.idleCpu.cpuPercent.toFixed(1)}% of one core${heard}`, '-']);
  }
  if (m.contention) rows.push(['CPU used by other processes during these runs', contentionCell(m.contention), '(same machine)']);
  return table(['', 'engine', 'peer (transformers.js)'], rows);
}

function contentionCell(c: { otherCpuPercent: number; stealPercent: number }): string {
  const warn = c.otherCpuPercent > BUSY_OTHER_CPU_PERCENT ? ' (WARNING: contention, latencies inflated)' : '';
  return `${c.otherCpuPercent.toFixed(1)}% of one core, steal ${c.stealPercent.toFixed(1)}%${warn}`;
}

/** The A/B of the encoder window: the default engine ('variable') against the same engine with encoderWindow 'full'. */
function windowTables(m: ModelResult): string[] {
  const f = m.engineFull;
  if (!f) return [];
  const rows = m.clips.filter((c) => c.engineFull).map((c) => [
    c.clip,
    c.seconds.toFixed(1),
    ms(c.engine.medianMs),
    ms(c.engineFull!.medianMs),
    `${(c.engineFull!.medianMs / c.engine.medianMs).toFixed(2)}x`,
    quote(c.engine.text) + (c.engine.otherTexts ? ' (varied)' : ''),
    c.engineFull!.text === c.engine.text && !c.engineFull!.otherTexts ? '(same)' : quote(c.engineFull!.text) + (c.engineFull!.otherTexts ? ' (varied)' : ''),
  ]);
  const e = m.engine;
  const summary = [
    ['WER (speech clips with a reference)', `${pct(e.wer.wer)} (${e.wer.errors}/${e.wer.referenceWords})`, `${pct(f.wer.wer)} (${f.wer.errors}/${f.wer.referenceWords})`],
    ['latency p50, speech clips, all timed runs', `${ms(e.p50Ms)} ms`, `${ms(f.p50Ms)} ms`],
    ['latency p95, speech clips, all timed runs', `${ms(e.p95Ms)} ms`, `${ms(f.p95Ms)} ms`],
    ['words for 30 s of silence / of white noise', `${e.silenceWords} / ${e.noiseWords}`, `${f.silenceWords} / ${f.noiseWords}`],
    ['model load', `${ms(m.engineInit.loadMs)} ms`, `${ms(f.loadMs)} ms`],
    ['engine process RSS after the runs', mb(e.rssBytes), mb(f.rssBytes)],
  ];
  return [
    `### whisper-${m.model} encoder window: 'variable' (default) vs 'full' (30 s, as the peer runs it); same runs, alternated; "slower" = full ms / variable ms`,
    '',
    table(['clip', 's', 'variable ms', 'full ms', 'slower', 'variable text', 'full text'], rows, [false, true, true, true, true]),
    '',
    table(['', "engine, encoderWindow 'variable'", "engine, encoderWindow 'full'"], summary),
    '',
  ];
}

function liveTables(m: ModelResult): string[] {
  if (!m.live) return [];
  if (liveSkipped(m.live)) return [`Live microphone section skipped: ${m.live.skipped}.`, ''];
  const l: LiveResult = m.live;
  const empty = l.utterances.length - l.nonEmpty;
  const utterances = l.utterances.map((u, i) => [
    `${i + 1}`,
    u.clip,
    u.text ? quote(u.text) : `(empty${u.rejected ? `: ${u.rejected}` : ''})`,
    ms(u.endOfSpeechToTextMs),
    ms(u.processingMs),
    u.speculative ? 'yes' : 'no',
  ]);
  const speculative = l.utterances.filter((u) => u.text && u.speculative).length;
  const heard = l.idle.finals.length ? `; heard ${l.idle.finals.map(quote).join(' ')}` : '';
  const rows = [
    ['clips played (those with a reference)', `${l.clips.length}, ${l.speechSeconds.toFixed(1)} s of speech, ${l.pauseMs / 1000} s of silence after each`],
    ['utterances (final notifications)', `${l.nonEmpty} with text${empty ? `, ${empty} empty` : ''}`],
    ['end of speech to text, p50 / p95 (hangover included)', `${ms(l.endOfSpeechToTextMs.p50)} / ${ms(l.endOfSpeechToTextMs.p95)} ms`],
    ['processing (utterance closed to text), p50 / p95', `${ms(l.processingMs.p50)} / ${ms(l.processingMs.p95)} ms`],
    ['finals from the speculative pass (started during the hangover)', `${speculative} of ${l.nonEmpty}`],
    ['live WER (all finals concatenated vs all references)', `${pct(l.wer.wer)} (${l.wer.errors}/${l.wer.referenceWords})`],
    [`engine idle CPU, microphone hearing ${l.idle.seconds} s of silence`, `${l.idle.cpuPercent.toFixed(1)}% of one core${heard}`],
    ['engine process RSS after the silence', mb(l.idle.rssBytes)],
    ['ring overruns; capture errors', `${l.sessionEnd?.overruns ?? '?'}; ${l.errors.length ? l.errors.map((e) => `${e.code} ${e.message}`).join(' / ') : 'none'}`],
  ];
  if (l.contention) rows.push(['CPU used by other processes during the live section', contentionCell(l.contention)]);
  return [
    `### whisper-${l.model} live: a fake microphone (PulseAudio null sink, device "${l.device}"), default settings (${l.hangoverMs} ms hangover)`,
    '',
    table(['#', 'clip played last', 'final text', 'end of speech to text ms', 'processing ms', 'speculative'], utterances, [true, false, false, true, true]),
    '',
    table(['', 'engine (live)'], rows),
    '',
  ];
}

export function formatModel(m: ModelResult, runs: number): string {
  return [
    `## whisper-${m.model} (median of ${runs} timed runs per clip; "faster" = peer ms / engine ms)`,
    '',
    clipTable(m),
    '',
    summaryTable(m),
    '',
    ...windowTables(m),
    ...liveTables(m),
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
