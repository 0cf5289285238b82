/** The benchmark's printed report: per model, a table of clips, a summary, and a table per further section. */
import { LEAD_IN_MS } from './clips';
import { formatDevSet } from './devset';
import { LeverAbResult } from './levers';
import { LiveResult, liveSkipped } from './live';
import { BenchResults, ImplSummary, ModelResult, WHOLE_FILE_CLIP } from './results';
import { whisperCppSkipped } from './whispercppOutput';

/** A 1-minute load average above this per core, before the run, means something else competed for the CPU. */
const BUSY_LOAD_PER_CPU = 0.25;
/** Other processes using more than this (percent of one core) during a model's runs distort its latencies. */
const BUSY_OTHER_CPU_PERCENT = 10;

export const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)}` : '-');
export const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
export const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;
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
    [
      'WER (speech clips with a reference)',
      `${pct(e.wer.wer)} (${e.wer.errors}/${e.wer.referenceWords})`,
      `${pct(p.wer.wer)} (${p.wer.errors}/${p.wer.referenceWords})`,
    ],
    ['latency p50, speech clips, all timed runs', `${ms(e.p50Ms)} ms`, `${ms(p.p50Ms)} ms`],
    ['latency p95, speech clips, all timed runs', `${ms(e.p95Ms)} ms`, `${ms(p.p95Ms)} ms`],
    [
      'latency p50 / p95, speech clips of 1-3 s, all timed runs',
      `${ms(e.shortP50Ms)} / ${ms(e.shortP95Ms)} ms`,
      `${ms(p.shortP50Ms)} / ${ms(p.shortP95Ms)} ms`,
    ],
    ['words for 30 s of silence', `${e.silenceWords}`, `${p.silenceWords}`],
    ['words for 30 s of white noise', `${e.noiseWords}`, `${p.noiseWords}`],
    [
      'model load',
      `${ms(m.engineInit.loadMs)} ms${m.engineInit.cachedEdits ? ' (prepared models from the cache)' : ''}`,
      `${ms(m.peerLoadMs)} ms`,
    ],
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

/** ours / peer (engine ms / peer ms: under 1, the engine is faster). */
const ratio = (ours: number, peer: number) =>
  Number.isFinite(ours) && Number.isFinite(peer) && peer > 0 ? `${(ours / peer).toFixed(2)}` : '-';

/**
 * Both peers beside the engine: transformers.js (alternating with the engine) and whisper.cpp right after, with the
 * full encoder window and the window cut to the clip; figures as in the summary, and ours / peer.
 */
export function peersTables(m: ModelResult): string[] {
  const w = m.whisperCpp;
  if (!w) return [];
  if (whisperCppSkipped(w)) return [`whisper.cpp: not run (${w.skipped}).`, ''];
  const cols: { name: string; s: ImplSummary; load: string; rss: string; busy: string }[] = [
    {
      name: 'engine',
      s: m.engine,
      load: ms(m.engineInit.loadMs),
      rss: mb(m.engine.rssBytes),
      busy: m.contention ? contentionCell(m.contention) : '-',
    },
    { name: 'transformers.js', s: m.peer, load: ms(m.peerLoadMs), rss: '(in the bench process)', busy: '(with the engine)' },
    ...w.modes.map((x) => ({
      name: `whisper.cpp, ${x.label === 'full' ? 'full window' : `audio_ctx ${x.label}`}`,
      s: x.summary,
      load: ms(x.loadMs),
      rss: x.rssPeakMb !== undefined ? `${Math.round(x.rssPeakMb)} MB (peak)` : '-',
      busy: `busy_other mean ${x.busyOther.mean.toFixed(2)}, max ${x.busyOther.max.toFixed(2)}${x.contention ? `; ${contentionCell(x.contention)}` : ''}`,
    })),
  ];
  const e = m.engine;
  const rows = cols.map((c) => [
    c.name,
    `${pct(c.s.wer.wer)} (${c.s.wer.errors}/${c.s.wer.referenceWords})`,
    `${ms(c.s.p50Ms)} / ${ms(c.s.p95Ms)}`,
    `${ms(c.s.shortP50Ms)} / ${ms(c.s.shortP95Ms)}`,
    ms(c.s.wholeFileMs),
    `${c.s.silenceWords} / ${c.s.noiseWords}`,
    c.load,
    c.rss,
    `${ratio(e.p50Ms, c.s.p50Ms)} / ${ratio(e.shortP50Ms, c.s.shortP50Ms)} / ${ratio(e.wholeFileMs, c.s.wholeFileMs)}`,
    c.busy,
  ]);
  const [full, cut] = [w.modes[0], w.modes[1]];
  const clips = m.clips.map((c, i) => {
    const [f, k] = [full?.clips[i], cut?.clips[i]];
    return [
      c.clip,
      c.seconds.toFixed(1),
      ms(c.engine.medianMs),
      ms(c.peer.medianMs),
      f ? ms(f.runs.medianMs) : '-',
      k ? `${ms(k.runs.medianMs)} (${k.audioCtx})` : '-',
      `${f ? f.busyOther.toFixed(2) : '-'} / ${k ? k.busyOther.toFixed(2) : '-'}`,
      f ? quote(f.runs.text) : '-',
      k ? (f && k.runs.text === f.runs.text ? '(same)' : quote(k.runs.text)) : '-',
    ];
  });
  return [
    `### whisper-${m.model} peers side by side: engine vs transformers.js vs whisper.cpp (${w.binding}, ${w.ggml} rebuilt from the same int8 ONNX, ${w.threads} threads; run after the engine/peer rounds, ${w.runs} timed run${w.runs === 1 ? '' : 's'} per clip after 1 warm-up); "ours / peer" = engine ms / peer ms`,
    '',
    table(
      [
        '',
        'WER',
        'p50 / p95 ms',
        '1-3 s p50 / p95 ms',
        `${WHOLE_FILE_CLIP} ms`,
        'words silence / noise',
        'load ms',
        'RSS',
        'ours / peer: p50 / 1-3 s p50 / jfk',
        'CPU used by other processes',
      ],
      rows,
      [false, true, true, true, true, true, true, true, true, false],
    ),
    '',
    table(
      [
        'clip',
        's',
        'engine ms',
        'transformers.js ms',
        'whisper.cpp full ms',
        'whisper.cpp cut ms (audio_ctx)',
        'busy_other full / cut',
        'whisper.cpp full text',
        'whisper.cpp cut text',
      ],
      clips,
      [false, true, true, true, true, true, true],
    ),
    '',
  ];
}

/** The A/B of the encoder window, from the lever A/B: the default engine ('variable') against the one with encoderWindow 'full'. */
function windowTables(m: ModelResult): string[] {
  const l = m.levers;
  const fi = l?.settings.findIndex((s) => s.lever === 'encoderWindow') ?? -1;
  if (!l || fi < 0) return [];
  const [v, f] = [l.settings[0], l.settings[fi]];
  const rows = l.clips.map((c) => {
    const [cv, cf] = [c.runs[0], c.runs[fi]];
    return [
      c.clip,
      c.seconds.toFixed(1),
      ms(cv.medianMs),
      ms(cf.medianMs),
      `${(cf.medianMs / cv.medianMs).toFixed(2)}x`,
      quote(cv.text) + (cv.otherTexts ? ' (varied)' : ''),
      cf.text === cv.text && !cf.otherTexts ? '(same)' : quote(cf.text) + (cf.otherTexts ? ' (varied)' : ''),
    ];
  });
  const [sv, sf] = [v.summary, f.summary];
  const summary = [
    [
      'WER (speech clips with a reference)',
      `${pct(sv.wer.wer)} (${sv.wer.errors}/${sv.wer.referenceWords})`,
      `${pct(sf.wer.wer)} (${sf.wer.errors}/${sf.wer.referenceWords})`,
    ],
    ['latency p50, speech clips, all timed runs', `${ms(sv.p50Ms)} ms`, `${ms(sf.p50Ms)} ms`],
    ['latency p95, speech clips, all timed runs', `${ms(sv.p95Ms)} ms`, `${ms(sf.p95Ms)} ms`],
    ['words for 30 s of silence / of white noise', `${sv.silenceWords} / ${sv.noiseWords}`, `${sf.silenceWords} / ${sf.noiseWords}`],
    ['model load', `${ms(v.init.loadMs)} ms`, `${ms(f.init.loadMs)} ms`],
    ['engine process RSS after the runs', mb(v.rssBytes), mb(f.rssBytes)],
  ];
  return [
    `### whisper-${l.model} encoder window: 'variable' (default) vs 'full' (30 s, as the peer runs it); engines of the lever A/B; "slower" = full ms / variable ms`,
    '',
    table(['clip', 's', 'variable ms', 'full ms', 'slower', 'variable text', 'full text'], rows, [false, true, true, true, true]),
    '',
    table(['', "engine, encoderWindow 'variable'", "engine, encoderWindow 'full'"], summary),
    '',
  ];
}

/** One row per lever setting; "vs default" = its p50 / the default's p50. */
function leverTables(l: LeverAbResult | undefined, runs: number): string[] {
  if (!l) return [];
  const base = l.settings[0].summary.p50Ms;
  const rows = l.settings.map((s) => {
    const x = s.summary;
    return [
      s.lever,
      s.defaultSetting ? `${s.setting} (default ${s.defaultSetting})` : s.setting,
      ms(x.p50Ms),
      ms(x.p95Ms),
      ms(x.shortP50Ms),
      ms(x.shortP95Ms),
      ms(x.wholeFileMs),
      `${pct(x.wer.wer)} (${x.wer.errors}/${x.wer.referenceWords})`,
      `${x.silenceWords} / ${x.noiseWords}`,
      mb(s.rssBytes),
      `${ms(s.init.loadMs)}${s.init.cachedEdits ? '' : ' (prepared)'}`,
      `${(x.p50Ms / base).toFixed(2)}x`,
    ];
  });
  return [
    `### whisper-${l.model} levers: one engine per setting, all run alternately on every clip (1 warm-up, ${runs} timed runs each); ms over all timed runs of the speech clips`,
    '',
    table(
      [
        'lever',
        'setting',
        'p50',
        'p95',
        '1-3 s p50',
        '1-3 s p95',
        `${WHOLE_FILE_CLIP} ms`,
        'WER',
        'words silence / noise',
        'RSS',
        'load ms',
        'vs default',
      ],
      rows,
      [false, false, true, true, true, true, true, true, true, true, true, true],
    ),
    ...(l.contention ? ['', `CPU used by other processes during the lever A/B: ${contentionCell(l.contention)}`] : []),
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
    ms(u.feltMs),
    ms(u.endOfSpeechToTextMs),
    ms(u.processingMs),
    u.speculative ? 'yes' : 'no',
    u.firstPartialMs !== undefined ? ms(u.firstPartialMs) : '-',
  ]);
  const heard = l.idle.finals.length ? `; heard ${l.idle.finals.map(quote).join(' ')}` : '';
  const rows = [
    [
      'clips played (those with a reference)',
      `${l.clips.length}, ${l.speechSeconds.toFixed(1)} s of speech, ${l.pauseMs / 1000} s of silence after each`,
    ],
    ['utterances (final notifications)', `${l.nonEmpty} with text${empty ? `, ${empty} empty` : ''}`],
    [
      'felt: end of speech to text a client shows (provisional text where the final kept it), p50 / p95',
      `${ms(l.feltMs.p50)} / ${ms(l.feltMs.p95)} ms (${l.provisionalFinals} of ${l.nonEmpty} finals kept their provisional text)`,
    ],
    [
      'felt, utterances of 1-5 s (audio up to 5.5 s with pre- and post-roll), p50 / p95',
      `${ms(l.feltShortMs.p50)} / ${ms(l.feltShortMs.p95)} ms (${l.feltShortMs.count} utterances)`,
    ],
    [
      'end of speech to final text, p50 / p95 (hangover included)',
      `${ms(l.endOfSpeechToTextMs.p50)} / ${ms(l.endOfSpeechToTextMs.p95)} ms`,
    ],
    ['processing (utterance closed to text), p50 / p95', `${ms(l.processingMs.p50)} / ${ms(l.processingMs.p95)} ms`],
    ['finals from the speculative pass (started during the hangover)', `${l.speculativeFinals} of ${l.nonEmpty}`],
    [
      'first interim text after speech starts (first partial per utterance), p50 / p95',
      firstPartialCell(l.firstPartialMs, l.utterances.length),
    ],
    [
      'capture to VAD wait (frames the VAD heard), p50 / p95',
      l.captureToVadMs?.count ? `${ms(l.captureToVadMs.p50)} / ${ms(l.captureToVadMs.p95)} ms (${l.captureToVadMs.count} frames)` : '-',
    ],
    ['live WER (all finals concatenated vs all references)', `${pct(l.wer.wer)} (${l.wer.errors}/${l.wer.referenceWords})`],
    [`engine idle CPU, microphone hearing ${l.idle.seconds} s of silence`, `${l.idle.cpuPercent.toFixed(1)}% of one core${heard}`],
    ['engine process RSS after the silence', mb(l.idle.rssBytes)],
    [
      'ring overruns; capture errors',
      `${l.sessionEnd?.overruns ?? '?'}; ${l.errors.length ? l.errors.map((e) => `${e.code} ${e.message}`).join(' / ') : 'none'}`,
    ],
  ];
  if (l.contention) rows.push(['CPU used by other processes during the live section', contentionCell(l.contention)]);
  return [
    `### whisper-${l.model} live: a fake microphone (PulseAudio null sink, device "${l.device}"), default settings (${l.hangoverMs} ms hangover)`,
    '',
    table(
      ['#', 'clip played last', 'final text', 'felt ms', 'end of speech to final ms', 'processing ms', 'speculative', 'first partial ms'],
      utterances,
      [true, false, false, true, true, true, false, true],
    ),
    '',
    table(['', 'engine (live)'], rows),
    '',
  ];
}

function firstPartialCell(f: { p50: number; p95: number; count: number }, utterances: number): string {
  return f.count ? `${ms(f.p50)} / ${ms(f.p95)} ms (${f.count} of ${utterances} utterances)` : `none (of ${utterances} utterances)`;
}

function streamingTables(m: ModelResult): string[] {
  const s = m.streaming;
  if (!s) return [];
  const rows = s.settings.map((r) => [
    r.label,
    `${r.nonEmpty}${r.utterances.length > r.nonEmpty ? ` (+${r.utterances.length - r.nonEmpty} empty)` : ''}`,
    `${ms(r.processingMs.p50)} / ${ms(r.processingMs.p95)}`,
    `${ms(r.feltMs.p50)} / ${ms(r.feltMs.p95)} (${r.provisionalFinals}); 1-5 s: ${ms(r.feltShortMs.p50)} / ${ms(r.feltShortMs.p95)}`,
    `${ms(r.endOfSpeechToTextMs.p50)} / ${ms(r.endOfSpeechToTextMs.p95)}`,
    firstPartialCell(r.firstPartialMs, r.utterances.length),
    `${r.speculativeFinals}`,
    r.captureToVadMs?.count ? `${ms(r.captureToVadMs.p50)} / ${ms(r.captureToVadMs.p95)}` : '-',
    `${pct(r.wer.wer)} (${r.wer.errors}/${r.wer.referenceWords})`,
    `${r.sessionEnd.overruns}; ${r.errors.length ? r.errors.map((e) => `${e.code} ${e.message}`).join(' / ') : 'none'}`,
  ]);
  return [
    `### whisper-${s.model} streaming A/B: the ${s.clips.length} clips with a reference in one ${Math.round(s.seconds)} s WAV, played through \`listen\` at real-time pace; one engine per setting, one after another`,
    '',
    table(
      [
        'setting',
        'utterances',
        'processing p50 / p95 ms',
        'felt p50 / p95 ms (finals that kept their provisional text)',
        'end of speech to final p50 / p95 ms',
        'first partial p50 / p95',
        'speculative finals',
        'capture to VAD p50 / p95 ms',
        'WER',
        'overruns; errors',
      ],
      rows,
    ),
    ...(s.contention ? ['', `CPU used by other processes during the streaming A/B: ${contentionCell(s.contention)}`] : []),
    '',
  ];
}

function soakTables(m: ModelResult): string[] {
  const s = m.soak;
  if (!s) return [];
  const rows = [
    [
      'dictation',
      `${s.minutes} min; sessions of ${Math.round(s.passSeconds)} s (the ${s.clips.length} speech clips each), back to back: ${s.sessions}`,
    ],
    ['utterances transcribed (non-empty finals)', `${s.utterances}`],
    [
      "words lost / invented (sessions that ran to their end, against the clips' references)",
      `${s.words.deletions} / ${s.words.insertions} of ${s.words.referenceWords} words in ${s.scoredSessions} sessions (substituted: ${s.words.substitutions})`,
    ],
    ...s.sessionsWithErrors.slice(0, 5).map((e) => [`session ${e.session}: ${e.lost} lost, ${e.invented} invented`, e.text.slice(0, 300)]),
    ['RSS at the first sample after 1 min', s.rssAfter1MinBytes !== undefined ? mb(s.rssAfter1MinBytes) : 'n/a (soak shorter than 1 min)'],
    ['RSS at the first sample / end / max', `${mb(s.samples[0]?.rssBytes ?? NaN)} / ${mb(s.rssEndBytes)} / ${mb(s.rssMaxBytes)}`],
    [
      'RSS growth over the second half (least-squares slope)',
      `${Number.isFinite(s.growthMbPerMin) ? s.growthMbPerMin.toFixed(2) : '-'} MB/min`,
    ],
    ['errors', s.errors.length ? s.errors.map((e) => `${e.code} ${e.message}`).join(' / ') : 'none'],
  ];
  if (s.contention) rows.push(['CPU used by other processes during the soak', contentionCell(s.contention)]);
  return [
    `### whisper-${s.model} soak: ${s.minutes} minutes of dictation, words lost and invented, engine RSS (file source at real-time pace through the live path; metrics every 10 s)`,
    '',
    table(['', 'engine'], rows),
    '',
  ];
}

function coldStartTables(m: ModelResult): string[] {
  const c = m.coldStart;
  if (!c) return [];
  const cached = c.runs.filter((r) => r.cachedEdits).length;
  const rows = [
    [
      'first start ever (empty cache: prepares the model cache)',
      `${ms(c.firstStart.forkToListeningMs)} ms`,
      `${ms(c.firstStart.loadMs)} ms${c.firstStart.cachedEdits ? ' (cachedEdits: true)' : ''}`,
    ],
    [
      `cold start, p50 (cache filled; runs: ${c.runs.length}, with cachedEdits: ${cached})`,
      `${ms(c.forkToListeningMs.p50)} ms`,
      `${ms(c.loadMs.p50)} ms`,
    ],
    ['cold start, max', `${ms(c.forkToListeningMs.max)} ms`, `${ms(c.loadMs.max)} ms`],
    ['peer: model load (in the bench process)', '-', `${ms(m.peerLoadMs)} ms`],
  ];
  const f = c.firstUtterance;
  const opt = (v: number | undefined) => (v === undefined ? 'none' : `${ms(v)} ms`);
  const texts = [...new Set(c.runs.map((r) => JSON.stringify(r.firstUtterance?.text ?? '')))].join(', ');
  return [
    `### whisper-${c.model} cold start: fork the engine, initialize, start a session (a file at real-time pace) until the 'listening' state`,
    '',
    table(['', "fork to 'listening'", 'initialize loadMs'], rows, [false, true, true]),
    '',
    `The first words after the start (${f.clip}, ${LEAD_IN_MS / 1000} s after 'listening'), p50 over the ${c.runs.length} starts with the cache filled: ` +
      `first partial ${opt(f.firstPartialMs)} after speech start; felt ${opt(f.feltMs)} and final ${opt(f.finalMs)} after the end of speech ` +
      `(hangover included); text ${texts}. Compare the live section's figures, which come after the engine has dictated.`,
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
    ...peersTables(m),
    ...coldStartTables(m),
    ...leverTables(m.levers, runs),
    ...windowTables(m),
    ...liveTables(m),
    ...streamingTables(m),
    ...soakTables(m),
    ...(m.devSet ? formatDevSet(m.devSet, table) : []),
  ].join('\n');
}

export function formatHeader(r: Pick<BenchResults, 'machine' | 'audioDir' | 'runsPerClip'>): string {
  const { cpus, cpuModel, platform, node, loadAvg1mBefore } = r.machine;
  const busy =
    loadAvg1mBefore > BUSY_LOAD_PER_CPU * cpus
      ? `\nWARNING: the machine was busy before the run (1-min load ${loadAvg1mBefore.toFixed(2)} on ${cpus} cores): latencies are inflated.`
      : '';
  return [
    '# VoiceFlow benchmark: engine vs transformers.js 4.3.1 and whisper.cpp (@napi-rs/whisper 0.0.4)',
    `${cpus} x ${cpuModel}, ${platform}, Node ${node}; 1-min load before the run ${loadAvg1mBefore.toFixed(2)}; audio from ${r.audioDir}${busy}`,
    '',
  ].join('\n');
}
